"""Room matching: which room did the listener name? A pure function over values.

The slot value is raw ASR text ("the jazz room", "mia's show", "studio four", "indie
rok"), so both it and every room field are first normalised the same way: lower case,
no accents or punctuation, no articles or filler words ("room", "show", ...), no
possessive ``'s``, numbers said as words turned into digits.

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

Genre and topic synonyms ("sports talk" → "sports", "rap" → "hip hop") are folded into
one canonical phrase on both sides by ``normalise``. For thousands of rooms, a
``RoomIndex`` is built once per batch of requests: an inverted index from every field
word to its rooms, searched with rapidfuzz's C ``process.extract`` and a metaphone map,
so only rooms sharing a (fuzzy or sound-alike) word with what was said get scored.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import jellyfish
from rapidfuzz import fuzz, process

from room_directory import Room

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
#: How much a perfect match on each field is worth.
FIELD_WEIGHTS = {"title": 1.0, "genre": 0.97, "host": 0.95, "topics": 0.9, "tags": 0.9}

_ARTICLES = frozenset({"the", "a", "an"})
_FILLERS = frozenset(
    {"room", "rooms", "show", "shows", "channel", "channels", "stream", "streams",
     "station", "live", "please", "now", "some", "music"}
)
_CONNECTIVES = frozenset({"with", "and", "of", "on", "in", "at", "to", "by", "for", "from"})
_DROPPED = _ARTICLES | _FILLERS | _CONNECTIVES

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
_TENS_DIGITS = frozenset(str(n) for n in _TENS.values())
_ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "1st": 0,
             "2nd": 1, "3rd": 2, "4th": 3, "5th": 4}


#: Spoken genre/topic phrases (normalised) and the canonical phrase both sides fold to.
SYNONYMS: dict[str, str] = {
    "sports talk": "sports", "sports radio": "sports", "sport": "sports",
    "talk radio": "talk", "chat": "talk", "chatter": "talk", "podcast": "talk",
    "hip hop": "hiphop", "rap": "hiphop",
    "stand up": "comedy", "standup": "comedy", "funny": "comedy",
    "orchestral": "classical", "symphony": "classical", "opera": "classical",
    "r and b": "rnb", "r n b": "rnb", "rhythm and blues": "rnb",
    "electronica": "electronic", "edm": "electronic", "techno": "electronic", "house": "electronic",
    "americana": "country",
    "current affairs": "news", "headlines": "news",
    "bebop": "jazz", "be bop": "jazz",
}
_SYNONYM_PATTERN = re.compile(
    r"\b(" + "|".join(re.escape(k) for k in sorted(SYNONYMS, key=len, reverse=True)) + r")\b"
)


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


def _words_to_numbers(words: list[str]) -> list[str]:
    out: list[str] = []
    for word in words:
        if 0 < _UNITS.get(word, 0) < 10 and out and out[-1] in _TENS_DIGITS:
            out[-1] = str(int(out[-1]) + _UNITS[word])  # "twenty one" -> 21
        elif word in _UNITS:
            out.append(str(_UNITS[word]))
        elif word in _TENS:
            out.append(str(_TENS[word]))
        else:
            out.append(word)
    return out


def _plain_words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("’", "'").replace("&", " and ")
    text = re.sub(r"(\w)'s\b", r"\1", text)  # mia's -> mia
    text = re.sub(r"(\w)s'(?=\W|$)", r"\1s", text)  # the james' -> james
    return re.findall(r"[a-z0-9]+", text)


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """Lower-case words without articles, fillers, possessives or spelled-out numbers."""
    plain = " ".join(_plain_words(text))
    plain = _SYNONYM_PATTERN.sub(lambda m: SYNONYMS[m.group(1)], plain)
    words = _words_to_numbers(plain.split())
    return " ".join(w for w in words if w not in _DROPPED)


def ordinal_choice(spoken: str, count: int) -> int | None:
    """The index meant by "the first one", "the second", "the last one", if any."""
    for word in _plain_words(spoken):
        if word == "last" and count:
            return count - 1
        if word in _ORDINALS and _ORDINALS[word] < count:
            return _ORDINALS[word]
    return None


@lru_cache(maxsize=4096)
def _metaphone(word: str) -> str:
    return jellyfish.metaphone(word)


@lru_cache(maxsize=16384)
def _word_similarity(said: str, known: str) -> float:
    if said == known:
        return 100.0
    score = fuzz.ratio(said, known)
    if (
        score >= PHONETIC_MIN_RATIO
        and min(len(said), len(known)) >= 3
        and not (said.isdigit() or known.isdigit())
        and _metaphone(said) == _metaphone(known)
    ):
        score = max(score, PHONETIC_SCORE)
    return score if score >= WORD_FLOOR else 0.0


def field_score(spoken: str, field: str) -> float:
    """How well a normalised field accounts for every normalised spoken word (0-100)."""
    said, known = spoken.split(), field.split()
    if not said or not known:
        return 0.0
    total = sum(len(w) for w in said)
    coverage = sum(len(w) * max(_word_similarity(w, k) for k in known) for w in said) / total
    return max(coverage, fuzz.ratio(spoken, field))


def _fields(room: Room) -> Iterable[tuple[str, str]]:
    yield "title", room.title
    yield "genre", room.genre
    yield "host", room.host
    for topic in room.topics:
        yield "topics", topic
    for tag in room.tags:
        yield "tags", tag


@lru_cache(maxsize=65536)
def _normalised_fields(room: Room) -> tuple[tuple[float, str], ...]:
    fields = ((FIELD_WEIGHTS[name], normalise(value)) for name, value in _fields(room) if value)
    return tuple((weight, text) for weight, text in fields if text)


def room_score(spoken: str, room: Room) -> float:
    """The best weighted field score of ``room`` for normalised ``spoken`` (0-100)."""
    return max((weight * field_score(spoken, text) for weight, text in _normalised_fields(room)),
               default=0.0)


class RoomIndex:
    """Rooms indexed once for many matches: field words → rooms, plus a sound-alike map."""

    def __init__(self, rooms: Sequence[Room]) -> None:
        self.rooms: tuple[Room, ...] = tuple(rooms)
        postings: dict[str, set[int]] = {}
        for position, room in enumerate(self.rooms):
            for _, text in _normalised_fields(room):
                words = text.split()
                for word in (*words, "".join(words)):
                    postings.setdefault(word, set()).add(position)
        self._postings = postings
        self._vocabulary = list(postings)
        sounds: dict[str, list[str]] = {}
        for word in self._vocabulary:
            if len(word) >= 3 and not word.isdigit():
                sounds.setdefault(_metaphone(word), []).append(word)
        self._sounds = sounds

    def candidates(self, spoken: str) -> list[Room]:
        """Rooms sharing at least one word (fuzzily or by sound) with normalised ``spoken``."""
        words = spoken.split()
        found: set[int] = set()
        for word in dict.fromkeys((*words, "".join(words))):
            for known, _, _ in process.extract(word, self._vocabulary, scorer=fuzz.ratio,
                                               score_cutoff=WORD_FLOOR, limit=None):
                found |= self._postings[known]
            if len(word) >= 3 and not word.isdigit():
                for known in self._sounds.get(_metaphone(word), ()):
                    if fuzz.ratio(word, known) >= PHONETIC_MIN_RATIO:
                        found |= self._postings[known]
        return [self.rooms[i] for i in sorted(found)]


def _tier(room: Room, now: float | None) -> int:
    if room.is_live:
        return 0
    if now is not None and room.scheduled_start is not None and room.scheduled_start >= now:
        return 1
    return 2


def match_in_index(spoken: str, index: RoomIndex, *, now: float | None = None) -> MatchResult:
    """Decide which indexed room the listener named: match, ambiguous or none.

    Live rooms first; then rooms scheduled to start at or after ``now``; then the rest.
    """
    words = normalise(spoken)
    if not words:
        return MatchResult(MatchKind.NONE, words)
    scored = [(room_score(words, room), room) for room in index.candidates(words)]
    passing = [(score, room) for score, room in scored if score >= MATCH_THRESHOLD]
    if passing:
        best_tier = min(_tier(room, now) for _, room in passing)
        passing = [(score, room) for score, room in passing if _tier(room, now) == best_tier]
    if not passing:
        best = max((score for score, _ in scored), default=0.0)
        return MatchResult(MatchKind.NONE, words, score=best)
    passing.sort(key=lambda pair: (-pair[0], pair[1].title, pair[1].id))
    best_score, best_room = passing[0]
    if len(passing) > 1 and best_score - passing[1][0] < AMBIGUITY_MARGIN:
        return MatchResult(MatchKind.AMBIGUOUS, words, (best_room, passing[1][1]), best_score)
    return MatchResult(MatchKind.MATCH, words, (best_room,), best_score)


def match_room(spoken: str, rooms: Sequence[Room], *, now: float | None = None) -> MatchResult:
    """Decide which of ``rooms`` the listener named (indexes them for this one call)."""
    return match_in_index(spoken, RoomIndex(rooms), now=now)


class IndexCache:
    """The last ``RoomIndex`` built, reused while the rooms are unchanged (a request batch)."""

    def __init__(self) -> None:
        self._key: int | None = None
        self._index: RoomIndex | None = None

    def index(self, rooms: Sequence[Room]) -> RoomIndex:
        """An index of ``rooms``, rebuilt only when a room was added, removed or changed."""
        key = hash(tuple((r.id, r.updated_at, r.status) for r in rooms))
        if self._index is None or key != self._key:
            self._index, self._key = RoomIndex(rooms), key
        return self._index
