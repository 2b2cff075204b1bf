"""Support for the ingest tests: real ffmpeg publishers, raw HTTP clients and independent checks.

Playlists are read with the ``m3u8`` package and may be either shape: a media playlist,
or a master playlist naming media playlists (we follow its first variant). Audio is
decoded by ffmpeg and analysed with numpy.
"""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import m3u8
import numpy as np

from tests.support import LiveServer, decode_pcm, wait_for

SR = 48000

#: codec name → (ffmpeg output options, Content-Type the client names)
CODECS: dict[str, tuple[list[str], str]] = {
    "mp3": (["-c:a", "libmp3lame", "-b:a", "128k", "-f", "mp3"], "audio/mpeg"),
    "aac": (["-c:a", "aac", "-b:a", "128k", "-f", "adts"], "audio/aac"),
    "vorbis": (["-c:a", "libvorbis", "-f", "ogg"], "audio/ogg"),
    "opus": (["-c:a", "libopus", "-b:a", "96k", "-f", "ogg"], "audio/opus"),
    "webm": (["-c:a", "libopus", "-b:a", "96k", "-f", "webm"], "audio/webm;codecs=opus"),
    "flac": (["-c:a", "flac", "-f", "flac"], "audio/flac"),
    "wav": (["-c:a", "pcm_s16le", "-f", "wav"], "audio/wav"),
}


def tone_source(freq: float, seconds: float) -> list[str]:
    """ffmpeg input options for a sine tone at -12 dBFS (lavfi)."""
    return ["-f", "lavfi", "-i", f"sine=frequency={freq}:sample_rate=48000:duration={seconds}",
            "-af", "volume=2"]


@contextmanager
def publishing(server: LiveServer, key: str, room_id: str, *, freq: float, seconds: float,
               codec: str = "mp3", extra: Sequence[str] = ()) -> Iterator[subprocess.Popen[bytes]]:
    """A real performer: ffmpeg sending a tone in real time to the Icecast ingest."""
    options, content_type = CODECS[codec]
    host = server.url.removeprefix("http://")
    proc = subprocess.Popen(
        ["ffmpeg", "-nostdin", "-v", "error", "-re", *tone_source(freq, seconds), *options,
         "-content_type", content_type, *extra, f"icecast://source:{key}@{host}/ingest/{room_id}"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def encode_file(path: Path, *, freq: float, seconds: float, codec: str,
                extra: Sequence[str] = ()) -> Path:
    """Encode a tone into ``path`` with ffmpeg (as fast as it goes)."""
    options, _ = CODECS[codec]
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *tone_source(freq, seconds), *options,
                    *extra, str(path)], check=True)
    return path


def create_room(server: LiveServer, title: str, **fields: Any) -> dict[str, Any]:
    """A new room through the API (its stream key comes with it)."""
    status, body = server.request("POST", "/api/rooms", {"title": title, **fields}, admin=True)
    assert status == 201, body
    return dict(body)


def call(server: LiveServer, method: str, path: str, *, token: str | None = None,
         body: Any = None, source: str = "127.0.0.1", raw: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, Any, dict[str, str]]:
    """One HTTP request from a chosen loopback address: status, JSON (or bytes), headers."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20,
                                      source_address=(source, 0))
    all_headers = dict(headers or {})
    data = raw
    if body is not None:
        data = json.dumps(body).encode()
        all_headers["Content-Type"] = "application/json"
    if token is not None:
        all_headers["Authorization"] = f"Bearer {token}"
    try:
        conn.request(method, path, body=data, headers=all_headers)
        resp = conn.getresponse()
        payload = resp.read()
        try:
            parsed: Any = json.loads(payload)
        except ValueError:
            parsed = payload
        return resp.status, parsed, {k.lower(): v for k, v in resp.getheaders()}
    finally:
        conn.close()


def open_raw_put(server: LiveServer, room_id: str, key: str, content_type: str = "audio/mpeg",
                 *, source: str = "127.0.0.1") -> socket.socket:
    """An Icecast-style PUT with neither length nor chunking: the caller writes the body."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=20,
                                    source_address=(source, 0))
    sock.sendall(
        f"PUT /ingest/{room_id} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {key}\r\n"
        f"Content-Type: {content_type}\r\nIce-Public: 0\r\n\r\n".encode()
    )
    return sock


