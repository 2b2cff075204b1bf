"""Support for the stage tests: a lossy UDP relay, an aiortc WHIP client, tone and gap checks.

aiortc appears here only as a client (a WHIP encoder we did not write): it publishes a tone or
clicks paced in real time and records what the stage sends back, with arrival times.
"""

from __future__ import annotations

import asyncio
import random
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
from aiortc import RTCPeerConnection, RTCSessionDescription

from bench.stage_peers import SR, SourceTrack, record_track

T = TypeVar("T")


class _Side(asyncio.DatagramProtocol):
    def __init__(self, on_packet: Callable[[bytes, Any], None]) -> None:
        self.on_packet = on_packet
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: Any) -> None:
        self.on_packet(data, addr)


class LossyRelay:
    """A user-space stand-in for netem between a client and the server (this kernel has none).

    The client is told the relay's ``client_port`` as the server's only candidate and the
    server is told ``server_port`` as the client's, so every packet crosses the relay. Packets
    from the client are dropped with probability ``loss`` and each delayed by ``delay`` ±
    ``jitter`` seconds (uniform, so they may arrive out of order); the way back is clean.
    ``cut()`` drops everything both ways (a network that went away).
    """

    def __init__(self, loss: float = 0.05, delay: float = 0.030, jitter: float = 0.030,
                 seed: int | None = None) -> None:
        self.loss, self.delay, self.jitter = loss, delay, jitter
        self.rng = random.Random(seed)
        self.client: tuple[str, int] | None = None
        self.server: tuple[str, int] | None = None
        self.forwarded = self.dropped = 0
        self.down = False

    async def start(self, host: str = "127.0.0.1") -> LossyRelay:
        loop = asyncio.get_running_loop()
        self._front, _ = await loop.create_datagram_endpoint(lambda: _Side(self._from_client),
                                                             local_addr=(host, 0))
        self._back, _ = await loop.create_datagram_endpoint(lambda: _Side(self._from_server),
                                                            local_addr=(host, 0))
        self.host = host
        self.client_port = self._front.get_extra_info("sockname")[1]
        self.server_port = self._back.get_extra_info("sockname")[1]
        return self

    def cut(self) -> None:
        self.down = True

    def _from_client(self, data: bytes, addr: Any) -> None:
        if self.down or self.server is None:
            return
        if self.rng.random() < self.loss:
            self.dropped += 1
            return
        self.forwarded += 1
        target = self.server
        wait = max(0.0, self.delay + self.rng.uniform(-self.jitter, self.jitter))
        asyncio.get_running_loop().call_later(wait, self._back.sendto, data, target)

    def _from_server(self, data: bytes, addr: Any) -> None:
        if not self.down and self.client is not None:
            self._front.sendto(data, self.client)

    def close(self) -> None:
        self._front.close()
        self._back.close()


CANDIDATE = re.compile(r"a=candidate:(\S+) (\d) (?:udp|UDP) (\d+) (\S+) (\d+) typ host(.*)")


