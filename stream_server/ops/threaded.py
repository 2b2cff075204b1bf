"""The threaded side of the server: werkzeug's handler taught Icecast, ``Expect`` and a header deadline.

The front (``serving.front``) hands this server every connection that is not a listener's
HLS request; each gets a thread of its own here, as a socket of its own would.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from stream_server.serving.fast import HlsFastPath
from stream_server.serving.front import BUSY

log = logging.getLogger(__name__)


class _ContinueOnRead:
    """A request body that sends ``100 Continue`` when the app first reads it.

    A publisher with a wrong key or codec then gets its 401/415 as the answer
    to ``Expect: 100-continue`` (ffmpeg stops with that error) instead of
    streaming into a connection that will never be heard.
    """

    def __init__(self, body: Any, send_continue: Callable[[], None]) -> None:
        self._body = body
        self._send_continue = send_continue

    def _ready(self) -> Any:
        self._send_continue()
        return self._body

    def read(self, *args: Any) -> bytes:
        return bytes(self._ready().read(*args))

    def read1(self, *args: Any) -> bytes:
        body = self._ready()
        reader = getattr(body, "read1", body.read)
        return bytes(reader(*args))

    def readline(self, *args: Any) -> bytes:
        return bytes(self._ready().readline(*args))

    def __iter__(self) -> Any:
        return iter(self._ready())


class _HeaderDeadline:
    """The request stream while the request line and headers are read: one deadline for all of them.

    A socket timeout alone bounds each read, so a client sending one byte every few seconds
    (slow loris) would hold its thread for ever; this bounds the whole header phase. The
    buffered reader's own ``readline`` would wait inside one line for as long as bytes keep
    trickling in, so lines are taken from its buffer here, one receive at a time, with the
    deadline checked before each.
    """

    def __init__(self, raw: Any, sock: socket.socket, deadline: float) -> None:
        self.raw = raw
        self._sock = sock
        self._deadline = deadline

    def readline(self, limit: int = -1) -> bytes:
        line = bytearray()
        while limit < 0 or len(line) < limit:
            remaining = self._deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("request headers too slow")
            self._sock.settimeout(remaining)
            chunk = self.raw.peek(1)  # what is buffered, or one receive
            if not chunk:
                break
            room = len(chunk) if limit < 0 else min(len(chunk), limit - len(line))
            end = chunk.find(b"\n", 0, room)
            line += self.raw.read(end + 1 if end >= 0 else room)
            if end >= 0:
                break
        return bytes(line)


class _Discard:
    """Where a connection's writes go once its one answer is out (an early Icecast ``200 OK``)."""

    def write(self, data: bytes) -> int:
        return len(data)

    def flush(self) -> None:
        """Nothing is buffered."""

    def close(self) -> None:
        """Nothing to close."""


#: What ``OPTIONS *`` answers: the methods this server takes (libshout's probe goes on after any 2xx).
ALLOWED_METHODS = "GET, HEAD, PUT, POST, SOURCE, OPTIONS, DELETE, PATCH"


