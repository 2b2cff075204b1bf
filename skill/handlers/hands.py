"""RaiseHandIntent: "tell Live Stage I want to speak" — a hand in a live room, and a call-in code.

The room is the one named, else the one this device plays (or played last), else the only
live room; otherwise the skill asks which. The answer speaks the call-in code digit by digit
and shows it on a card: typed on the listener page, it takes the hand over, so the listener
can join the stage from a browser when the host accepts (``room_directory.hands``).
"""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response
from ask_sdk_model.ui import SimpleCard

from room_directory import Room
from room_directory.hands import HandRefused, raise_hand
from skill.core.matching import match_room
from skill.core.speech import Speech
from skill.directory import HandRaiser
from skill.requests.envelope import slot_text, speech_for
from skill.requests.listener_state import ListenerState
from skill.requests.playing import current_play, live_rooms


class RaiseHandHandler(AbstractRequestHandler):
    """Queue a voice hand in the room and answer with its call-in code."""

    def __init__(self, directory: HandRaiser) -> None:
        self._directory = directory

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """A RaiseHandIntent."""
        return is_intent_name("RaiseHandIntent")(handler_input)

    def _room(self, handler_input: HandlerInput, live: list[Room]) -> Room | None:
        """The room named, playing here, played last, or the only live one."""
        spoken = slot_text(handler_input, "room")
        if spoken:
            return match_room(spoken, live).room
        play = current_play(handler_input)
        room_id = play.room_id if play else ListenerState(handler_input).last_room_id
        room = self._directory.get(room_id) if room_id else None
        if room is None and len(live) == 1:
            room = live[0]
        return room

    def handle(self, handler_input: HandlerInput) -> Response:
        """Raise the hand, or ask which room, or say there is no stage to speak on."""
        speech = speech_for(handler_input)
        builder = handler_input.response_builder
        live = live_rooms(self._directory)
        room = self._room(handler_input, live)
        if room is None:
            if not live:
                return builder.speak(speech.say("hand_nothing_live")).set_should_end_session(True).response
            spoken = slot_text(handler_input, "room")
            question = speech.say("hand_which")
            return builder.speak(speech.say("hand_unknown", spoken=spoken) if spoken else question) \
                .ask(question).response
        try:
            _, code = raise_hand(self._directory, room, speech.template("hand_caller_name"), via="voice")
        except HandRefused as exc:
            key = "hand_not_live" if exc.reason == "not_live" else "hand_queue_full"
            return builder.speak(speech.say(key, title=room.title)).set_should_end_session(True).response
        return builder.speak(speech.say("hand_raised", title=room.title, code=code)) \
            .set_card(_card(speech, room, code)).set_should_end_session(True).response


def _card(speech: Speech, room: Room, code: str) -> SimpleCard:
    """The code on a card in the Alexa app (plain text: cards are not SSML)."""
    return SimpleCard(title=speech.template("hand_card_title"),
                      content=speech.template("hand_card").format(title=room.title, code=code))
