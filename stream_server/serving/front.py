"""The front: every connection to the server's port meets one event loop first.

Listeners are most of the traffic and need no thread: each polls a playlist and fetches a
segment every target duration. So one uvloop event loop holds all connections; httptools
parses each request head; ``GET``/``HEAD /hls/…`` is answered right there by the fast path
(``serving.fast``). The first request of any other kind (the API, pages, ``/alexa``, WHIP,
and ingest with its bodies of unknown length, ``SOURCE`` and ``Expect: 100-continue``) hands
its connection to the threaded WSGI server through a socket pair the loop relays
(``serving.relay``). Whatever the threaded server does with a connection is unchanged; what
the front adds is a bounded number of open connections, a deadline for every request head,
and a client hang-up passed on at once (the threaded side reads the end of its body).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
import time
from typing import cast

import httptools
import uvloop

from stream_server.serving.fast import Answer, HlsFastPath
from stream_server.serving.relay import HandOff, Relay

log = logging.getLogger(__name__)

#: The request line and headers together may not be longer than this (bytes).
MAX_HEAD = 64 * 1024
_MAX_HEADERS = 100
#: Large files go out in pieces of this size, each when the client has taken the one before.
_FILE_PIECE = 256 * 1024
_OURS = (b"GET /hls/", b"HEAD /hls/")
#: The answer to a connection past the cap (here, or at the threaded server's thread limit).
BUSY = (b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\n"
         b"Connection: close\r\n\r\n")


class _Head:
    """httptools' callbacks for one request head: its target and headers (names in lower case)."""

    def __init__(self) -> None:
        self.url = b""
        self.headers: dict[str, str] = {}
        self.complete = False
        self.too_many = False

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        if len(self.headers) >= _MAX_HEADERS:
            self.too_many = True
        key, text = name.decode("latin-1").lower(), value.decode("latin-1").strip()
        if key == "connection" and key in self.headers:
            text = f"{self.headers[key]}, {text}"  # a list: every token counts
        self.headers[key] = text

    def wants_close(self) -> bool:
        """Whether the client asked for the connection to end after this answer (``Connection: close``).

        Read from the headers: httptools' ``should_keep_alive`` asked after the message is
        complete has forgotten them and answers as if the header were absent.
        """
        return "close" in (token.strip().lower() for token in self.headers.get("connection", "").split(","))

    def on_message_complete(self) -> None:
        self.complete = True


