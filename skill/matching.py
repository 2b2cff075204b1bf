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
within ``AMBIGUITY_MARGIN`` make the answer ambiguous.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import jellyfish
from rapidfuzz import fuzz

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
     "station", "live", "please", "now"}
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


def normalise(text: str) -> str:
    """Lower-case words without articles, fillers, possessives or spelled-out numbers."""
    words = _words_to_numbers(_plain_words(text))
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


def room_score(spoken: str, room: Room) -> float:
    """The best weighted field score of ``room`` for normalised ``spoken`` (0-100)."""
    return max(
        (FIELD_WEIGHTS[name] * field_score(spoken, normalise(value))
         for name, value in _fields(room) if value),
        default=0.0,
    )


def match_room(spoken: str, rooms: Sequence[Room]) -> MatchResult:
    """Decide which of ``rooms`` the listener named: match, ambiguous or none."""
    words = normalise(spoken)
    if not words:
        return MatchResult(MatchKind.NONE, words)
    scored = [(room_score(words, room), room) for room in rooms]
    passing = [(score, room) for score, room in scored if score >= MATCH_THRESHOLD]
    if any(room.is_live for _, room in passing):
        passing = [(score, room) for score, room in passing if room.is_live]
    if not passing:
        best = max((score for score, _ in scored), default=0.0)
        return MatchResult(MatchKind.NONE, words, score=best)
    passing.sort(key=lambda pair: (-pair[0], pair[1].title))
    best_score, best_room = passing[0]
    if len(passing) > 1 and best_score - passing[1][0] < AMBIGUITY_MARGIN:
        return MatchResult(MatchKind.AMBIGUOUS, words, (best_room, passing[1][1]), best_score)
    return MatchResult(MatchKind.MATCH, words, (best_room,), best_score)