def through_relay(sdp: str, host: str, port: int) -> tuple[str, tuple[str, int]]:
    """The SDP with its first UDP host candidate moved to ``host:port`` (others removed); the
    original candidate's address (where the relay must send)."""
    original: tuple[str, int] | None = None
    lines = []
    for line in sdp.splitlines():
        match = CANDIDATE.match(line)
        if match and original is None:
            original = (match.group(4), int(match.group(5)))
            line = (f"a=candidate:{match.group(1)} {match.group(2)} udp {match.group(3)} "
                    f"{host} {port} typ host")
        elif line.startswith("a=candidate"):
            continue
        lines.append(line)
    assert original is not None, "the SDP has no UDP host candidate"
    return "\r\n".join(lines) + "\r\n", original


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to the end on a fresh event loop in its own thread.

    ``asyncio.run`` refuses to start where a loop already runs, and Playwright's sync API
    keeps one running on the main thread for the whole session once a browser test ran.
    """
    outcome: list[Any] = []

    def target() -> None:
        try:
            outcome.append(("ok", asyncio.run(coro)))
        except BaseException as exc:  # handed to the caller's thread
            outcome.append(("error", exc))

    thread = threading.Thread(target=target, name="stage-test-loop")
    thread.start()
    thread.join()
    kind, value = outcome[0]
    if kind == "error":
        raise value
    return value  # type: ignore[no-any-return]


def whip_post(url: str, key: str, sdp: str, content_type: str = "application/sdp") -> tuple[int, str, Any]:
    """POST an offer; status, body and headers (an ``http.client.HTTPMessage``)."""
    req = urllib.request.Request(url, data=sdp.encode(), method="POST",
                                 headers={"Authorization": f"Bearer {key}", "Content-Type": content_type})
    try:
        with urllib.request.urlopen(req, timeout=20) as resp:
            return resp.status, resp.read().decode(), resp.headers
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode(), err.headers


def whip_patch(url: str, key: str, sdpfrag: str) -> int:
    """PATCH trickled candidates to a WHIP session; the status."""
    req = urllib.request.Request(url, data=sdpfrag.encode(), method="PATCH", headers={
        "Authorization": f"Bearer {key}", "Content-Type": "application/trickle-ice-sdpfrag"})
    try:
        with urllib.request.urlopen(req, timeout=20) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as err:
        return int(err.code)


def whip_delete(url: str, key: str) -> int:
    """DELETE a WHIP session; the status."""
    req = urllib.request.Request(url, method="DELETE", headers={"Authorization": f"Bearer {key}"})
    try:
        with urllib.request.urlopen(req, timeout=20) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as err:
        return int(err.code)


@dataclass
class Heard:
    """What a client received: 48 kHz mono float chunks and the monotonic time each arrived."""

    chunks: list[np.ndarray] = field(default_factory=list)
    times: list[float] = field(default_factory=list)

    def audio(self) -> np.ndarray:
        return np.concatenate(self.chunks) if self.chunks else np.zeros(0, np.float32)


def tone_level(audio: np.ndarray, freq: float, rate: int = SR) -> float:
    """Amplitude of ``freq`` in ``audio`` (Hann-windowed FFT, peak within ±5 Hz)."""
    if audio.size == 0:
        return 0.0
    spectrum = np.abs(np.fft.rfft(audio * np.hanning(audio.size))) / audio.size * 4
    freqs = np.fft.rfftfreq(audio.size, 1 / rate)
    return float(spectrum[(freqs > freq - 5) & (freqs < freq + 5)].max())


def longest_gap(audio: np.ndarray, freq: float, *, window: float = 0.002, floor: float = 0.2,
                rate: int = SR) -> float:
    """Longest stretch (seconds) in which the tone at ``freq`` falls below ``floor`` × its median."""
    w = int(window * rate)
    n = audio.size // w
    if n == 0:
        return 0.0
    blocks = audio[: n * w].reshape(n, w)
    ref = np.exp(-2j * np.pi * freq * np.arange(w) / rate)
    amplitude = np.abs(blocks @ ref) * 2 / w
    low = amplitude < floor * np.median(amplitude)
    best = run = 0
    for quiet in low:
        run = run + 1 if quiet else 0
        best = max(best, run)
    return best * window


class WhipPeer:
    """An aiortc peer connection publishing a tone or clicks over WHIP, recording what it hears."""

    def __init__(self, mode: str = "tone", freq: float = 440.0, *, listen: bool = True,
                 amplitude: float = 0.3, click_every: float = 0.5) -> None:
        self.pc = RTCPeerConnection()
        self.source = SourceTrack(mode, freq, amplitude, click_every)
        self.listen = listen
        self.heard = Heard()
        self.location: str | None = None
        self._recorder: asyncio.Task[None] | None = None
        self.pc.addTransceiver(self.source, direction="sendrecv" if listen else "sendonly")
        self.pc.on("track", self._on_track)

    def _on_track(self, track: Any) -> None:
        self._recorder = asyncio.ensure_future(self._record(track))

    async def _record(self, track: Any) -> None:
        def keep(chunk: np.ndarray, now: float) -> None:
            self.heard.chunks.append(chunk)
            self.heard.times.append(now)

        await record_track(track, keep)

    async def offer(self) -> str:
        await self.pc.setLocalDescription(await self.pc.createOffer())
        return str(self.pc.localDescription.sdp)

    async def answer(self, sdp: str) -> None:
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp, "answer"))

    async def join(self, base_url: str, room_id: str, key: str, relay: LossyRelay | None = None) -> int:
        """The whole WHIP exchange (through ``relay`` when given); the POST's status."""
        offer = await self.offer()
        if relay is not None:
            offer, relay.client = through_relay(offer, relay.host, relay.server_port)
        status, body, headers = await asyncio.to_thread(whip_post, f"{base_url}/whip/{room_id}", key, offer)
        if status != 201:
            return status
        self.location = base_url + headers["Location"]
        if relay is not None:
            body, relay.server = through_relay(body, relay.host, relay.client_port)
        await self.answer(body)
        return status

    async def close(self) -> None:
        await self.pc.close()
        if self._recorder is not None:
            self._recorder.cancel()


def click_onsets(heard: Heard, threshold: float = 0.15, spacing: float = 0.25) -> list[float]:
    """Monotonic time each click began in what was heard."""
    out: list[float] = []
    last = -1.0
    for chunk, arrived in zip(heard.chunks, heard.times, strict=True):
        hits = np.nonzero(np.abs(chunk) > threshold)[0]
        if hits.size:
            when = arrived - (chunk.size - int(hits[0])) / SR
            if when - last > spacing:
                out.append(when)
            last = when
    return out


def click_delays(sent: list[float], heard: list[float]) -> list[float]:
    """For each click sent, the delay (seconds) to the first onset heard after it (within 1 s)."""
    delays = []
    for s in sent:
        later = [h - s for h in heard if 0 < h - s < 1.0]
        if later:
            delays.append(min(later))
    return delays