class _Client(asyncio.Protocol):
    """One client connection: HLS answered here; anything else relayed to the threaded server."""

    def __init__(self, front: HttpFront) -> None:
        self._front = front
        self._buffer = bytearray()
        self._scanned = 0  # bytes of the buffer searched for a head's end without finding it
        self.transport: asyncio.Transport | None = None
        self.deadline = time.monotonic() + front.header_timeout
        self._relay: Relay | None = None
        self.sending = False  # a large file is going out
        self.write_paused_at: float | None = None
        self.closing_at: float | None = None  # when the sweeper first saw it closing
        self._drained: asyncio.Future[None] | None = None

    @property
    def relayed(self) -> bool:
        """Whether the threaded server has this connection (its timing is then the server's)."""
        return self._relay is not None

    # -- the connection --

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transports do not subclass it
        if len(self._front.clients) >= self._front.max_connections:
            self.transport.write(BUSY)
            self.transport.close()
            return
        self._front.clients.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self._front.clients.discard(self)
        if self._relay is not None:
            self._relay.close()  # the threaded side reads the end of the body
        if self._drained is not None and not self._drained.done():
            self._drained.set_exception(ConnectionResetError("client gone"))

    def pause_writing(self) -> None:
        self.write_paused_at = time.monotonic()
        if self._relay is not None:
            self._relay.pause_reading()

    def resume_writing(self) -> None:
        self.write_paused_at = None
        if self._relay is not None:
            self._relay.resume_reading()
        if self._drained is not None and not self._drained.done():
            self._drained.set_result(None)
        if self._relay is None and not self.sending and self.transport is not None:
            self.transport.resume_reading()
            self._serve_buffered()

    def eof_received(self) -> bool:
        if self._relay is not None:
            self._relay.send_eof()
            return True  # the answer may still be on its way back
        return self.sending

    def data_received(self, data: bytes) -> None:
        if self._relay is not None:
            self._relay.send(data)
            return
        self._buffer += data
        self._serve_buffered()

    # -- requests --

    def _serve_buffered(self) -> None:
        """Answer every complete request head in the buffer, in order, while the client keeps up."""
        transport = self.transport
        assert transport is not None
        while self._buffer and self._relay is None and not self.sending and not transport.is_closing():
            if self.write_paused_at is not None:
                transport.pause_reading()  # it reads slower than it asks: resume_writing goes on
                return
            end = self._head_end()
            if end < 0:
                if len(self._buffer) > MAX_HEAD:
                    self._refuse(431)
                return
            if self._front.fast is None or not self._buffer.startswith(_OURS):
                self._start_relay()
                return
            head = _Head()
            try:
                parser = httptools.HttpRequestParser(head)
                parser.feed_data(bytes(self._buffer[:end]))
            except httptools.HttpParserUpgrade:
                pass  # an offer to switch protocols (h2c, websocket): declined by answering in HTTP/1.1
            except httptools.HttpParserError:
                self._refuse(400)
                return
            if end > MAX_HEAD or head.too_many:
                self._refuse(431)
                return
            if not head.complete:  # a GET with a body: the threaded server knows what to do
                self._start_relay()
                return
            del self._buffer[:end]
            self._scanned = 0
            self._answer(parser, head)
            self.deadline = time.monotonic() + self._front.header_timeout

    def _head_end(self) -> int:
        """Where the buffered request head ends (past its blank line), or -1 while it has not.

        The search starts where the last one stopped (less a blank line's length), so a head
        trickled in byte by byte costs its length, not its length squared.
        """
        start = max(0, self._scanned - 3)
        end = self._buffer.find(b"\r\n\r\n", start)
        if end >= 0:
            return end + 4
        end = self._buffer.find(b"\n\n", start)
        if end >= 0:
            return end + 2  # bare line feeds: httptools refuses them (400)
        self._scanned = len(self._buffer)
        return -1

    def _answer(self, parser: httptools.HttpRequestParser, head: _Head) -> None:
        transport = self.transport
        assert transport is not None and self._front.fast is not None
        version = parser.get_http_version()
        if version not in ("1.0", "1.1"):
            self._refuse(400)
            return
        # an HTTP/1.0 client's connection is closed after its answer, which carries no keep-alive token
        close = version == "1.0" or head.wants_close()
        method = parser.get_method().decode("latin-1")
        try:
            answer = self._front.fast.answer(method, head.url.decode("latin-1"), head.headers, close=close)
        except Exception:  # a fault of ours: this request gets a 500, the loop and its listeners go on
            log.exception("answering %s %s failed", method, head.url[:200].decode("latin-1"))
            answer = self._front.fast.error(500, head_only=method == "HEAD", close=True)
            close = True
        if self._front.log_requests:
            log.debug('"%s %s HTTP/%s" %s', method, head.url.decode("latin-1"), version, answer.status)
        transport.write(answer.head + answer.body if answer.body else answer.head)
        if answer.file is not None:
            self.sending = True
            transport.pause_reading()
            asyncio.get_running_loop().create_task(self._send_file(answer, close))
        elif close:
            transport.close()

    async def _send_file(self, answer: Answer, close: bool) -> None:
        """A large file's range, piece by piece as the client takes them, from the page cache."""
        transport = self.transport
        assert transport is not None and answer.file is not None
        path, inode, start, length = answer.file
        try:
            with open(path, "rb", buffering=0) as file:
                if os.fstat(file.fileno()).st_ino != inode:
                    raise FileNotFoundError(path)  # replaced after the head went out: cut short
                file.seek(start)
                while length > 0:
                    piece = file.read(min(_FILE_PIECE, length))
                    if not piece:
                        raise EOFError(path)
                    transport.write(piece)
                    length -= len(piece)
                    if self.write_paused_at is not None:
                        self._drained = asyncio.get_running_loop().create_future()
                        await self._drained
        except (OSError, EOFError):
            transport.abort()
            return
        self.sending = False
        if close:
            transport.close()
            return
        self.deadline = time.monotonic() + self._front.header_timeout
        transport.resume_reading()
        self._serve_buffered()

    def _refuse(self, status: int) -> None:
        """A request the front will not parse: a short answer and the connection closed."""
        assert self.transport is not None
        answer = HlsFastPath.error(status, head_only=False, close=True)
        self.transport.write(answer.head + answer.body)
        self.transport.close()
        peer = self.transport.get_extra_info("peername")
        log.info("client %s: malformed request (%s)", peer[0] if peer else "?", status)

    # -- the relay to the threaded server --

    def _start_relay(self) -> None:
        transport = self.transport
        assert transport is not None
        try:
            self._relay = Relay(transport, self._front.hand_off, bytes(self._buffer))
        except Exception:  # out of descriptors, or the threaded server could not start a thread
            log.exception("handing a connection to the threaded server failed")
            transport.write(BUSY)
            transport.close()
            return
        self._buffer.clear()
        if self.write_paused_at is not None:
            self._relay.pause_reading()
        self._relay.start(asyncio.get_running_loop())


