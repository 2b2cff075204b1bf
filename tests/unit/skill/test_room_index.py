"""The room index never changes an answer: its bound is a true upper bound of every room's
score, and the indexed matcher decides as scoring every room would (on both evaluation sets
and on random requests over 10,000 rooms)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

import pytest

from bench.voice_latency import directory_of
from bench.voice_matching import EVAL_SET, HARD_SET, load
from room_directory import Room
from skill.core import room_index
from skill.core.matching import AMBIGUITY_MARGIN, MatchKind, match_in_index
from skill.core.normalise import normalise
from skill.core.room_index import RoomIndex
from skill.core.room_scoring import MATCH_THRESHOLD, room_score

#: Random requests checked against every one of the 10,000 rooms (each costs ~0.2 s).
RANDOM_REQUESTS = 30


def check_against_every_room(spoken: str, index: RoomIndex) -> None:
    """Score every room (no index, no bounds) and hold the index's bound and answer to it."""
    words = normalise(spoken)
    scores = [room_score(words, room) for room in index.rooms]
    bounds = index.bounds(words)
    for position, score in enumerate(scores):
        if score >= MATCH_THRESHOLD:
            assert bounds.get(position, 0.0) >= score - 1e-9, (spoken, index.rooms[position].id)
    passing = sorted(((s, p) for p, s in enumerate(scores) if s >= MATCH_THRESHOLD), reverse=True)
    if any(index.live[p] for _, p in passing):
        passing = [(s, p) for s, p in passing if index.live[p]]
    result = match_in_index(spoken, index)
    if not passing:
        assert result.kind is MatchKind.NONE, spoken
        return
    best = passing[0][0]
    assert result.score == pytest.approx(best), spoken
    if len(passing) > 1 and best - passing[1][0] < AMBIGUITY_MARGIN:
        assert result.kind is MatchKind.AMBIGUOUS, spoken
        second = room_score(words, result.candidates[1])
        assert best - AMBIGUITY_MARGIN < second <= best, spoken
    else:
        assert result.kind is MatchKind.MATCH, spoken
        assert result.room is index.rooms[passing[0][1]], spoken


@pytest.mark.parametrize("few_rooms", [room_index.FEW_ROOMS, 0], ids=["as-built", "numbers-searched"])
@pytest.mark.parametrize("path", [EVAL_SET, HARD_SET], ids=["project-set", "hard-set"])
def test_the_index_decides_like_scoring_every_room_on_the_evaluation_sets(
        path: Path, few_rooms: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(room_index, "FEW_ROOMS", few_rooms)  # rooms holding a number: both ways
    rooms, cases = load(path)
    index = RoomIndex(rooms)
    for spoken in [spoken for spoken, _ in cases] + ["jazz", "talk", "mia", "the", "top"]:
        check_against_every_room(spoken, index)


def test_the_index_finds_split_and_joined_words_of_long_fields() -> None:
    rooms = [Room("edm", "Friday Warehouse", "x", host="Anneliese Vandenberghe",
                  genre="electronic dance music"),
             Room("folk", "Sunday Folk Sessions", "x", host="Dana Lee", genre="folk"),
             Room("talk", "The Long Conversation Hour", "x", host="Sam Okafor", genre="talk")]
    index = RoomIndex(rooms)
    for spoken in ("electronicdancemus", "electronic dancemusic", "electro nic dance music",
                   "annelievandenberghe", "anne liese vanden berghe", "longconversationhour",
                   "the long conversationour", "sundayfolksesions", "friday ware house"):
        check_against_every_room(spoken, index)


def random_requests(rooms: Sequence[Room], count: int, seed: int) -> list[str]:
    """What listeners might say of many rooms: whole and partial titles, slips, split and
    joined words, hosts, genres, words of two rooms, and words of none."""
    rng = random.Random(seed)

    def slip(word: str) -> str:
        i = rng.randrange(len(word))
        return word[:i] + rng.choice("aeioulnrst") + word[i + 1:]

    requests = []
    for n in range(count):
        room, other = rng.choice(rooms), rng.choice(rooms)
        words = room.title.lower().split()
        kind = n % 10
        if kind == 0:
            requests.append(" ".join(slip(w) if not w.isdigit() else w for w in words))
        elif kind == 1:
            requests.append(" ".join(rng.sample(words, 2)))
        elif kind == 2:
            requests.append("".join(words[:2]) + " " + " ".join(words[2:]))
        elif kind == 3:
            first = words[0]
            requests.append(f"{first[:2]} {first[2:]} {' '.join(words[1:])}")
        elif kind == 4:
            requests.append(f"{room.host.split()[0]}'s {room.genre}")
        elif kind == 5:
            requests.append(f"{words[0]} {other.title.lower().split()[1]}")
        elif kind == 6:
            requests.append(slip(room.host.lower()))
        elif kind == 7:  # a joined pair with a slip: only the whole-string lift can find it
            requests.append(slip("".join(words[:2])) + " " + " ".join(words[2:]))
        elif kind == 8:  # a word of no room, too short to keep a room from passing
            requests.append(f"{' '.join(words)} {rng.choice(('yup', 'hmm', 'erm'))}")
        else:
            requests.append(rng.choice(("polka night", "knitting", "astronomy 5", "sun day")))
    return requests


def test_the_index_decides_like_scoring_every_room_over_ten_thousand_rooms() -> None:
    index = RoomIndex(directory_of(10_000).list_rooms())
    for spoken in random_requests(index.rooms, RANDOM_REQUESTS, seed=21):
        check_against_every_room(spoken, index)
