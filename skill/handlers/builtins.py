"""The AMAZON built-in intents other than Pause and Resume.

Stop and Cancel stop the stream. Help and Fallback explain and keep listening.
The audio built-ins that make no sense on a live room (StartOver of a live room,
Repeat, Loop, Shuffle) get a polite answer, and the session ends so playback carries on.
Next and Previous switch live rooms (``skill.handlers.skip``); StartOver of a replay
plays it from the top (``skill.handlers.playback``).
"""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_intent_name, is_request_type
from ask_sdk_model import Response

from skill.core.directives import stop_playback
from skill.requests.envelope import speech_for

#: Audio built-in intent -> the catalog key of its polite answer.
LIVE_ONLY_ANSWERS = {
    "AMAZON.StartOverIntent": "start_over_not_live",
    "AMAZON.RepeatIntent": "start_over_not_live",
    "AMAZON.LoopOnIntent": "loop_not_live",
    "AMAZON.LoopOffIntent": "loop_not_live",
    "AMAZON.ShuffleOnIntent": "shuffle_not_live",
    "AMAZON.ShuffleOffIntent": "shuffle_not_live",
}


def _intent_in(handler_input: HandlerInput, names: frozenset[str] | dict[str, str]) -> bool:
    return is_request_type("IntentRequest")(handler_input) and (
        str(get_intent_name(handler_input)) in names
    )


class StopHandler(AbstractRequestHandler):
    """"Stop" and "cancel": stop the stream and end the session, silently."""

    INTENTS = frozenset({"AMAZON.StopIntent", "AMAZON.CancelIntent"})

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """An AMAZON.StopIntent or AMAZON.CancelIntent."""
        return _intent_in(handler_input, self.INTENTS)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Send AudioPlayer.Stop and end."""
        builder = handler_input.response_builder
        return builder.add_directive(stop_playback()).set_should_end_session(True).response


class HelpHandler(AbstractRequestHandler):
    """"Help": what the skill does and how to ask for a room."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """An AMAZON.HelpIntent."""
        return _intent_in(handler_input, frozenset({"AMAZON.HelpIntent"}))

    def handle(self, handler_input: HandlerInput) -> Response:
        """Explain, then listen for a room."""
        speech = speech_for(handler_input)
        builder = handler_input.response_builder
        return builder.speak(speech.say("help")).ask(speech.say("help_reprompt")).response


class FallbackHandler(AbstractRequestHandler):
    """Something the model did not understand."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """An AMAZON.FallbackIntent."""
        return _intent_in(handler_input, frozenset({"AMAZON.FallbackIntent"}))

    def handle(self, handler_input: HandlerInput) -> Response:
        """Say what the skill can do, then listen again."""
        speech = speech_for(handler_input)
        builder = handler_input.response_builder
        return builder.speak(speech.say("fallback")).ask(speech.say("fallback_reprompt")).response


class NavigateHomeHandler(AbstractRequestHandler):
    """"Go home" on a screen device: leave quietly."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """An AMAZON.NavigateHomeIntent."""
        return _intent_in(handler_input, frozenset({"AMAZON.NavigateHomeIntent"}))

    def handle(self, handler_input: HandlerInput) -> Response:
        """End the session without a word."""
        return handler_input.response_builder.set_should_end_session(True).response


class LiveOnlyHandler(AbstractRequestHandler):
    """StartOver, Repeat, Loop and Shuffle: not possible on a live room."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """One of the audio built-ins of ``LIVE_ONLY_ANSWERS``."""
        return _intent_in(handler_input, LIVE_ONLY_ANSWERS)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Answer politely and end the session, so the stream plays on."""
        speech = speech_for(handler_input)
        key = LIVE_ONLY_ANSWERS[str(get_intent_name(handler_input))]
        return handler_input.response_builder.speak(speech.say(key)).set_should_end_session(
            True
        ).response
