"""JoinRoomIntent: match the spoken room, then play it, ask back, or say what is live."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from room_directory import Room, RoomDirectory
from skill.config import SkillConfig
from skill.directives import play_room
from skill.envelope import session_attributes, slot_text, speech_for
from skill.matching import MatchKind, match_room, ordinal_choice
from skill.offers import forget_offer, offered_room_ids, remember_offer
from skill.speech import Speech

#: How many live titles a "couldn't find" answer reads out.
TITLES_SPOKEN = 3


class JoinRoomHandler(AbstractRequestHandler):
    """"Join the jazz room", "play Mia's show", "take me to morning talk"."""

    def __init__(self, directory: RoomDirectory, config: SkillConfig) -> None:
        self._directory = directory
        self._config = config

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """A JoinRoomIntent."""
        return is_intent_name("JoinRoomIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Join the named room when exactly one live room fits; otherwise ask."""
        speech = speech_for(handler_input)
        spoken = slot_text(handler_input, "room")
        attributes = session_attributes(handler_input)
        live = self._directory.list_rooms(live_only=True)
        if not spoken:
            return self._ask_which(handler_input, speech, live)

        chosen = self._choose_from_offer(spoken, offered_room_ids(attributes))
        if chosen is not None:
            return self._join(handler_input, speech, chosen)

        result = match_room(spoken, self._directory.list_rooms())
        if result.kind is MatchKind.MATCH and result.room is not None:
            return self._join(handler_input, speech, result.room)
        if result.kind is MatchKind.AMBIGUOUS:
            first, second = result.candidates
            remember_offer(attributes, result.candidates)
            choices = speech.choice(first.title, second.title)
            return (
                handler_input.response_builder.speak(speech.say("ambiguous", choices=choices))
                .ask(speech.say("ambiguous_reprompt", choices=choices))
                .response
            )
        return self._not_found(handler_input, speech, spoken, live)

    def _choose_from_offer(self, spoken: str, offered_ids: list[str]) -> Room | None:
        offered = [room for room in map(self._directory.get, offered_ids) if room is not None]
        if not offered:
            return None
        index = ordinal_choice(spoken, len(offered))
        if index is not None:
            return offered[index]
        return match_room(spoken, offered).room

    def _join(self, handler_input: HandlerInput, speech: Speech, room: Room) -> Response:
        builder = handler_input.response_builder
        attributes = session_attributes(handler_input)
        if not room.is_live:
            live = [r for r in self._directory.list_rooms(live_only=True) if r.id != room.id]
            if not live:
                return builder.speak(
                    speech.say("not_live_nothing_live", title=room.title)
                ).set_should_end_session(True).response
            remember_offer(attributes, live[:TITLES_SPOKEN])
            rooms = speech.titles([r.title for r in live], limit=TITLES_SPOKEN)
            return (
                builder.speak(speech.say("not_live", title=room.title, rooms=rooms))
                .ask(speech.say("which_room"))
                .response
            )
        forget_offer(attributes)
        return (
            builder.speak(speech.say("joining", title=room.title))
            .add_directive(play_room(room, self._config))
            .set_should_end_session(True)
            .response
        )

    def _ask_which(self, handler_input: HandlerInput, speech: Speech, live: list[Room]) -> Response:
        builder = handler_input.response_builder
        if not live:
            return builder.speak(speech.say("nothing_live")).set_should_end_session(True).response
        remember_offer(session_attributes(handler_input), live[:TITLES_SPOKEN])
        rooms = speech.titles([r.title for r in live], limit=TITLES_SPOKEN)
        return (
            builder.speak(speech.say("which_room_live", rooms=rooms))
            .ask(speech.say("which_room"))
            .response
        )

    def _not_found(
        self, handler_input: HandlerInput, speech: Speech, spoken: str, live: list[Room]
    ) -> Response:
        builder = handler_input.response_builder
        if not live:
            return builder.speak(
                speech.say("not_found_nothing_live", spoken=spoken)
            ).set_should_end_session(True).response
        remember_offer(session_attributes(handler_input), live[:TITLES_SPOKEN])
        rooms = speech.titles([r.title for r in live], limit=TITLES_SPOKEN)
        return (
            builder.speak(speech.say("not_found", spoken=spoken, rooms=rooms))
            .ask(speech.say("which_room"))
            .response
        )
