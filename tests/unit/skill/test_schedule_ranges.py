""""What's coming up" covers the coming week; "tonight" (today's date) runs until 6 in the morning."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from livestage.voice.conversation import Conversation
from room_directory import InMemoryRoomDirectory, Room
from skill import SkillConfig, build_skill
from skill.core.schedule_words import date_range

# Sunday 6 December 2026, 18:00 UTC
NOW = datetime(2026, 12, 6, 18, 0, tzinfo=UTC)
HOUR = 3600.0


def at(day: int, hour: int) -> float:
    return datetime(2026, 12, day, hour, 0, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(("value", "start", "end"), [
    (None, NOW.timestamp(), at(13, 6)),
    ("2026-12-06", NOW.timestamp(), at(7, 6)),
    ("2026-12-08", at(8, 0), at(9, 6)),
    ("2026-W50", at(7, 0), at(14, 0)),
], ids=["coming-week", "today-until-6am", "another-day", "next-week"])
def test_ranges(value: str | None, start: float, end: float) -> None:
    assert date_range(value, NOW.timestamp(), "UTC") == (start, end)


def conversation() -> Conversation:
    directory = InMemoryRoomDirectory()
    for room_id, title, start in [("late", "Late Set", at(7, 1)),
                                  ("thursday", "Thursday Poetry", at(10, 20)),
                                  ("far", "New Year Gala", at(31, 20))]:
        directory.create(Room(room_id, title, "x", host="Ada", scheduled_start=start))
    config = SkillConfig(public_url="https://live.example.test", url_secret="s",
                         clock=NOW.timestamp)
    return Conversation(build_skill(directory, config))


def said(turn: object) -> str:
    return str(turn.body["outputSpeech"]["ssml"])


def test_whats_coming_up_lists_the_week_not_only_tonight() -> None:
    heard = said(conversation().say("what's coming up", now=NOW))
    assert "Late Set" in heard and "Thursday Poetry" in heard and "New Year Gala" not in heard


def test_tonight_keeps_the_late_set_and_leaves_thursday_out() -> None:
    turn = conversation().say("what's on tonight", now=NOW)
    assert turn.resolution.slots == {"date": "2026-12-06"}
    assert "Late Set" in said(turn) and "Thursday Poetry" not in said(turn)


def test_whats_on_thursday_is_understood_by_the_simulator() -> None:
    turn = conversation().say("what's on thursday", now=NOW)
    assert turn.resolution.slots == {"date": "2026-12-10"}
    assert "Thursday Poetry" in said(turn) and "Late Set" not in said(turn)
