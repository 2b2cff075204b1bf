"""What was said, as words that compare: the normalisation both sides of a match share.

The slot value is raw ASR text ("the jazz room", "mia's show", "studio four", "indie
rok"), so both it and every room field are normalised the same way: lower case, no
accents or punctuation, no articles or filler words ("room", "show", ...), no possessive
``'s``, numbers said as words turned into digits. Genre and topic synonyms ("sports
talk" → "sports", "rap" → "hip hop") are folded into one canonical phrase. Pure
functions over strings.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

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
    "orchestral": "classical", "symphony": "classical",
    "r and b": "rnb", "r n b": "rnb", "rhythm and blues": "rnb",
    "electronica": "electronic", "edm": "electronic", "techno": "electronic", "house": "electronic",
    "americana": "country",
    "current affairs": "news", "headlines": "news",
    "bebop": "jazz", "be bop": "jazz",
}
_SYNONYM_PATTERN = re.compile(
    r"\b(" + "|".join(re.escape(k) for k in sorted(SYNONYMS, key=len, reverse=True)) + r")\b"
)


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


def _without_latin_accents(text: str) -> str:
    """"Inês" → "ines", but Devanagari vowel signs and kana voicing marks stay."""
    kept: list[str] = []
    for char in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(char) and kept and ord(kept[-1]) < 0x250:
            continue
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


def _plain_words(text: str) -> list[str]:
    text = _without_latin_accents(text.lower())
    text = text.replace("’", "'").replace("&", " and ")
    text = re.sub(r"(\w)'s\b", r"\1", text)  # mia's -> mia
    text = re.sub(r"(\w)s'(?=\W|$)", r"\1s", text)  # the james' -> james
    # letters, marks (Devanagari vowel signs) and digits make words; the rest separates them
    text = "".join(c if unicodedata.category(c)[0] in "LMN" else " " for c in text)
    return text.split()


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
