"""MessageHostIntent: "tell the host: play Blue in Green" — a message for the room's host.

The room is the one this device is playing now. With nothing playing the skill asks which
live room's host should get it (never the last room played: that may be a private room
the listener has left); the name of a room, or "the first one", on the next turn delivers
it (``MessageRoomAnswerHandler``). The text is kept as spoken, cut to
``MAX_MESSAGE_CHARS``; the sender is a short hash of the Alexa user id, never the id.
"""

from __future__ import annotations

import hashlib

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_user_id, is_intent_name
from ask_sdk_model import Response

from room_directory import Message, Room, new_token_id
from skill.config import SkillConfig
from skill.core.matching import MatchKind, match_room
from skill.core.normalise import ordinal_choice
from skill.core.speech import Speech
from skill.directory import MessageBox
from skill.requests.envelope import session_attributes, slot_text, speech_for
from skill.requests.playing import live_rooms, playing_now
from skill.requests.questions import MESSAGE, ask_yes_no, forget_question, standing_question

#: Longest message stored (characters).
MAX_MESSAGE_CHARS = 300
#: Live rooms read out when asking which host should get the message.
ROOMS_SPOKEN = 3


def sender_tag(user_id: str | None) -> str:
    """A stable, anonymous tag for a listener: ``listener-<8 hex>``."""
    digest = hashlib.sha256((user_id or "anonymous").encode()).hexdigest()[:8]
    return f"listener-{digest}"


def _deliver(handler_input: HandlerInput, directory: MessageBox, config: SkillConfig,
             speech: Speech, room: Room, text: str) -> Response:
    directory.add_message(Message(
        room_id=room.id, message_id=new_token_id(), text=text,
        sender=sender_tag(str(get_user_id(handler_input) or "")), created_at=config.clock()))
    return handler_input.response_builder.speak(
        speech.say("message_sent", host=room.host or room.title)).set_should_end_session(
        True).response


def ask_which_room(handler_input: HandlerInput, directory: MessageBox, speech: Speech,
                   text: str) -> Response:
    """Ask which live room's host should get ``text`` (or say that nothing is live)."""
    builder = handler_input.response_builder
    live = live_rooms(directory)
    if not live:
        return builder.speak(speech.say("message_no_room")).set_should_end_session(True).response
    ask_yes_no(handler_input, MESSAGE, live[:ROOMS_SPOKEN], message=text)
    rooms = speech.titles([room.title for room in live], limit=ROOMS_SPOKEN)
    return builder.speak(speech.say("message_which_room", rooms=rooms)).ask(
        speech.say("message_which_room_reprompt")).response


class MessageHostHandler(AbstractRequestHandler):
    """Store the listener's words for the host of the room playing."""

    def __init__(self, directory: MessageBox, config: SkillConfig) -> None:
        self._directory = directory
        self._config = config

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """A MessageHostIntent."""
        return is_intent_name("MessageHostIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Deliver the message, or ask for it, or ask which room's host should get it."""
        speech = speech_for(handler_input)
        builder = handler_input.response_builder
        text = slot_text(handler_input, "message")[:MAX_MESSAGE_CHARS]
        if not text:
            return builder.speak(speech.say("message_ask")).ask(speech.say("message_ask")).response
        play = playing_now(handler_input)
        room = self._directory.get(play.room_id) if play else None
        if room is None:
            return ask_which_room(handler_input, self._directory, speech, text)
        return _deliver(handler_input, self._directory, self._config, speech, room, text)


class MessageRoomAnswerHandler(AbstractRequestHandler):
    """The room named after "which room's host should get your message?"."""

    def __init__(self, directory: MessageBox, config: SkillConfig) -> None:
        self._directory = directory
        self._config = config

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """A JoinRoomIntent while a message waits for its room."""
        if not is_intent_name("JoinRoomIntent")(handler_input):
            return False
        question = standing_question(session_attributes(handler_input))
        return question is not None and question.kind == MESSAGE

    def handle(self, handler_input: HandlerInput) -> Response:
        """Deliver to the live public room named, or ask again."""
        speech = speech_for(handler_input)
        attributes = session_attributes(handler_input)
        question = standing_question(attributes)
        forget_question(attributes)
        text = question.message if question else ""
        spoken = slot_text(handler_input, "room")
        offered = [r for r in map(self._directory.get, question.room_ids if question else ())
                   if r is not None]
        position = ordinal_choice(spoken, len(offered)) if offered else None
        room: Room | None = offered[position] if position is not None else None
        if room is None and spoken:
            found = match_room(spoken, live_rooms(self._directory))
            room = found.room if found.kind is MatchKind.MATCH else None
        if room is None or not room.is_live or room.private or not text:
            return ask_which_room(handler_input, self._directory, speech, text)
        return _deliver(handler_input, self._directory, self._config, speech, room, text)
