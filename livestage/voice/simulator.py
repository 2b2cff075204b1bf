"""An offline Alexa: turn typed text into the request envelope Alexa would send.

``resolve_utterance`` maps text to (request type, intent, slots) with the interaction
model: every sample becomes an anchored regular expression whose ``{slot}`` parts are
capture groups, and the most specific match wins (the one with the most literal text,
so "join the {room} room" beats "join {room}" and the bare "{room}" comes last). A
small table stands in for the phrases Amazon's built-in intents understand. "open live
stage" or nothing at all is a LaunchRequest; "ask live stage to ..." and "tell live
stage to ..." drop the invocation. ``build_envelope`` wraps the result in a real
request envelope; ``simulate`` runs it through a skill.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill import CustomSkill
from ask_sdk_model import RequestEnvelope, ResponseEnvelope

from livestage.voice.interaction_models import MODELS_DIR
from livestage.voice.slot_values import resolve_slot

#: The interaction model shipped with the repository (used when none is given).
DEFAULT_MODEL_PATH = MODELS_DIR / "en-US.json"

#: What Amazon's built-in intents understand without samples (a small, honest subset).
BUILTIN_PHRASES: Mapping[str, str] = {
    "pause": "AMAZON.PauseIntent",
    "pause it": "AMAZON.PauseIntent",
    "resume": "AMAZON.ResumeIntent",
    "continue": "AMAZON.ResumeIntent",
    "keep playing": "AMAZON.ResumeIntent",
    "stop": "AMAZON.StopIntent",
    "off": "AMAZON.StopIntent",
    "shut up": "AMAZON.StopIntent",
    "cancel": "AMAZON.CancelIntent",
    "never mind": "AMAZON.CancelIntent",
    "help": "AMAZON.HelpIntent",
    "help me": "AMAZON.HelpIntent",
    "next": "AMAZON.NextIntent",
    "skip": "AMAZON.NextIntent",
    "next song": "AMAZON.NextIntent",
    "previous": "AMAZON.PreviousIntent",
    "go back": "AMAZON.PreviousIntent",
    "start over": "AMAZON.StartOverIntent",
    "restart": "AMAZON.StartOverIntent",
    "repeat": "AMAZON.RepeatIntent",
    "say that again": "AMAZON.RepeatIntent",
    "loop": "AMAZON.LoopOnIntent",
    "loop on": "AMAZON.LoopOnIntent",
    "loop off": "AMAZON.LoopOffIntent",
    "stop looping": "AMAZON.LoopOffIntent",
    "shuffle": "AMAZON.ShuffleOnIntent",
    "shuffle on": "AMAZON.ShuffleOnIntent",
    "shuffle off": "AMAZON.ShuffleOffIntent",
    "stop shuffling": "AMAZON.ShuffleOffIntent",
    "go home": "AMAZON.NavigateHomeIntent",
    "home": "AMAZON.NavigateHomeIntent",
}

#: Short names ``--permissions`` accepts, and the scope each grants.
PERMISSION_SCOPES: Mapping[str, str] = {
    "reminders": "alexa::alerts:reminders:skill:readwrite",
    "notifications": "alexa::devices:all:notifications:write",
}
#: The user of simulated requests unless another is named.
SIMULATOR_USER_ID = "amzn1.ask.account.simulator"
#: Where simulated requests say Alexa's APIs are, unless another endpoint is named.
DEFAULT_API_ENDPOINT = "https://api.amazonalexa.com"

#: The application id of simulated requests when the skill has none configured.
SIMULATOR_APPLICATION_ID = "amzn1.ask.skill.livestage-simulator"

_LAUNCH_VERBS = ("open", "launch", "start", "begin", "run", "load", "ask", "tell",
                 "öffne", "starte", "abre", "inicia", "ouvre", "lance", "apri", "avvia", "abra",
                 "open", "start", "खोलो", "افتح")
#: Launch words said after the invocation name (Japanese, Hindi word order).
_LAUNCH_SUFFIXES = ("を開いて", "を起動して", "खोलो", "शुरू करो")
_ONE_SHOT_VERBS = ("ask", "tell", "frag", "sag", "pide a", "demande à", "chiedi a", "pede para o",
                   "vraag")
_ONE_SHOT_JOINERS = ("to", "for", "about", "and", "nach", "que", "de", "di", "om")


class Resolution(NamedTuple):
    """What Alexa understood: the request type, the intent (if any) and its slot values."""

    request_type: str
    intent_name: str | None
    slots: dict[str, str]


@dataclass(frozen=True)
class _Pattern:
    intent: str
    regex: re.Pattern[str]
    literal_length: int


def load_interaction_model(path: Path | None = None) -> dict[str, Any]:
    """Read an interaction model file (default: ``interaction_models/en-US.json``)."""
    data: dict[str, Any] = json.loads((path or DEFAULT_MODEL_PATH).read_text(encoding="utf-8"))
    return data


def _language_model(model: Mapping[str, Any]) -> Mapping[str, Any]:
    language_model: Mapping[str, Any] = model["interactionModel"]["languageModel"]
    return language_model


def _clean(text: str) -> str:
    text = text.lower().replace("’", "'")
    text = re.sub(r"[^\w' ]+", " ", text)
    return " ".join(text.split())


def sample_pattern(sample: str) -> tuple[re.Pattern[str], int]:
    """An anchored regex for one sample (slots become named groups) and its literal length."""
    pieces: list[str] = []
    literal = 0
    for index, part in enumerate(re.split(r"\{(\w+)\}", sample)):
        if index % 2:
            pieces.append(f"(?P<{part}>.+?)")
        elif words := _clean(part):
            pieces.append(re.escape(words))
            literal += len(words)
    return re.compile("^" + " ?".join(pieces) + "$"), literal


@lru_cache(maxsize=8)
def _patterns(model_json: str) -> tuple[_Pattern, ...]:
    intents = _language_model(json.loads(model_json))["intents"]
    patterns = []
    for intent in intents:
        for sample in intent.get("samples", []):
            regex, literal = sample_pattern(sample)
            patterns.append(_Pattern(intent["name"], regex, literal))
    return tuple(sorted(patterns, key=lambda p: -p.literal_length))


def _strip_invocation(text: str, invocation: str) -> str | None:
    """The request inside a one-shot ("ask live stage to X" -> "X"); "" means a launch."""
    text = "" if text == "alexa" else text.removeprefix("alexa ")
    launches = {"", invocation} | {f"{verb} {invocation}" for verb in _LAUNCH_VERBS}
    launches |= {f"{invocation}{suffix}" for suffix in _LAUNCH_SUFFIXES}
    launches |= {f"{invocation} {suffix}" for suffix in _LAUNCH_SUFFIXES}
    if text in launches:
        return ""
    for verb in _ONE_SHOT_VERBS:
        prefix = f"{verb} {invocation} "
        if text.startswith(prefix):
            rest = text.removeprefix(prefix)
            joiner, _, remainder = rest.partition(" ")
            return remainder if joiner in _ONE_SHOT_JOINERS and remainder else rest
    return None


@lru_cache(maxsize=8)
def _slot_types(model_json: str) -> dict[tuple[str, str], str]:
    intents = _language_model(json.loads(model_json))["intents"]
    return {(intent["name"], slot["name"]): slot["type"]
            for intent in intents for slot in intent.get("slots", [])}


def resolve_utterance(text: str, model: Mapping[str, Any], *, locale: str = "en-US",
                      today: date | None = None) -> Resolution:
    """Map typed text to what Alexa would send, using the interaction model.

    Built-in slot types (dates, times, numbers, durations) are resolved as Alexa resolves
    them in ``locale``, relative to ``today`` (default: today in UTC).
    """
    invocation = _clean(_language_model(model)["invocationName"])
    cleaned = _clean(text)
    inner = _strip_invocation(cleaned, invocation)
    if inner == "":
        return Resolution("LaunchRequest", None, {})
    utterance = cleaned if inner is None else inner
    utterance = utterance.removesuffix(" please").strip()
    if utterance in BUILTIN_PHRASES:
        return Resolution("IntentRequest", BUILTIN_PHRASES[utterance], {})
    model_json = json.dumps(model, sort_keys=True)
    day = today or datetime.now(UTC).date()
    for pattern in _patterns(model_json):
        found = pattern.regex.match(utterance)
        if found:
            types = _slot_types(model_json)
            slots = {name: resolve_slot(types.get((pattern.intent, name), ""), value.strip(),
                                        locale=locale, today=day)
                     for name, value in found.groupdict().items()}
            return Resolution("IntentRequest", pattern.intent, slots)
    return Resolution("IntentRequest", "AMAZON.FallbackIntent", {})


def build_envelope(
    resolution: Resolution,
    *,
    now: datetime,
    locale: str = "en-US",
    application_id: str = SIMULATOR_APPLICATION_ID,
    audio_token: str | None = None,
    session_attributes: Mapping[str, Any] | None = None,
    supports_audio: bool = True,
    session_id: str | None = None,
    new_session: bool | None = None,
    offset_ms: int = 0,
    player_activity: str = "STOPPED",
    user_id: str = SIMULATOR_USER_ID,
    supports_screen: bool = False,
    permissions: tuple[str, ...] = (),
    api_endpoint: str = DEFAULT_API_ENDPOINT,
) -> dict[str, Any]:
    """The JSON request envelope Alexa would send for ``resolution`` at ``now``.

    ``permissions`` (short names of ``PERMISSION_SCOPES`` or whole scopes) are granted:
    the user carries a consent token and those scopes, as after consent in the Alexa app.
    """
    application = {"applicationId": application_id}
    user: dict[str, Any] = {"userId": user_id}
    if permissions:
        user["permissions"] = {
            "consentToken": "simulator-consent",
            "scopes": {PERMISSION_SCOPES.get(name, name): {"status": "GRANTED"}
                       for name in permissions}}
    interfaces: dict[str, Any] = {"AudioPlayer": {}} if supports_audio else {}
    if supports_screen:
        interfaces["Alexa.Presentation.APL"] = {"runtime": {"maxVersion": "2023.3"}}
    player: dict[str, Any] = {"playerActivity": "IDLE"}
    if audio_token:
        player = {"token": audio_token, "offsetInMilliseconds": offset_ms,
                  "playerActivity": player_activity}
    request: dict[str, Any] = {
        "type": resolution.request_type,
        "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
        "timestamp": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "locale": locale,
    }
    if resolution.request_type == "IntentRequest":
        request["intent"] = {
            "name": resolution.intent_name,
            "confirmationStatus": "NONE",
            "slots": {
                name: {"name": name, "value": value, "confirmationStatus": "NONE", "source": "USER"}
                for name, value in resolution.slots.items()
            },
        }
    return {
        "version": "1.0",
        "session": {
            "new": not session_attributes if new_session is None else new_session,
            "sessionId": session_id or f"amzn1.echo-api.session.{uuid.uuid4()}",
            "application": application,
            "attributes": dict(session_attributes or {}),
            "user": user,
        },
        "context": {
            "System": {
                "application": application,
                "user": user,
                "device": {
                    "deviceId": "amzn1.ask.device.simulator",
                    "supportedInterfaces": interfaces,
                },
                "apiEndpoint": api_endpoint,
                "apiAccessToken": "simulator",
            },
            "AudioPlayer": player,
        },
        "request": request,
    }


def simulate(
    text: str,
    skill: CustomSkill,
    model: Mapping[str, Any],
    *,
    now: datetime,
    locale: str = "en-US",
    audio_token: str | None = None,
    application_id: str | None = None,
) -> tuple[Resolution, ResponseEnvelope]:
    """Resolve ``text``, send the envelope through ``skill`` and return its response."""
    resolution = resolve_utterance(text, model, locale=locale, today=now.astimezone(UTC).date())
    envelope = build_envelope(
        resolution,
        now=now,
        locale=locale,
        audio_token=audio_token,
        application_id=application_id or skill.skill_id or SIMULATOR_APPLICATION_ID,
    )
    serializer = DefaultSerializer()
    request = serializer.deserialize(json.dumps(envelope), RequestEnvelope)
    response: ResponseEnvelope = skill.invoke(request_envelope=request, context=None)
    return resolution, response
