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


WORLD = [
    live("abend", "Jazz am Abend", "Jürgen Schmidt", "Jazz"),
    live("vier", "Studio Vier", "Anna Becker", "Rock"),
    live("flamenco", "Noche de Flamenco", "Lucía Fernández", "flamenco"),
    live("lecture", "Le Club de Lecture", "Hélène Dubois", "livres", ("littérature",)),
    live("classica", "Musica Classica dal Vivo", "Giuseppe Romano", "classica", ("pianoforte",)),
    live("roda", "Samba de Roda", "Thiago Souza", "samba"),
    live("shinya", "深夜のジャズ", "山田太郎", "ジャズ"),
    live("rakugo", "落語の時間", "佐藤花子", "お笑い"),
]


@pytest.mark.parametrize(("locale", "spoken", "expected"), [
    ("de-DE", "den jazz am abend raum", "abend"), ("de-DE", "studio vier", "vier"),
    ("de-DE", "jurgen schmidt", "abend"), ("de-DE", "studio fünf", None), ("de-DE", "blues am abend", None),
    ("es-ES", "la noche de flamenco", "flamenco"), ("es-ES", "pon el flamenco", "flamenco"),
    ("es-ES", "noche de tango", None),
    ("fr-FR", "le club de lecture", "lecture"), ("fr-FR", "club de lecture en direct", "lecture"),
    ("fr-FR", "helene dubois", "lecture"), ("fr-FR", "le club de cuisine", None),
    ("it-IT", "la musica classica", "classica"), ("it-IT", "musica classica dal vivo", "classica"),
    ("it-IT", "giuseppe romano", "classica"), ("it-IT", "musica reggae dal vivo", None),
    ("pt-BR", "o samba de roda", "roda"), ("pt-BR", "toca samba de roda", "roda"),
    ("pt-BR", "pagode ao vivo", None),
    ("ja-JP", "深夜のジャズの部屋", "shinya"), ("ja-JP", "深夜ジャズ", "shinya"),
    ("ja-JP", "落語の時間を再生して", "rakugo"), ("ja-JP", "山田太郎", "shinya"),
    ("ja-JP", "朝のニュース", None),
], ids=lambda v: str(v))
def test_rooms_and_requests_in_other_languages(locale: str, spoken: str, expected: str | None) -> None:
    result = match_room(spoken, WORLD)
    if expected is None:
        assert result.kind is MatchKind.NONE, (locale, result)
    else:
        assert result.kind is MatchKind.MATCH and result.room is not None, (locale, result)
        assert result.room.id == expected, locale


def test_dynamic_entities_carry_the_ways_a_room_is_said() -> None:
    from skill.core.entities import live_room_entities, spoken_variants

    room = Room("folk", "St Patrick's Day 4 You", "x", host="Ciarán Ó Briain", genre="irish folk",
                status=RoomStatus.LIVE)
    variants = spoken_variants(room)
    assert "saint Patrick's Day four You" in variants and "Ciaran O Briain" in variants
    assert "Ciarán's show" in variants and room.title not in variants
    entity = live_room_entities([room]).types[0].values[0]
    assert entity.id == "folk" and entity.name.value == room.title
    assert entity.name.synonyms == variants
