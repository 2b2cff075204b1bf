"""What listeners really say: kinds never stand for each other, numbers count, words may
come from two fields or the description, and a word may be heard split or respelled."""

from __future__ import annotations

import pytest

from bench.voice_matching import HARD_SET, load, ours
from room_directory import Room, RoomStatus
from skill.core.matching import MatchKind, match_room


def live(room_id: str, title: str, host: str = "", genre: str = "", topics: tuple[str, ...] = (),
         description: str = "") -> Room:
    return Room(room_id, title, "x", host=host, genre=genre, topics=topics, description=description,
                status=RoomStatus.LIVE)


ROOMS = [
    live("samba", "Samba Dance Class", "Thiago Souza", "dance class", ("samba",)),
    live("crime", "True Crime Hour", "Ngozi Eze", "true crime"),
    live("studio-4", "Studio 4 Sessions", "Rosa Jimenez", "indie"),
    live("jazz", "Late Night Jazz Concert", "Mia Santos", "jazz",
         description="Mia plays Coltrane's Giant Steps."),
    live("football", "Football Phone-In", "Siobhan Murphy", "sports talk", ("premier league",)),
    live("techno", "Techno Bunker", "Wojciech Kowalczyk", "techno"),
    live("house", "Deep House Sunday", "DJ Kofi", "deep house"),
    live("kids", "Bedtime Stories for Kids", "Aunt Priya", "kids"),
    live("folk", "Saint Patrick's Day Special", "Ciaran O Briain", "irish folk"),
]


@pytest.mark.parametrize(("spoken", "expected"), [
    ("salsa dance class", None), ("grime", None), ("studio 5 sessions", None),
    ("late night movies", None), ("mia's cooking show", None), ("reggaeton", None),
    ("giant steps", "jazz"), ("siobhan's football phone in", "football"),
    ("premier league phone in", "football"), ("tekno", "techno"), ("bed time stories", "kids"),
    ("kieran o briain", "folk"), ("st patrick's day special", "folk"), ("studio four", "studio-4"),
], ids=lambda v: str(v))
def test_the_right_room_or_none(spoken: str, expected: str | None) -> None:
    result = match_room(spoken, ROOMS)
    if expected is None:
        assert result.kind is MatchKind.NONE, result
    else:
        assert result.kind is MatchKind.MATCH and result.room is not None, result
        assert result.room.id == expected


def test_a_family_finds_its_members_and_a_member_only_itself() -> None:
    broad = match_room("electronic", ROOMS)
    assert broad.kind is MatchKind.AMBIGUOUS
    assert {room.id for room in broad.candidates} == {"techno", "house"}
    assert match_room("techno", ROOMS).room == ROOMS[5]
    assert match_room("deep house", ROOMS).room == ROOMS[6]


def test_the_hard_set_is_right_nearly_always_and_never_plays_a_wrong_room() -> None:
    rooms, cases = load(HARD_SET)
    outcomes = ours(rooms, cases)
    assert outcomes["wrong"] == 0 and outcomes["asked-wrongly"] == 0, outcomes
    assert (outcomes["right"] + outcomes["asked"]) / len(cases) >= 0.97, outcomes
    assert sum(1 for _, expected in cases if expected is None) >= len(cases) / 5
