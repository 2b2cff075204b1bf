"""LaunchRequest: say what is live (up to three titles) and ask which one."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from room_directory import RoomDirectory
from skill.envelope import session_attributes, speech_for
from skill.offers import remember_offer

#: How many live titles the welcome reads out.
TITLES_SPOKEN = 3


class LaunchHandler(AbstractRequestHandler):
    """"Alexa, open Live Stage"."""

    def __init__(self, directory: RoomDirectory) -> None:
        self._directory = directory

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """A LaunchRequest."""
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """List what is live and ask which room, or say nothing is live and end."""
        speech = speech_for(handler_input)
        builder = handler_input.response_builder
        live = self._directory.list_rooms(live_only=True)
        if not live:
            return builder.speak(speech.say("launch_nothing_live")).set_should_end_session(
                True
            ).response
        offered = live[:TITLES_SPOKEN]
        remember_offer(session_attributes(handler_input), offered)
        rooms = speech.titles([room.title for room in live], limit=TITLES_SPOKEN)
        return (
            builder.speak(speech.say("launch_live", rooms=rooms))
            .ask(speech.say("which_room"))
            .response
        )
