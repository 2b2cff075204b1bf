"""LaunchRequest: followed hosts who are live first, then what is live (three titles)."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from skill.core.entities import live_room_entities
from skill.directory import RoomReader
from skill.requests.envelope import session_attributes, speech_for
from skill.requests.listener_state import ListenerState
from skill.requests.offers import remember_offer
from skill.requests.playing import live_rooms
from skill.requests.questions import JOIN, ask_yes_no

#: How many live titles the welcome reads out.
TITLES_SPOKEN = 3


class LaunchHandler(AbstractRequestHandler):
    """"Alexa, open Live Stage"."""

    def __init__(self, directory: RoomReader) -> None:
        self._directory = directory

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """A LaunchRequest."""
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Offer followed live hosts first, else list what is live; or say nothing is live."""
        speech = speech_for(handler_input)
        builder = handler_input.response_builder
        live = live_rooms(self._directory)
        if not live:
            return builder.speak(speech.say("launch_nothing_live")).set_should_end_session(
                True
            ).response
        follows = {host.casefold() for host in ListenerState(handler_input).follows}
        followed = [room for room in live if room.host and room.host.casefold() in follows]
        attributes = session_attributes(handler_input)
        builder.add_directive(live_room_entities(live)).ask(speech.say("which_room"))
        if followed:
            first = followed[0]
            others = [room for room in live if room.id != first.id]
            remember_offer(attributes, [first, *others[: TITLES_SPOKEN - 1]])
            ask_yes_no(handler_input, JOIN, [first])
            return builder.speak(
                speech.say("launch_followed", host=first.host, title=first.title)
            ).response
        remember_offer(attributes, live[:TITLES_SPOKEN])
        rooms = speech.titles([room.title for room in live], limit=TITLES_SPOKEN)
        return builder.speak(speech.say("launch_live", rooms=rooms)).response
