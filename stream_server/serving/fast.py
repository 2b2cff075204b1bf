"""The embedded fast path: the answer to ``GET``/``HEAD /hls/…``, made without WSGI.

Flask's route costs about a millisecond of Python per request; a live room's listeners
poll every target duration, so the stream server answers HLS files itself: the rules of
``serving.rules`` (the same the Flask route and nginx follow), the same headers
(Content-Type, Cache-Control, ETag and Last-Modified as Werkzeug's ``send_file`` computes
them, ``Accept-Ranges``, CORS), conditional GET (304), single byte ranges (206/416). Small
files are kept in memory and go out with their headers in one write; large ones are named
for the caller to send from the page cache. Playlist fetches with a valid listener token
are counted.

``HlsFastPath.answer`` makes an ``Answer``; the event-loop front (``serving.front``) writes
it to its transport, ``handle_raw`` to a threaded request handler's socket.
"""

from __future__ import annotations

import email.utils
import os
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler as Handler
from pathlib import Path
from zlib import adler32

from room_directory import RoomDirectory, RoomDirectoryError
from stream_server.serving.rules import (
    HlsTarget,
    add_token_to_variants,
    cache_control,
    content_type,
    request_token,
    resolve,
)

#: Files up to this size are kept in memory and sent with the headers in one write; larger: sendfile.
INLINE_LIMIT = 256 * 1024
#: Memory for small files (a live window of a few hundred rooms); oldest entries leave first.
CACHE_BYTES = 64 * 1024 * 1024
#: Query strings whose listener token has been checked, kept (forgotten all at once when full).
_TOKENS_KEPT = 100_000
_MAX_HEADERS = 100
_MAX_LINE = 65536
#: a byte position with more digits than this names no file anywhere
_MAX_DIGITS = 18
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_REASONS = {200: "OK", 206: "Partial Content", 304: "Not Modified", 400: "Bad Request", 403: "Forbidden",
            404: "Not Found", 416: "Range Not Satisfiable", 431: "Request Header Fields Too Large",
            500: "Internal Server Error", 503: "Service Unavailable"}


class RoomPrivacyCache:
    """``room_private`` for the fast path: the directory's answer, kept ``ttl`` seconds per room.

    None for a room the directory does not know; directory errors propagate (503). A room
    made or turned private is seen within ``ttl`` (the nginx recipe's marker sync also takes
    about a second).
    """

    def __init__(self, directory: RoomDirectory, ttl: float = 1.0) -> None:
        self._directory = directory
        self._ttl = ttl
        self._known: dict[str, tuple[float, bool | None]] = {}

    def __call__(self, room_id: str) -> bool | None:
        """Whether the room is private (None: unknown)."""
        now = time.monotonic()
        hit = self._known.get(room_id)
        if hit is not None and hit[0] > now:
            return hit[1]
        room = self._directory.get(room_id)
        private = None if room is None else room.private
        if len(self._known) > 10_000:
            self._known.clear()
        self._known[room_id] = (now + self._ttl, private)
        return private


def _etag(path: str, mtime: float, size: int) -> str:
    """Werkzeug's ``send_file`` ETag: mtime, size and an Adler-32 of the path."""
    return f'"{mtime}-{size}-{adler32(path.encode()) & 0xFFFFFFFF}"'


