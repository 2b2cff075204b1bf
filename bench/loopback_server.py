"""The real stream server (``livestage serve``) as a subprocess on a free loopback port."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.processes import Child

#: How long the server may take to answer /healthz (seconds).
STARTUP_TIMEOUT = 30.0


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def livestage_command() -> str:
    """The ``livestage`` script of this interpreter's environment (else the one on PATH)."""
    beside = Path(sys.executable).parent / "livestage"
    if beside.exists():
        return str(beside)
    found = shutil.which("livestage")
    if found is None:
        raise RuntimeError("the livestage command is not installed (pip install -e .)")
    return found


@dataclass(frozen=True)
class CreatedRoom:
    """A room made through the API: its id and its stream key."""

    id: str
    stream_key: str


class LoopbackServer:
    """``livestage serve --no-demo`` on 127.0.0.1 with its own data dir and admin token."""

    def __init__(self, data_dir: Path, log_path: Path, extra_env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.data_dir = data_dir
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.admin_token = secrets.token_urlsafe(24)
        env = {k: v for k, v in os.environ.items() if not k.startswith("LIVESTAGE_")}
        env["LIVESTAGE_ADMIN_TOKEN"] = self.admin_token
        env.update(extra_env or {})
        argv = [livestage_command(), "serve", "--no-demo", "--port", str(self.port),
                "--data-dir", str(data_dir)]
        self.process = Child("livestage serve", argv, log_path, env=env)

    def check(self) -> None:
        """Raise if the server has exited."""
        code = self.process.exit_code()
        if code is not None:
            raise RuntimeError(f"the server exited ({code}):\n{self.log_tail()}")

    def log_tail(self) -> str:
        """The server's last output lines, admin token redacted."""
        return self.process.log_tail(redact=[self.admin_token])

    def wait_ready(self, timeout: float = STARTUP_TIMEOUT) -> None:
        """Wait until ``GET /healthz`` answers 200."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check()
            try:
                with urllib.request.urlopen(self.base_url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the server did not answer /healthz within {timeout:.0f} s")

    def create_room(self, title: str) -> CreatedRoom:
        """``POST /api/rooms`` with the admin token."""
        request = urllib.request.Request(
            self.base_url + "/api/rooms", method="POST",
            data=json.dumps({"title": title}).encode(),
            headers={"Authorization": f"Bearer {self.admin_token}",
                     "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = json.load(response)
        return CreatedRoom(body["id"], body["stream_key"])

    def fetch(self, path: str) -> str | None:
        """The text at ``path``, or None while it answers 404."""
        try:
            with urllib.request.urlopen(self.base_url + path, timeout=2) as response:
                return str(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            raise

    def live_media(self, room_id: str, rendition: str = "128k") -> str | None:
        """The file name of the room's newest show's live media playlist of ``rendition``, if any yet.

        Found on disk: the entry playlist names it only once it lasts three target durations,
        and a benchmark times the show's first segments too.
        """
        found = sorted((self.data_dir / "hls" / room_id).glob(f"*-live-{rendition}.m3u8"))
        return found[-1].name if found else None

    def fetch_live_media(self, room_id: str, rendition: str = "128k") -> str | None:
        """The text of ``live_media``, fetched over HTTP as a listener would, or None while there is none."""
        name = self.live_media(room_id, rendition)
        return self.fetch(f"/hls/{room_id}/{name}") if name else None

    def stop(self) -> None:
        """SIGTERM the server (it stops its encoders), then make sure nothing it started is left."""
        self.process.stop(grace=15.0)


@contextmanager
def serving(work: Path) -> Iterator[tuple[LoopbackServer, list[Child]]]:
    """A ready server with its data in ``work``, and a list for the processes a benchmark starts.

    On the way out those processes stop (the last started first), then the server;
    an error carries the server's last log lines.
    """
    children: list[Child] = []
    server = LoopbackServer(work / "data", work / "server.log")
    try:
        server.wait_ready()
        yield server, children
    except Exception as exc:
        raise RuntimeError(f"{exc}\n--- server log ---\n{server.log_tail()}") from exc
    finally:
        for child in reversed(children):
            child.stop(grace=5.0)
        server.stop()
