"""The embedded fast path: ``GET``/``HEAD /hls/…`` answered in the request handler, without WSGI.

Flask's route costs about a millisecond of Python per request; a live room's listeners
poll every target duration, so the stream server's request handler (``server.py``) sends
HLS files itself: the rules of ``hls_rules`` (the same the Flask route and nginx follow),
the same headers (Content-Type, Cache-Control, ETag and Last-Modified as Werkzeug's
``send_file`` computes them, ``Accept-Ranges``, CORS), conditional GET (304), single byte
ranges (206/416), and small files sent with their headers in one write (large ones with
``socket.sendfile``). Playlist fetches with a valid listener token are counted.
"""

from __future__ import annotations

import email.utils
import os
import re
import time
from collections.abc import Callable
from email.message import Message
from http.server import BaseHTTPRequestHandler as Handler
from pathlib import Path
from zlib import adler32

from stream_server.hls_rules import (
    HlsTarget,
    access_status,
    cache_control,
    content_type,
    listener_token,
    parse_hls_path,
)
from stream_server.private_markers import is_private

#: Files up to this size are read and sent with the headers in one write; larger ones use sendfile.
INLINE_LIMIT = 256 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_REASONS = {200: "OK", 206: "Partial Content", 304: "Not Modified", 403: "Forbidden",
            404: "Not Found", 416: "Range Not Satisfiable"}


def _etag(path: str, mtime: float, size: int) -> str:
    """Werkzeug's ``send_file`` ETag: mtime, size and an Adler-32 of the path."""
    return f'"{mtime}-{size}-{adler32(path.encode()) & 0xFFFFFFFF}"'


def _etag_matches(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return etag in tags


class HlsFastPath:
    """Serves the HLS tree under ``hls_dir`` to a request handler, counting listeners."""

    def __init__(self, hls_dir: Path, segment_seconds: int, secret: str,
                 count_listener: Callable[[str, str, float], None]) -> None:
        self._root = str(hls_dir.resolve())
        self._segment_seconds = segment_seconds
        self._secret = secret
        self._count = count_listener
        self._date_second = -1
        self._date = ""

    def wants(self, command: str, path: str) -> bool:
        """Whether this request is the fast path's (GET or HEAD under ``/hls/``)."""
        return path.startswith("/hls/") and command in ("GET", "HEAD")

    def handle(self, handler: Handler) -> None:
        """Answer one request on ``handler``'s connection."""
        path, _, query = handler.path.partition("?")
        target = parse_hls_path(path)
        if target is None:
            return self._error(handler, 404)
        now = time.time()
        status = access_status(target, private=is_private(self._root, target.room_id),
                               secret=self._secret, now=now)
        if status is not None:
            return self._error(handler, status)
        self._send_file(handler, target, query, now)

    def _send_file(self, handler: Handler, target: HlsTarget, query: str, now: float) -> None:
        path = f"{self._root}/{target.room_id}/{target.name}"
        try:
            file = open(path, "rb", buffering=0)  # noqa: SIM115 - closed below
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return self._error(handler, 404)
        with file:
            stat = os.fstat(file.fileno())
            size = stat.st_size
            etag = _etag(path, stat.st_mtime, size)
            headers = handler.headers
            common = (f"Cache-Control: {cache_control(target, self._segment_seconds)}\r\n"
                      f"ETag: {etag}\r\nDate: {self._http_date(now)}\r\nAccept-Ranges: bytes\r\n"
                      "Access-Control-Allow-Origin: *\r\n")
            if self._not_modified(headers, etag, stat.st_mtime):
                self._count_listener(target, query, now)
                return self._write(handler, 304, common, b"")
            start, end = 0, size
            status = 200
            range_header = headers.get("Range")
            if range_header and self._range_applies(headers.get("If-Range"), etag):
                parsed = self._parse_range(range_header, size)
                if parsed is None:
                    return self._write(handler, 416, f"Content-Range: bytes */{size}\r\n", b"")
                if parsed != (0, size):
                    start, end = parsed
                    status = 206
                    common += f"Content-Range: bytes {start}-{end - 1}/{size}\r\n"
            head = (f"Content-Type: {content_type(target)}\r\nContent-Length: {end - start}\r\n"
                    f"Last-Modified: {email.utils.formatdate(stat.st_mtime, usegmt=True)}\r\n" + common)
            self._count_listener(target, query, now)
            if handler.command == "HEAD":
                return self._write(handler, status, head, b"")
            if end - start <= INLINE_LIMIT:
                file.seek(start)
                return self._write(handler, status, head, file.read(end - start))
            self._write(handler, status, head, b"")
            handler.connection.sendfile(file, start, end - start)

    def _count_listener(self, target: HlsTarget, query: str, now: float) -> None:
        if target.is_playlist:
            token = listener_token(query, self._secret)
            if token is not None:
                self._count(target.room_id, token, now)

    @staticmethod
    def _not_modified(headers: Message, etag: str, mtime: float) -> bool:
        get = headers.get
        if_none_match = get("If-None-Match")
        if if_none_match:
            return _etag_matches(if_none_match, etag)
        since = get("If-Modified-Since")
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

    def _error(self, handler: Handler, status: int) -> None:
        body = f"{status} {_REASONS[status]}\n".encode()
        self._write(handler, status, "Content-Type: text/plain; charset=utf-8\r\n"
                    f"Content-Length: {len(body)}\r\n",
                    body if handler.command != "HEAD" else b"")

    @staticmethod
    def _write(handler: Handler, status: int, headers: str, body: bytes) -> None:
        if status in (304, 416) and "Content-Length" not in headers:
            headers += "Content-Length: 0\r\n" if status == 416 else ""
        if handler.close_connection:
            headers += "Connection: close\r\n"
        head = f"HTTP/1.1 {status} {_REASONS[status]}\r\n{headers}\r\n".encode("latin-1")
        handler.wfile.write(head + body)
