"""AMAZON.YesIntent and AMAZON.NoIntent: answers to the question asked on the previous turn.

"Would you like to join?" (a followed host is live) → yes joins that room. "Would you
like a reminder?" (after the schedule) → yes reminds about the one show, or asks which
of them. A "yes" to "which one would you like?" asks again with the rooms offered; a
"yes" when nothing was asked asks what the listener would like. "No" always closes
politely.
"""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from room_directory import Room
from skill.config import SkillConfig
from skill.core.speech import Speech
from skill.directory import MessageBox
from skill.handlers.join import offer_live
from skill.handlers.message import ask_which_room
from skill.handlers.remind import remind_about
from skill.requests.envelope import session_attributes, speech_for
from skill.requests.offers import forget_offer, offer_kind, offered_room_ids, remember_offer
from skill.requests.playing import live_rooms, start_live
from skill.requests.questions import (
    JOIN,
    MESSAGE,
    REMIND,
    forget_question,
    standing_question,
)


class YesHandler(AbstractRequestHandler):
    """"Yes": do what the last question offered."""

    def __init__(self, directory: MessageBox, config: SkillConfig) -> None:
        self._directory = directory
        self._config = config

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """An AMAZON.YesIntent."""
        return is_intent_name("AMAZON.YesIntent")(handler_input)

    def _rooms(self, ids: list[str] | tuple[str, ...]) -> list[Room]:
        return [room for room in map(self._directory.get, ids) if room is not None]

    def handle(self, handler_input: HandlerInput) -> Response:
        """Join, remind, ask which one, or ask what the listener would like."""
        speech = speech_for(handler_input)
        attributes = session_attributes(handler_input)
        question = standing_question(attributes)
        forget_question(attributes)
        if question is not None and question.kind == MESSAGE:
            return ask_which_room(handler_input, self._directory, speech, question.message)
        if question is not None and question.kind == REMIND:
            return self._remind(handler_input, speech, self._rooms(question.room_ids))
        if question is not None and question.kind == JOIN and question.room_ids:
            rooms = self._rooms(question.room_ids[:1])
            if rooms:
                return self._join(handler_input, speech, rooms[0])
        offered = self._rooms(offered_room_ids(attributes))
        builder = handler_input.response_builder
        if offered:
            choices = speech.options([room.title for room in offered])
            remember_offer(attributes, offered, kind=offer_kind(attributes))
            return builder.speak(speech.say("yes_which", choices=choices)).ask(
                speech.say("yes_which", choices=choices)).response
        return builder.speak(speech.say("yes_unasked")).ask(speech.say("help_reprompt")).response

    def _join(self, handler_input: HandlerInput, speech: Speech, room: Room) -> Response:
        if room.is_live:
            return start_live(handler_input, room, self._config,
                              speak=speech.say("joining", title=room.title))
        live = [r for r in live_rooms(self._directory) if r.id != room.id]
        if live:
            return offer_live(handler_input, speech, "not_live", live, title=room.title)
        return handler_input.response_builder.speak(
            speech.say("not_live_nothing_live", title=room.title)).set_should_end_session(
            True).response

    def _remind(self, handler_input: HandlerInput, speech: Speech, rooms: list[Room]) -> Response:
        now = self._config.clock()
        upcoming = [r for r in rooms if r.scheduled_start is not None and r.scheduled_start >= now]
        attributes = session_attributes(handler_input)
        builder = handler_input.response_builder
        if len(upcoming) == 1:
            forget_offer(attributes)
            return remind_about(handler_input, upcoming[0], self._config, speech)
        if not upcoming:
            return builder.speak(speech.say("remind_nothing_scheduled")).set_should_end_session(
                True).response
        remember_offer(attributes, upcoming, kind="remind")
        shows = speech.options([room.title for room in upcoming])
        return builder.speak(speech.say("yes_which_show", shows=shows)).ask(
            speech.say("remind_which")).response


class NoHandler(AbstractRequestHandler):
    """"No": let the offer go and close politely."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """An AMAZON.NoIntent."""
        return is_intent_name("AMAZON.NoIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Forget the question and the offer; end the session with a short goodbye."""
        speech = speech_for(handler_input)
        attributes = session_attributes(handler_input)
        question = standing_question(attributes)
        forget_question(attributes)
        forget_offer(attributes)
        key = "no_reminder" if question is not None and question.kind == REMIND else "no_thanks"
        return handler_input.response_builder.speak(speech.say(key)).set_should_end_session(
            True).response
