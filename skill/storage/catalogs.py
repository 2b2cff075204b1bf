"""The speech catalogs shipped in ``skill/catalogs/<locale>.json``, read once per process.

A locale's ``Speech`` holds the catalogs of its fallback chain (``locale_chain``) that
exist; a missing regional catalog is simply skipped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache, lru_cache
from importlib import resources

from skill.core.speech import DEFAULT_LOCALE, Speech, locale_chain


@cache
def _catalog(name: str) -> Mapping[str, str] | None:
    path = resources.files("skill").joinpath("catalogs", f"{name}.json")
    if not path.is_file():
        return None
    data: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return data


@lru_cache(maxsize=32)
def speech_for_locale(locale: str | None) -> Speech:
    """The speech of ``locale``, falling back to ``en-US`` for what it lacks."""
    names = locale_chain(locale)
    catalogs = tuple(c for c in (_catalog(name) for name in names) if c is not None)
    return Speech(locale=locale or DEFAULT_LOCALE, catalogs=catalogs)


def catalog_locales() -> list[str]:
    """Every locale the skill has a speech catalog for (the locales it is published in)."""
    folder = resources.files("skill") / "catalogs"
    return sorted(entry.name.removesuffix(".json") for entry in folder.iterdir()
                  if entry.name.endswith(".json"))
