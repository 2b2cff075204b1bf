"""What was said, as words that compare: the normalisation both sides of a match share.

The slot value is raw ASR text ("the jazz room", "mia's show", "studio four", "indie
rok", "den Jazz am Abend", "深夜のジャズの部屋"), so both it and every room field are
normalised the same way: lower case, no accents or punctuation, no articles, filler or
linking words of any of the skill's languages ("room", "Raum", "sala", "the", "der",
"la", ...) unless nothing else is left, no possessive ``'s``, numbers said as words (in
those languages) turned into digits, Japanese read as overlapping character pairs.
True synonyms ("rap" and "hip hop", "St" and "Saint") fold into one phrase; a genre's
family ("electronic" for techno) is kept apart, for the matcher. Pure functions over
strings.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Room words of every language the skill speaks, in one table: what is said and every room
# field go through the same normalisation, so a word dropped or read as a number is dropped
# or read on both sides, whatever the room's language (a German listener may ask for an
# English title). The skill's locales: en, de, es, fr, it, pt, nl, hi, ja.
_ARTICLES = frozenset({
    "the", "a", "an",
    "der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem", "einer",
    "el", "la", "los", "las", "un", "una", "unos", "unas", "uno",
    "le", "les", "l", "une",
    "il", "lo", "i", "gli",
    "o", "os", "as", "um", "uma",
    "het", "de", "een",
})
_FILLERS = frozenset({
    "room", "rooms", "show", "shows", "channel", "channels", "stream", "streams",
    "station", "live", "please", "now", "some", "music", "play", "that", "this", "me",
    "listen", "put", "tune",
    "raum", "zimmer", "sendung", "kanal", "bitte", "spiel", "spiele",
    "sala", "programa", "canal", "favor", "pon", "reproduce", "vivo",
    "salle", "emission", "chaine", "plait", "joue", "mets", "direct",
    "stanza", "programma", "canale", "favore", "metti", "suona",
    "toca", "toque", "kamer", "kanaal", "alsjeblieft",
})
_CONNECTIVES = frozenset({
    "with", "and", "of", "on", "in", "at", "to", "by", "for", "from",
    "mit", "und", "von", "vom", "zum", "zur", "im", "am", "auf", "fur",
    "con", "y", "del", "al", "en", "para", "por",
    "avec", "et", "du", "d", "au", "aux", "pour",
    "e", "di", "della", "dal", "alla", "per",
    "com", "do", "da", "no", "na", "em", "ao",
    "met", "van", "op", "voor",
})
_DROPPED = _ARTICLES | _FILLERS | _CONNECTIVES

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
    "null": 0, "eins": 1, "zwei": 2, "drei": 3, "vier": 4, "funf": 5, "sechs": 6, "sieben": 7,
    "acht": 8, "neun": 9, "zehn": 10, "elf": 11, "zwolf": 12,
    "cero": 0, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8,
    "nueve": 9, "diez": 10, "once": 11, "doce": 12,
    "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7, "huit": 8, "neuf": 9, "dix": 10,
    "onze": 11, "douze": 12,
    "due": 2, "tre": 3, "quattro": 4, "cinque": 5, "sei": 6, "sette": 7, "otto": 8, "nove": 9,
    "dieci": 10, "undici": 11, "dodici": 12,
    "dois": 2, "duas": 2, "quatro": 4, "sete": 7, "oito": 8, "dez": 10, "doze": 12,
    "twee": 2, "drie": 3, "zes": 6, "zeven": 7, "negen": 9, "tien": 10,
}
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
    "zwanzig": 20, "dreissig": 30, "vierzig": 40, "funfzig": 50, "sechzig": 60, "siebzig": 70,
    "achtzig": 80, "neunzig": 90,
    "veinte": 20, "treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60, "setenta": 70,
    "ochenta": 80, "noventa": 90,
    "vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60,
    "venti": 20, "trenta": 30, "quaranta": 40, "sessanta": 60, "settanta": 70, "ottanta": 80,
    "novanta": 90,
    "vinte": 20, "trinta": 30, "quarenta": 40, "cinquenta": 50, "sessenta": 60, "oitenta": 80,
}
#: Japanese has no spaces: these request words are cut from what was said ("の部屋",
#: "を再生して"), and the particle の from every phrase, before it is read as character pairs.
_JAPANESE_FILLERS = ("を再生して", "を再生", "をかけて", "を聞かせて", "聞かせて", "の部屋", "部屋",
                     "ルーム", "番組", "チャンネル", "配信", "ライブ", "の")
_TENS_DIGITS = frozenset(str(n) for n in _TENS.values())
_ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "1st": 0,
             "2nd": 1, "3rd": 2, "4th": 3, "5th": 4}


#: Spoken phrases (normalised) that name the same thing, and the one phrase both sides fold
#: to. Only true synonyms: a sub-genre is not folded into its family ("techno" is not
#: "house"), which ``FAMILIES`` handles in one direction only.
SYNONYMS: dict[str, str] = {
    "sport": "sports", "sports talk": "sports", "sports radio": "sports", "chatter": "chat",
    "hip hop": "hiphop", "rap": "hiphop",
    "stand up": "standup", "r and b": "rnb", "r n b": "rnb", "rhythm and blues": "rnb",
    "electronica": "electronic", "edm": "electronic",
    "be bop": "bebop", "lo fi": "lofi", "low fi": "lofi", "k pop": "kpop", "kay pop": "kpop",
    "drum n bass": "drum bass", "drum and bass": "drum bass", "dnb": "drum bass",
    "rock n roll": "rock roll", "rock and roll": "rock roll", "rocknroll": "rock roll",
    "phonein": "phone", "phone in": "phone", "afro beats": "afrobeats", "afrobeat": "afrobeats",
    "blue grass": "bluegrass", "st": "saint", "dr": "doctor", "mr": "mister", "mrs": "missus",
    "70s": "seventies", "seventys": "seventies", "80s": "eighties", "90s": "nineties",
    "60s": "sixties", "50s": "fifties",
}

#: A family a specific kind belongs to: asking for the family finds every member (and asks
#: back between them), asking for a member finds only that member.
FAMILIES: dict[str, str] = {
    "bebop": "jazz", "latin jazz": "jazz", "swing": "jazz",
    "techno": "electronic", "house": "electronic", "deep house": "electronic",
    "drum bass": "electronic", "trance": "electronic", "lofi": "electronic",
    "sports": "talk", "indie rock": "rock", "rock roll": "rock", "bluegrass": "folk",
    "irish folk": "folk", "opera": "classical", "gospel": "religion", "standup": "comedy",
    "true crime": "talk", "technology": "talk",
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
    words: list[str] = []
    for word in text.split():
        words.extend(_character_pairs(word) if _is_japanese(word) else [word])
    return words


def _is_japanese(word: str) -> bool:
    return any("\u3040" <= c <= "\u30ff" or "\u4e00" <= c <= "\u9fff" for c in word)


def _character_pairs(word: str) -> list[str]:
    """A Japanese phrase as overlapping character pairs, the words coverage compares."""
    for filler in _JAPANESE_FILLERS:
        word = word.replace(filler, "")
    if len(word) < 2:
        return [word] if word else []
    return [word[i : i + 2] for i in range(len(word) - 1)]


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """Lower-case words without articles, fillers, possessives or spelled-out numbers."""
    plain = " ".join(_plain_words(text))
    plain = _SYNONYM_PATTERN.sub(lambda m: SYNONYMS[m.group(1)], plain)
    words = _words_to_numbers(plain.split())
    kept = [w for w in words if w not in _DROPPED]
    # all filler ("the show", "música"): then the fillers are what names it
    return " ".join(kept or [w for w in words if w not in _ARTICLES])


def ordinal_choice(spoken: str, count: int) -> int | None:
    """The index meant by "the first one", "the second", "the last one", if any."""
    for word in _plain_words(spoken):
        if word == "last" and count:
            return count - 1
        if word in _ORDINALS and _ORDINALS[word] < count:
            return _ORDINALS[word]
    return None
