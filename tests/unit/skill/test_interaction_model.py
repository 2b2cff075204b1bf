"""The en-US interaction model and the skill manifest."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

MODELS = Path(__file__).resolve().parents[3] / "interaction_models"
MODEL: dict[str, Any] = json.loads((MODELS / "en-US.json").read_text(encoding="utf-8"))
LANGUAGE_MODEL = MODEL["interactionModel"]["languageModel"]
INTENTS = {intent["name"]: intent for intent in LANGUAGE_MODEL["intents"]}

REQUIRED_BUILT_INS = {
    f"AMAZON.{name}Intent"
    for name in ("Pause", "Resume", "Stop", "Cancel", "Help", "Fallback", "NavigateHome",
                 "Next", "Previous", "StartOver", "Repeat", "LoopOn", "LoopOff", "ShuffleOn",
                 "ShuffleOff")
}


def test_invocation_name() -> None:
    assert LANGUAGE_MODEL["invocationName"] == "live stage"


def test_every_required_built_in_intent_is_declared() -> None:
    assert REQUIRED_BUILT_INS - INTENTS.keys() == set()


def test_every_intent_has_a_samples_list_and_custom_intents_have_samples() -> None:
    for name, intent in INTENTS.items():
        assert isinstance(intent["samples"], list), name
        if not name.startswith("AMAZON."):
            assert intent["samples"], name


def test_join_room_intent_has_a_room_slot_and_at_least_15_samples() -> None:
    join = INTENTS["JoinRoomIntent"]
    assert join["slots"] == [{"name": "room", "type": "ROOM_NAME"}]
    assert len(join["samples"]) >= 15
    assert all("{room}" in sample for sample in join["samples"])
    assert "{room}" in join["samples"]


def test_no_sample_is_shared_by_two_intents() -> None:
    counts = Counter(s.lower() for intent in INTENTS.values() for s in intent["samples"])
    assert [sample for sample, n in counts.items() if n > 1] == []


def test_samples_use_only_declared_slots_and_speakable_text() -> None:
    for name, intent in INTENTS.items():
        declared = {slot["name"] for slot in intent.get("slots", [])}
        for sample in intent["samples"]:
            assert set(re.findall(r"\{(\w+)\}", sample)) <= declared, sample
            assert re.fullmatch(r"[a-z' {}]+", sample), f"{name}: {sample!r}"


def test_room_name_type_lists_a_few_dozen_values() -> None:
    (room_type,) = [t for t in LANGUAGE_MODEL["types"] if t["name"] == "ROOM_NAME"]
    values = [v["name"]["value"] for v in room_type["values"]]
    assert len(values) >= 24 and len(set(values)) == len(values)
    assert {"jazz", "morning talk", "indie rock"} <= set(values)


def test_manifest_declares_the_audio_player_and_en_us_publishing() -> None:
    manifest = json.loads((MODELS / "skill.json").read_text(encoding="utf-8"))["manifest"]
    interfaces = manifest["apis"]["custom"]["interfaces"]
    assert {"type": "AUDIO_PLAYER"} in interfaces
    en_us = manifest["publishingInformation"]["locales"]["en-US"]
    assert en_us["name"] == "Live Stage"
    assert any("live stage" in phrase.lower() for phrase in en_us["examplePhrases"])
    assert manifest["apis"]["custom"]["endpoint"]["uri"].startswith("https://")