def _etag_matches(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return etag in tags


@dataclass(frozen=True)
class Answer:
    """One response: its head (status line and headers, ending in the blank line) and body.

    ``file`` names a large file's range to send after the head, ``(path, inode, start,
    length)``: the sender checks the inode of what it opens (a file replaced in between
    is not sent).
    """

    status: int
    head: bytes
    body: bytes = b""
    file: tuple[str, int, int, int] | None = None


@dataclass(frozen=True)
class _Cached:
    """What the fast path knows of one file: identity (inode, mtime, size), headers, small contents."""

    path: str
    identity: tuple[int, int, int]
    mtime: float
    etag: str
    last_modified: str
    data: bytes | None


class HlsFastPath:
    """Serves the HLS tree under ``hls_dir`` to a request handler, counting listeners."""

    def __init__(self, hls_dir: Path, segment_seconds: int, secret: str,
                 count_listener: Callable[[str, str, float], None],
                 room_private: Callable[[str], bool | None]) -> None:
        self._root = str(hls_dir.resolve())
        self._room_private = room_private
        self._segment_seconds = segment_seconds
        self._secret = secret
        self._count = count_listener
        self._date_second = -1
        self._date = ""
        self._cache: dict[str, _Cached] = {}
        self._cache_bytes = 0
        self._cache_lock = threading.Lock()
        self._tokens: dict[str, str | None] = {}

    def handle_raw(self, handler: Handler, request_line: bytes) -> None:
        """Read the rest of the request whose line ``handler`` has read, and answer it.

        Takes the place of ``parse_request`` for ``GET``/``HEAD /hls/…`` on a connection the
        threaded server holds: the request line and headers are read here (http.server's
        e-mail header parser is half the cost of a request).
        """
        fields = request_line.decode("latin-1").rstrip("\r\n").split(" ")
        headers: dict[str, str] = {}
        for _ in range(_MAX_HEADERS + 1):
            line = handler.rfile.readline(_MAX_LINE + 1)
            if line in (b"\r\n", b"\n", b""):
                break
            name, colon, value = line.decode("latin-1").partition(":")
            if not colon or len(line) > _MAX_LINE or name != name.strip() or not name:
                fields = []  # malformed: refused below
                break
            headers[name.lower()] = value.strip()
        else:
            fields = []
        if len(fields) != 3 or fields[2] not in ("HTTP/1.0", "HTTP/1.1"):
            handler.command, handler.close_connection = "GET", True
            return self._send(handler, self.error(400, head_only=False, close=True))
        handler.command, handler.path, handler.request_version = fields
        handler.requestline = " ".join(fields)
        connection = headers.get("connection", "").lower()
        handler.close_connection = connection == "close" or (
            fields[2] == "HTTP/1.0" and connection != "keep-alive")
        if "transfer-encoding" in headers or headers.get("content-length", "0") not in ("", "0"):
            handler.close_connection = True  # a body nobody reads must not be taken for the next request
        self._send(handler, self.answer(handler.command, handler.path, headers,
                                        close=handler.close_connection))

    @staticmethod
    def _send(handler: Handler, answer: Answer) -> None:
        handler.wfile.write(answer.head + answer.body)
        if answer.file is not None:
            path, inode, start, length = answer.file
            with open(path, "rb", buffering=0) as file:  # large: straight from the page cache
                if os.fstat(file.fileno()).st_ino != inode:
                    handler.close_connection = True  # replaced after the head went out: cut short
                    return
                handler.connection.sendfile(file, start, length)

    def answer(self, method: str, target: str, headers: Mapping[str, str], *, close: bool) -> Answer:
        """The answer to ``method`` (GET or HEAD) of ``target`` (path and query); headers in lower case."""
        head_only = method == "HEAD"
        path, _, query = target.partition("?")
        now = time.time()
        try:
            resolved = resolve(path, room_private=self._room_private, secret=self._secret, now=now)
        except RoomDirectoryError:
            return self.error(503, head_only=head_only, close=close)
        if isinstance(resolved, int):
            return self.error(resolved, head_only=head_only, close=close)
        token = self._token(resolved, query) if resolved.is_playlist else None
        if token is not None and resolved.token is None:  # ?lt=: the variants are given the token
            return self._counted_playlist(resolved, token, now, head_only=head_only, close=close)
        return self._file(headers, resolved, now, head_only=head_only, close=close, token=token)

    def _counted_playlist(self, target: HlsTarget, token: str, now: float, *, head_only: bool,
                          close: bool) -> Answer:
        """A playlist fetched with a valid token: counted, variant URIs given the token, never a 304."""
        path = f"{self._root}/{target.room_id}/{target.name}"
        try:
            cached = self._current(path)
            data = cached.data if cached is not None else None
            if cached is not None and data is None:
                with open(path, "rb") as file:
                    data = file.read()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            data = None
        if data is None:
            return self.error(404, head_only=head_only, close=close)
        self._count(target.room_id, token, now)
        if b"#EXT-X-STREAM-INF" in data:
            data = add_token_to_variants(data.decode("utf-8", errors="replace"), token).encode()
        head = (f"Content-Type: {content_type(target)}\r\nContent-Length: {len(data)}\r\n"
                f"Cache-Control: {cache_control(target, self._segment_seconds)}\r\n"
                f"Date: {self._http_date(now)}\r\nAccess-Control-Allow-Origin: *\r\n")
        return self._make(200, head, b"" if head_only else data, close=close)

    def _file(self, headers: Mapping[str, str], target: HlsTarget, now: float, *, head_only: bool,
              close: bool, token: str | None = None) -> Answer:
        cached = self._current(f"{self._root}/{target.room_id}/{target.name}")
        if cached is None:
            return self.error(404, head_only=head_only, close=close)
        if token is not None:  # a path token: counted, and the file served as it is (304 too)
            self._count(target.room_id, token, now)
        common = (f"Cache-Control: {cache_control(target, self._segment_seconds)}\r\n"
                  f"ETag: {cached.etag}\r\nDate: {self._http_date(now)}\r\nAccept-Ranges: bytes\r\n"
                  "Access-Control-Allow-Origin: *\r\n")
        if self._not_modified(headers, cached.etag, cached.mtime):
            return self._make(304, common, b"", close=close)
        size = cached.identity[2]
        start, end = 0, size
        status = 200
        range_header = headers.get("range")
        if range_header and self._range_applies(headers.get("if-range"), cached.etag):
            parsed = self._parse_range(range_header, size)
            if parsed is None:
                return self._make(416, f"Content-Range: bytes */{size}\r\n", b"", close=close)
            if parsed != (0, size):
                start, end = parsed
                status = 206
                common += f"Content-Range: bytes {start}-{end - 1}/{size}\r\n"
        head = (f"Content-Type: {content_type(target)}\r\nContent-Length: {end - start}\r\n"
                f"Last-Modified: {cached.last_modified}\r\n" + common)
        if head_only:
            return self._make(status, head, b"", close=close)
        if cached.data is not None:
            return self._make(status, head, cached.data[start:end], close=close)
        answer = self._make(status, head, b"", close=close)
        return Answer(status, answer.head, file=(cached.path, cached.identity[0], start, end - start))

    def _current(self, path: str) -> _Cached | None:
        """What the file at ``path`` is now (from the cache while its identity holds); None if missing."""
        try:
            stat = os.stat(path)
            cached = self._cache.get(path)
            if cached is not None and cached.identity == (stat.st_ino, stat.st_mtime_ns, stat.st_size):
                return cached
            return self._load(path)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return None

    def _token(self, target: HlsTarget, query: str) -> str | None:
        """The valid listener token of a request (path, else ``?lt=``); each answer is kept (HMAC once)."""
        key = target.token if target.token is not None else query
        if not key or (target.token is None and "lt=" not in query):
            return None
        try:
            return self._tokens[key]
        except KeyError:
            pass
        if len(self._tokens) >= _TOKENS_KEPT:
            self._tokens.clear()
        token = self._tokens[key] = request_token(target, query, self._secret)
        return token

    def _load(self, path: str) -> _Cached:
        """Read a file's identity (and its bytes when small), caching small files."""
        with open(path, "rb", buffering=0) as file:
            stat = os.fstat(file.fileno())
            data = file.read() if stat.st_size <= INLINE_LIMIT else None
        size = len(data) if data is not None else stat.st_size
        entry = _Cached(
            path=path, identity=(stat.st_ino, stat.st_mtime_ns, size), mtime=stat.st_mtime,
            etag=_etag(path, stat.st_mtime, size),
            last_modified=email.utils.formatdate(stat.st_mtime, usegmt=True), data=data)
        if data is not None and size == stat.st_size:  # a file still growing is served, not kept
            with self._cache_lock:
                old = self._cache.pop(path, None)
                self._cache_bytes += len(data) - (len(old.data or b"") if old else 0)
                self._cache[path] = entry
                while self._cache_bytes > CACHE_BYTES and self._cache:
                    evicted = self._cache.pop(next(iter(self._cache)))
                    self._cache_bytes -= len(evicted.data or b"")
        return entry

    @staticmethod
    def _not_modified(headers: Mapping[str, str], etag: str, mtime: float) -> bool:
        if_none_match = headers.get("if-none-match")
        if if_none_match:
            return _etag_matches(if_none_match, etag)
        since = headers.get("if-modified-since")
        if since:
            try:
                parsed = email.utils.parsedate_to_datetime(since).timestamp()
            except (TypeError, ValueError):
                return False
            return int(mtime) <= parsed
        return False

    @staticmethod
    def _range_applies(if_range: str | None, etag: str) -> bool:
        return not if_range or if_range.strip() == etag

    @staticmethod
    def _parse_range(header: str, size: int) -> tuple[int, int] | None:
        """``(start, end)`` (end exclusive) of a single byte range; None when unsatisfiable."""
        match = _RANGE.match(header.strip())
        if match is None:
            return (0, size)  # not a single byte range: ignored, the whole file is sent
        first, last = match.groups()
        if not first and not last:
            return (0, size)
        if len(first or "") > _MAX_DIGITS or len(last or "") > _MAX_DIGITS:
            return None  # past any file size (and past int()'s digit limit): 416, as nginx answers
        if not first:
            start, end = max(0, size - int(last)), size
        else:
            start = int(first)
            end = min(size, int(last) + 1) if last else size
        if start >= size or start >= end:
            return None
        return start, end

    def _http_date(self, now: float) -> str:
        second = int(now)
        if second != self._date_second:
            self._date, self._date_second = email.utils.formatdate(second, usegmt=True), second
        return self._date

    @staticmethod
    def error(status: int, *, head_only: bool, close: bool) -> Answer:
        """A short plain-text answer for ``status`` (400, 403, 404, 431, 503…)."""
        body = f"{status} {_REASONS[status]}\n".encode()
        return HlsFastPath._make(status, "Content-Type: text/plain; charset=utf-8\r\n"
                          f"Content-Length: {len(body)}\r\n", b"" if head_only else body, close=close)

    @staticmethod
    def _make(status: int, headers: str, body: bytes, *, close: bool) -> Answer:
        if status == 416 and "Content-Length" not in headers:
            headers += "Content-Length: 0\r\n"
        if close:
            headers += "Connection: close\r\n"
        head = f"HTTP/1.1 {status} {_REASONS[status]}\r\n{headers}\r\n"
        return Answer(status, head.encode("latin-1"), body)