class HttpFront:
    """The event loop on the listening socket ``sock``; ``serve_forever`` runs it until ``shutdown``."""

    def __init__(self, sock: socket.socket, fast: HlsFastPath | None, hand_off: HandOff, *,
                 max_connections: int, header_timeout: float = 10.0, idle_timeout: float = 30.0) -> None:
        self.sock = sock
        self.fast = fast
        self.hand_off = hand_off
        self.max_connections = max_connections
        self.header_timeout = header_timeout
        self.idle_timeout = idle_timeout
        self.clients: set[_Client] = set()
        self.log_requests = log.isEnabledFor(logging.DEBUG)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._stopped = threading.Event()
        self._started = threading.Event()
        self._stop_asked = False  # a shutdown that came before the loop could hear it

    def serve_forever(self) -> None:
        """Serve on a thread of its own until ``shutdown``; the calling thread waits (signals reach it)."""
        self._stopped.clear()
        thread = threading.Thread(target=self._run, name="http-front", daemon=True)
        thread.start()
        while not self._stopped.wait(0.5):
            pass
        thread.join()

    def _run(self) -> None:
        loop = uvloop.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve())
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
            self._loop = None
            self._stop_asked = False
            self._stopped.set()

    async def _serve(self) -> None:
        loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        if self._stop_asked:
            return
        server = await loop.create_server(lambda: _Client(self), sock=self.sock, backlog=4096)
        self._started.set()
        sweeper = loop.create_task(self._sweep())
        try:
            await self._stop.wait()
        finally:
            sweeper.cancel()
            server.close()
            for client in list(self.clients):
                if client.transport is not None:
                    client.transport.abort()
            await asyncio.sleep(0)

    async def _sweep(self) -> None:
        """Once a second: close connections past their head deadline, or stuck on a client reading nothing.

        A client that reads nothing is cut whatever its connection is doing, relayed or closing:
        once the pipe is paused the threaded side's own timeout cannot reach it, and a close
        waits for the buffered answer to go out.
        """
        while True:
            await asyncio.sleep(1.0)
            now = time.monotonic()
            for client in list(self.clients):
                transport = client.transport
                if transport is None:
                    continue
                if client.write_paused_at is not None:
                    if now - client.write_paused_at > self.idle_timeout:
                        transport.abort()
                elif transport.is_closing():
                    # closed with an answer still buffered, below the mark that pauses writing:
                    # a client that never reads it would hold the connection for ever
                    if client.closing_at is None:
                        client.closing_at = now
                    elif now - client.closing_at > self.idle_timeout:
                        transport.abort()
                elif client.relayed:
                    continue
                elif not client.sending and now > client.deadline:
                    # an idle keep-alive connection, or a head that never finished (slow loris): routine
                    peer = transport.get_extra_info("peername")
                    log.debug("%s: request timed out", peer[0] if peer else "?")
                    transport.close()

    def wait_started(self, timeout: float = 10.0) -> bool:
        """Whether the loop is accepting connections (within ``timeout`` seconds)."""
        return self._started.wait(timeout)

    def shutdown(self) -> None:
        """Stop serving (from any thread) and wait until the loop has stopped; before it runs, it will not."""
        self._stop_asked = True
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not self._stopped.is_set():
            try:
                loop.call_soon_threadsafe(stop.set)
            except RuntimeError:
                pass  # the loop closed meanwhile
            self._stopped.wait(10)