def read_response(sock: socket.socket, timeout: float) -> tuple[int | None, bytes]:
    """Status and raw bytes of whatever the server answers before closing (None: reset, no answer)."""
    sock.settimeout(timeout)
    data = b""
    try:
        while True:
            piece = sock.recv(65536)
            if not piece:
                break
            data += piece
    except (ConnectionResetError, TimeoutError, OSError):
        pass
    if not data.startswith(b"HTTP/1."):
        return None, data
    return int(data.split(b" ", 2)[1]), data


def _fetch(server: LiveServer, path: str) -> bytes:
    with urllib.request.urlopen(server.url + path, timeout=10) as resp:
        return bytes(resp.read())


def media_playlist(server: LiveServer, room_id: str, name: str) -> m3u8.M3U8:
    """A room's playlist parsed by ``m3u8``; a master playlist is followed to its first variant."""
    parsed = m3u8.loads(_fetch(server, f"/hls/{room_id}/{name}").decode())
    if parsed.is_variant:
        return m3u8.loads(_fetch(server, f"/hls/{room_id}/{parsed.playlists[0].uri}").decode())
    return parsed


def replay_pcm(server: LiveServer, room_id: str, show_id: str, dest: Path) -> bytes:
    """Every segment of a show's replay, joined and decoded by ffmpeg (mono s16le, 48 kHz)."""
    parsed = media_playlist(server, room_id, f"{show_id}.m3u8")
    assert parsed.is_endlist and parsed.segments, "the replay must be a finished VOD playlist"
    joined = dest / f"{room_id}-{show_id}.ts"
    joined.write_bytes(b"".join(_fetch(server, f"/hls/{room_id}/{s.uri}") for s in parsed.segments))
    return decode_pcm(joined, SR)


def end_show(server: LiveServer, room_id: str) -> dict[str, Any]:
    """End the room's show (admin) once no publisher is left and their audio has played out."""

    def quiet() -> bool:
        now = levels(server, room_id)
        return not now["publishers"] and (now["program"] is None or now["program"]["rms_dbfs"] < -60)

    wait_for(quiet, 20, what="publishers gone and played out")
    status, body = server.request("POST", f"/api/rooms/{room_id}/end", admin=True)
    assert status == 200, body
    return dict(body)


def levels(server: LiveServer, room_id: str) -> dict[str, Any]:
    """The room's levels, read with the admin token."""
    status, body = server.request("GET", f"/api/rooms/{room_id}/levels", admin=True)
    assert status == 200, body
    return dict(body)


def tone_strength(pcm: bytes, freq: float) -> float:
    """How far a tone at ``freq`` stands above the spectrum around it, in dB (mono s16le, 48 kHz).

    Measured against the median of the band ±150 Hz (without the tone itself), so a click
    (energy everywhere) does not count as a tone.
    """
    x = np.frombuffer(pcm, dtype=np.int16).astype(np.float64)
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x)))) + 1e-9
    bins = np.fft.rfftfreq(len(x), 1 / SR)
    offset = np.abs(bins - freq)
    near = spectrum[offset < 8]
    around = spectrum[(offset > 20) & (offset < 150)]
    return float(20 * np.log10(near.max() / np.median(around)))


def windows(pcm: bytes, seconds: float = 1.0, step: float = 0.5) -> list[bytes]:
    """Overlapping windows of mono s16le audio."""
    size, hop = int(SR * seconds) * 2, int(SR * step) * 2
    return [pcm[i : i + size] for i in range(0, max(0, len(pcm) - size) + 1, hop)]


def loud_seconds(pcm: bytes, threshold_dbfs: float = -40.0) -> float:
    """Seconds of audio (in 100 ms blocks) louder than ``threshold_dbfs`` RMS."""
    x = np.frombuffer(pcm, dtype=np.int16).astype(np.float64) / 32768
    block = SR // 10
    blocks = x[: len(x) // block * block].reshape(-1, block)
    rms = np.sqrt(np.mean(blocks**2, axis=1))
    return float(np.sum(20 * np.log10(np.maximum(rms, 1e-12)) > threshold_dbfs) / 10)
