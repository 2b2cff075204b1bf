"""Sending PCM to a room's ingest at real-time pace over one chunked HTTP PUT, reconnecting.

The body is a WAV stream (``Content-Type: audio/wav``) with the stream key as Bearer. When
the server drops the connection, the sender opens a new one, sends a fresh WAV header and
goes on from where the audio was; a refused key (401) or a refused stream (4xx) stops it.
"""

from __future__ import annotations

import http.client
import select
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from livestage.pcm_audio import Pcm, level_dbfs, streaming_wav_header

#: audio per write (seconds)
BLOCK_SECONDS = 0.1
#: how far ahead of real time the sender may run (the server buffers about a second)
LEAD_SECONDS = 0.3


class IngestRefused(Exception):
    """The server answered the stream with an error status (wrong key, unknown room, bad audio)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"the server refused the stream ({status}): {detail}")
        self.status = status


class ConnectionLost(Exception):
    """The connection to the ingest broke; the sender may reconnect."""


#: answers that no retry can fix: the key, the room, the method or the codec is wrong
_FATAL = {401, 403, 404, 405, 413, 415}
#: a 400 this early on a connection means our audio is refused, later it means the server dropped us
_EARLY_SECONDS = 1.0


@dataclass
class SendProgress:
    """What the progress display shows after every block."""

    position: float = 0.0
    level: float = -90.0
    reconnects: int = 0
    events: list[str] = field(default_factory=list)


class LiveSender:
    """Streams one ``Pcm`` to ``<server>/ingest/<room>`` in real time."""

    def __init__(self, server_url: str, room_id: str, key: str, *, max_retries: int = 5,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 retry_delay: float = 0.5) -> None:
        parts = urlsplit(server_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"the server URL must be http(s)://host[:port], not {server_url!r}")
        self._scheme = parts.scheme
        self._host = parts.hostname
        self._port = parts.port or (443 if parts.scheme == "https" else 80)
        self._path = parts.path.rstrip("/") + f"/ingest/{room_id}"
        self._key = key
        self._max_retries = max_retries
        self._clock = clock
        self._sleep = sleep
        self._retry_delay = retry_delay

    def send(self, pcm: Pcm, on_block: Callable[[SendProgress], None]) -> SendProgress:
        """Send all of ``pcm``; reconnect on drops; raise IngestRefused or ConnectionLost at the end."""
        progress = SendProgress()
        block = int(pcm.bytes_per_second * BLOCK_SECONDS) // 4 * 4
        offset = 0
        failures = 0
        resumed_at = 0
        while True:
            resumed_at = offset
            try:
                conn = self._open(pcm)
                started = self._clock() - offset / pcm.bytes_per_second
                while offset < len(pcm.data):
                    chunk = pcm.data[offset:offset + block]
                    due = started + offset / pcm.bytes_per_second - LEAD_SECONDS
                    wait = due - self._clock()
                    if wait > 0:
                        self._sleep(wait)
                    self._check_early_answer(conn)
                    self._write_chunk(conn, chunk)
                    offset += len(chunk)
                    progress.position = offset / pcm.bytes_per_second
                    progress.level = level_dbfs(chunk)
                    if failures and (offset - resumed_at) >= 5 * pcm.bytes_per_second:
                        failures = 0  # streaming well again for 5 s
                    on_block(progress)
                self._finish(conn)
                return progress
            except IngestRefused as exc:
                early = (offset - resumed_at) < _EARLY_SECONDS * pcm.bytes_per_second
                if exc.status in _FATAL or (exc.status == 400 and early) or failures >= self._max_retries:
                    raise
                failures += 1
                progress.reconnects += 1
                progress.events.append(f"the server dropped the stream ({exc.status}); reconnecting "
                                       f"({failures}/{self._max_retries})")
                on_block(progress)
                self._sleep(self._retry_delay * 2 ** (failures - 1))
            except ConnectionLost as exc:
                failures += 1
                if failures > self._max_retries:
                    raise ConnectionLost(f"{exc}; gave up after {self._max_retries} reconnects") from None
                progress.reconnects += 1
                progress.events.append(
                    f"connection lost ({exc}); reconnecting ({failures}/{self._max_retries})")
                on_block(progress)
                self._sleep(self._retry_delay * 2 ** (failures - 1))

    def _open(self, pcm: Pcm) -> http.client.HTTPConnection:
        cls = http.client.HTTPSConnection if self._scheme == "https" else http.client.HTTPConnection
        conn = cls(self._host, self._port, timeout=10)
        try:
            conn.putrequest("PUT", self._path, skip_accept_encoding=True)
            conn.putheader("Authorization", f"Bearer {self._key}")
            conn.putheader("Content-Type", "audio/wav")
            conn.putheader("Transfer-Encoding", "chunked")
            conn.putheader("User-Agent", "livestage-go-live")
            conn.endheaders()
            self._write_chunk(conn, streaming_wav_header(pcm.sample_rate, pcm.channels))
        except OSError as exc:
            conn.close()
            raise ConnectionLost(f"cannot connect to {self._host}:{self._port}: {exc}") from None
        return conn

    def _write_chunk(self, conn: http.client.HTTPConnection, data: bytes) -> None:
        try:
            conn.send(b"%x\r\n%s\r\n" % (len(data), data))
        except OSError as exc:
            self._raise_answer_or_lost(conn, exc)

    def _check_early_answer(self, conn: http.client.HTTPConnection) -> None:
        """The server answered before the body ended: refused (4xx) or dropped us."""
        sock = conn.sock
        if sock is None:
            raise ConnectionLost("connection closed")
        readable, _, _ = select.select([sock], [], [], 0)
        if readable:
            self._raise_answer_or_lost(conn, ConnectionError("the server answered mid-stream"))

    def _raise_answer_or_lost(self, conn: http.client.HTTPConnection, cause: BaseException) -> None:
        try:
            if conn.sock is not None:
                conn.sock.settimeout(2)
            response = conn.getresponse()
            status, body = response.status, response.read(500).decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            conn.close()
            raise ConnectionLost(str(cause) or type(cause).__name__) from None
        conn.close()
        if 400 <= status < 500 and status != 408:
            raise IngestRefused(status, body.strip())
        raise ConnectionLost(f"the server ended the stream ({status})")

    def _finish(self, conn: http.client.HTTPConnection) -> None:
        try:
            conn.send(b"0\r\n\r\n")
            if conn.sock is not None:
                conn.sock.settimeout(30)
            response = conn.getresponse()
            status, body = response.status, response.read(500).decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as exc:
            raise ConnectionLost(f"no answer at the end of the stream: {exc}") from None
        finally:
            conn.close()
        if status >= 400:
            raise IngestRefused(status, body.strip())
