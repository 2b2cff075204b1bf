"""Room matching: which room did the listener name? Pure functions over values.

Each room is scored by ``skill.core.room_scoring`` (how well its fields account for
every word said). Under ``MATCH_THRESHOLD`` nothing matches. Live rooms are preferred:
when any live room passes the threshold, rooms that are not live are dropped. Two
candidates within ``AMBIGUITY_MARGIN`` make the answer ambiguous. Tiers: live rooms
first, then rooms scheduled to start, then the rest (whose replays the skill may offer).

For thousands of rooms, a ``RoomIndex`` (``skill.core.room_index``) is built once per
batch of requests: it bounds every room's score from above, so only the few rooms that
could change the answer are scored.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from room_directory.models import Room
from skill.core.normalise import normalise
from skill.core.room_index import RoomIndex, Scores
from skill.core.room_scoring import MATCH_THRESHOLD, room_score

#: Two rooms this close to each other (in points) are both plausible: ask back.
AMBIGUITY_MARGIN = 4.0


class MatchKind(StrEnum):
    """What the matcher concluded."""

    MATCH = "match"
    AMBIGUOUS = "ambiguous"
    NONE = "none"


@dataclass(frozen=True)
class MatchResult:
    """The outcome: one room, two close candidates, or none."""

    kind: MatchKind
    #: The normalised words that were matched.
    spoken: str
    #: MATCH: the room; AMBIGUOUS: the two closest rooms, best first; NONE: empty.
    candidates: tuple[Room, ...] = ()
    #: The best room's score, 0-100.
    score: float = 0.0

    @property
    def room(self) -> Room | None:
        """The matched room, or None unless ``kind`` is MATCH."""
        return self.candidates[0] if self.kind is MatchKind.MATCH else None


def _tiers(bounds: Scores, index: RoomIndex, now: float | None) -> Sequence[list[tuple[float, int]]]:
    """(-bound, position) of the rooms that may pass, live first, then scheduled, then the rest."""
    live: list[tuple[float, int]] = []
    later: list[tuple[float, int]] = []
    rest: list[tuple[float, int]] = []
    for position, bound in bounds.items():
        if bound < MATCH_THRESHOLD:
            continue
        if index.live[position]:
            live.append((-bound, position))
            continue
        start = index.rooms[position].scheduled_start
        (later if now is not None and start is not None and start >= now else rest).append(
            (-bound, position))
    return live, later, rest


def _best_two(words: str, index: RoomIndex, tier: list[tuple[float, int]]) -> tuple[
        list[tuple[float, Room]], float]:
    """The two best rooms of a tier passing the threshold, best first, and the best score seen.

    Rooms are scored in order of their bound (a heap: only those popped are ordered), and
    scoring stops once no further room can change the decision (branch and bound).
    """
    heapq.heapify(tier)
    top: list[tuple[float, Room]] = []
    best_seen = 0.0
    while tier:
        negative, position = heapq.heappop(tier)
        bound, room = -negative, index.rooms[position]
        if len(top) >= 2 and bound <= top[1][0]:
            break
        if len(top) == 1 and bound < top[0][0] - AMBIGUITY_MARGIN:
            break
        score = room_score(words, room)
        best_seen = max(best_seen, score)
        if score >= MATCH_THRESHOLD:
            top.append((score, room))
            top.sort(key=lambda pair: (-pair[0], pair[1].title, pair[1].id))
            del top[2:]
    return top, best_seen


def match_in_index(spoken: str, index: RoomIndex, *, now: float | None = None) -> MatchResult:
    """Decide which indexed room the listener named: match, ambiguous or none.

    Live rooms first; then rooms scheduled to start at or after ``now``; then the rest.
    Within a tier, rooms are scored in order of their upper bound, and scoring stops
    once no further room can change the decision: with thousands of rooms only a
    handful are scored. Among rooms tied exactly, the two named in an ambiguous answer
    are the first met.
    """
    words = normalise(spoken)
    if not words:
        return MatchResult(MatchKind.NONE, words)
    best_seen = 0.0
    for tier in _tiers(index.bounds(words), index, now):
        top, seen = _best_two(words, index, tier)
        best_seen = max(best_seen, seen)
        if top:
            best_score, best_room = top[0]
            if len(top) > 1 and best_score - top[1][0] < AMBIGUITY_MARGIN:
                return MatchResult(MatchKind.AMBIGUOUS, words, (best_room, top[1][1]), best_score)
            return MatchResult(MatchKind.MATCH, words, (best_room,), best_score)
    return MatchResult(MatchKind.NONE, words, score=best_seen)


def match_room(spoken: str, rooms: Sequence[Room], *, now: float | None = None) -> MatchResult:
    """Decide which of ``rooms`` the listener named (indexes them for this one call)."""
    return match_in_index(spoken, RoomIndex(rooms), now=now)
