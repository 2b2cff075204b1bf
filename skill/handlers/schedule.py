"""ScheduleIntent: "what's on tonight / tomorrow / on Friday" from ``scheduled_between``."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from skill.config import SkillConfig
from skill.core.schedule_words import date_range, spoken_time
from skill.directory import ScheduleReader
from skill.requests.envelope import session_attributes, slot_text, speech_for
from skill.requests.offers import remember_offer
from skill.requests.questions import REMIND, ask_yes_no
from skill.services.device_time import device_time_zone

#: Scheduled shows read out per answer.
SHOWS_SPOKEN = 3


class ScheduleHandler(AbstractRequestHandler):
    """What is scheduled in the range the listener named."""

    def __init__(self, directory: ScheduleReader, config: SkillConfig) -> None:
        self._directory = directory
        self._config = config

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """A ScheduleIntent."""
        return is_intent_name("ScheduleIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """List up to three shows with their start times, and offer a reminder."""
        speech = speech_for(handler_input)
        builder = handler_input.response_builder
        now = self._config.clock()
        zone = device_time_zone(handler_input, self._config.time_zone)
        span = date_range(slot_text(handler_input, "date") or None, now, zone)
        if span is None:
            return builder.speak(speech.say("schedule_unknown_date")).ask(
                speech.say("schedule_reprompt")).response
        shows = self._directory.scheduled_between(*span)
        if not shows:
            return builder.speak(speech.say("schedule_nothing")).ask(
                speech.say("schedule_reprompt")).response
        items = [
            speech.template("schedule_item").format(
                title=room.title,
                when=spoken_time(room.scheduled_start or now, now, speech, zone))
            for room in shows[:SHOWS_SPOKEN]
        ]
        listing = speech.titles(items, limit=SHOWS_SPOKEN)
        # "yes" takes up the reminder; naming one of the shows picks it
        ask_yes_no(handler_input, REMIND, shows[:SHOWS_SPOKEN])
        remember_offer(session_attributes(handler_input), shows[:SHOWS_SPOKEN], kind="remind")
        return builder.speak(speech.say("schedule_list", shows=listing)).ask(
            speech.say("schedule_reprompt")).response
