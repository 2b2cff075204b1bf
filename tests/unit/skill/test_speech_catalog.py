"""Speech is data: the catalogs, the locale fallback and what handlers may say."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest

from skill.speech import MissingSpeech, Speech, locale_chain, speech_for_locale

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
    [("en-GB", ("en-GB", "en", "en-US")), ("en-US", ("en-US", "en")), (None, ("en-US",)),
     ("de-DE", ("de-DE", "de", "en-US"))],
    ids=["regional-english", "default", "no-locale", "other-language"],
)
def test_locale_chain(locale: str | None, chain: tuple[str, ...]) -> None:
    assert locale_chain(locale) == chain


def test_a_locale_without_a_catalog_falls_back_to_en_us() -> None:
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
