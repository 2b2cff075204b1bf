"""RemindIntent: "remind me when the Friday concert starts", via the Reminders API.

Without the permission the skill asks for it by voice (Connections.SendRequest AskFor)
and also leaves a consent card in the Alexa app; ``ConsentAnswerHandler`` gets the
answer (Connections.Response) and then creates the reminder or says why it did not.
"""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_locale, is_intent_name, is_request_type
from ask_sdk_model import Response
from ask_sdk_model.interfaces.connections import ConnectionsResponse
from ask_sdk_model.ui import AskForPermissionsConsentCard

from room_directory import Room
from skill.config import SkillConfig
from skill.core.matching import MatchKind, match_room
from skill.core.schedule_words import spoken_time
from skill.core.speech import Speech
from skill.directory import RoomReader, ScheduleReader
from skill.requests.envelope import request_as, slot_text, speech_for
from skill.requests.listener_state import ListenerState
from skill.services.device_time import device_time_zone
from skill.services.reminders import (
    ASK_FOR,
    REMINDERS_SCOPE,
    ReminderOutcome,
    ask_for_reminders_permission,
    create_show_reminder,
    has_reminder_permission,
    reminder_request,
)

#: How far ahead "remind me" looks for scheduled rooms (seconds).
HORIZON = 60 * 24 * 3600


def _remind(handler_input: HandlerInput, room: Room, config: SkillConfig, speech: Speech) -> Response:
    locale = str(get_locale(handler_input) or "en-US")
    now = config.clock()
    zone = device_time_zone(handler_input, config.time_zone)
    text = speech.template("reminder_text").format(title=room.title)
    outcome = create_show_reminder(handler_input, reminder_request(room, text, locale, zone, now))
    when = spoken_time(room.scheduled_start or now, now, speech, zone)
    builder = handler_input.response_builder.set_should_end_session(True)
    if outcome is ReminderOutcome.CREATED:
        return builder.speak(speech.say("remind_done", title=room.title, when=when)).response
    if outcome is ReminderOutcome.NO_PERMISSION:
        return _ask_permission(handler_input, room, speech)
    return builder.speak(speech.say("remind_failed", title=room.title, when=when)).response


def _ask_permission(handler_input: HandlerInput, room: Room, speech: Speech) -> Response:
    state = ListenerState(handler_input)
    state.set_pending_reminder(room.id)
    state.save()
    builder = handler_input.response_builder
    builder.speak(speech.say("remind_need_permission", title=room.title))
    builder.set_card(AskForPermissionsConsentCard(permissions=[REMINDERS_SCOPE]))
    builder.add_directive(ask_for_reminders_permission(room.id))
    builder.set_should_end_session(True)
    return builder.response


def remind_about(handler_input: HandlerInput, room: Room, config: SkillConfig,
                 speech: Speech) -> Response:
    """Set a reminder for ``room``'s start, asking for the permission first when missing."""
    if not has_reminder_permission(handler_input):
        return _ask_permission(handler_input, room, speech)
    return _remind(handler_input, room, config, speech)


class RemindHandler(AbstractRequestHandler):
    """Find the scheduled room and set a reminder at its start."""

    def __init__(self, directory: ScheduleReader, config: SkillConfig) -> None:
        self._directory = directory
        self._config = config

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """A RemindIntent."""
        return is_intent_name("RemindIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Remind, ask for the permission, or say which show is unknown."""
        speech = speech_for(handler_input)
        builder = handler_input.response_builder
        spoken = slot_text(handler_input, "room")
        now = self._config.clock()
        upcoming = self._directory.scheduled_between(now, now + HORIZON)
        if not upcoming:
            return builder.speak(speech.say("remind_nothing_scheduled")).set_should_end_session(
                True).response
        if not spoken:
            if len(upcoming) == 1:
                room: Room | None = upcoming[0]
            else:
                return builder.speak(speech.say("remind_which")).ask(
                    speech.say("remind_which")).response
        else:
            result = match_room(spoken, upcoming)
            if result.kind is MatchKind.AMBIGUOUS:
                first, second = result.candidates
                return builder.speak(speech.say(
                    "remind_ambiguous", choices=speech.choice(first.title, second.title))).ask(
                    speech.say("remind_which")).response
            room = result.room
        if room is None:
            return builder.speak(speech.say("remind_unknown", spoken=spoken)).ask(
                speech.say("remind_which")).response
        return remind_about(handler_input, room, self._config, speech)


class ConsentAnswerHandler(AbstractRequestHandler):
    """Connections.Response to our AskFor: create the waiting reminder, or say it was not."""

    def __init__(self, directory: RoomReader, config: SkillConfig) -> None:
        self._directory = directory
        self._config = config

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """A Connections.Response named AskFor."""
        if not is_request_type("Connections.Response")(handler_input):
            return False
        return str(getattr(handler_input.request_envelope.request, "name", "")) == ASK_FOR

    def handle(self, handler_input: HandlerInput) -> Response:
        """ACCEPTED → remind; DENIED or NOT_ANSWERED → say so."""
        speech = speech_for(handler_input)
        request = request_as(handler_input, ConnectionsResponse)
        payload = request.payload if isinstance(request.payload, dict) else {}
        state = ListenerState(handler_input)
        room_id = request.token or state.pending_reminder
        state.set_pending_reminder(None)
        state.save()
        room = self._directory.get(room_id) if room_id else None
        builder = handler_input.response_builder.set_should_end_session(True)
        if room is None:
            return builder.speak(speech.say("remind_nothing_scheduled")).response
        if payload.get("status") != "ACCEPTED":
            return builder.speak(speech.say("remind_declined", title=room.title)).response
        return _remind(handler_input, room, self._config, speech)
