"""The listener page's sections, as a pure function of rooms and shows."""

from __future__ import annotations

from room_directory import Room, RoomStatus, Show
from stream_server.web.listing import SCHEDULE_GRACE, build_listing

NOW = 1_800_000_000.0


def room(room_id: str, **fields: object) -> Room:
    return Room(id=room_id, title=room_id.title(), stream_key_hash="x", **fields)  # type: ignore[arg-type]


def test_sections_hold_live_then_upcoming_then_replays() -> None:
    rooms = [
        room("older-live", status=RoomStatus.LIVE, live_since=NOW - 600),
        room("newer-live", status=RoomStatus.LIVE, live_since=NOW - 60),
        room("tomorrow", scheduled_start=NOW + 86400),
        room("tonight", scheduled_start=NOW + 3600),
        room("long-ago", scheduled_start=NOW - SCHEDULE_GRACE - 1),
        room("idle"),
        room("secret", status=RoomStatus.LIVE, private=True),
        room("ended", status=RoomStatus.ENDED, show_id="s2", updated_at=NOW - 100),
    ]
    shows = [
        Show("ended", "s1", started_at=NOW - 9000, ended_at=NOW - 5000, duration=4000, title="First"),
        Show("ended", "s2", started_at=NOW - 900, ended_at=NOW - 100, duration=800),
        Show("newer-live", "running", started_at=NOW - 60),
        Show("secret", "hidden", started_at=NOW - 900, ended_at=NOW - 800),
    ]
    listing = build_listing(rooms, shows, now=NOW)
    assert [r.id for r in listing.live] == ["newer-live", "older-live"]
    assert [r.id for r in listing.upcoming] == ["tonight", "tomorrow"]
    assert [(r.room_id, r.show_id, r.title) for r in listing.replays] == [
        ("ended", "s2", "Ended"), ("ended", "s1", "First")]


def test_an_ended_room_without_a_show_record_is_still_a_replay() -> None:
    listing = build_listing([room("old", status=RoomStatus.ENDED, show_id="s9", updated_at=NOW)], [], now=NOW)
    assert [(r.room_id, r.show_id) for r in listing.replays] == [("old", "s9")]
