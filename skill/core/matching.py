"""Room matching: which room did the listener name? Pure functions over values.

What was said and every room field are first normalised the same way
(``skill.core.normalise``).

Scoring. Each room field (title, genre, host, topics, tags) gets a *coverage* score:
every spoken word is compared with its best field word (rapidfuzz ``fuzz.ratio``, with a
metaphone equality bonus for sound-alikes such as "jas"/"jazz"; under ``WORD_FLOOR`` a
word counts as unmatched), averaged over the spoken words weighted by their length; the
whole-string ``fuzz.ratio`` can lift it (for split or joined words, "indierock"). Why
not ``token_set_ratio`` or ``WRatio``: both score 100 when a field's words are a subset
of what was said, so "polka jazz fusion" would be a perfect match for the genre "jazz",
and WRatio's partial matching rewards short substrings. Coverage asks that *everything
said* be accounted for, which is what "never play a wrong room" needs, while a spoken
subset of a long title ("jazz" in "Late Night Jazz Concert") still scores fully.

A room's score is its best field score times the field's weight (a title beats a
topic). Under ``MATCH_THRESHOLD`` nothing matches. Live rooms are preferred: when any
live room passes the threshold, rooms that are not live are dropped. Two candidates
within ``AMBIGUITY_MARGIN`` make the answer ambiguous. Tiers: live rooms first, then
rooms scheduled to start, then the rest (whose replays the skill may offer).

For thousands of rooms, a ``RoomIndex`` is built once per batch of requests (kept by
``skill.storage.index_cache``): an inverted index from every field word to its rooms,
searched with rapidfuzz's C ``process.extract`` and a metaphone map, so only rooms
sharing a (fuzzy or sound-alike) word with what was said get scored.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import jellyfish
from rapidfuzz import fuzz, process

from room_directory.models import Room
from skill.core.normalise import FAMILIES, normalise

#: A room scoring below this (0-100) is not what was asked for. One wrong letter in a
#: four-letter word ("jaz", "rok") scores 86; "talk" for "walk" scores 75.
MATCH_THRESHOLD = 78.0
#: Two rooms this close to each other (in points) are both plausible: ask back.
AMBIGUITY_MARGIN = 4.0
#: What two words that sound alike (same metaphone code) score at least.
PHONETIC_SCORE = 88.0
#: Sound-alikes only count when the spellings are already this similar (metaphone
#: codes collide for unrelated short words: "rock" and "rag" are both "RK").
PHONETIC_MIN_RATIO = 50.0
#: A spoken word less similar than this to every field word is unaccounted for (scores 0):
#: "latin" is not "late" (67), so "latin jazz" does not fit "Late Night Jazz".
WORD_FLOOR = 70.0
#: Two spoken words count as one field word heard split ("bed time") only this close to it.
JOINED_MIN = 90.0
#: How much a perfect match on each field is worth. ``family`` is the family of the room's
#: genre ("jazz" for bebop); ``all`` is the words of title, host, genre, family, topics and
#: tags together ("<host>'s <kind of show>", "<language> lessons" take words from two
#: fields); ``description`` is the room's description (a piece, a book, a guest).
FIELD_WEIGHTS = {"title": 1.0, "genre": 0.97, "host": 0.95, "topics": 0.9, "tags": 0.9,
                 "family": 0.9, "all": 0.9, "description": 0.86}

#: Words that name one of a kind a listener chooses between (genres, sports, languages,
#: dances, instruments): two different ones never stand for each other, however alike they
#: sound or are spelled ("salsa" is not "samba", "grime" is not "crime", "reggaeton" is
#: not "reggae", "german" is not "germane" only where "germane" is not one of them).
CONTRASTS = frozenset({
    "jazz", "bebop", "swing", "blues", "rock", "pop", "kpop", "punk", "metal", "grunge",
    "indie", "folk", "country", "americana", "bluegrass", "soul", "funk", "disco", "house",
    "techno", "trance", "dubstep", "grime", "garage", "reggae", "reggaeton", "dub", "ska",
    "salsa", "samba", "tango", "mambo", "rumba", "cumbia", "bachata", "merengue", "flamenco",
    "ballet", "opera", "gospel", "hiphop", "rnb", "afrobeats", "lofi", "classical", "fado",
    "zydeco", "skiffle", "polka", "qawwali", "emo", "shoegaze", "mariachi",
    "football", "soccer", "rugby", "cricket", "tennis", "golf", "hockey", "baseball",
    "basketball", "boxing", "cycling", "nba", "nfl",
    "spanish", "french", "german", "italian", "portuguese", "japanese", "chinese", "korean",
    "english", "irish", "polish", "russian", "arabic", "hindi", "latin",
    "piano", "guitar", "violin", "cello", "trumpet", "saxophone", "banjo", "fiddle", "drums",
    "harmonica", "congas", "pipes",
    "crime", "comedy", "poetry", "cooking", "baking", "gardening", "meditation", "yoga",
    "science", "news", "politics", "books", "kids", "church", "movies", "film",
})


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


@lru_cache(maxsize=4096)
def _metaphone(word: str) -> str:
    """Metaphone (an English sound code) for ASCII words; other scripts get no code."""
    return jellyfish.metaphone(word) if word.isascii() else ""


_RESPELLINGS = (("tch", "ch"), ("ph", "f"), ("ck", "k"), ("ch", "k"), ("qu", "kw"), ("x", "ks"),
                ("z", "s"), ("c", "k"), ("y", "i"), ("ee", "i"), ("oo", "u"), ("gh", "g"))


@lru_cache(maxsize=16384)
def respell(word: str) -> str:
    """A rough spelling of how ``word`` sounds: English letter groups that spell one sound
    made one ("techno"/"tekno", "ciaran"/"kieran", "jazz"/"jas"), doubled letters single."""
    for group, sound in _RESPELLINGS:
        word = word.replace(group, sound)
    return "".join(c for i, c in enumerate(word) if i == 0 or c != word[i - 1])


@lru_cache(maxsize=16384)
def _word_similarity(said: str, known: str) -> float:
    if said == known:
        return 100.0
    if said.isdigit() or known.isdigit():  # "studio 4" is not "studio 40"
        return 0.0
    if said in CONTRASTS and known in CONTRASTS:  # "salsa" is not "samba"
        return 0.0
    score = fuzz.ratio(said, known)
    if said.isascii() and known.isascii():
        score = max(score, fuzz.ratio(respell(said), respell(known)) - 2)  # a sound-alike spelling
    if (
        score >= PHONETIC_MIN_RATIO
        and min(len(said), len(known)) >= 3
        and not (said.isdigit() or known.isdigit())
        and _metaphone(said) == _metaphone(known) != ""
    ):
        score = max(score, PHONETIC_SCORE)
    return score if score >= WORD_FLOOR else 0.0


def field_score(spoken: str, field: str) -> float:
    """How well a normalised field accounts for every normalised spoken word (0-100)."""
    said, known = spoken.split(), field.split()
    if not said or not known:
        return 0.0
    if any(w.isdigit() and w not in known for w in said):  # a number said must be there
        return 0.0
    total = sum(len(w) for w in said)
    best = [max(_word_similarity(w, k) for k in known) for w in said]
    for i in range(len(said) - 1):  # a word heard as two ("bed time", "travi ata")
        joined = max(_word_similarity(said[i] + said[i + 1], k) for k in known)
        if joined >= JOINED_MIN and joined > min(best[i], best[i + 1]):
            best[i] = max(best[i], joined)
            best[i + 1] = max(best[i + 1], joined)
    coverage = sum(len(w) * score for w, score in zip(said, best, strict=True)) / total
    if len(said) == len(known):  # the same words, one of them changed: coverage says it all
        return coverage
    # split or joined words ("indie rock" / "indierock", "tan aka" / "tanaka"): only a near-exact
    # spelling counts, or "mia cooking" would pass for "cooking" on letters shared
    joined = fuzz.ratio(spoken.replace(" ", ""), field.replace(" ", ""))
    return max(coverage, joined if joined >= JOINED_MIN else 0.0)


def _fields(room: Room) -> Iterable[tuple[str, str]]:
    family = FAMILIES.get(normalise(room.genre), "")
    yield "title", room.title
    yield "genre", room.genre
    yield "host", room.host
    yield "family", family
    for topic in room.topics:
        yield "topics", topic
    for tag in room.tags:
        yield "tags", tag
    yield "description", room.description


@lru_cache(maxsize=65536)
def _normalised_fields(room: Room) -> tuple[tuple[float, str], ...]:
    named = [(name, normalise(value)) for name, value in _fields(room) if value]
    # every field but the description, each normalised alone (no false neighbours across fields)
    union = " ".join(dict.fromkeys(w for name, text in named if name != "description"
                                   for w in text.split()))
    fields = [(FIELD_WEIGHTS[name], text) for name, text in named] + [(FIELD_WEIGHTS["all"], union)]
    return tuple((weight, text) for weight, text in fields if text)


def room_score(spoken: str, room: Room) -> float:
    """The best weighted field score of ``room`` for normalised ``spoken`` (0-100)."""
    return max((weight * field_score(spoken, text) for weight, text in _normalised_fields(room)),
               default=0.0)


class RoomIndex:
    """Rooms indexed once for many matches: field words → rooms, plus a sound-alike map.

    ``bounds`` gives, for every room sharing a (fuzzy or sound-alike) word with what was
    said, an upper bound of its ``room_score``: each spoken word's best similarity to any
    word of the room times the weight of the field holding it, combined as in
    ``field_score`` (one field can only do worse), or the weighted whole-string
    similarity to one of its fields (searched over every distinct field with rapidfuzz,
    cut off at ``MATCH_THRESHOLD``). A room
    below both cannot pass the threshold, so it is never scored.
    """

    def __init__(self, rooms: Sequence[Room]) -> None:
        self.rooms: tuple[Room, ...] = tuple(rooms)
        #: The ids of the indexed rooms.
        self.ids = frozenset(room.id for room in self.rooms)
        #: word → room position → the highest weight of the room's fields holding the word
        postings: dict[str, dict[int, float]] = {}
        #: whole field text → room position → the field's weight there
        fields: dict[str, dict[int, float]] = {}
        for position, room in enumerate(self.rooms):
            for weight, text in _normalised_fields(room):
                owners = fields.setdefault(text, {})
                owners[position] = max(weight, owners.get(position, 0.0))
                for word in text.split():
                    holders = postings.setdefault(word, {})
                    holders[position] = max(weight, holders.get(position, 0.0))
        self._postings = postings
        self._fields = fields
        #: the words fuzzy matching searches (numbers only ever match themselves)
        self._vocabulary = [word for word in postings if not word.isdigit()]
        #: the same words as they sound (``respell``), position for position
        self._respelled = [respell(word) if word.isascii() else word for word in self._vocabulary]
        self._field_texts = list(fields)
        #: the field texts without spaces, position for position (what the split/join lift compares)
        self._joined_fields = [text.replace(" ", "") for text in self._field_texts]
        sounds: dict[str, list[str]] = {}
        for word in self._vocabulary:
            if len(word) >= 3 and not word.isdigit() and word.isascii():
                sounds.setdefault(_metaphone(word), []).append(word)
        self._sounds = sounds

    def _similar(self, word: str) -> dict[str, float]:
        if word.isdigit():
            return {word: 100.0} if word in self._postings else {}
        found = {known: _word_similarity(word, known) for known, _, _ in process.extract(
            word, self._vocabulary, scorer=fuzz.ratio, score_cutoff=WORD_FLOOR, limit=None)}
        if word.isascii():
            for _, _, i in process.extract(respell(word), self._respelled, scorer=fuzz.ratio,
                                           score_cutoff=WORD_FLOOR, limit=None):
                known = self._vocabulary[i]
                found[known] = max(found.get(known, 0.0), _word_similarity(word, known))
        if len(word) >= 3 and not word.isdigit():
            for known in self._sounds.get(_metaphone(word), ()):
                found[known] = max(found.get(known, 0.0), _word_similarity(word, known))
        return {known: score for known, score in found.items() if score > 0}

    def bounds(self, spoken: str) -> dict[int, float]:
        """Room position → upper bound of its score for normalised ``spoken``.

        Words are taken rarest first; once the words taken account for more of what was
        said than a passing room may miss (``1 - MATCH_THRESHOLD/100``), rooms holding
        none of them cannot pass by word coverage, so later (common) words only raise
        the bounds of rooms already found.
        """
        words = spoken.split()
        total = sum(len(w) for w in words)
        similar = {word: self._similar(word) for word in dict.fromkeys(words)}

        def reach(word: str) -> int:
            return sum(len(self._postings[known]) for known in similar[word])

        bound: dict[int, float] = {}
        # a word heard as two ("travi ata"): the pair may cover both shares in a room
        for first, second in zip(words, words[1:], strict=False):
            share = (len(first) + len(second)) / total
            for known, score in self._similar(first + second).items():
                if score < JOINED_MIN:
                    continue
                for position, weight in self._postings[known].items():
                    bound[position] = bound.get(position, 0.0) + share * score * weight
        taken = 0.0
        closed = False
        for word in sorted(similar, key=reach):
            best: dict[int, float] = {}
            for known, score in similar[word].items():
                holders = self._postings[known]
                if closed and len(holders) > len(bound):
                    pairs = ((p, holders[p]) for p in bound if p in holders)
                else:
                    pairs = ((p, w) for p, w in holders.items() if not closed or p in bound)
                for position, weight in pairs:
                    if score * weight > best.get(position, 0.0):
                        best[position] = score * weight
            share = words.count(word) * len(word) / total
            for position, score in best.items():
                bound[position] = bound.get(position, 0.0) + share * score
            taken += share
            closed = closed or taken > 1 - MATCH_THRESHOLD / 100
        for _, score, i in process.extract(spoken.replace(" ", ""), self._joined_fields,
                                           scorer=fuzz.ratio, score_cutoff=MATCH_THRESHOLD, limit=None):
            for position, weight in self._fields[self._field_texts[i]].items():
                if score * weight > bound.get(position, 0.0):
                    bound[position] = score * weight
        return bound

    def candidates(self, spoken: str) -> list[Room]:
        """Rooms sharing at least one word (fuzzily or by sound) with normalised ``spoken``."""
        return [self.rooms[i] for i in sorted(self.bounds(spoken))]


def _tier(room: Room, now: float | None) -> int:
    if room.is_live:
        return 0
    if now is not None and room.scheduled_start is not None and room.scheduled_start >= now:
        return 1
    return 2


def match_in_index(spoken: str, index: RoomIndex, *, now: float | None = None) -> MatchResult:
    """Decide which indexed room the listener named: match, ambiguous or none.

    Live rooms first; then rooms scheduled to start at or after ``now``; then the rest.
    Within a tier, rooms are scored in order of their upper bound, and scoring stops
    once no further room can change the decision (branch and bound): with thousands of
    rooms only a handful are scored. Among rooms tied exactly, the two named in an
    ambiguous answer are the first met.
    """
    words = normalise(spoken)
    if not words:
        return MatchResult(MatchKind.NONE, words)
    bounds = index.bounds(words)
    tiers: dict[int, list[tuple[float, int]]] = {}
    for position, bound in bounds.items():
        if bound >= MATCH_THRESHOLD:
            tiers.setdefault(_tier(index.rooms[position], now), []).append((-bound, position))
    best_seen = 0.0
    for tier in sorted(tiers):
        top: list[tuple[float, Room]] = []
        for negative, position in sorted(tiers[tier]):
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
        if top:
            best_score, best_room = top[0]
            if len(top) > 1 and best_score - top[1][0] < AMBIGUITY_MARGIN:
                return MatchResult(MatchKind.AMBIGUOUS, words, (best_room, top[1][1]), best_score)
            return MatchResult(MatchKind.MATCH, words, (best_room,), best_score)
    return MatchResult(MatchKind.NONE, words, score=best_seen)


def match_room(spoken: str, rooms: Sequence[Room], *, now: float | None = None) -> MatchResult:
    """Decide which of ``rooms`` the listener named (indexes them for this one call)."""
    return match_in_index(spoken, RoomIndex(rooms), now=now)
