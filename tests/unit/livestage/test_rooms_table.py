"""``livestage rooms list``: scheduled rooms say so, and long ids keep the columns straight."""

from __future__ import annotations

from typing import Any

from livestage.rooms_command import room_state, room_table

NOW = 1_900_000_000.0


def room(room_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": room_id, "title": "T", "status": "idle", "live": False, **fields}


def test_states() -> None:
    assert room_state(room("a", live=True, status="live"), NOW) == "LIVE"
    assert room_state(room("a", scheduled_start=NOW + 60), NOW) == "scheduled"
    assert room_state(room("a", scheduled_start=NOW - 60), NOW) == "idle"
    assert room_state(room("a", status="ended", scheduled_start=NOW + 60), NOW) == "ended"


def test_columns_line_up_with_long_ids_and_states() -> None:
    rows = [room("short", listeners=3), room("a-room-id-far-longer-than-twelve",
                                             scheduled_start=NOW + 3600),
            room("live-one", live=True, listeners=120)]
    lines = room_table(rows, NOW)
    starts = {line.index("  T") for line in lines[1:]}
    assert len(starts) == 1 and lines[0].index("TITLE") == starts.pop() + 2
    assert [line.split()[1] for line in lines[1:]] == ["idle", "scheduled", "LIVE"]
    for line in lines[1:]:  # the listeners column ends at the same place on every line
        assert line.index("  T") == lines[0].index("  TITLE")
