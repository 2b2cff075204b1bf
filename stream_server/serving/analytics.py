"""Host analytics: listener figures of a show, from the tracker into its Show record."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from room_directory import RoomDirectory, Show
from stream_server.serving.listeners import ListenerTracker


def show_listener_figures(tracker: ListenerTracker, room_id: str, since: float,
                          until: float | None = None) -> dict[str, Any]:
    """Listeners now, per minute from ``since`` to ``until`` (default now) and their peak.

    The peak is the largest per-minute figure: distinct listeners within one minute, which
    is what a host asks ("how many were with me at the best moment").
    """
    per_minute = tracker.per_minute(room_id, since, until)
    return {
        "listeners": tracker.count(room_id, until),
        "listeners_per_minute": per_minute,
        "peak_listeners": max(per_minute, default=0),
    }


def save_show_listeners(directory: RoomDirectory, tracker: ListenerTracker, room_id: str,
                        show_id: str, *, now: float | None = None) -> Show | None:
    """Merge the show's listener figures into its Show record and forget the room's counts.

    Call it when a show ends (``OnAir.end_show``), after the show record has been written.
    A missing record is created from the room's listing; None when the room is unknown.
    Calling it twice keeps the first figures (the tracker has forgotten the room by then).
    """
    when = time.time() if now is None else now
    show = directory.get_show(room_id, show_id)
    if show is None:
        room = directory.get(room_id)
        if room is None:
            return None
        show = Show(room_id=room_id, show_id=show_id, started_at=room.live_since or when,
                    ended_at=when, title=room.title, genre=room.genre, host=room.host)
    figures = show_listener_figures(tracker, room_id, show.started_at, show.ended_at or when)
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
