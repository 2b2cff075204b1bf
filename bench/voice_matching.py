"""Room matching accuracy on an evaluation set of spoken values (``bench/voice_eval.json``).

30 live rooms; 174 spoken values: titles, parts of titles, genres, topics, host names,
possessives, numbers said as words, speech-recognition slips ("mourning talk", "tekno",
"latin knights") and 20 values that name no room at all. Each value is matched by
``skill.core.matching`` and by a peer: rapidfuzz's ``process.extractOne`` with ``WRatio``
over every title, host, genre and topic (the usual one-liner). Outcomes: the right room
played, a question asked ("did you mean A or B?" naming the right room), nothing played
(a miss), or a wrong room played — the one outcome a listener must never get.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from rapidfuzz import fuzz, process

from bench.results import BenchOptions, Result
from room_directory import Room, RoomStatus
from skill.core.matching import MatchKind, RoomIndex, match_in_index

EVAL_SET = Path(__file__).with_name("voice_eval.json")
#: The peer's score cutoff (WRatio, 0-100): below it the peer plays nothing.
PEER_CUTOFF = 80


def load() -> tuple[list[Room], list[tuple[str, str | None]]]:
    """The rooms (all live) and the (spoken, expected room id or None) cases."""
    data = json.loads(EVAL_SET.read_text("utf-8"))
    rooms = [Room(r["id"], r["title"], "x", host=r["host"], genre=r["genre"],
                  topics=tuple(r["topics"]), status=RoomStatus.LIVE) for r in data["rooms"]]
    return rooms, [(spoken, expected) for spoken, expected in data["cases"]]


def ours(rooms: list[Room], cases: list[tuple[str, str | None]]) -> Counter[str]:
    """Outcomes of ``skill.core.matching``."""
    index = RoomIndex(rooms)
    outcomes: Counter[str] = Counter()
    for spoken, expected in cases:
        result = match_in_index(spoken, index)
        if result.kind is MatchKind.MATCH and result.room is not None:
            outcomes["right" if result.room.id == expected else "wrong"] += 1
        elif result.kind is MatchKind.AMBIGUOUS:
            ids = {room.id for room in result.candidates}
            outcomes["asked" if expected in ids else "asked-wrongly"] += 1
        else:
            outcomes["right" if expected is None else "missed"] += 1
    return outcomes


def peer(rooms: list[Room], cases: list[tuple[str, str | None]]) -> Counter[str]:
    """Outcomes of the one-liner: best WRatio over every field, played when above the cutoff."""
    choices: list[str] = []
    owners: list[str] = []
    for room in rooms:
        for field in (room.title, room.host, room.genre, *room.topics):
            choices.append(field.lower())
            owners.append(room.id)
    outcomes: Counter[str] = Counter()
    for spoken, expected in cases:
        best = process.extractOne(spoken.lower(), choices, scorer=fuzz.WRatio,
                                  score_cutoff=PEER_CUTOFF)
        if best is None:
            outcomes["right" if expected is None else "missed"] += 1
        else:
            outcomes["right" if owners[best[2]] == expected else "wrong"] += 1
    return outcomes


def run(options: BenchOptions) -> list[Result]:
    """Accuracy and wrong plays of ours against the peer."""
    rooms, cases = load()
    mine, theirs = ours(rooms, cases), peer(rooms, cases)
    total = len(cases)
    name = "rapidfuzz WRatio one-liner"

    def share(counts: Counter[str], key: str) -> float:
        return 100.0 * counts[key] / total

    return [
        Result("voice_matching", f"right room ({total} spoken values)", share(mine, "right"), "%",
               share(theirs, "right"), name),
        Result("voice_matching", "wrong room played", share(mine, "wrong"), "%",
               share(theirs, "wrong"), name),
        Result("voice_matching", "asked which (right room among two)", share(mine, "asked"), "%"),
        Result("voice_matching", "nothing played (missed)", share(mine, "missed"), "%",
               share(theirs, "missed"), name),
    ]