class RequestHandler(WSGIRequestHandler):
    """Werkzeug's threaded handler, quiet about every HLS poll, with a socket timeout.

    It streams request bodies without a length (Icecast sources), accepts the
    Icecast ``SOURCE`` method, answers ``Expect: 100-continue`` only once the
    app reads the body (after it has checked the key), and answers ``OPTIONS *``
    itself (the request target ``*`` names the server, not a route): ``200`` with
    ``Allow``, no ``Upgrade``, which declines libshout's offer to switch to TLS.
    A legacy ``SOURCE`` connection gets exactly one answer: the early ``200 OK``
    (``livestage.early_ok`` in the environ) and, after it, nothing but the close.
    """

    #: A publisher or listener silent this long is dropped (seconds).
    timeout = 30
    #: The request line and all headers must arrive within this many seconds.
    header_timeout = 10.0
    #: Off: connections reach this handler through the front's socket pair (no TCP here);
    #: the front's sockets to clients send without delay.
    disable_nagle_algorithm = False
    _continue_pending = False
    #: the real writer while a connection that has had its one answer writes into ``_Discard``
    _answered_wfile: Any = None

    def handle_expect_100(self) -> bool:
        """Defer the interim answer until the app reads the body."""
        self._continue_pending = True
        return True

    def _send_continue(self) -> None:
        if self._continue_pending:
            self._continue_pending = False
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            self.wfile.flush()

    def parse_request(self) -> bool:
        """Hand ``GET``/``HEAD /hls/…`` to the server's fast path (which answers it); parse the rest.

        Either way the headers are read under the header deadline; the body (and keep-alive)
        then get the ordinary socket timeout back.
        """
        fast: HlsFastPath | None = getattr(self.server, "hls_fast", None)
        if fast is not None and self.raw_requestline.startswith((b"GET /hls/", b"HEAD /hls/")):
            try:
                fast.handle_raw(self, self.raw_requestline)
            finally:
                self._end_header_deadline()
            return False  # answered: http.server goes on to the connection's next request
        ok = super().parse_request()
        self._end_header_deadline()
        if ok and self.command == "OPTIONS" and self.path == "*":
            self._answer_options()
            return False
        return ok

    def _answer_options(self) -> None:
        """``OPTIONS *``: what the server takes, and no protocol upgrade (TLS is the proxy's job)."""
        self.send_response(200)
        self.send_header("Allow", ALLOWED_METHODS)
        self.send_header("Content-Length", "0")
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.flush()

    def _send_early_ok(self) -> None:
        """Icecast's early ``HTTP/1.0 200 OK`` for a legacy source; the view's later answer is dropped."""
        self.wfile.write(b"HTTP/1.0 200 OK\r\n\r\n")
        self.wfile.flush()
        self.close_connection = True
        self._answered_wfile = self.wfile
        self.wfile = _Discard()  # type: ignore[assignment]

    def handle_one_request(self) -> None:
        """Read the request line and headers under one deadline, then the request as usual."""
        self.rfile = _HeaderDeadline(self.rfile, self.connection,  # type: ignore[assignment]
                                     time.monotonic() + self.header_timeout)
        try:
            super().handle_one_request()
        finally:
            if isinstance(self.rfile, _HeaderDeadline):
                self.rfile = self.rfile.raw
            if self._answered_wfile is not None:
                self.wfile, self._answered_wfile = self._answered_wfile, None

    def _end_header_deadline(self) -> None:
        if isinstance(self.rfile, _HeaderDeadline):
            self.rfile = self.rfile.raw
        self.connection.settimeout(self.timeout)

    def run_wsgi(self) -> None:
        """Run the app with ``Expect`` left to ``_ContinueOnRead`` (werkzeug would answer it at once)."""
        if self.headers.get("Expect", "").lower().strip(" \t") == "100-continue":
            self._continue_pending = True
            del self.headers["Expect"]
        super().run_wsgi()

    def make_environ(self) -> Any:
        """The WSGI environ, its body sending 100 Continue on first read when asked for."""
        environ = super().make_environ()
        environ["livestage.early_ok"] = self._send_early_ok
        if self._continue_pending:
            environ["wsgi.input"] = _ContinueOnRead(environ["wsgi.input"], self._send_continue)
        return environ

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Requests are logged at debug level only (listeners poll every second)."""
        log.debug('"%s" %s %s', self.requestline, code, size)

    def log_error(self, format: str, *args: Any) -> None:
        """What http.server reports about a client is no fault of the server's.

        An idle keep-alive connection closed after ``timeout`` seconds is routine
        (debug); a malformed request is the client's doing (info, without its bytes).
        """
        message = format % args if args else format
        if message.startswith("Request timed out") or "headers too slow" in message:
            log.debug("%s: %s", self.client_address[0], message)
        else:
            log.info("client %s: %s", self.client_address[0], message.splitlines()[0][:200])


class BoundedServer(ThreadedWSGIServer):
    """Werkzeug's thread per connection, at most ``max_connections`` at once.

    Past the cap a new connection is answered 503 with ``Retry-After`` and closed at once,
    from the accepting thread, so a flood of slow clients costs a bounded number of threads
    (each slow one is cut at the header deadline) rather than one thread per socket.
    Behind the front (``LiveStageServer``) it accepts nothing itself: the front hands it
    connections (``hand_off``).
    """

    def __init__(self, host: str, port: int, app: Any, *, max_connections: int,
                 fd: int | None = None) -> None:
        super().__init__(host, port, app, handler=RequestHandler, fd=fd)
        self.max_connections = max_connections
        self._slots = threading.BoundedSemaphore(max_connections)

    def hand_off(self, connection: socket.socket, client_address: tuple[str, int]) -> None:
        """Serve ``connection`` (the front's socket pair end) as a client at ``client_address``."""
        self.process_request(connection, client_address)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Serve the connection on its own thread if a slot is free; refuse it otherwise."""
        if not self._slots.acquire(blocking=False):
            try:
                request.setblocking(False)
                request.send(BUSY)
            except OSError:
                pass
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        """Serve one connection, then give its slot back."""
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()
