"""UnfollowIntent ("unfollow Mia") and FollowsIntent ("who do I follow")."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_user_id, is_intent_name
from ask_sdk_model import Response

from room_directory import Room
from skill.core.matching import MatchKind, match_room
from skill.directory import FollowIndex
from skill.requests.envelope import slot_text, speech_for
from skill.requests.listener_state import ListenerState

#: Followed hosts read out per answer.
HOSTS_SPOKEN = 5


class UnfollowHandler(AbstractRequestHandler):
    """Stop following a host the listener follows (matched as rooms are, sound-alikes too)."""

    def __init__(self, follows: FollowIndex) -> None:
        self._follows = follows

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """An UnfollowIntent."""
        return is_intent_name("UnfollowIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Unfollow, ask which one, or say whom the listener follows."""
        speech = speech_for(handler_input)
        builder = handler_input.response_builder
        state = ListenerState(handler_input)
        followed = state.follows
        if not followed:
            return builder.speak(speech.say("follows_none")).set_should_end_session(True).response
        spoken = slot_text(handler_input, "host")
        stand_ins = [Room(f"host-{i}", name, "") for i, name in enumerate(followed)]
        result = match_room(spoken, stand_ins) if spoken else None
        if result is not None and result.kind is MatchKind.AMBIGUOUS:
            first, second = result.candidates
            return builder.speak(speech.say(
                "unfollow_which", choices=speech.choice(first.title, second.title))).ask(
                speech.say("unfollow_reprompt")).response
        host = result.room.title if result is not None and result.room is not None else None
        if host is None:
            hosts = speech.titles(followed, limit=HOSTS_SPOKEN)
            return builder.speak(speech.say("unfollow_unknown", spoken=spoken or "?",
                                            hosts=hosts)).ask(
                speech.say("unfollow_reprompt")).response
        state.unfollow(host)
        state.save()
        user_id = str(get_user_id(handler_input) or "")
        if user_id:
            self._follows.unfollow(user_id, host)
        return builder.speak(speech.say("unfollow_done", host=host)).set_should_end_session(
            True).response


class FollowsHandler(AbstractRequestHandler):
    """"Who do I follow": the followed hosts, by name."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """A FollowsIntent."""
        return is_intent_name("FollowsIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Name the followed hosts (five, then how many more), or say there are none."""
        speech = speech_for(handler_input)
        followed = ListenerState(handler_input).follows
        builder = handler_input.response_builder
        if not followed:
            return builder.speak(speech.say("follows_none")).set_should_end_session(True).response
        return builder.speak(speech.say(
            "follows_list", hosts=speech.titles(followed, limit=HOSTS_SPOKEN))).set_should_end_session(
            True).response
