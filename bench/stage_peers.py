"""Stage members for the stage benchmark: aiortc peers speaking WHIP, on one event loop thread.

Each peer sends a tone or 5 ms clicks paced in real time and records what the stage sends it,
with arrival times (the bench measures click delays from them). aiortc is only a client here.
"""

from __future__ import annotations

import asyncio
import fractions
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import av
import numpy as np
from aiortc import MediaStreamTrack, RTCPeerConnection, RTCSessionDescription

T = TypeVar("T")
SR = 48000
FRAME = 960
CLICK_EVERY = 0.5


class SourceTrack(MediaStreamTrack):
    """A microphone stand-in paced in real time: a tone, silence, or 5 ms clicks of 2 kHz."""

    kind = "audio"

    def __init__(self, mode: str, freq: float, amplitude: float, click_every: float) -> None:
        super().__init__()
        self.mode, self.freq, self.amplitude, self.click_every = mode, freq, amplitude, click_every
        self.n = 0
        self.t0: float | None = None
        #: monotonic time of each click's first sample
        self.clicks: list[float] = []

    async def recv(self) -> av.AudioFrame:  # type: ignore[override]
        if self.t0 is None:
            self.t0 = time.monotonic()
        wait = self.t0 + self.n * FRAME / SR - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        idx = np.arange(self.n * FRAME, (self.n + 1) * FRAME)
        if self.mode == "tone":
            samples = self.amplitude * np.sin(2 * np.pi * self.freq * idx / SR)
        elif self.mode == "silence":
            samples = np.zeros(FRAME)
        else:
            period = int(self.click_every * SR)
            phase = idx % period
            samples = np.where(phase < 240, 0.8 * np.sin(2 * np.pi * 2000 * phase / SR), 0.0)
            for k in np.nonzero(phase == 0)[0]:
                self.clicks.append(time.monotonic() + (int(k) - FRAME) / SR)
        frame = av.AudioFrame(format="s16", layout="mono", samples=FRAME)
        frame.planes[0].update((samples * 32767).astype("<i2").tobytes())
        frame.sample_rate = SR
        frame.pts = self.n * FRAME
        frame.time_base = fractions.Fraction(1, SR)
        self.n += 1
        return frame


async def record_track(track: Any, keep: Callable[[np.ndarray, float], None]) -> None:
    """Each frame ``track`` delivers, as mono float samples at ``SR`` with when it came, until it ends."""
    resampler = av.AudioResampler(format="s16", layout="mono", rate=SR)
    while True:
        try:
            frame = await track.recv()
        except Exception:
            return
        now = time.monotonic()
        for out in resampler.resample(frame):
            keep(out.to_ndarray().reshape(-1).astype(np.float32) / 32768, now)


class Peer:
    """One stage member: its connection, what it sends, and (chunk, arrival time) of what it hears."""

    def __init__(self, freq: float | None) -> None:
        self.pc = RTCPeerConnection()
        self.source = SourceTrack("clicks" if freq is None else "tone", freq or 0.0, 0.1, CLICK_EVERY)
        self.pc.addTransceiver(self.source, direction="sendrecv")
        self.heard: list[tuple[np.ndarray, float]] = []
        self.pc.on("track", lambda track: asyncio.ensure_future(self._record(track)))

    async def _record(self, track: Any) -> None:
        await record_track(track, lambda chunk, now: self.heard.append((chunk, now)))

    async def join(self, base_url: str, room_id: str, key: str) -> None:
        await self.pc.setLocalDescription(await self.pc.createOffer())
        request = urllib.request.Request(
            f"{base_url}/whip/{room_id}", data=self.pc.localDescription.sdp.encode(), method="POST",
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/sdp"})

        def post() -> str:
            try:
                with urllib.request.urlopen(request, timeout=20) as response:
                    return str(response.read().decode())
            except urllib.error.HTTPError as exc:
                raise RuntimeError(f"WHIP join refused: {exc.code} {exc.read().decode()}") from exc

        answer = await asyncio.to_thread(post)
        await self.pc.setRemoteDescription(RTCSessionDescription(answer, "answer"))

    def click_onsets(self, threshold: float = 0.15) -> list[float]:
        """Monotonic time each click began in what this peer heard."""
        out: list[float] = []
        last = -1.0
        for chunk, arrived in self.heard:
            hits = np.nonzero(np.abs(chunk) > threshold)[0]
            if hits.size:
                when = arrived - (chunk.size - int(hits[0])) / SR
                if when - last > CLICK_EVERY / 2:
                    out.append(when)
                last = when
        return out


class PeerLoop:
    """An asyncio loop on its own thread for every peer of the benchmark."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="bench-peers", daemon=True)
        self.thread.start()
        self.peers: list[Peer] = []

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def join(self, base_url: str, room_id: str, key: str, freq: float | None) -> Peer:
        async def make() -> Peer:
            peer = Peer(freq)
            await peer.join(base_url, room_id, key)
            return peer

        peer = self.run(make())
        self.peers.append(peer)
        return peer

    def close_all(self) -> None:
        async def close() -> None:
            for peer in self.peers:
                await peer.pc.close()

        self.run(close())
        self.peers.clear()

    def stop(self) -> None:
        try:
            self.close_all()
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(5)


def click_delays(sent: list[float], heard: list[float]) -> list[float]:
    """Each click's delay (seconds) to the first onset heard after it, within a second."""
    delays = []
    for s in sent:
        later = [h - s for h in heard if 0 < h - s < 1.0]
        if later:
            delays.append(min(later))
    return delays


def _admin_post(base_url: str, admin_token: str, path: str, body: dict[str, Any]) -> Any:
    request = urllib.request.Request(
        base_url + path, data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Bearer {admin_token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def add_cohost_key(base_url: str, admin_token: str, room_id: str, name: str) -> str:
    """A co-host key for the room (each stage member needs a key of its own)."""
    return str(_admin_post(base_url, admin_token, f"/api/rooms/{room_id}/keys", {"name": name})["stream_key"])


def end_room(base_url: str, admin_token: str, room_id: str) -> None:
    """End the room's show, so its encoder does not weigh on the next step."""
    _admin_post(base_url, admin_token, f"/api/rooms/{room_id}/end", {})
