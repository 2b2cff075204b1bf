"""Every locale's interaction model: shape, samples, slots, and agreement across locales."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from livestage.voice.interaction_models import INTENT_SLOTS, LOCALES, MODELS_DIR, build_model, load_samples

BUILT_INS = {f"AMAZON.{name}Intent" for name in (
    "Pause", "Resume", "Stop", "Cancel", "Help", "Fallback", "NavigateHome", "Next", "Previous",
    "StartOver", "Repeat", "LoopOn", "LoopOff", "ShuffleOn", "ShuffleOff")}


def language_model(locale: str) -> dict[str, Any]:
    data = json.loads((MODELS_DIR / f"{locale}.json").read_text(encoding="utf-8"))
    assert set(data) == {"interactionModel"}
    model: dict[str, Any] = data["interactionModel"]["languageModel"]
    return model


def intents(locale: str) -> dict[str, dict[str, Any]]:
    return {intent["name"]: intent for intent in language_model(locale)["intents"]}


def test_every_locale_has_a_model() -> None:
    assert len(LOCALES) == 17
    assert {p.stem for p in Path(MODELS_DIR).glob("*-*.json")} == set(LOCALES)


@pytest.mark.parametrize("locale", LOCALES)
def test_shape_and_invocation(locale: str) -> None:
    model = language_model(locale)
    assert set(model) == {"invocationName", "intents", "types"}
    invocation = model["invocationName"]
    assert invocation == invocation.lower() and 2 <= len(invocation.split()) <= 3 or \
        locale == "ja-JP"
    assert not re.search(r"\b(alexa|amazon|echo|launch|ask|open)\b", invocation)
    for intent in model["intents"]:
        assert set(intent) <= {"name", "samples", "slots"}, intent["name"]
    for slot_type in model["types"]:
        values = [v["name"]["value"] for v in slot_type["values"]]
        assert values and len(values) == len(set(values)), (locale, slot_type["name"])


@pytest.mark.parametrize("locale", LOCALES)
def test_every_custom_intent_has_at_least_15_samples_and_every_built_in_is_declared(
    locale: str,
) -> None:
    found = intents(locale)
    assert BUILT_INS <= found.keys()
    for name in INTENT_SLOTS:
        samples = found[name]["samples"]
        assert len(samples) >= 15, (locale, name, len(samples))
        assert len(samples) == len({s.casefold() for s in samples}), (locale, name)


@pytest.mark.parametrize("locale", LOCALES)
def test_no_sample_is_shared_by_two_intents(locale: str) -> None:
    counts = Counter(s.casefold().strip() for i in intents(locale).values() for s in i["samples"])
    assert [sample for sample, n in counts.items() if n > 1] == []


@pytest.mark.parametrize("locale", LOCALES)
def test_samples_use_declared_slots_and_no_punctuation_alexa_rejects(locale: str) -> None:
    for name, intent in intents(locale).items():
        declared = {slot["name"] for slot in intent.get("slots", [])}
        used: set[str] = set()
        for sample in intent["samples"]:
            slots = set(re.findall(r"\{(\w+)\}", sample))
            assert slots <= declared, (locale, sample)
            used |= slots
            assert not re.search(r"[.?!,;:\"()\[\]]", sample), (locale, sample)
            assert sample == sample.strip() and "  " not in sample, (locale, sample)
            if "message" in slots:  # AMAZON.SearchQuery needs a carrier phrase
                assert sample.strip() != "{message}", (locale, sample)
        assert used == declared, (locale, name, declared - used)


def test_slot_names_and_types_agree_across_locales() -> None:
    reference = {name: i.get("slots", []) for name, i in intents("en-US").items()}
    for locale in LOCALES:
        assert {name: i.get("slots", []) for name, i in intents(locale).items()} == reference, locale
        types = {t["name"] for t in language_model(locale)["types"]}
        assert types == {"ROOM_NAME", "GENRE", "HOST_NAME"}, locale


@pytest.mark.parametrize("locale", LOCALES)
def test_the_files_are_built_from_their_sample_sources(locale: str) -> None:
    built = build_model(load_samples(locale))["interactionModel"]["languageModel"]
    stored = language_model(locale)
    assert stored["invocationName"] == built["invocationName"]
    assert stored["intents"] == built["intents"]
    for built_type, stored_type in zip(built["types"], stored["types"], strict=True):
        assert {v["name"]["value"] for v in built_type["values"]} <= {
            v["name"]["value"] for v in stored_type["values"]}


@pytest.mark.parametrize("locale", ["de-DE", "es-ES", "fr-FR", "it-IT", "ja-JP", "nl-NL", "pt-BR",
                                    "hi-IN", "ar-SA"])
def test_other_languages_are_written_in_their_language_not_copied_from_english(locale: str) -> None:
    english = {s for i in intents("en-US").values() for s in i["samples"]}
    own = [s for i in intents(locale).values() for s in i["samples"] if s != "{room}"]
    assert len(set(own) & english) <= 2, locale


def test_english_variants_share_en_us_samples_and_add_regional_ones() -> None:
    us = intents("en-US")
    for locale in ("en-AU", "en-CA", "en-GB", "en-IN"):
        variant = intents(locale)
        for name, intent in us.items():
            assert set(intent["samples"]) <= set(variant[name]["samples"]), (locale, name)
    assert "play the last {room} programme" in intents("en-GB")["ReplayIntent"]["samples"]


MANIFEST: dict[str, Any] = json.loads((MODELS_DIR / "skill.json").read_text("utf-8"))["manifest"]


def test_the_manifest_declares_audio_player_apl_and_the_reminders_permission() -> None:
    interfaces = {i["type"]: i for i in MANIFEST["apis"]["custom"]["interfaces"]}
    assert {"AUDIO_PLAYER", "ALEXA_PRESENTATION_APL"} <= interfaces.keys()
    assert interfaces["ALEXA_PRESENTATION_APL"]["supportedViewports"]
    assert {"name": "alexa::alerts:reminders:skill:readwrite"} in MANIFEST["permissions"]
    assert MANIFEST["apis"]["custom"]["endpoint"]["uri"].startswith("https://")


@pytest.mark.parametrize("locale", LOCALES)
def test_the_manifest_publishes_every_locale_under_its_invocation_name(locale: str) -> None:
    published = MANIFEST["publishingInformation"]["locales"][locale]
    assert published["name"] and published["summary"] and published["description"]
    assert 1 <= len(published["examplePhrases"]) <= 3 and published["keywords"]
    invocation = language_model(locale)["invocationName"]
    for phrase in published["examplePhrases"]:
        assert invocation in phrase.casefold(), (locale, phrase)
    assert locale in MANIFEST["privacyAndCompliance"]["locales"]
    assert locale.split("-")[1] in MANIFEST["publishingInformation"]["distributionCountries"]


def test_english_example_phrases_resolve_to_intents() -> None:
    from livestage.voice.simulator import resolve_utterance

    model = json.loads((MODELS_DIR / "en-US.json").read_text("utf-8"))
    heard = [resolve_utterance(p.removeprefix("Alexa, "), model)
             for p in MANIFEST["publishingInformation"]["locales"]["en-US"]["examplePhrases"]]
    assert [(h.request_type, h.intent_name) for h in heard] == [
        ("LaunchRequest", None), ("IntentRequest", "JoinRoomIntent"),
        ("IntentRequest", "ScheduleIntent")]
