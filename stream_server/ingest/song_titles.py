"""Song titles as performers' tools send them, made into clean (title, artist) pairs.

Tools send a title in Icecast's ``/admin/metadata`` query (``song``, or ``title`` and
``artist``, in the ``charset`` they name) or inside the stream (Vorbis comments of each
chained Ogg stream). Without a charset, UTF-8 is tried first and Latin-1 is the fallback
(Icecast's default for MP3 mounts). A ``song`` of the usual "Artist - Title" form is split
at its first " - ".
"""

from __future__ import annotations

import codecs
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl

#: longest title or artist kept (characters)
MAX_TEXT = 200
#: between artist and title in a ``song`` string
SONG_SEPARATOR = " - "


@dataclass(frozen=True, slots=True)
class SongTitle:
    """What a tool says is playing: a title and, when it sent one, the artist."""

    title: str
    artist: str = ""


def clean_text(text: str) -> str:
    """NFC text without control characters, runs of blanks made one space, at most ``MAX_TEXT`` long."""
    text = unicodedata.normalize("NFC", text)
    kept = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in text)
    return " ".join(kept.split())[:MAX_TEXT].strip()


def song_title(song: str = "", title: str = "", artist: str = "") -> SongTitle | None:
    """The (title, artist) of a tool's fields; None when they say nothing."""
    title, artist, song = clean_text(title), clean_text(artist), clean_text(song)
    if title:
        return SongTitle(title, artist)
    if not song:
        return None
    if not artist and SONG_SEPARATOR in song:
        before, _, after = song.partition(SONG_SEPARATOR)
        if before.strip() and after.strip():
            return SongTitle(after.strip(), before.strip())
    return SongTitle(song, artist)


def _decode(raw: bytes, charset: str | None) -> str:
    if charset:
        try:
            return raw.decode(codecs.lookup(charset).name, errors="replace")
        except (LookupError, ValueError):  # unknown, not text, a NUL in its name, or idna (strict)
            pass
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def query_fields(query_string: bytes) -> dict[str, str]:
    """The fields of an ``/admin/metadata`` query, decoded in the charset it names."""
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True, encoding="latin-1")
    raw = {name.lower(): value.encode("latin-1") for name, value in pairs}
    charset = raw.get("charset", b"").decode("ascii", errors="ignore").strip() or None
    return {name: _decode(value, charset) for name, value in raw.items()}


def from_vorbis_comments(comments: Mapping[str, str]) -> SongTitle | None:
    """The song named by an Ogg stream's comments (``TITLE``, ``ARTIST``), if any."""
    lowered = {k.lower(): v for k, v in comments.items()}
    return song_title(title=lowered.get("title", ""), artist=lowered.get("artist", ""))
