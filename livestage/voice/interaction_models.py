"""Interaction models: one per locale, built from per-language sample files.

``interaction_models/samples/<language>.json`` holds how people of a language ask (the
invocation name, samples per intent, built-ins, slot values); an optional
``samples/<locale>.json`` adds regional phrasing (en-GB's "programme"). The intents and
their slots are the same in every locale and are declared once here (``INTENT_SLOTS``).
``build_model`` is pure; ``write_models`` writes ``interaction_models/<locale>.json``,
with the room and host names of a directory merged into the slot values (what
``livestage models sync`` does).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from room_directory import Room

#: Where the models and their sample sources live.
MODELS_DIR = Path(__file__).resolve().parents[2] / "interaction_models"

#: Every Alexa locale the skill is published in.
LOCALES = (
    "ar-SA", "de-DE", "en-AU", "en-CA", "en-GB", "en-IN", "en-US", "es-ES", "es-MX", "es-US",
    "fr-CA", "fr-FR", "hi-IN", "it-IT", "ja-JP", "nl-NL", "pt-BR",
)

#: The custom intents and their slots (name, type), identical across locales.
INTENT_SLOTS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "JoinRoomIntent": (("room", "ROOM_NAME"),),
    "WhatsLiveIntent": (("genre", "GENRE"),),
    "MoreIntent": (),
    "NowPlayingIntent": (),
    "ScheduleIntent": (("date", "AMAZON.DATE"),),
    "RemindIntent": (("room", "ROOM_NAME"),),
    "ReplayIntent": (("room", "ROOM_NAME"),),
    "JoinCodeIntent": (("code", "AMAZON.FOUR_DIGIT_NUMBER"),),
    "FollowIntent": (("host", "HOST_NAME"),),
    "UnfollowIntent": (("host", "HOST_NAME"),),
    "FollowsIntent": (),
    "MessageHostIntent": (("message", "AMAZON.SearchQuery"),),
    "RaiseHandIntent": (("room", "ROOM_NAME"),),
}

#: Built-ins every model declares, sampled or not: the skill asks yes-or-no questions
#: ("Would you like to join?"), and without these Alexa hears "yes" as a room name.
REQUIRED_BUILTINS = ("AMAZON.HelpIntent", "AMAZON.YesIntent", "AMAZON.NoIntent")

#: Most values a custom slot type may list here (Alexa allows far more; keep models small).
MAX_SLOT_VALUES = 1000


def language_of(locale: str) -> str:
    """``en-GB`` → ``en``."""
    return locale.split("-", 1)[0]


def load_samples(locale: str, models_dir: Path = MODELS_DIR) -> dict[str, Any]:
    """The language's samples with the locale's additions merged in."""
    samples_dir = models_dir / "samples"
    base: dict[str, Any] = json.loads(
        (samples_dir / f"{language_of(locale)}.json").read_text(encoding="utf-8"))
    regional = samples_dir / f"{locale}.json"
    if regional.is_file():
        extra = json.loads(regional.read_text(encoding="utf-8"))
        for intent, samples in extra.get("intents", {}).items():
            base["intents"][intent] = list(dict.fromkeys([*base["intents"][intent], *samples]))
        for slot_type, values in extra.get("types", {}).items():
            base["types"][slot_type] = list(dict.fromkeys([*base["types"][slot_type], *values]))
    return base


def _values(names: Iterable[str]) -> list[dict[str, Any]]:
    unique = list(dict.fromkeys(" ".join(n.split()) for n in names if n and n.strip()))
    return [{"name": {"value": name}} for name in unique[:MAX_SLOT_VALUES]]


def build_model(samples: Mapping[str, Any], rooms: Sequence[Room] = ()) -> dict[str, Any]:
    """The interaction model JSON of one locale; ``rooms`` add their names to the slot values."""
    intents: list[dict[str, Any]] = []
    for name, slots in INTENT_SLOTS.items():
        intent: dict[str, Any] = {"name": name, "samples": list(samples["intents"][name])}
        if slots:
            intent["slots"] = [{"name": slot, "type": slot_type} for slot, slot_type in slots]
        intents.append(intent)
    for name in samples["builtins"]:
        intents.append({"name": name, "samples": list(samples["intents"].get(name, []))})
    for name in REQUIRED_BUILTINS:
        if name not in samples["builtins"]:
            intents.append({"name": name, "samples": list(samples["intents"].get(name, []))})
    public = [room for room in rooms if not room.private]
    room_names = [*samples["types"]["ROOM_NAME"],
                  *(name for room in public for name in (room.title, room.genre, *room.topics))]
    hosts = [*samples["types"]["HOST_NAME"], *(room.host for room in public)]
    return {
        "interactionModel": {
            "languageModel": {
                "invocationName": samples["invocationName"],
                "intents": intents,
                "types": [
                    {"name": "ROOM_NAME", "values": _values(room_names)},
                    {"name": "GENRE", "values": _values(samples["types"]["GENRE"])},
                    {"name": "HOST_NAME", "values": _values(hosts)},
                ],
            }
        }
    }


def write_models(rooms: Sequence[Room] = (), models_dir: Path = MODELS_DIR,
                 locales: Sequence[str] = LOCALES) -> list[Path]:
    """Write ``<locale>.json`` for every locale; return the paths written."""
    written = []
    for locale in locales:
        model = build_model(load_samples(locale, models_dir), rooms)
        path = models_dir / f"{locale}.json"
        path.write_text(json.dumps(model, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written
