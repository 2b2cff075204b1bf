"""A connection the front does not answer itself, relayed to the threaded WSGI server.

The front makes a socket pair, hands one end and the client's address to the threaded
server (``HandOff``: a thread serves it as it would a socket of its own) and keeps the
other end in its event loop. Bytes go both ways as they come, with back-pressure both ways:
a client slower to read than the server answers pauses the server's end, a server slower to
read than the client sends pauses the client. An end of input is passed on either way (a
hung-up performer ends its body read at once); either side closing closes the other.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from typing import cast

#: Gives one end of a socket pair to the threaded server as the client at this address.
HandOff = Callable[[socket.socket, tuple[str, int]], None]


class Relay:
    """The client's transport joined to the threaded server's end of a new socket pair.

    Made from the client's transport, the hand-off and the bytes the front has read
    already; raises ``OSError`` (out of descriptors) or whatever the hand-off raises,
    having closed what it opened.
    """

    def __init__(self, client: asyncio.Transport, hand_off: HandOff, first: bytes) -> None:
        peer = client.get_extra_info("peername") or ("?", 0)
        ours, theirs = socket.socketpair()
        try:
            hand_off(theirs, (str(peer[0]), int(peer[1])))
        except BaseException:
            ours.close()
            theirs.close()
            raise
        self._client = client
        self._ours: socket.socket | None = ours
        self._pipe: asyncio.Transport | None = None
        self._early: list[bytes] = [first] if first else []  # until the pipe is up; b"" = end of input
        self._paused = False  # the client reads slower than the server answers

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Connect the front's end in ``loop``; what came meanwhile goes out first, in order."""
        loop.create_task(self._connect(loop))

    async def _connect(self, loop: asyncio.AbstractEventLoop) -> None:
        ours, self._ours = self._ours, None
        assert ours is not None
        try:
            pipe, _ = await loop.create_unix_connection(lambda: _ServerEnd(self._client), sock=ours)
        except OSError:
            ours.close()
            self._client.abort()
            return
        transport = cast(asyncio.Transport, pipe)  # uvloop's transports do not subclass it
        if self._client.is_closing():
            transport.close()
            return
        self._pipe = transport
        for data in self._early:
            if data:
                transport.write(data)
            elif transport.can_write_eof():
                transport.write_eof()
        self._early.clear()
        if self._paused:
            transport.pause_reading()

    def send(self, data: bytes) -> None:
        """Client bytes on to the threaded server."""
        if self._pipe is not None:
            self._pipe.write(data)
        else:
            self._early.append(data)

    def send_eof(self) -> None:
        """The client's end of input, on to the threaded server (it may still answer)."""
        if self._pipe is not None:
            if not self._pipe.is_closing() and self._pipe.can_write_eof():
                self._pipe.write_eof()
        else:
            self._early.append(b"")

    def close(self) -> None:
        """The client is gone: the threaded server reads the end of its input at once."""
        if self._pipe is not None:
            self._pipe.close()
        elif self._ours is not None:
            self._ours.close()
            self._ours = None

    def pause_reading(self) -> None:
        """The client's buffer is full: stop taking the server's answer until it drains."""
        self._paused = True
        if self._pipe is not None:
            self._pipe.pause_reading()

    def resume_reading(self) -> None:
        """The client drained: take the server's answer again."""
        self._paused = False
        if self._pipe is not None:
            self._pipe.resume_reading()


class _ServerEnd(asyncio.Protocol):
    """The front's end of the socket pair: what the threaded server answers goes to the client."""

    def __init__(self, client: asyncio.Transport) -> None:
        self._client = client

    def data_received(self, data: bytes) -> None:
        self._client.write(data)

    def eof_received(self) -> bool:
        self._client.close()  # after what is buffered has gone out
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._client.close()

    def pause_writing(self) -> None:
        """The threaded server takes bytes slower than the client sends them."""
        if not self._client.is_closing():
            self._client.pause_reading()

    def resume_writing(self) -> None:
        if not self._client.is_closing():
            self._client.resume_reading()
