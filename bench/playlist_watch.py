"""Watch a live media playlist and note when each segment is first listed.

The parsing is a pure function over the playlist text (read with the ``m3u8``
package, independent of the code that wrote it); ``watch_playlist`` is the thin
polling loop around it, with a deadline.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import m3u8

#: How often a playlist is polled (seconds).
POLL_INTERVAL = 0.05


class WatchTimeout(RuntimeError):
    """The playlist did not list enough segments before the deadline."""


@dataclass(frozen=True)
class Listing:
    """A segment as a playlist lists it."""

    sequence: int
    #: Air time of its last sample (Unix seconds): EXT-X-PROGRAM-DATE-TIME + EXTINF.
    air_end: float


@dataclass(frozen=True)
class WatchReport:
    """What a watch saw: when the first segment appeared, and each segment's listing latency."""

    #: Seconds from the start of publishing until the first segment was listed.
    first_listed_after_start: float
    #: Per segment, in order: (wall time first seen listed) - (its air-time end), seconds.
    latencies: list[float]


def listed_segments(text: str) -> list[Listing]:
    """The segments a media playlist lists; empty for a half-written text or one without air times."""
    if not text.startswith("#EXTM3U") or not text.endswith("\n"):
        return []
    try:
        playlist = m3u8.loads(text)
    except Exception:  # a torn read is "nothing new yet", whatever the parser says
        return []
    first = playlist.media_sequence or 0
    listings = []
    for index, segment in enumerate(playlist.segments):
        when = segment.current_program_date_time or segment.program_date_time
        if when is None or segment.duration is None:
            continue
        listings.append(Listing(first + index, when.timestamp() + float(segment.duration)))
    return listings


def watch_playlist(
    fetch: Callable[[], str | None],
    *,
    started: float,
    count: int,
    deadline: float,
    check: Callable[[], None] = lambda: None,
    interval: float = POLL_INTERVAL,
) -> WatchReport:
    """Poll ``fetch`` every ``interval`` s until ``count`` new segments are listed, or fail at ``deadline``.

    ``started`` and ``deadline`` are ``time.monotonic()`` values; ``fetch`` returns the
    playlist text or None while there is none; ``check`` raises if a process it
    depends on died. A segment's time seen is taken when the fetch that listed it returned.
    """
    seen: set[int] = set()
    latencies: list[float] = []
    first_listed: float | None = None
    tick = time.monotonic()
    while len(latencies) < count:
        if time.monotonic() > deadline:
            raise WatchTimeout(f"{len(latencies)} of {count} segments listed before the deadline")
        check()
        text = fetch()
        seen_wall, seen_mono = time.time(), time.monotonic()
        for listing in listed_segments(text or ""):
            if listing.sequence in seen:
                continue
            seen.add(listing.sequence)
            if first_listed is None:
                first_listed = seen_mono - started
            if len(latencies) < count:
                latencies.append(seen_wall - listing.air_end)
        tick = max(tick + interval, time.monotonic())  # a slow fetch delays, never bunches, polls
        time.sleep(max(0.0, tick - time.monotonic()))
    assert first_listed is not None
    return WatchReport(first_listed, latencies)


@dataclass(frozen=True)
class OnTime:
    """Segments the watched rooms listed in a window: how many, how many late, how many skipped."""

    segments: int
    late: int
    missing: int

    @property
    def all_on_time(self) -> bool:
        """Segments were listed, none late and none skipped."""
        return self.segments > 0 and self.late == 0 and self.missing == 0


def segments_on_time(hls: Path, rooms: list[str], seconds: float, check: Callable[[], None], *,
                     renditions: tuple[str, ...] = ("128k", "64k"), slack: float = 1.0,
                     poll: float = 0.1) -> OnTime:
    """Watch the rooms' live media playlists on disk for ``seconds``.

    A segment whose air time ends inside the window is on time when it is listed within
    ``slack`` seconds of that end; a sequence number never listed between two that were is
    missing, and so is a playlist that listed nothing. ``check`` runs every poll (it raises
    when the server has died).
    """
    seen: dict[tuple[str, str], dict[int, float]] = {(room, r): {} for room in rooms for r in renditions}
    mtimes: dict[tuple[str, str], int] = {}
    late = 0
    start_wall = time.time()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        check()
        for key, got in seen.items():
            room, rendition = key
            shows = sorted((hls / room).glob(f"*-live-{rendition}.m3u8"))  # the newest show's
            if not shows:
                continue
            try:
                mtime = shows[-1].stat().st_mtime_ns
                if mtimes.get(key) == mtime:
                    continue
                text = shows[-1].read_text(encoding="utf-8")
            except OSError:
                continue
            mtimes[key] = mtime
            now = time.time()
            for listing in listed_segments(text):
                if listing.sequence in got or listing.air_end < start_wall:
                    continue
                got[listing.sequence] = now
                late += now - listing.air_end > slack
        time.sleep(poll)
    segments = sum(len(got) for got in seen.values())
    missing = sum((max(got) - min(got) + 1 - len(got)) if got else 1 for got in seen.values())
    return OnTime(segments, late, missing)
