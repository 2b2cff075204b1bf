"""Host analytics: listener figures of a show, from the tracker (and the access logs) into its Show record.

Two sources count listeners. The tracker holds what this server saw (its own paths and
nginx's log) for the last seconds and minutes. On AWS the listeners reach CloudFront, whose
access logs leave listener ids per room and minute in the room directory
(``cloudfront_log``), minutes late; with ``logged`` given, the figures add those. A listener
polls through one path, so the two add up.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any, Protocol

from room_directory import RoomDirectory, Show
from stream_server.serving.listeners import ListenerTracker

#: "Listeners now" from the logs is the newest logged minute no older than this: CloudFront
#: delivers most log files within the hour.
LOGGED_NOW_MINUTES = 60


class ListenerMinutes(Protocol):
    """The part of the room directory holding listener counts from access logs."""

    def listener_minutes(self, room_id: str, first: int, last: int) -> dict[int, int]: ...


def logged_figures(logged: ListenerMinutes, room_id: str, since: float,
                   until: float) -> tuple[list[int], int]:
    """Listeners per minute from ``since`` to ``until`` in the logs, and the newest recent minute's figure."""
    first, last = int(since // 60), int(until // 60)
    minutes = logged.listener_minutes(room_id, first, last)
    recent = [minute for minute in minutes if minute >= last - LOGGED_NOW_MINUTES]
    return [minutes.get(m, 0) for m in range(first, last + 1)], (minutes[max(recent)] if recent else 0)


def logged_now(logged: ListenerMinutes, room_id: str, now: float | None = None) -> int:
    """Listeners now according to the logs (the newest minute they have reached, within the hour)."""
    when = time.time() if now is None else now
    return logged_figures(logged, room_id, when - LOGGED_NOW_MINUTES * 60, when)[1]


def show_listener_figures(tracker: ListenerTracker, room_id: str, since: float,
                          until: float | None = None, *,
                          logged: ListenerMinutes | None = None) -> dict[str, Any]:
    """Listeners now, per minute from ``since`` to ``until`` (default now) and their peak.

    The peak is the largest per-minute figure: distinct listeners within one minute, which
    is what a host asks ("how many were with me at the best moment").
    """
    end = time.time() if until is None else until
    per_minute = tracker.per_minute(room_id, since, end)
    now = tracker.count(room_id, end)
    if logged is not None:
        from_logs, logged_latest = logged_figures(logged, room_id, since, end)
        per_minute = [seen + log for seen, log in zip(per_minute, from_logs, strict=True)]
        now += logged_latest
    return {
        "listeners": now,
        "listeners_per_minute": per_minute,
        "peak_listeners": max(per_minute, default=0),
    }


def ended_show_figures(show: Show, logged: ListenerMinutes | None) -> dict[str, Any]:
    """An ended show's per-minute figures and peak: its record, raised by log files that came later."""
    per_minute = list(show.listeners_per_minute)
    if logged is not None and show.ended_at is not None:
        from_logs, _ = logged_figures(logged, show.room_id, show.started_at, show.ended_at)
        length = max(len(per_minute), len(from_logs))
        kept = per_minute + [0] * (length - len(per_minute))
        late = from_logs + [0] * (length - len(from_logs))
        per_minute = [max(a, b) for a, b in zip(kept, late, strict=True)]
    return {"listeners_per_minute": per_minute,
            "peak_listeners": max([show.peak_listeners, *per_minute])}


def save_show_listeners(directory: RoomDirectory, tracker: ListenerTracker, room_id: str,
                        show_id: str, *, now: float | None = None, from_logs: bool = False) -> Show | None:
    """Merge the show's listener figures into its Show record and forget the room's counts.

    Call it when a show ends (``OnAir.end_show``), after the show record has been written.
    A missing record is created from the room's listing; None when the room is unknown.
    Calling it twice keeps the first figures (the tracker has forgotten the room by then).
    With ``from_logs`` the access logs' minutes count too (those delivered by then).
    """
    when = time.time() if now is None else now
    show = directory.get_show(room_id, show_id)
    if show is None:
        room = directory.get(room_id)
        if room is None:
            return None
        show = Show(room_id=room_id, show_id=show_id, started_at=room.live_since or when,
                    ended_at=when, title=room.title, genre=room.genre, host=room.host)
    figures = show_listener_figures(tracker, room_id, show.started_at, show.ended_at or when,
                                    logged=directory if from_logs else None)
    per_minute = tuple(figures["listeners_per_minute"])
    if not any(per_minute):  # nothing tracked (or already saved and forgotten): keep the record's
        per_minute = show.listeners_per_minute
    saved = directory.save_show(replace(
        show,
        peak_listeners=max(show.peak_listeners, figures["peak_listeners"]),
        listeners_per_minute=per_minute,
    ))
    tracker.forget(room_id)
    return saved
