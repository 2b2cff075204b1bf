"""Speech is data: a locale's sentences, looked up along its fallback chain.

A catalog (``skill/catalogs/<locale>.json``, read by ``skill.storage.catalogs``) maps
keys to sentences with ``{placeholders}``. Lookups fall back key by key along
``locale_chain``: the request's locale (``es-MX``, which holds only what Mexico says
differently), its language's complete catalog (``es-ES``, see ``LANGUAGE_HOMES``), then
the complete default catalog (``en-US``). Placeholder values are escaped for SSML, since
the SDK wraps speech in ``<speak>``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

#: The locale whose catalog holds every key; the last stop of every fallback chain.
DEFAULT_LOCALE = "en-US"
#: Each language's complete catalog; regional locales override it key by key.
LANGUAGE_HOMES = {
    "ar": "ar-SA", "de": "de-DE", "en": "en-US", "es": "es-ES", "fr": "fr-FR", "hi": "hi-IN",
    "it": "it-IT", "ja": "ja-JP", "nl": "nl-NL", "pt": "pt-BR",
}


class MissingSpeech(KeyError):
    """No catalog along the locale chain has this key: a bug in a catalog or a handler."""


def locale_chain(locale: str | None) -> tuple[str, ...]:
    """Catalog names to try, most specific first: ``es-MX`` → ``es-ES`` → ``en-US``."""
    chain: list[str] = []
    if locale:
        language = locale.split("-", 1)[0]
        chain += [locale, LANGUAGE_HOMES.get(language, language)]
    chain.append(DEFAULT_LOCALE)
    return tuple(dict.fromkeys(chain))


@dataclass(frozen=True)
class Speech:
    """The sentences of one locale, looked up along its fallback chain."""

    locale: str
    catalogs: tuple[Mapping[str, str], ...]

    def template(self, key: str) -> str:
        """The raw sentence for ``key``; raise ``MissingSpeech`` when no catalog has it."""
        for catalog in self.catalogs:
            if key in catalog:
                return catalog[key]
        raise MissingSpeech(f"no sentence {key!r} for locale {self.locale}")

    def say(self, key: str, /, **values: object) -> str:
        """The sentence for ``key`` with its placeholders filled (values SSML-escaped)."""
        return self.template(key).format(**{k: escape(str(v)) for k, v in values.items()})

    def titles(self, titles: Sequence[str], *, limit: int = 3) -> str:
        """``A``, ``A and B``, ``A, B, and C`` or ``A, B, C, and 2 more`` (raw text)."""
        shown = list(titles[:limit])
        hidden = len(titles) - len(shown)
        if hidden > 0:
            shown.append(self.template("list_more").format(count=hidden))
        if len(shown) <= 1:
            return "".join(shown)
        if len(shown) == 2:
            return self.template("list_pair").format(first=shown[0], second=shown[1])
        items = self.template("list_separator").join(shown[:-1])
        return self.template("list_series").format(items=items, last=shown[-1])

    def choice(self, first: str, second: str) -> str:
        """``A or B`` (raw text)."""
        return self.template("choice_pair").format(first=first, second=second)

    def options(self, titles: Sequence[str]) -> str:
        """``A``, ``A or B`` or ``A, B, or C``: every title, as a choice (raw text)."""
        if len(titles) <= 1:
            return "".join(titles)
        if len(titles) == 2:
            return self.choice(titles[0], titles[1])
        items = self.template("list_separator").join(titles[:-1])
        return self.template("choice_series").format(items=items, last=titles[-1])
