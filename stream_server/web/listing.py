"""What the listener page lists: live rooms, then scheduled shows, then replays (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from room_directory import Room, RoomStatus, Show

#: a scheduled show stays listed this long after its announced start (seconds)
SCHEDULE_GRACE = 3600.0
#: most replays listed on the page
MAX_REPLAYS = 24


@dataclass(frozen=True)
class Replay:
    """One ended show a listener can play again."""

    room_id: str
    show_id: str
    title: str
    host: str
    genre: str
    art_url: str
    started_at: float
    ended_at: float | None
    duration: float


@dataclass(frozen=True)
class Listing:
    """The three sections of the listener page."""

    live: list[Room]
    upcoming: list[Room]
    replays: list[Replay]


def build_listing(rooms: Iterable[Room], shows: Iterable[Show], *, now: float) -> Listing:
    """Sort public rooms and ended shows into the page's sections (private ones never appear)."""
    public = {r.id: r for r in rooms if not r.private}
    live = sorted((r for r in public.values() if r.is_live), key=lambda r: -(r.live_since or 0))
    upcoming = sorted(
        (r for r in public.values()
         if not r.is_live and r.scheduled_start is not None and r.scheduled_start >= now - SCHEDULE_GRACE),
        key=lambda r: r.scheduled_start or 0,
    )
    replays: dict[tuple[str, str], Replay] = {}
    for show in shows:
        room = public.get(show.room_id)
        if room is None or not show.ended:
            continue
        replays[(room.id, show.show_id)] = Replay(
            room.id, show.show_id, show.title or room.title, show.host or room.host,
            show.genre or room.genre, room.art_url, show.started_at, show.ended_at, show.duration)
    for room in public.values():  # rooms whose last show ended before show records existed
        if room.status is RoomStatus.ENDED and room.show_id and (room.id, room.show_id) not in replays:
            replays[(room.id, room.show_id)] = Replay(
                room.id, room.show_id, room.title, room.host, room.genre, room.art_url,
                room.live_since or room.updated_at, room.updated_at or None, 0.0)
    ordered = sorted(replays.values(), key=lambda r: -(r.ended_at or r.started_at))
    return Listing(live, upcoming, ordered[:MAX_REPLAYS])
