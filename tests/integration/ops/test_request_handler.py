"""The server's request handler as Icecast clients and idle players meet it, on a real socket.

``OPTIONS *`` never reaches Flask (its target names the server, not a route), a legacy
``SOURCE`` connection carries exactly one answer, and what clients do routinely (an idle
keep-alive closed, a malformed request) is not logged as a fault.
"""

from __future__ import annotations

import base64
import logging
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from room_directory import Room, hash_stream_key
from stream_server.ops.config import Settings
from stream_server.ops.server import RequestHandler, build_server
from tests.support import free_port
from tests.support.ingest import encode_file
from tests.support.sockets import read_until_closed

KEY = "k" * 32


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[int, dict[str, Any]]]:
    # a keep-alive connection idles out within the test (the header deadline bounds the wait)
    monkeypatch.setattr(RequestHandler, "timeout", 1)
    monkeypatch.setattr(RequestHandler, "header_timeout", 1.0)
    settings = Settings(data_dir=tmp_path, port=free_port(), admin_token="admin-secret",
                        ingest_idle_seconds=2, segment_seconds=2)
    httpd, services = build_server(settings)
    services.directory.create(Room(id="source-room", title="Legacy", stream_key_hash=hash_stream_key(KEY)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield settings.port, {"services": services, "app": httpd.app}
    httpd.shutdown()
    services.on_air.shutdown()
    httpd.server_close()


def exchange(port: int, data: bytes, *, wait: float = 5.0) -> bytes:
    """Send ``data`` and read until the server closes (or ``wait`` passes)."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        sock.sendall(data)
        return read_until_closed(sock, wait)


def test_options_star_is_answered_and_declines_the_tls_upgrade(server: tuple[int, dict[str, Any]]) -> None:
    port, _ = server
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"OPTIONS * HTTP/1.1\r\nHost: x\r\nUser-Agent: libshout/2.4.6\r\n"
                     b"Connection: Upgrade\r\nUpgrade: TLS/1.0, HTTP/1.1\r\n\r\n")
        head = b""
        while not head.endswith(b"\r\n\r\n"):
            head += sock.recv(1)
        lines = head.decode().split("\r\n")
        assert lines[0] == "HTTP/1.1 200 OK"  # libshout goes on after 2xx, 101, 400, 401, 405 or 426
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
        assert "upgrade" not in headers and headers["content-length"] == "0"
        assert {"PUT", "SOURCE", "GET"} <= {m.strip() for m in headers["allow"].split(",")}
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert read_until_closed(sock, 5).startswith(b"HTTP/1.1 200")  # the same connection goes on


def test_a_legacy_source_connection_gets_exactly_one_answer(
    server: tuple[int, dict[str, Any]], tmp_path: Path
) -> None:
    port, parts = server
    mp3 = encode_file(tmp_path / "t.mp3", freq=440, seconds=1, codec="mp3").read_bytes()
    auth = base64.b64encode(f"source:{KEY}".encode()).decode()
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(f"SOURCE /ingest/source-room HTTP/1.0\r\nAuthorization: Basic {auth}\r\n"
                     "Content-Type: audio/mpeg\r\n\r\n".encode() + mp3)
        answer = read_until_closed(sock, 15)  # then silence: the stall limit ends the connection
    assert answer == b"HTTP/1.0 200 OK\r\n\r\n"
    registry = parts["app"].extensions["livestage_ingest"].registry
    assert [e["reason"] for e in registry.recent_ends("source-room")] == ["stall"]  # still recorded


def test_idle_keep_alive_and_malformed_requests_are_not_faults(
    server: tuple[int, dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    port, _ = server
    caplog.set_level(logging.DEBUG)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        # HLS answers keep the connection open for the player's next poll
        sock.sendall(b"GET /hls/no-room/live.m3u8 HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.2)
        assert sock.recv(65536).startswith(b"HTTP/1.1 404")
        started = time.monotonic()
        assert read_until_closed(sock, 4) == b""  # idle past the timeout: the server closes, quietly
        assert 0.5 < time.monotonic() - started < 3
    assert b"400" in exchange(port, b"NOT A REQUEST\r\n\r\n")
    time.sleep(0.2)
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert not loud, [r.getMessage() for r in loud]
    assert any("timed out" in r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG)
