"""Icecast ``ice-*`` headers as room metadata, where the room has none of its own.

``ice-name`` fills an empty title, ``ice-description`` an empty description and
``ice-genre`` an empty genre; a field the host has set is never overwritten by a
tool's setting. ``ice-public`` is deliberately ignored: a room's privacy is the
host's decision in the room API, and streaming tools send ``ice-public: 0`` by
default (ffmpeg, BUTT, Mixxx unless ticked), which must neither hide a public room
nor expose a private one. Only the host's connection is read, never a co-host's.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

from room_directory.fields import TEXT_LIMITS

#: header → room field it fills
ICE_FIELDS = {"ice-name": "title", "ice-description": "description", "ice-genre": "genre"}


def _header_text(raw: str) -> str:
    """Header text as sent: WSGI hands headers over as latin-1; most tools send UTF-8."""
    try:
        text = raw.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        text = raw
    return unicodedata.normalize("NFC", text).strip()


def _clean(value: str, limit: int) -> str | None:
    text = _header_text(value)
    if not text or any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text):
        return None
    return text[:limit].strip()


def metadata_updates(current: Mapping[str, str], headers: Mapping[str, str]) -> dict[str, str]:
    """The room fields to fill from ``headers``: only fields empty in ``current``, only clean text."""
    lowered = {k.lower(): v for k, v in headers.items()}
    updates: dict[str, str] = {}
    for header, name in ICE_FIELDS.items():
        raw = lowered.get(header)
        if raw is None or current.get(name):
            continue
        text = _clean(raw, TEXT_LIMITS[name])
        if text:
            updates[name] = text
    return updates
