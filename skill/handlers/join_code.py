"""JoinCodeIntent: "join room 4 7 1 9" — private rooms, joined by their spoken code only."""

from __future__ import annotations

import re

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from skill.config import SkillConfig
from skill.directory import JoinCodeReader
from skill.requests.envelope import slot_text, speech_for
from skill.requests.playing import start_live


def spoken_code(value: str) -> str:
    """The digits of a spoken code ("4 7 1 9", "4719") or "" when it has none."""
    return "".join(re.findall(r"\d", value))


class JoinCodeHandler(AbstractRequestHandler):
    """A code names exactly one room; a wrong code says so and names no other room."""

    def __init__(self, directory: JoinCodeReader, config: SkillConfig) -> None:
        self._directory = directory
        self._config = config

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """A JoinCodeIntent."""
        return is_intent_name("JoinCodeIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Play the room of the code (signed URL for private rooms), or say why not."""
        speech = speech_for(handler_input)
        builder = handler_input.response_builder
        code = spoken_code(slot_text(handler_input, "code"))
        if not code:
            return builder.speak(speech.say("code_ask")).ask(speech.say("code_ask")).response
        room = self._directory.find_by_join_code(code)
        if room is None:
            return builder.speak(speech.say("code_unknown", code=" ".join(code))).ask(
                speech.say("code_ask")).response
        if not room.is_live:
            return builder.speak(speech.say("code_not_live", title=room.title)) \
                .set_should_end_session(True).response
        return start_live(handler_input, room, self._config,
                          speak=speech.say("joining", title=room.title))
