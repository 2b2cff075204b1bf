"""What handlers read from a request, through the SDK's request helpers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_locale, get_request_type, get_slot, get_supported_interfaces

from skill.core.speech import Speech
from skill.storage.catalogs import speech_for_locale

if TYPE_CHECKING:
    from ask_sdk_model.supported_interfaces import SupportedInterfaces

RequestT = TypeVar("RequestT")

#: Request families that arrive without a session and must get no speech.
SILENT_REQUEST_PREFIXES = ("AudioPlayer.", "PlaybackController.", "System.")


def speech_for(handler_input: HandlerInput) -> Speech:
    """The speech catalog of the request's locale."""
    return speech_for_locale(get_locale(handler_input))


def must_stay_silent(handler_input: HandlerInput) -> bool:
    """True for AudioPlayer, PlaybackController and System requests: directives only."""
    return str(get_request_type(handler_input)).startswith(SILENT_REQUEST_PREFIXES)


def _interfaces(handler_input: HandlerInput) -> SupportedInterfaces | None:
    try:
        return get_supported_interfaces(handler_input)
    except AttributeError:  # no context.System.device at all
        return None


def supports_audio_player(handler_input: HandlerInput) -> bool:
    """Whether the device declares the AudioPlayer interface."""
    interfaces = _interfaces(handler_input)
    return interfaces is not None and interfaces.audio_player is not None


def supports_apl(handler_input: HandlerInput) -> bool:
    """Whether the device declares ``Alexa.Presentation.APL`` (it has a screen)."""
    interfaces = _interfaces(handler_input)
    return interfaces is not None and interfaces.alexa_presentation_apl is not None


def slot_text(handler_input: HandlerInput, name: str) -> str:
    """The raw spoken value of a slot, or "" when absent or empty.

    ``get_slot`` rather than ``get_slot_value``: the latter warns that it is deprecated.
    """
    slot = get_slot(handler_input, name)
    return (slot.value or "").strip() if slot is not None else ""


def resolved_room_id(handler_input: HandlerInput, slot_name: str) -> str | None:
    """The room id a dynamic-entity resolution gave the slot, when exactly one matched."""
    slot = get_slot(handler_input, slot_name)
    resolutions = getattr(slot, "resolutions", None)
    for authority in getattr(resolutions, "resolutions_per_authority", None) or []:
        status = getattr(getattr(authority, "status", None), "code", None)
        if ".dynamic." not in (authority.authority or "") or str(getattr(status, "value", status)) \
                != "ER_SUCCESS_MATCH":
            continue
        values = authority.values or []
        if len(values) == 1 and values[0].value is not None:
            return str(values[0].value.id)
    return None


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
