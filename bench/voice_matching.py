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
from skill.core.matching import MatchKind, match_in_index
from skill.core.room_index import RoomIndex

EVAL_SET = Path(__file__).with_name("voice_eval.json")
#: The larger, harder set (44 rooms, some off air; ASR-style slips; a third name no room),
#: made by ``bench.voice_eval_hard_make``.
HARD_SET = Path(__file__).with_name("voice_eval_hard.json")
#: The peer's score cutoff (WRatio, 0-100): below it the peer plays nothing.
PEER_CUTOFF = 80


def load(path: Path = EVAL_SET) -> tuple[list[Room], list[tuple[str, str | None]]]:
    """The rooms (live unless marked ``"live": false``) and the (spoken, expected id or None) cases."""
    data = json.loads(path.read_text("utf-8"))
    rooms = [Room(r["id"], r["title"], "x", host=r["host"], genre=r["genre"],
                  topics=tuple(r["topics"]), description=r.get("description", ""),
                  status=RoomStatus.LIVE if r.get("live", True) else RoomStatus.ENDED)
             for r in data["rooms"]]
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
    """Accuracy and wrong plays of ours against the peer, on the project's set and the hard one."""
    return [*_figures("voice_matching", EVAL_SET), *_figures("voice_matching_hard", HARD_SET)]


def _figures(benchmark: str, path: Path) -> list[Result]:
    rooms, cases = load(path)
    mine, theirs = ours(rooms, cases), peer(rooms, cases)
    total = len(cases)
    name = "rapidfuzz WRatio one-liner"

    def share(counts: Counter[str], key: str) -> float:
        return 100.0 * counts[key] / total

    return [
        Result(benchmark, f"right ({total} spoken values; asking between two counts)",
               share(mine, "right") + share(mine, "asked"), "%", share(theirs, "right"), name),
        Result(benchmark, "wrong room played", share(mine, "wrong") + share(mine, "asked-wrongly"), "%",
               share(theirs, "wrong"), name),
        Result(benchmark, "asked which (right room among two)", share(mine, "asked"), "%"),
        Result(benchmark, "nothing played (missed)", share(mine, "missed"), "%",
               share(theirs, "missed"), name),
    ]
