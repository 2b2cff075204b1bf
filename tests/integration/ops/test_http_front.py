"""The HTTP front against slow and many clients: one header deadline, a bounded number of threads."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import start_live_server
from tests.support import LiveServer

TOKEN = "front-admin-token"
CAP = 24


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_live_server(tmp_path_factory.mktemp("front") / "data", "--no-demo", token=TOKEN,
                             LIVESTAGE_MAX_CONNECTIONS=str(CAP))
    try:
        yield live
    finally:
        live.stop()


def threads_of(server: LiveServer) -> int:
    assert server.proc is not None
    status = Path(f"/proc/{server.proc.pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("Threads:")))


def closed(sock: socket.socket) -> bool:
    """Whether the server has closed (or reset) the connection, without waiting."""
    sock.setblocking(False)
    try:
        return sock.recv(4096) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        sock.setblocking(True)


def test_a_line_sent_one_byte_at_a_time_is_cut_at_the_header_deadline(server: LiveServer) -> None:
    line = socket.create_connection(("127.0.0.1", server.port))
    header = socket.create_connection(("127.0.0.1", server.port))
    header.sendall(b"GET /healthz HTTP/1.1\r\n")
    trickles = {"request line": (line, b"GET /" + b"a" * 200),
                "header line": (header, b"X-Slow: " + b"b" * 200)}
    started = time.monotonic()
    cut: dict[str, float] = {}
    try:
        for step in range(200):  # one byte every 0.1 s, never a line end: 20 s at most
            for name, (sock, payload) in trickles.items():
                if name in cut:
                    continue
                try:
                    sock.send(payload[step:step + 1])
                except OSError:
                    cut[name] = time.monotonic() - started
                    continue
                if closed(sock):
                    cut[name] = time.monotonic() - started
            if len(cut) == len(trickles):
                break
            time.sleep(0.1)
    finally:
        line.close()
        header.close()
    assert set(cut) == set(trickles), f"still held after 20 s: {set(trickles) - set(cut)}"
    assert all(9.0 <= seconds <= 12.5 for seconds in cut.values()), cut


def test_a_flood_of_slow_clients_holds_a_bounded_number_of_threads(server: LiveServer) -> None:
    baseline = threads_of(server)
    flood = []
    refused = 0
    try:
        for _ in range(3 * CAP):
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            sock.sendall(b"GET /healthz HTTP/1.1\r\nX-Slow: 1")  # never finishes its headers
            flood.append(sock)
        time.sleep(1)
        assert threads_of(server) <= baseline + CAP + 2
        for sock in flood:
            sock.settimeout(0.2)
            try:
                answer = sock.recv(4096)
            except TimeoutError:
                continue
            if answer.startswith(b"HTTP/1.1 503"):
                assert b"Retry-After: 1" in answer
                refused += 1
        assert 2 * CAP - 2 <= refused <= 2 * CAP
    finally:
        for sock in flood:
            sock.close()
    deadline = time.monotonic() + 15  # every slow one is cut at the header deadline: slots come back
    while time.monotonic() < deadline:
        status, _ = server.request("GET", "/healthz")
        if status == 200:
            break
        time.sleep(0.5)
    assert status == 200
