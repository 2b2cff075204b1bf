"""Listener counts from CloudFront: its standard access logs in, listener ids per room and minute out.

CloudFront serves the listeners on AWS, so no stream server sees their playlist fetches.
CloudFront writes each request to a standard log file in S3 (W3C: ``#Version`` and
``#Fields`` header lines, then one tab-separated line per request, gzip-compressed),
usually minutes and at most about an hour after it served them (rarely, AWS warns, a
day). ``read_log`` applies the rules the stream servers and nginx count by (``rules``): a
GET answered 200 or 304, for a playlist of an ``/hls/`` path (plain or signed), carrying a
listener token whose HMAC is genuine, in the path (``…/t/<token>/…``) or in ``?lt=``;
anything else counts nobody. The CloudFront function copies a path's token into ``?lt=``
when it rewrites the path to the object's key, so a line counts whichever of the two URIs
it records. ``record_log`` adds the listeners of each room and minute to the room
directory (``RoomDirectory.add_listeners``), where the room API reads them.

Columns are found by the ``#Fields`` header, not by position, so a log of fewer fields (the
newer logging's field selection) reads the same.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Collection, Iterable, Iterator
from datetime import UTC, datetime
from typing import Protocol

from stream_server.serving.rules import COUNTED_STATUSES, parse_hls_path, request_token

log = logging.getLogger(__name__)

#: Tokens (and whether they are genuine) remembered while reading one file.
_REMEMBERED = 100_000
#: The columns a counted fetch needs.
NEEDED = ("date", "time", "cs-method", "cs-uri-stem", "sc-status", "cs-uri-query")


class ListenerMinutesWriter(Protocol):
    """The part of the room directory the log reader writes to."""

    def add_listeners(self, room_id: str, minute: int, listeners: Collection[str]) -> None: ...


def listener_id(token: str) -> str:
    """The id a token is kept under: 16 characters of its SHA-256, short and no longer a token."""
    return base64.urlsafe_b64encode(hashlib.sha256(token.encode()).digest())[:16].decode()


class _Reader:
    """One file's reading, with the two costly steps remembered: a log repeats both many times."""

    def __init__(self, columns: dict[str, int], secret: str) -> None:
        self._indexes = [columns[name] for name in NEEDED]
        self._secret = secret
        self._seconds: dict[str, float | None] = {}  # "date time" -> epoch seconds
        # (path token, query) -> valid token (a player polls ~30 times a minute)
        self._tokens: dict[tuple[str | None, str], str | None] = {}

    def fetch(self, fields: list[str]) -> tuple[str, str, float] | None:
        try:
            date, time, method, stem, status, query = (fields[index] for index in self._indexes)
        except IndexError:
            return None
        if method != "GET" or status not in COUNTED_STATUSES or not stem.endswith(".m3u8"):
            return None
        target = parse_hls_path(stem)
        if target is None:
            return None
        key = (target.token, query)
        if key not in self._tokens:
            if len(self._tokens) >= _REMEMBERED:  # made-up tokens must not fill the memory
                self._tokens.clear()
            self._tokens[key] = request_token(target, "" if query == "-" else query, self._secret)
        token = self._tokens[key]
        stamp = f"{date} {time}"
        if stamp not in self._seconds:
            self._seconds[stamp] = _epoch(stamp)
        at = self._seconds[stamp]
        if token is None or at is None:
            return None
        return target.room_id, token, at


def _epoch(stamp: str) -> float | None:
    try:
        return datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC).timestamp()
    except ValueError:
        return None


def read_log(lines: Iterable[str], secret: str) -> Iterator[tuple[str, str, float]]:
    """``(room_id, token, at)`` of every counted playlist fetch in one log file's lines."""
    reader: _Reader | None = None
    for raw in lines:
        line = raw.rstrip("\r\n")
        if line.startswith("#Fields:"):
            names = line.removeprefix("#Fields:").split()
            found = {name: index for index, name in enumerate(names)}
            reader = _Reader(found, secret) if all(name in found for name in NEEDED) else None
        elif line and not line.startswith("#") and reader is not None:
            fetch = reader.fetch(line.split("\t"))
            if fetch is not None:
                yield fetch


def listeners_by_minute(fetches: Iterable[tuple[str, str, float]]) -> dict[tuple[str, int], set[str]]:
    """Listener ids per (room, minute) (epoch seconds // 60) of counted fetches."""
    minutes: dict[tuple[str, int], set[str]] = {}
    for room_id, token, at in fetches:
        minutes.setdefault((room_id, int(at // 60)), set()).add(listener_id(token))
    return minutes


def record_log(directory: ListenerMinutesWriter, lines: Iterable[str], secret: str) -> int:
    """Add one log file's listeners to the directory; the number of (room, minute) figures touched.

    A minute the directory refuses does not keep the file's other minutes out: they are all
    written, then the first failure is raised, so the file is read again later (writing the
    same ids again changes nothing).
    """
    minutes = listeners_by_minute(read_log(lines, secret))
    failed: list[Exception] = []
    for (room_id, minute), ids in sorted(minutes.items()):
        try:
            directory.add_listeners(room_id, minute, ids)
        except Exception as exc:  # one room-minute (say, too many ids for one item) must not stop the rest
            log.exception("room %s, minute %d: %d listeners not recorded", room_id, minute, len(ids))
            failed.append(exc)
    if failed:
        raise failed[0]
    return len(minutes)
