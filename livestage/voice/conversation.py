"""An offline conversation with the skill: many turns, one device, sessions as Alexa keeps them.

Each ``Conversation.say`` resolves the text with the locale's interaction model, sends
the envelope through the skill and remembers what Alexa would: the session (id and
attributes) while the skill keeps it open, and the AudioPlayer's token after a Play
(so "pause", "resume", "next" and "what am I listening to" refer to it). Audio events
can be sent too (``event``), e.g. ``PlaybackStopped`` with an offset.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill import CustomSkill
from ask_sdk_model import RequestEnvelope

from livestage.voice.interaction_models import MODELS_DIR
from livestage.voice.simulator import (
    DEFAULT_API_ENDPOINT,
    SIMULATOR_APPLICATION_ID,
    SIMULATOR_USER_ID,
    Resolution,
    build_envelope,
    load_interaction_model,
    resolve_utterance,
)


def model_for_locale(locale: str) -> dict[str, Any]:
    """The interaction model of ``locale`` (en-US when the locale has none)."""
    path = MODELS_DIR / f"{locale}.json"
    return load_interaction_model(path if path.is_file() else MODELS_DIR / "en-US.json")


@dataclass
class Turn:
    """One exchange: what was heard and the whole response envelope (JSON)."""

    resolution: Resolution
    response: dict[str, Any]

    @property
    def body(self) -> dict[str, Any]:
        """``response.response``."""
        body: dict[str, Any] = self.response.get("response", {})
        return body

    @property
    def directives(self) -> list[dict[str, Any]]:
        """The directives of the response."""
        found: list[dict[str, Any]] = self.body.get("directives", [])
        return found


@dataclass
class Conversation:
    """A device talking to ``skill`` in ``locale``."""

    skill: CustomSkill
    locale: str = "en-US"
    model: Mapping[str, Any] = field(default_factory=dict)
    supports_audio: bool = True
    audio_token: str | None = None
    offset_ms: int = 0
    #: what the device's player is doing: PLAYING after a Play, STOPPED after a Stop
    player_activity: str = "STOPPED"
    session_id: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    #: the device has a screen (it declares Alexa.Presentation.APL)
    supports_screen: bool = False
    user_id: str = SIMULATOR_USER_ID
    #: permissions the user granted (see ``simulator.PERMISSION_SCOPES``)
    permissions: tuple[str, ...] = ()
    api_endpoint: str = DEFAULT_API_ENDPOINT

    def __post_init__(self) -> None:
        if not self.model:
            self.model = model_for_locale(self.locale)

    def _send(self, envelope: dict[str, Any]) -> dict[str, Any]:
        serializer = DefaultSerializer()
        request = serializer.deserialize(json.dumps(envelope), RequestEnvelope)
        response = self.skill.invoke(request_envelope=request, context=None)
        return cast(dict[str, Any], serializer.serialize(response))

    def _follow(self, response: dict[str, Any]) -> None:
        body = response.get("response", {})
        for directive in body.get("directives", []):
            if directive.get("type") == "AudioPlayer.Play" and \
                    directive.get("playBehavior") != "ENQUEUE":
                stream = directive["audioItem"]["stream"]
                self.audio_token = stream["token"]
                self.offset_ms = int(stream.get("offsetInMilliseconds", 0))
                self.player_activity = "PLAYING"
            elif directive.get("type") in ("AudioPlayer.Stop", "AudioPlayer.ClearQueue"):
                self.player_activity = "STOPPED"

    def _device(self) -> dict[str, Any]:
        return {"player_activity": self.player_activity, "user_id": self.user_id,
                "supports_screen": self.supports_screen, "permissions": self.permissions,
                "api_endpoint": self.api_endpoint}

    def say(self, text: str, *, now: datetime | None = None) -> Turn:
        """Say ``text``; keep the session open or closed as the skill asks."""
        moment = now or datetime.now(UTC)
        resolution = resolve_utterance(text, self.model, locale=self.locale,
                                       today=moment.astimezone(UTC).date())
        new = self.session_id is None
        if new:
            self.session_id = f"amzn1.echo-api.session.{uuid.uuid4()}"
            self.attributes = {}
        envelope = build_envelope(
            resolution, now=moment, locale=self.locale,
            application_id=self.skill.skill_id or SIMULATOR_APPLICATION_ID,
            audio_token=self.audio_token, session_attributes=self.attributes,
            supports_audio=self.supports_audio, session_id=self.session_id, new_session=new,
            offset_ms=self.offset_ms, **self._device(),
        )
        response = self._send(envelope)
        if response.get("response", {}).get("shouldEndSession", False) is not False \
                or resolution.request_type == "SessionEndedRequest":
            self.session_id = None
            self.attributes = {}
        else:
            self.attributes = dict(response.get("sessionAttributes") or {})
        self._follow(response)
        return Turn(resolution, response)

    def event_request(self, request_type: str, fields: Mapping[str, Any] | None = None, *,
                      now: datetime | None = None) -> Turn:
        """Send a sessionless request of ``request_type`` (e.g. a skill event) for this user."""
        envelope = build_envelope(
            Resolution(request_type, None, {}), now=now or datetime.now(UTC), locale=self.locale,
            application_id=self.skill.skill_id or SIMULATOR_APPLICATION_ID,
            audio_token=self.audio_token, supports_audio=self.supports_audio,
            offset_ms=self.offset_ms, **self._device(),
        )
        del envelope["session"]
        envelope["request"].update(fields or {})
        response = self._send(envelope)
        return Turn(Resolution(request_type, None, {}), response)

    def event(self, name: str, *, offset_ms: int | None = None,
              now: datetime | None = None) -> Turn:
        """Send ``AudioPlayer.<name>`` for the current token (no session), as a device would."""
        if offset_ms is not None:
            self.offset_ms = offset_ms
        if name in ("PlaybackStopped", "PlaybackFailed"):
            self.player_activity = "STOPPED"
        elif name == "PlaybackFinished":
            self.player_activity = "FINISHED"
        envelope = build_envelope(
            Resolution(f"AudioPlayer.{name}", None, {}), now=now or datetime.now(UTC),
            locale=self.locale, application_id=self.skill.skill_id or SIMULATOR_APPLICATION_ID,
            audio_token=self.audio_token, supports_audio=self.supports_audio,
            offset_ms=self.offset_ms, **self._device(),
        )
        del envelope["session"]
        envelope["request"]["token"] = self.audio_token
        envelope["request"]["offsetInMilliseconds"] = self.offset_ms
        response = self._send(envelope)
        self._follow(response)
        return Turn(Resolution(f"AudioPlayer.{name}", None, {}), response)
