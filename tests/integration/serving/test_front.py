"""The front on a real socket: listeners answered in its loop, every other connection relayed.

What a client can do to one connection: pipeline its polls, mix HLS with API requests,
fetch a large file slowly or not at all, send a head that never ends, hang up in the middle
of a live stream; and what the server must keep: the client's address, the connection cap,
bytes equal to the files, a publisher's key freed as soon as its client is gone.
"""

from __future__ import annotations

import base64
import os
import socket
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import request

from room_directory import Room, hash_stream_key
from stream_server.ops.config import Settings
from stream_server.ops.server import LiveStageServer, RequestHandler, build_server
from stream_server.serving.front import HttpFront
from tests.support import free_port
from tests.support.ingest import encode_file
from tests.support.sockets import read_until_closed

KEY = "k" * 32
ROOM = "front-room"


class Responses:
    """Responses read one by one from a connection (Content-Length framed), leftovers kept."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.data = b""

    def _more(self, what: str) -> None:
        piece = self.sock.recv(1 << 20)
        assert piece, f"closed {what}: {self.data[:200]!r}"
        self.data += piece

    def head_only(self) -> bytes:
        while b"\r\n\r\n" not in self.data:
            self._more("before a head")
        head, _, self.data = self.data.partition(b"\r\n\r\n")
        return head

    def next(self) -> tuple[bytes, bytes]:
        head = self.head_only()
        length = int(header(head, "content-length"))
        while len(self.data) < length:
            self._more("inside a body")
        body, self.data = self.data[:length], self.data[length:]
        return head, body


def read_response(sock: socket.socket) -> tuple[bytes, bytes]:
    """One response on a connection with nothing else pending."""
    responses = Responses(sock)
    answer = responses.next()
    assert responses.data == b"", "more bytes than the length: a response was mixed into another"
    return answer


def no_clients_within(httpd: LiveStageServer, seconds: float) -> bool:
    """Whether the front holds no connection at some moment within ``seconds``."""
    deadline = time.monotonic() + seconds
    while httpd.front.clients and time.monotonic() < deadline:
        time.sleep(0.1)
    return not httpd.front.clients


def header(head: bytes, name: str) -> str:
    for line in head.decode("latin-1").split("\r\n")[1:]:
        key, _, value = line.partition(":")
        if key.lower() == name.lower():
            return value.strip()
    raise KeyError(name)


@pytest.fixture
def served(tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[LiveStageServer, dict[str, Any]]]:
    monkeypatch.setattr(RequestHandler, "timeout", 2)
    monkeypatch.setattr(RequestHandler, "header_timeout", 2.0)
    settings = Settings(data_dir=tmp_path, port=free_port(), admin_token="admin-secret",
                        ingest_idle_seconds=3, segment_seconds=2, max_connections=8)
    httpd, services = build_server(settings)
    services.directory.create(Room(id=ROOM, title="Front", stream_key_hash=hash_stream_key(KEY)))
    room_dir = settings.hls_dir / ROOM
    room_dir.mkdir(parents=True)
    (room_dir / "live.m3u8").write_text("#EXTM3U\n#EXT-X-VERSION:3\n")
    big = os.urandom(12 * 1024 * 1024 + 17)  # over the in-memory limit and the socket buffers
    (room_dir / "20260101T000000-abcdef-128k-00000001.ts").write_bytes(big)
    httpd.app.add_url_rule("/test/whoami", "whoami", lambda: str(request.remote_addr))
    httpd.app.add_url_rule("/test/bytes/<int:size>", "bytes", lambda size: big[:size])  # threaded answers
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    assert httpd.front.wait_started()
    yield httpd, {"port": settings.port, "services": services, "big": big}
    httpd.shutdown()
    services.on_air.shutdown()
    httpd.server_close()
    thread.join(timeout=10)


def test_pipelined_polls_are_answered_in_order(served: tuple[LiveStageServer, dict[str, Any]]) -> None:
    port = served[1]["port"]
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET /hls/front-room/live.m3u8 HTTP/1.1\r\nHost: x\r\n\r\n"
                     b"GET /hls/front-room/missing.m3u8 HTTP/1.1\r\nHost: x\r\n\r\n"
                     b"HEAD /hls/front-room/live.m3u8 HTTP/1.1\r\nHost: x\r\n\r\n")
        responses = Responses(sock)
        first, body = responses.next()
        assert first.startswith(b"HTTP/1.1 200") and body == b"#EXTM3U\n#EXT-X-VERSION:3\n"
        assert header(first, "content-type") == "application/vnd.apple.mpegurl"
        second, _ = responses.next()
        assert second.startswith(b"HTTP/1.1 404")
        third = responses.head_only()  # HEAD: the length of the body it does not send
        assert third.startswith(b"HTTP/1.1 200") and header(third, "content-length") == str(len(body))
        time.sleep(0.3)
        sock.setblocking(False)
        with pytest.raises(BlockingIOError):
            sock.recv(1)  # and nothing after it


def test_api_requests_are_relayed_with_the_clients_address(
    served: tuple[LiveStageServer, dict[str, Any]]
) -> None:
    port = served[1]["port"]
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET /hls/front-room/live.m3u8 HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_response(sock)[0].startswith(b"HTTP/1.1 200")
        sock.sendall(b"GET /test/whoami HTTP/1.1\r\nHost: x\r\n\r\n")  # the same connection
        head, body = read_response(sock)
        assert head.startswith(b"HTTP/1.1 200") and body == b"127.0.0.1"
        assert header(head, "connection") == "close"  # werkzeug's way after a WSGI answer
        assert read_until_closed(sock, 3) == b""


def test_a_poll_after_a_relayed_request_is_answered_alike(
    served: tuple[LiveStageServer, dict[str, Any]]
) -> None:
    port = served[1]["port"]
    poll = b"GET /hls/front-room/live.m3u8 HTTP/1.1\r\nHost: x\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(poll)
        by_front, front_body = read_response(sock)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n")  # libshout's probe: relayed, kept open
        responses = Responses(sock)
        assert responses.next()[0].startswith(b"HTTP/1.1 200")
        sock.sendall(poll)  # now answered by the threaded side's copy of the fast path
        by_thread, thread_body = responses.next()

    def without_date(head: bytes) -> list[bytes]:
        return [line for line in head.split(b"\r\n") if not line.lower().startswith(b"date:")]

    assert without_date(by_thread) == without_date(by_front) and thread_body == front_body


def test_a_large_file_arrives_whole_to_a_slow_reader_and_in_ranges(
    served: tuple[LiveStageServer, dict[str, Any]]
) -> None:
    port, big = served[1]["port"], served[1]["big"]
    path = b"/hls/front-room/20260101T000000-abcdef-128k-00000001.ts"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        sock.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: x\r\n\r\n"
                     b"GET " + path + b" HTTP/1.1\r\nHost: x\r\nRange: bytes=1000-1999\r\n\r\n")
        time.sleep(1.0)  # the server meets a full socket and must wait, not drop or mix
        responses = Responses(sock)
        head, body = responses.next()
        assert head.startswith(b"HTTP/1.1 200") and body == big
        ranged, part = responses.next()
        assert ranged.startswith(b"HTTP/1.1 206") and part == big[1000:2000]


def test_a_client_that_reads_nothing_is_cut_after_the_idle_limit(
    served: tuple[LiveStageServer, dict[str, Any]]
) -> None:
    httpd, parts = served
    with socket.create_connection(("127.0.0.1", parts["port"]), timeout=10) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.sendall(b"GET /hls/front-room/20260101T000000-abcdef-128k-00000001.ts HTTP/1.1\r\n"
                     b"Host: x\r\n\r\n")
        time.sleep(1.0)
        assert len(httpd.front.clients) == 1  # waiting on the client, within the 2 s idle limit
        assert no_clients_within(httpd, 5), "a client that reads nothing holds its connection for ever"


def test_heads_that_never_end_or_do_not_parse_are_refused(
    served: tuple[LiveStageServer, dict[str, Any]]
) -> None:
    port = served[1]["port"]
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET /hls/front-room/live.m3u8 HTTP/1.1\r\nX-Long: " + b"a" * (70 * 1024))
        assert read_until_closed(sock, 5).startswith(b"HTTP/1.1 431")
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET /hls/front-room/live.m3u8 HTTP/1.1\r\nBad Header\r\n\r\n")
        assert read_until_closed(sock, 5).startswith(b"HTTP/1.1 400")
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET /hls/front-room/live.m3u8 HTTP/1.1\r\nHost: x\r\n")  # and then nothing
        started = time.monotonic()
        assert read_until_closed(sock, 6) == b""
        assert time.monotonic() - started < 4.5  # the 2 s head deadline, swept once a second


def test_connections_past_the_cap_are_answered_busy(served: tuple[LiveStageServer, dict[str, Any]]) -> None:
    port = served[1]["port"]
    held = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(8)]
    try:
        time.sleep(0.3)
        with socket.create_connection(("127.0.0.1", port), timeout=5) as extra:
            answer = read_until_closed(extra, 3)
        assert answer.startswith(b"HTTP/1.1 503") and b"Retry-After: 1" in answer
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.3)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET /hls/front-room/live.m3u8 HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_response(sock)[0].startswith(b"HTTP/1.1 200")  # the slots came back


def test_a_publisher_that_hangs_up_frees_its_key_at_once(
    served: tuple[LiveStageServer, dict[str, Any]], tmp_path: Path
) -> None:
    httpd, parts = served
    port = parts["port"]
    mp3 = encode_file(tmp_path / "t.mp3", freq=440, seconds=2, codec="mp3").read_bytes()
    auth = base64.b64encode(f"source:{KEY}".encode()).decode()
    put = (f"PUT /ingest/{ROOM} HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {auth}\r\n"
           "Content-Type: audio/mpeg\r\nExpect: 100-continue\r\n\r\n").encode()
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(put)
    assert sock.recv(4096).startswith(b"HTTP/1.1 100 Continue")  # after the key was checked
    sock.sendall(mp3[: len(mp3) // 2])
    time.sleep(0.5)
    registry = httpd.app.extensions["livestage_ingest"].registry
    assert not registry.recent_ends(ROOM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()  # a reset, as a killed performer's machine leaves it
    gone = time.monotonic()
    while not registry.recent_ends(ROOM) and time.monotonic() - gone < 10:
        time.sleep(0.05)
    assert registry.recent_ends(ROOM), "the server did not notice the publisher had gone"
    assert time.monotonic() - gone < 2.0, "noticed only at the 3 s idle limit"


def test_a_fault_answering_one_request_is_a_500_and_the_loop_goes_on(
    served: tuple[LiveStageServer, dict[str, Any]], monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture
) -> None:
    httpd, parts = served
    fast = httpd.front.fast
    assert fast is not None
    real = fast.answer

    def broken(method: str, target: str, *args: Any, **kwargs: Any) -> Any:
        if "boom" in target:
            raise PermissionError("boom")
        return real(method, target, *args, **kwargs)

    monkeypatch.setattr(fast, "answer", broken)
    with socket.create_connection(("127.0.0.1", parts["port"]), timeout=5) as sock:
        sock.sendall(b"GET /hls/front-room/boom.m3u8 HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_until_closed(sock, 3).startswith(b"HTTP/1.1 500")
    assert "answering GET /hls/front-room/boom.m3u8 failed" in caplog.text
    with socket.create_connection(("127.0.0.1", parts["port"]), timeout=5) as sock:
        sock.sendall(b"GET /hls/front-room/live.m3u8 HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_response(sock)[0].startswith(b"HTTP/1.1 200")


def test_a_poll_asking_to_close_is_answered_and_closed(
    served: tuple[LiveStageServer, dict[str, Any]]
) -> None:
    port = served[1]["port"]
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET /hls/front-room/live.m3u8 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        started = time.monotonic()
        answer = read_until_closed(sock, 5)
        assert answer.startswith(b"HTTP/1.1 200") and b"Connection: close" in answer
        assert time.monotonic() - started < 1.0, "held open until the head deadline"


def test_a_poll_offering_an_upgrade_is_answered_over_http_1_1(
    served: tuple[LiveStageServer, dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    port = served[1]["port"]
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:  # curl --http2 on http://
        sock.sendall(b"GET /hls/front-room/live.m3u8 HTTP/1.1\r\nHost: x\r\n"
                     b"Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                     b"HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n")
        head, body = read_response(sock)
        assert head.startswith(b"HTTP/1.1 200") and body == b"#EXTM3U\n#EXT-X-VERSION:3\n"
    assert "Fatal error" not in caplog.text


def test_a_body_on_a_poll_is_never_taken_for_a_request(
    served: tuple[LiveStageServer, dict[str, Any]]
) -> None:
    port = served[1]["port"]
    inner = b"GET /test/whoami HTTP/1.1\r\nHost: x\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET /hls/front-room/live.m3u8 HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Length: %d\r\n\r\n" % len(inner) + inner)
        answer = read_until_closed(sock, 4)
    assert answer.startswith(b"HTTP/1.1 200")
    assert answer.count(b"HTTP/1.1 ") == 1, f"the body was answered as a request: {answer[-300:]!r}"


def test_a_relayed_download_to_a_client_that_reads_nothing_is_cut(
    served: tuple[LiveStageServer, dict[str, Any]]
) -> None:
    httpd, parts = served
    with socket.create_connection(("127.0.0.1", parts["port"]), timeout=10) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.sendall(b"GET /test/bytes/12000000 HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.5)
        assert [client.relayed for client in httpd.front.clients] == [True]
        # the pipe is paused: the threaded side gives up after its 2 s, but its close is never read
        assert no_clients_within(httpd, 8), "a relayed client reading nothing holds its connection for ever"


def test_a_shutdown_before_the_loop_runs_is_not_lost(
    served: tuple[LiveStageServer, dict[str, Any]]
) -> None:
    httpd = served[0]
    front = HttpFront(socket.create_server(("127.0.0.1", 0)), None, httpd.threaded.hand_off,
                      max_connections=4)
    front.shutdown()  # a signal in the moment before serve_forever has its loop
    thread = threading.Thread(target=front.serve_forever, daemon=True)
    thread.start()
    thread.join(timeout=5)
    alive = thread.is_alive()
    if alive:
        front.shutdown()
    front.sock.close()
    assert not alive, "the stop was lost: serve_forever runs on"


class _StuckTransport:
    """A transport closed with its answer still buffered, on a client that never reads it."""

    def __init__(self) -> None:
        self.aborted = threading.Event()

    def is_closing(self) -> bool:
        return True

    def abort(self) -> None:
        self.aborted.set()

    def get_extra_info(self, name: str) -> None:
        return None


class _StuckClient:
    """What the sweeper reads of a connection: closing, not paused, not relayed, not sending."""

    def __init__(self) -> None:
        self.transport = _StuckTransport()
        self.write_paused_at: float | None = None
        self.closing_at: float | None = None
        self.relayed = False
        self.sending = False
        self.deadline = time.monotonic()


def test_a_connection_closing_on_a_client_that_never_reads_is_cut(
    served: tuple[LiveStageServer, dict[str, Any]]
) -> None:
    # below the buffer mark that pauses writing no pause is seen; the sweeper must cut it anyway
    httpd = served[0]
    stuck = _StuckClient()
    httpd.front.clients.add(stuck)  # type: ignore[arg-type]
    try:
        assert not stuck.transport.aborted.wait(1.5)  # within the 2 s idle limit: left alone
        assert stuck.transport.aborted.wait(4.0), "a close that never drains holds its connection for ever"
    finally:
        httpd.front.clients.discard(stuck)  # type: ignore[arg-type]
