"""Listener counts from nginx: follow its HLS access log and report playlist fetches.

With the nginx recipe (``deploy/nginx``) Python is not on the listeners' path, so nginx
writes one line per HLS request in the format ``livestage nginx-config`` declares::

    log_format livestage_hls '$msec $status $request_method $request_uri';

``NginxLogTailer`` (on when ``LIVESTAGE_NGINX_ACCESS_LOG`` names that file) reads new lines
every ``interval`` seconds, survives rotation (a new file at the path, or the file cut
short) and feeds every successful playlist fetch carrying a valid listener token (in its
path, or the older ``?lt=``) to the listener tracker, with the time nginx served it. It
starts at the end of the file: history from before the server started is not counted.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import IO

from stream_server.serving.rules import COUNTED_STATUSES, parse_hls_path, request_token

log = logging.getLogger(__name__)

#: The ``log_format`` line the nginx config declares (keep both in step).
LOG_FORMAT = "'$msec $status $request_method $request_uri'"


def parse_line(line: str, secret: str) -> tuple[str, str, float] | None:
    """``(room_id, token, at)`` of a counted playlist fetch, or None for any other line."""
    fields = line.rstrip("\n").split(" ", 3)
    if len(fields) != 4 or fields[1] not in COUNTED_STATUSES or fields[2] != "GET":
        return None
    path, _, query = fields[3].partition("?")
    target = parse_hls_path(path)
    if target is None or not target.is_playlist:
        return None
    token = request_token(target, query, secret)
    if token is None:
        return None
    try:
        at = float(fields[0])
    except ValueError:
        return None
    return target.room_id, token, at


class NginxLogTailer:
    """A daemon thread following one access log; ``poll`` does one round (tests call it too)."""

    def __init__(self, path: str, secret: str, count: Callable[[str, str, float], None],
                 interval: float = 0.5) -> None:
        self._path = path
        self._secret = secret
        self._count = count
        self._interval = interval
        self._file: IO[str] | None = None
        self._partial = ""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="nginx-log", daemon=True)

    def start(self) -> None:
        """Open the log at its end (if it exists yet) and follow it in the background."""
        self._open(at_end=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop following and close the file."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)
        if self._file is not None:
            self._file.close()
            self._file = None

    def _open(self, *, at_end: bool) -> None:
        try:
            self._file = open(self._path, encoding="utf-8", errors="replace")  # noqa: SIM115
        except FileNotFoundError:
            self._file = None
            return
        if at_end:
            self._file.seek(0, os.SEEK_END)
        self._partial = ""

    def _rotated(self) -> bool:
        assert self._file is not None
        try:
            current = os.stat(self._path)
        except FileNotFoundError:
            return False  # moved away and not yet recreated: keep draining the old one
        mine = os.fstat(self._file.fileno())
        return current.st_ino != mine.st_ino or current.st_size < self._file.tell()

    def poll(self) -> int:
        """Read what nginx appended since the last call; the number of fetches counted."""
        if self._file is None:
            self._open(at_end=False)  # appeared after start: every line in it is new
            if self._file is None:
                return 0
        counted = self._drain()
        if self._rotated():
            counted += self._drain()
            self._file.close()
            self._open(at_end=False)
            if self._file is not None:
                counted += self._drain()
        return counted

    def _drain(self) -> int:
        assert self._file is not None
        counted = 0
        while True:
            chunk = self._file.read(1 << 16)
            if not chunk:
                return counted
            lines = (self._partial + chunk).split("\n")
            self._partial = lines.pop()
            for line in lines:
                hit = parse_line(line, self._secret)
                if hit is not None:
                    self._count(*hit)
                    counted += 1

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.poll()
            except Exception:  # a bad read must not end listener counting for good
                log.exception("reading the nginx access log %s failed", self._path)
