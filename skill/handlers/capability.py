"""Capability guard: a device that cannot play audio gets an apology, never a Play."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_intent_name, get_request_type
from ask_sdk_model import Response

from skill.requests.envelope import speech_for, supports_audio_player

#: Intents that need no audio and keep their own handlers on any device.
AUDIO_FREE_INTENTS = frozenset(
    {"AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NavigateHomeIntent",
     "AMAZON.HelpIntent", "AMAZON.FallbackIntent", "ScheduleIntent", "RemindIntent",
     "FollowIntent"}
)


class NoAudioPlayerHandler(AbstractRequestHandler):
    """Launch and intents on a device without AudioPlayer: apologise and end."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Launch or an audio intent, from a device without the AudioPlayer interface."""
        request_type = str(get_request_type(handler_input))
        if request_type == "IntentRequest":
            if str(get_intent_name(handler_input)) in AUDIO_FREE_INTENTS:
                return False
        elif request_type != "LaunchRequest":
            return False
        return not supports_audio_player(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Say that this device cannot play rooms."""
        speech = speech_for(handler_input)
        builder = handler_input.response_builder
        return builder.speak(speech.say("no_audio_player")).set_should_end_session(True).response
