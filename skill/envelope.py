"""What handlers read from a request, through the SDK's request helpers."""

from __future__ import annotations

from typing import Any, TypeVar

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_locale, get_request_type, get_slot, get_supported_interfaces

from skill.speech import Speech, speech_for_locale

RequestT = TypeVar("RequestT")

#: Request families that arrive without a session and must get no speech.
SILENT_REQUEST_PREFIXES = ("AudioPlayer.", "PlaybackController.", "System.")


def speech_for(handler_input: HandlerInput) -> Speech:
    """The speech catalog of the request's locale."""
    return speech_for_locale(get_locale(handler_input))


def must_stay_silent(handler_input: HandlerInput) -> bool:
    """True for AudioPlayer, PlaybackController and System requests: directives only."""
    return str(get_request_type(handler_input)).startswith(SILENT_REQUEST_PREFIXES)


def supports_audio_player(handler_input: HandlerInput) -> bool:
    """Whether the device declares the AudioPlayer interface."""
    try:
        interfaces = get_supported_interfaces(handler_input)
    except AttributeError:  # no context.System.device at all
        return False
    return interfaces is not None and interfaces.audio_player is not None


def slot_text(handler_input: HandlerInput, name: str) -> str:
    """The raw spoken value of a slot, or "" when absent or empty.

    ``get_slot`` rather than ``get_slot_value``: the latter warns that it is deprecated.
    """
    slot = get_slot(handler_input, name)
    return (slot.value or "").strip() if slot is not None else ""


def audio_player_token(handler_input: HandlerInput) -> str | None:
    """The token of what this device last played for the skill (``context.AudioPlayer``)."""
    context = handler_input.request_envelope.context
    player = context.audio_player if context is not None else None
    return player.token if player is not None else None


def session_attributes(handler_input: HandlerInput) -> dict[str, Any]:
    """The session attributes (an empty dict for requests without a session)."""
    if handler_input.request_envelope.session is None:
        return {}
    attributes: dict[str, Any] | None = handler_input.attributes_manager.session_attributes
    return attributes if attributes is not None else {}


def request_as(handler_input: HandlerInput, request_class: type[RequestT]) -> RequestT:
    """The request, checked to be a ``request_class`` (a TypeError reaches the catch-all)."""
    request = handler_input.request_envelope.request
    if not isinstance(request, request_class):
        raise TypeError(f"expected {request_class.__name__}, got {type(request).__name__}")
    return request
