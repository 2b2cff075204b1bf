"""Alexa.Presentation.APL.UserEvent: a touch on a room of the "what's live" list joins it."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from skill.config import SkillConfig
from skill.core.screens import JOIN_EVENT
from skill.directory import RoomReader
from skill.requests.envelope import request_as, speech_for
from skill.requests.playing import start_live


class TouchJoinHandler(AbstractRequestHandler):
    """``SendEvent ["join", <room id>]`` from the rooms list."""

    def __init__(self, directory: RoomReader, config: SkillConfig) -> None:
        self._directory = directory
        self._config = config

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """An APL UserEvent whose first argument is ``join``."""
        if not is_request_type("Alexa.Presentation.APL.UserEvent")(handler_input):
            return False
        arguments = getattr(handler_input.request_envelope.request, "arguments", None) or []
        return len(arguments) >= 2 and arguments[0] == JOIN_EVENT

    def handle(self, handler_input: HandlerInput) -> Response:
        """Play the touched room if it is still live; otherwise say so."""
        from ask_sdk_model.interfaces.alexa.presentation.apl import UserEvent

        speech = speech_for(handler_input)
        arguments = request_as(handler_input, UserEvent).arguments or []
        room_id = str(arguments[1])
        room = self._directory.get(room_id)
        if room is None or room.private or not room.is_live:
            return handler_input.response_builder.speak(
                speech.say("touch_not_live")).ask(speech.say("which_room")).response
        return start_live(handler_input, room, self._config,
                          speak=speech.say("joining", title=room.title))
