"""FollowIntent: "follow Mia" — her live room is offered first, and she is in the follow book.

The follow book (``room_directory.follows``) is what the stream server reads when a host
goes on air, to send followers who allow notifications a notice through Alexa's Proactive
Events API. A follower who has not allowed them yet gets a consent card for it.
"""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_locale, get_user_id, is_intent_name
from ask_sdk_model import Response
from ask_sdk_model.ui import AskForPermissionsConsentCard

from room_directory import Room
from skill.core.matching import MatchKind, match_room
from skill.directory import FollowIndex, RoomReader
from skill.requests.envelope import slot_text, speech_for
from skill.requests.listener_state import ListenerState
from skill.requests.playing import current_play

#: The permission live notices need (the Proactive Events API's notifications scope).
NOTIFICATIONS_SCOPE = "alexa::devices:all:notifications:write"


def host_rooms(directory: RoomReader) -> list[Room]:
    """One stand-in room per distinct public host, titled by the host's name."""
    hosts: dict[str, Room] = {}
    for room in directory.list_rooms():
        if room.host and room.host.casefold() not in hosts:
            hosts[room.host.casefold()] = Room(room.id, room.host, "", status=room.status)
    return list(hosts.values())


class FollowHandler(AbstractRequestHandler):
    """Follow a host by name, or the host of what is playing when none is named."""

    def __init__(self, directory: RoomReader, follows: FollowIndex) -> None:
        self._directory = directory
        self._follows = follows

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """A FollowIntent."""
        return is_intent_name("FollowIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Remember the host in the listener's state and say so."""
        speech = speech_for(handler_input)
        builder = handler_input.response_builder
        spoken = slot_text(handler_input, "host")
        host: str | None = None
        if spoken:
            result = match_room(spoken, host_rooms(self._directory))
            if result.kind is MatchKind.AMBIGUOUS:
                first, second = result.candidates
                return builder.speak(speech.say(
                    "follow_which", choices=speech.choice(first.title, second.title))).ask(
                    speech.say("follow_reprompt")).response
            host = result.room.title if result.room else None
        else:
            play = current_play(handler_input)
            room = self._directory.get(play.room_id) if play else None
            host = room.host if room and room.host else None
        if host is None:
            return builder.speak(speech.say("follow_unknown", spoken=spoken or "?")).ask(
                speech.say("follow_reprompt")).response
        state = ListenerState(handler_input)
        key = "follow_done" if state.follow(host) else "follow_already"
        state.save()
        user_id = str(get_user_id(handler_input) or "")
        text = speech.say(key, host=host)
        if user_id:
            self._follows.follow(user_id, host, locale=str(get_locale(handler_input) or "en-US"))
            if not self._follows.is_subscribed(user_id):
                text += " " + speech.say("follow_allow_notices", host=host)
                builder.set_card(AskForPermissionsConsentCard(permissions=[NOTIFICATIONS_SCOPE]))
        return builder.speak(text).set_should_end_session(True).response
