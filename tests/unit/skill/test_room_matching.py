"""Room matching: what listeners say, and the rooms it must (and must not) find."""

from __future__ import annotations

import pytest

from room_directory import Room, RoomStatus
from skill.core.matching import MatchKind, match_in_index, match_room
from skill.core.normalise import normalise, ordinal_choice

LIVE, IDLE, ENDED = RoomStatus.LIVE, RoomStatus.IDLE, RoomStatus.ENDED

ROOMS = (
    Room("jazz-night", "Late Night Jazz Concert", "x", host="Mia Santos", genre="jazz",
         topics=("saxophone", "standards"), status=LIVE),
    Room("morning-talk", "Morning Talk with Sam", "x", host="Sam Okafor", genre="talk",
         topics=("news", "politics"), status=LIVE),
    Room("indie-hour", "Indie Rock Hour", "x", host="The Loud Kids", genre="indie rock",
         topics=("guitars",), status=LIVE),
    Room("studio-4", "Studio 4 Sessions", "x", host="Dana Lee", genre="acoustic",
         topics=("songwriters",), status=LIVE),
    Room("top-40", "Top Forty Countdown", "x", host="DJ Kay", genre="pop", status=LIVE),
    Room("classical", "Classical Mornings", "x", host="Inês Duarte", genre="classical",
         topics=("piano",), status=IDLE),
    Room("comedy", "Open Mic Comedy", "x", host="Rob Kane", genre="comedy", status=ENDED),
)


@pytest.mark.parametrize(
    ("spoken", "room_id"),
    [
        ("Late Night Jazz Concert", "jazz-night"),
        ("the late night jazz concert", "jazz-night"),
        ("morning talk with sam", "morning-talk"),
        ("Indie Rock Hour", "indie-hour"),
        ("jazz", "jazz-night"),
        ("the jazz room", "jazz-night"),
        ("the jazz show", "jazz-night"),
        ("talk", "morning-talk"),
        ("indie rock", "indie-hour"),
        ("acoustic", "studio-4"),
        ("Mia Santos", "jazz-night"),
        ("dana lee", "studio-4"),
        ("the loud kids", "indie-hour"),
        ("mia's show", "jazz-night"),
        ("Sam's room", "morning-talk"),
        ("studio four", "studio-4"),
        ("the studio 4 sessions", "studio-4"),
        ("top forty", "top-40"),
        ("top 40", "top-40"),
        ("jaz", "jazz-night"),
        ("jas", "jazz-night"),
        ("indie rok", "indie-hour"),
        ("indierock", "indie-hour"),
        ("mias show", "jazz-night"),
        ("saxophone", "jazz-night"),
        ("politics", "morning-talk"),
        ("late night", "jazz-night"),
        ("Inês Duarte", "classical"),
        ("ines duarte", "classical"),
        ("comedy", "comedy"),
    ],
    ids=[
        "exact-title", "title-with-article", "title-with-connective", "title-case",
        "genre", "genre-room", "genre-show", "genre-talk", "two-word-genre", "genre-acoustic",
        "host", "host-lower", "host-with-article", "possessive-host", "possessive-first-name",
        "number-as-word", "number-as-digit", "tens-as-word", "tens-as-digit",
        "asr-dropped-letter", "asr-sound-alike", "asr-two-words", "asr-joined-words",
        "asr-possessive-without-apostrophe", "topic", "topic-politics", "part-of-title",
        "accented-host", "accent-dropped", "ended-room-is-found-not-played-here",
    ],
)
def test_names_people_say_find_their_room(spoken: str, room_id: str) -> None:
    result = match_room(spoken, ROOMS)
    assert result.kind is MatchKind.MATCH, result
    assert result.room is not None and result.room.id == room_id


@pytest.mark.parametrize(
    "spoken",
    ["polka", "heavy metal", "latin jazz", "jazz polka fusion", "weather", "cooking",
     "walk", "rap", "blues", "soccer", "hip hop", "", "the room", "the show please"],
    ids=["polka-is-not-jazz", "metal-is-not-rock", "latin-is-not-late",
         "extra-words-are-not-ignored", "weather", "cooking", "walk-is-not-talk", "rap",
         "blues", "soccer", "hip-hop", "empty", "only-fillers", "only-fillers-and-please"],
)
def test_what_no_room_fits_matches_nothing(spoken: str) -> None:
    result = match_room(spoken, ROOMS)
    assert result.kind is MatchKind.NONE, result
    assert result.room is None and result.candidates == ()


def test_two_close_rooms_are_ambiguous_and_both_are_named() -> None:
    brunch = Room("jazz-brunch", "Sunday Jazz Brunch", "x", genre="jazz", status=LIVE)
    result = match_room("jazz", (*ROOMS, brunch))
    assert result.kind is MatchKind.AMBIGUOUS
    assert {room.id for room in result.candidates} == {"jazz-night", "jazz-brunch"}
    assert result.room is None


