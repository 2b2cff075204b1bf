"""The room index: thousands of rooms searched per request without scoring them all.

In: the rooms (once per batch of requests, kept by ``skill.storage.index_cache``) and then,
per request, what was said (normalised). Out: for the few rooms that could pass
``MATCH_THRESHOLD``, an upper bound of their ``room_score`` (``skill.core.room_scoring``);
``skill.core.matching`` scores rooms in the order of that bound and stops as soon as no
further room can change its answer.

The index maps every field word to the rooms holding it (with the highest weight of the
fields it sits in) and is searched with rapidfuzz's C ``process.extract`` and a metaphone
map, so only rooms sharing a (fuzzy or sound-alike) word with what was said are looked at.
The bound must never be below the real score, or a right room could be skipped;
``tests/unit/skill/test_room_index.py`` checks it against scoring every room.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz, process

from room_directory.models import Room
from skill.core.room_scoring import (
    JOINED_MIN,
    MATCH_THRESHOLD,
    WORD_FLOOR,
    metaphone,
    normalised_fields,
    respell,
    word_similarity,
)

#: Room position → a score (or bound) of that room.
Scores = dict[int, float]
#: Up to this many rooms holding the numbers said, their fields are compared one by one
#: rather than searching every field.
FEW_ROOMS = 256


class RoomIndex:
    """Rooms indexed once for many matches: field words → rooms, plus a sound-alike map.

    ``bounds`` gives every room that could pass the threshold an upper bound of its
    ``room_score``: each spoken word's best similarity to a word of the room (or that of
    a pair of spoken words heard as one, "travi ata", when higher) times the weight of
    the field holding it, combined as in ``field_score`` (one field can only do worse),
    or the weighted whole-string similarity to one of its fields when that reaches
    ``JOINED_MIN`` (the only split/joined lift ``field_score`` counts). A number said
    must be in the field, so only rooms holding every spoken number are looked at.
    """

    def __init__(self, rooms: Sequence[Room]) -> None:
        self.rooms: tuple[Room, ...] = tuple(rooms)
        #: The ids of the indexed rooms.
        self.ids = frozenset(room.id for room in self.rooms)
        #: Whether each room was live when indexed, position for position.
        self.live: tuple[bool, ...] = tuple(room.is_live for room in self.rooms)
        #: word → room position → the highest weight of the room's fields holding the word
        postings: dict[str, Scores] = {}
        #: field text without spaces → room position → the highest weight of such a field there
        joined: dict[str, Scores] = {}
        for position, room in enumerate(self.rooms):
            for weight, text in normalised_fields(room):
                owners = joined.setdefault(text.replace(" ", ""), {})
                owners[position] = max(weight, owners.get(position, 0.0))
                for word in text.split():
                    holders = postings.setdefault(word, {})
                    holders[position] = max(weight, holders.get(position, 0.0))
        self._postings = postings
        #: the words fuzzy matching searches (numbers only ever match themselves)
        self._vocabulary = [word for word in postings if not word.isdigit()]
        #: the same words as they sound (``respell``), position for position
        self._respelled = [respell(word) if word.isascii() else word for word in self._vocabulary]
        sounds: dict[str, list[str]] = {}
        for word in self._vocabulary:
            if len(word) >= 3 and word.isascii():
                sounds.setdefault(metaphone(word), []).append(word)
        self._sounds = sounds
        #: the joined field texts, shortest first, and their lengths (a text too short or too
        #: long for ``JOINED_MIN`` is never compared), with their owners position for position
        self._joined = sorted(joined, key=len)
        self._joined_lengths = [len(text) for text in self._joined]
        self._joined_owners = [joined[text] for text in self._joined]
        #: per room: its fields as (weight, text without spaces), for rooms holding a number said
        self._room_joined = [tuple((w, t.replace(" ", "")) for w, t in normalised_fields(room))
                             for room in self.rooms]

    def _similar(self, word: str) -> dict[str, float]:
        """Every indexed word with a non-zero ``word_similarity`` to ``word``, with it."""
        if word.isdigit():
            return {word: 100.0} if word in self._postings else {}
        found = {known: word_similarity(word, known) for known, _, _ in process.extract(
            word, self._vocabulary, scorer=fuzz.ratio, score_cutoff=WORD_FLOOR, limit=None)}
        if word.isascii():
            for _, _, i in process.extract(respell(word), self._respelled, scorer=fuzz.ratio,
                                           score_cutoff=WORD_FLOOR, limit=None):
                known = self._vocabulary[i]
                found[known] = max(found.get(known, 0.0), word_similarity(word, known))
        if len(word) >= 3:
            for known in self._sounds.get(metaphone(word), ()):
                found[known] = max(found.get(known, 0.0), word_similarity(word, known))
        return {known: score for known, score in found.items() if score > 0}

    def _holders(self, similar: dict[str, float], within: Scores | None,
                 floor: float = 0.0) -> Scores:
        """Room position → best ``score × weight`` over the similar words it holds (scores
        under ``floor`` left out; only rooms in ``within`` when given)."""
        best: Scores = {}
        for known, score in similar.items():
            if score < floor:
                continue
            holders = self._postings[known]
            if within is not None and len(holders) > len(within):
                pairs: Iterable[tuple[int, float]] = ((p, holders[p]) for p in within if p in holders)
            elif within is not None:
                pairs = ((p, w) for p, w in holders.items() if p in within)
            else:
                pairs = holders.items()
            for position, weight in pairs:
                if score * weight > best.get(position, 0.0):
                    best[position] = score * weight
        return best

    def _holding_numbers(self, words: list[str]) -> Scores | None:
        """The rooms holding every number said (None when no number was said)."""
        scope: Scores | None = None
        for number in dict.fromkeys(w for w in words if w.isdigit()):
            holders = self._postings.get(number, {})
            scope = {p: 0.0 for p in holders if scope is None or p in scope}
        return scope

    def bounds(self, spoken: str) -> Scores:
        """Room position → upper bound of its score for normalised ``spoken``.

        Words are taken rarest first; once the words taken account for more of what was
        said than a passing room may miss (``1 - MATCH_THRESHOLD/100``), rooms holding
        none of them (nor a pair heard as one word) cannot pass by word coverage, so later
        (common) words are only looked up for rooms already found.
        """
        words = spoken.split()
        if not words:
            return {}
        total = sum(len(w) for w in words)
        scope = self._holding_numbers(words)
        similar = {word: self._similar(word) for word in dict.fromkeys(words)}
        joins = [self._holders(self._similar(first + second), scope, JOINED_MIN)
                 for first, second in zip(words, words[1:], strict=False)]
        found: Scores = {p: 0.0 for pair in joins for p in pair}
        singles: dict[str, Scores] = {}
        taken = 0.0

        def reach(word: str) -> int:
            return sum(len(self._postings[known]) for known in similar[word])

        for word in sorted(similar, key=reach):
            closed = taken > 1 - MATCH_THRESHOLD / 100
            singles[word] = self._holders(similar[word], found if closed else scope)
            if not closed:
                found.update(dict.fromkeys(singles[word], 0.0))
            taken += words.count(word) * len(word) / total
        bound = _coverage(words, singles, joins, found)
        self._lift(spoken.replace(" ", ""), scope, bound)
        return bound

    def _lift(self, joined: str, scope: Scores | None, bound: Scores) -> None:
        """Raise ``bound`` to the weighted whole-string similarity where it reaches ``JOINED_MIN``."""
        if scope is not None and len(scope) <= FEW_ROOMS:
            for position in scope:
                for weight, text in self._room_joined[position]:
                    score = fuzz.ratio(joined, text, score_cutoff=JOINED_MIN)
                    if score * weight > bound.get(position, 0.0):
                        bound[position] = score * weight
            return
        # 2·min/(a+b) ≥ JOINED_MIN/100 bounds the other length to [a·m/(2-m), a·(2-m)/m]
        least = JOINED_MIN / 100
        start = bisect_left(self._joined_lengths, int(len(joined) * least / (2 - least)))
        end = bisect_left(self._joined_lengths, int(len(joined) * (2 - least) / least) + 2)
        for _, score, i in process.extract(joined, self._joined[start:end], scorer=fuzz.ratio,
                                           score_cutoff=JOINED_MIN, limit=None):
            for position, weight in self._joined_owners[start + i].items():
                if (scope is None or position in scope) and score * weight > bound.get(position, 0.0):
                    bound[position] = score * weight


def _coverage(words: list[str], singles: dict[str, Scores], joins: list[Scores],
              found: Scores) -> Scores:
    """Room position → Σ share × best of each spoken word (alone or in a joined pair)."""
    total = sum(len(w) for w in words)
    bound: Scores = {}
    if not any(joins):
        if len(singles) == 1:  # one word, maybe said twice: its share is all
            return dict(next(iter(singles.values())))
        for word, best in singles.items():
            share = words.count(word) * len(word) / total
            for position, score in best.items():
                bound[position] = bound.get(position, 0.0) + share * score
        return bound
    for position in found:
        bound[position] = sum(
            len(word) / total * max(singles[word].get(position, 0.0),
                                    joins[i - 1].get(position, 0.0) if i else 0.0,
                                    joins[i].get(position, 0.0) if i < len(joins) else 0.0)
            for i, word in enumerate(words))
    return bound
