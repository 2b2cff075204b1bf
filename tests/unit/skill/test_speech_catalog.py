"""Speech is data: the catalogs, the locale fallback and what handlers may say."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest

from skill.core.speech import MissingSpeech, Speech, locale_chain
from skill.storage.catalogs import speech_for_locale

SKILL_DIR = Path(__file__).resolve().parents[3] / "skill"
CATALOG = json.loads((SKILL_DIR / "catalogs" / "en-US.json").read_text(encoding="utf-8"))


def keys_used_in_code() -> set[str]:
    """Keys passed to say/template, chosen as ``key = "..."`` / ``"..." if``, or table values."""
    keys: set[str] = set()
    for path in SKILL_DIR.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        keys |= set(re.findall(r"""\.(?:say|template)\(\s*["']([a-z_]+)["']""", text))
        keys |= set(re.findall(r"""key = ["']([a-z_]+)["']""", text))
        keys |= set(re.findall(r"""["']([a-z_]+)["'] if """, text))
        keys |= set(re.findall(r"""else ["']([a-z_]+)["']""", text))
        keys |= set(re.findall(r"""speech, ["']([a-z_]+)["']""", text))
        keys |= set(re.findall(r""":\s*["']([a-z_]+_not_live)["']""", text))
    return keys


def test_every_key_a_handler_says_is_in_the_catalog() -> None:
    used = keys_used_in_code()
    assert {"joining", "loop_not_live", "follow_already", "clock_hour"} <= used  # the scan works
    assert used - CATALOG.keys() - {"replay", "live"} == set()  # offer kinds


def test_every_sentence_in_the_catalog_is_used() -> None:
    assert CATALOG.keys() - keys_used_in_code() == set()


@pytest.mark.parametrize(
    ("locale", "chain"),
    [("en-GB", ("en-GB", "en-US")), ("en-US", ("en-US",)), (None, ("en-US",)),
     ("de-DE", ("de-DE", "en-US")), ("es-MX", ("es-MX", "es-ES", "en-US")),
     ("fr-CA", ("fr-CA", "fr-FR", "en-US")), ("sv-SE", ("sv-SE", "sv", "en-US"))],
    ids=["regional-english", "default", "no-locale", "other-language", "regional-spanish",
         "regional-french", "unknown-language"],
)
def test_locale_chain(locale: str | None, chain: tuple[str, ...]) -> None:
    assert locale_chain(locale) == chain


def test_a_locale_without_a_catalog_falls_back_to_en_us() -> None:
    assert speech_for_locale("sv-SE").say("joining", title="X") == "Joining X."
    assert speech_for_locale("en-GB").say("joining", title="X") == "Joining X."


def test_a_regional_catalog_overrides_key_by_key() -> None:
    speech = Speech("en-GB", ({"joining": "Off to {title}."}, CATALOG))
    assert speech.say("joining", title="X") == "Off to X."
    assert speech.say("error") == CATALOG["error"]


def test_values_are_escaped_for_ssml() -> None:
    said = speech_for_locale("en-US").say("joining", title="Rock & <Roll>")
    assert said == "Joining Rock &amp; &lt;Roll&gt;."


def test_an_unknown_key_is_a_clear_error() -> None:
    with pytest.raises(MissingSpeech):
        speech_for_locale("en-US").say("no_such_sentence")


@pytest.mark.parametrize(
    ("titles", "expected"),
    [(["A"], "A"), (["A", "B"], "A and B"), (["A", "B", "C"], "A, B, and C"),
     (["A", "B", "C", "D", "E"], "A, B, C, and 2 more")],
    ids=["one", "two", "three", "more-than-three"],
)
def test_titles_are_listed_naturally(titles: list[str], expected: str) -> None:
    assert speech_for_locale("en-US").titles(titles, limit=3) == expected


def test_placeholders_are_plain_names() -> None:
    for key, sentence in CATALOG.items():
        names = [name for _, name, _, _ in string.Formatter().parse(sentence) if name]
        assert all(re.fullmatch(r"[a-z0-9]+", name) for name in names), key


LOCALES = ("ar-SA", "de-DE", "en-AU", "en-CA", "en-GB", "en-IN", "en-US", "es-ES", "es-MX",
           "es-US", "fr-CA", "fr-FR", "hi-IN", "it-IT", "ja-JP", "nl-NL", "pt-BR")


def catalog(name: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((SKILL_DIR / "catalogs" / f"{name}.json").read_text("utf-8"))
    return data


@pytest.mark.parametrize("locale", LOCALES)
def test_every_locale_has_a_catalog_whose_keys_and_placeholders_match_en_us(locale: str) -> None:
    own = catalog(locale)
    assert own, locale
    assert own.keys() <= CATALOG.keys(), own.keys() - CATALOG.keys()
    for key, sentence in own.items():
        names = {n for _, n, _, _ in string.Formatter().parse(sentence) if n}
        expected = {n for _, n, _, _ in string.Formatter().parse(CATALOG[key]) if n}
        if key.startswith("clock"):
            expected = {"h12", "h24", "mm", "ampm"}
        assert names <= expected, (locale, key, names - expected)
        assert {"title", "rooms", "spoken", "host", "choices"} & expected <= names or \
            key.startswith(("clock", "when_")), (locale, key)


@pytest.mark.parametrize("locale", ["ar-SA", "de-DE", "es-ES", "fr-FR", "hi-IN", "it-IT",
                                    "ja-JP", "nl-NL", "pt-BR"])
def test_other_languages_say_everything_in_their_own_words(locale: str) -> None:
    own = catalog(locale)
    assert own.keys() == CATALOG.keys()
    english = [k for k, v in own.items()
               if v == CATALOG[k] and re.search(r"[A-Za-z]{4}", re.sub(r"\{\w+\}", "", v))]
    assert english == [], (locale, english)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_locale_can_say_every_sentence(locale: str) -> None:
    speech = speech_for_locale(locale)
    for key, sentence in CATALOG.items():
        names = {n for _, n, _, _ in string.Formatter().parse(sentence) if n}
        if key.startswith("clock"):
            names |= {"h12", "h24", "mm", "ampm"}
        said = speech.say(key, **{n: "1" for n in names})
        assert "{" not in said, (locale, key)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_locale_speaks_start_times(locale: str) -> None:
    from skill.core.schedule_words import spoken_time

    now = 1_790_000_000.0  # a Tuesday, 14:13 UTC
    speech = speech_for_locale(locale)
    for ahead in (3 * 3600, 30 * 3600, 4 * 86400, 20 * 86400):
        said = spoken_time(now + ahead, now, speech)
        assert said and "{" not in said, (locale, ahead)
