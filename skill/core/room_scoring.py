"""Room scoring: how well one room accounts for what a listener said. Pure functions over values.

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
topic). Under ``MATCH_THRESHOLD`` nothing matches.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import jellyfish
from rapidfuzz import fuzz

from room_directory.models import Room
from skill.core.normalise import FAMILIES, normalise

#: A room scoring below this (0-100) is not what was asked for. One wrong letter in a
#: four-letter word ("jaz", "rok") scores 86; "talk" for "walk" scores 75.
MATCH_THRESHOLD = 78.0
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



@lru_cache(maxsize=4096)
def metaphone(word: str) -> str:
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
def word_similarity(said: str, known: str) -> float:
    """How alike a spoken word and a field word are (0-100; 0 under ``WORD_FLOOR``)."""
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
        and metaphone(said) == metaphone(known) != ""
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
    best = [max(word_similarity(w, k) for k in known) for w in said]
    for i in range(len(said) - 1):  # a word heard as two ("bed time", "travi ata")
        joined = max(word_similarity(said[i] + said[i + 1], k) for k in known)
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
def normalised_fields(room: Room) -> tuple[tuple[float, str], ...]:
    """The room's searched fields, normalised, each with its weight (``FIELD_WEIGHTS``)."""
    named = [(name, normalise(value)) for name, value in _fields(room) if value]
    # every field but the description, each normalised alone (no false neighbours across fields)
    union = " ".join(dict.fromkeys(w for name, text in named if name != "description"
                                   for w in text.split()))
    fields = [(FIELD_WEIGHTS[name], text) for name, text in named] + [(FIELD_WEIGHTS["all"], union)]
    return tuple((weight, text) for weight, text in fields if text)


def room_score(spoken: str, room: Room) -> float:
    """The best weighted field score of ``room`` for normalised ``spoken`` (0-100)."""
    return max((weight * field_score(spoken, text) for weight, text in normalised_fields(room)),
               default=0.0)
