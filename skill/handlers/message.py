"""MessageHostIntent: "tell the host: play Blue in Green" — a message for the room's host.

The room is the one this device plays (or played last). The text is kept as spoken, cut
to ``MAX_MESSAGE_CHARS``; the sender is a short hash of the Alexa user id, never the id.
"""

from __future__ import annotations

import hashlib

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_user_id, is_intent_name
from ask_sdk_model import Response

from room_directory import Message, new_token_id
from skill.config import SkillConfig
from skill.directory import MessageBox
from skill.requests.envelope import slot_text, speech_for
from skill.requests.listener_state import ListenerState
from skill.requests.playing import current_play

#: Longest message stored (characters).
MAX_MESSAGE_CHARS = 300


def sender_tag(user_id: str | None) -> str:
    """A stable, anonymous tag for a listener: ``listener-<8 hex>``."""
    digest = hashlib.sha256((user_id or "anonymous").encode()).hexdigest()[:8]
    return f"listener-{digest}"


class MessageHostHandler(AbstractRequestHandler):
    """Store the listener's words for the host of the current room."""

    def __init__(self, directory: MessageBox, config: SkillConfig) -> None:
        self._directory = directory
        self._config = config

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """A MessageHostIntent."""
        return is_intent_name("MessageHostIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Deliver the message, or ask for it, or say which room is missing."""
        speech = speech_for(handler_input)
        builder = handler_input.response_builder
        text = slot_text(handler_input, "message")[:MAX_MESSAGE_CHARS]
        play = current_play(handler_input)
        room_id = play.room_id if play else ListenerState(handler_input).last_room_id
        room = self._directory.get(room_id) if room_id else None
        if room is None:
            return builder.speak(speech.say("message_no_room")).set_should_end_session(True) \
                .response
        if not text:
            return builder.speak(speech.say("message_ask")).ask(speech.say("message_ask")).response
        self._directory.add_message(Message(
            room_id=room.id, message_id=new_token_id(), text=text,
            sender=sender_tag(str(get_user_id(handler_input) or "")), created_at=self._config.clock()))
        return builder.speak(speech.say("message_sent", host=room.host or room.title)) \
            .set_should_end_session(True).response