def test_a_precise_title_settles_what_a_genre_would_not() -> None:
    brunch = Room("jazz-brunch", "Sunday Jazz Brunch", "x", genre="jazz", status=LIVE)
    result = match_room("sunday jazz brunch", (*ROOMS, brunch))
    assert result.room is not None and result.room.id == "jazz-brunch"


def test_live_rooms_are_preferred_over_rooms_that_are_off_air() -> None:
    old = Room("jazz-archive", "Jazz", "x", genre="jazz", status=ENDED)
    result = match_room("jazz", (old, *ROOMS))
    assert result.room is not None and result.room.id == "jazz-night"


def test_no_rooms_no_match() -> None:
    assert match_room("jazz", ()).kind is MatchKind.NONE


@pytest.mark.parametrize(
    ("text", "expected"),
    [("The Jazz Room", "jazz"), ("Mia's show", "mia"), ("studio four", "studio 4"),
     ("twenty one pilots", "21 pilots"), ("Rock & Roll", "rock roll"), ("Café Inês", "cafe ines"),
     ("the James' channel", "james")],
    ids=["article-filler", "possessive", "number", "compound-number", "ampersand", "accents",
         "plural-possessive"],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


@pytest.mark.parametrize(
    ("spoken", "count", "expected"),
    [("the first one", 2, 0), ("second", 2, 1), ("the last one", 3, 2), ("the third", 2, None),
     ("jazz", 2, None)],
    ids=["first", "second", "last", "beyond-the-offer", "not-an-ordinal"],
)
def test_ordinal_choice(spoken: str, count: int, expected: int | None) -> None:
    assert ordinal_choice(spoken, count) == expected


def test_the_index_cache_rebuilds_when_stale_and_only_then() -> None:
    from skill.storage.index_cache import IndexCache

    now = [100.0]
    listed: list[int] = []
    rooms = list(ROOMS)

    def list_rooms() -> list[Room]:
        listed.append(1)
        return list(rooms)

    cache = IndexCache(ttl=2.0, clock=lambda: now[0], background=False)
    first = cache.index(list_rooms)
    assert cache.index(list_rooms) is first and len(listed) == 1  # one batch, one listing
    rooms.append(Room("polka-party", "Polka Party", "x", genre="polka", status=LIVE))
    now[0] += 2.5
    fresh = cache.index(list_rooms)
    assert fresh is not first and len(listed) == 2
    assert match_in_index("polka party", fresh).room is not None


def test_a_live_room_younger_than_the_index_is_still_joined() -> None:
    from livestage.voice.conversation import Conversation
    from room_directory import InMemoryRoomDirectory
    from skill import SkillConfig, build_skill

    directory = InMemoryRoomDirectory()
    for room in ROOMS:
        directory.create(room)
    alexa = Conversation(build_skill(directory, SkillConfig(public_url="https://x.example")))
    assert alexa.say("play the jazz room").directives  # builds the index
    directory.create(Room("polka-party", "Polka Party", "x", genre="polka", status=LIVE))
    played = [d for d in alexa.say("play polka party").directives
              if d["type"] == "AudioPlayer.Play"]
    assert [d["audioItem"]["stream"]["token"].split(":")[0] for d in played] == ["polka-party"]


def test_an_ended_room_is_not_played_from_a_stale_index() -> None:
    import dataclasses

    from livestage.voice.conversation import Conversation
    from room_directory import InMemoryRoomDirectory
    from skill import SkillConfig, build_skill

    directory = InMemoryRoomDirectory()
    for room in ROOMS:
        directory.create(room)
    alexa = Conversation(build_skill(directory, SkillConfig(public_url="https://x.example")))
    assert alexa.say("play the jazz room").directives  # builds the index
    jazz = directory.get("jazz-night")
    assert jazz is not None
    directory.update(dataclasses.replace(jazz, status=ENDED))
    ended = alexa.say("play late night jazz concert")
    assert not [d for d in ended.directives if d["type"] == "AudioPlayer.Play"]


@pytest.mark.parametrize(
    ("spoken", "room_id"),
    [("जैज़ रात", "hi-jazz"), ("जैज़", "hi-jazz"), ("ジャズ", "ja-jazz"), ("الطرب", "ar-tarab"),
     ("طرب", "ar-tarab"), ("klassik am morgen", "de-klassik"), ("música", "es-musica")],
    ids=["hindi-title", "hindi-genre", "japanese-genre", "arabic-title", "arabic-genre",
         "german", "spanish-accent"],
)
def test_rooms_named_in_other_scripts_are_found(spoken: str, room_id: str) -> None:
    rooms = (
        Room("hi-jazz", "जैज़ रात", "x", genre="जैज़", status=LIVE),
        Room("ja-jazz", "ナイトセッション", "x", genre="ジャズ", status=LIVE),
        Room("ar-tarab", "الطرب", "x", genre="طرب", status=LIVE),
        Room("de-klassik", "Klassik am Morgen", "x", genre="klassik", status=LIVE),
        Room("es-musica", "Música Latina", "x", genre="latina", status=LIVE),
    )
    result = match_room(spoken, rooms)
    assert result.room is not None and result.room.id == room_id, result
