"""Test support: free ports, polling, a real server on loopback, ffmpeg as an independent decoder."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(predicate: Any, timeout: float, interval: float = 0.1, what: str = "condition") -> Any:
    """Poll ``predicate`` until it returns something truthy; fail the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@dataclass
class LiveServer:
    """A real ``livestage serve`` process on loopback."""

    port: int
    data_dir: Path
    admin_token: str
    env: dict[str, str]
    args: list[str]
    proc: subprocess.Popen[bytes] | None = None
    log_path: Path = field(default_factory=lambda: Path(os.devnull))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.log_path = self.data_dir.parent / f"server-{self.port}-{time.monotonic_ns()}.log"
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "livestage", "serve", "--port", str(self.port),
                 "--data-dir", str(self.data_dir), *self.args],
                env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
            )
        wait_for(self._healthy, 20, what="server health")

    def _healthy(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise AssertionError(f"server exited: {self.log()}")
        try:
            with urllib.request.urlopen(self.url + "/healthz", timeout=1) as resp:
                return bool(resp.status == 200)
        except OSError:
            return False

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def request(self, method: str, path: str, body: Any = None, *, admin: bool = False,
                headers: dict[str, str] | None = None, raw: bytes | None = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else raw
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if body is not None:
            req.add_header("Content-Type", "application/json")
        if admin:
            req.add_header("Authorization", f"Bearer {self.admin_token}")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                raw = resp.read()
                status = resp.status
        except urllib.error.HTTPError as err:
            raw, status = err.read(), err.code
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw

    def get_text(self, path: str) -> str | None:
        try:
            with urllib.request.urlopen(self.url + path, timeout=5) as resp:
                return str(resp.read().decode())
        except urllib.error.HTTPError:
            return None

    def live_media(self, room_id: str, rendition: str = "128k") -> str | None:
        """The media playlist of ``rendition`` the room's entry playlist names now, as a player finds it."""
        text = self.get_text(f"/hls/{room_id}/live.m3u8")
        for line in (text or "").splitlines():
            if not line.startswith("#") and line.split("?")[0].endswith(f"-{rendition}.m3u8"):
                return line.split("?")[0]
        return None


def ffprobe_streams(path: Path) -> list[dict[str, Any]]:
    """The streams ffprobe finds in a media file."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=codec_name,profile,sample_rate,channels",
         "-of", "json", str(path)], capture_output=True, check=True, text=True,
    ).stdout
    return list(json.loads(out)["streams"])


def decode_pcm(path: Path, sample_rate: int = 48000) -> bytes:
    """Decode any media file to mono s16le with ffmpeg (an independent decoder)."""
    return subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-ar",
         str(sample_rate), "pipe:1"], capture_output=True, check=True,
    ).stdout


@contextmanager
def performing(url: str, key: str, room_id: str, *, seconds: float = 30, freq: int = 440,
               codec: str = "mp3") -> Iterator[subprocess.Popen[bytes]]:
    """A real performer: ffmpeg publishing a tone to the Icecast ingest, in real time.

    It is stopped on leaving the block, however the test ends.
    """
    host = url.removeprefix("http://")
    codecs = {"mp3": ["-c:a", "libmp3lame", "-b:a", "128k", "-content_type", "audio/mpeg",
                      "-f", "mp3"],
              "aac": ["-c:a", "aac", "-b:a", "128k", "-content_type", "audio/aac", "-f", "adts"]}
    performer = subprocess.Popen(
        ["ffmpeg", "-v", "error", "-re", "-f", "lavfi", "-i",
         f"sine=frequency={freq}:sample_rate=44100:duration={seconds}", *codecs[codec],
         f"icecast://source:{key}@{host}/ingest/{room_id}"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        yield performer
    finally:
        if performer.poll() is None:
            performer.kill()
        performer.wait()


