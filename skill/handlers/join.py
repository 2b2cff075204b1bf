"""JoinRoomIntent: match the spoken room, then play it, ask back, or say what is live."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from room_directory import Room
from skill.config import SkillConfig
from skill.core.entities import live_room_entities
from skill.core.matching import MatchKind, match_in_index, match_room
from skill.core.normalise import ordinal_choice
from skill.core.schedule_words import spoken_time
from skill.core.speech import Speech
from skill.directory import RoomsAndShows
from skill.handlers.replay import play_latest_replay
from skill.requests.envelope import resolved_room_id, session_attributes, slot_text, speech_for
from skill.requests.offers import offer_kind, offered_room_ids, remember_offer
from skill.requests.playing import live_rooms, start_live
from skill.storage.index_cache import IndexCache

#: How many live titles a "couldn't find" answer reads out.
TITLES_SPOKEN = 3


def offer_live(handler_input: HandlerInput, speech: Speech, key: str, live: list[Room],
               **values: object) -> Response:
    """Say ``key`` with the first live titles as ``rooms``, remember them, and listen."""
    offered = live[:TITLES_SPOKEN]
    remember_offer(session_attributes(handler_input), offered)
    rooms = speech.titles([r.title for r in live], limit=TITLES_SPOKEN)
    return (
        handler_input.response_builder.speak(speech.say(key, rooms=rooms, **values))
        .ask(speech.say("which_room"))
        .add_directive(live_room_entities(live))
        .response
    )


class JoinRoomHandler(AbstractRequestHandler):
    """"Join the jazz room", "play Mia's show", "put on some sports talk"."""

    def __init__(self, directory: RoomsAndShows, config: SkillConfig) -> None:
        self._directory = directory
        self._config = config
        self._index = IndexCache()

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """A JoinRoomIntent."""
        return is_intent_name("JoinRoomIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Join the named room when exactly one live room fits; otherwise ask."""
        speech = speech_for(handler_input)
        spoken = slot_text(handler_input, "room")
        attributes = session_attributes(handler_input)
        if not spoken:
            live = live_rooms(self._directory)
            if not live:
                return handler_input.response_builder.speak(
                    speech.say("nothing_live")).set_should_end_session(True).response
            return offer_live(handler_input, speech, "which_room_live", live)

        chosen = self._choose_from_offer(spoken, offered_room_ids(attributes))
        if chosen is not None and offer_kind(attributes) == "replay":
            replay = play_latest_replay(handler_input, self._directory, self._config, speech,
                                        chosen)
            if replay is not None:
                return replay
        if chosen is None:
            resolved = resolved_room_id(handler_input, "room")
            chosen = self._directory.get(resolved) if resolved else None
            if chosen is not None and chosen.private:
                chosen = None
        if chosen is not None:
            return self._join(handler_input, speech, chosen)

        index = self._index.index(self._directory.list_rooms)
        result = match_in_index(spoken, index, now=self._config.clock())
        if result.kind is MatchKind.MATCH and result.room is not None:
            current = self._directory.get(result.room.id)  # the index may be a second old
            if current is not None and not current.private:
                return self._join(handler_input, speech, current)
        if result.kind is MatchKind.AMBIGUOUS:
            first, second = result.candidates
            remember_offer(attributes, result.candidates)
            choices = speech.choice(first.title, second.title)
            return (
                handler_input.response_builder.speak(speech.say("ambiguous", choices=choices))
                .ask(speech.say("ambiguous_reprompt", choices=choices))
                .response
            )
        live = live_rooms(self._directory)
        newer = [room for room in live if room.id not in index.ids]
        if newer:  # live rooms younger than the index: match them too
            late = match_room(spoken, newer, now=self._config.clock())
            if late.kind is MatchKind.MATCH and late.room is not None:
                return self._join(handler_input, speech, late.room)
        if not live:
            return handler_input.response_builder.speak(
                speech.say("not_found_nothing_live", spoken=spoken)).set_should_end_session(
                True).response
        return offer_live(handler_input, speech, "not_found", live, spoken=spoken)

    def _choose_from_offer(self, spoken: str, offered_ids: list[str]) -> Room | None:
        offered = [room for room in map(self._directory.get, offered_ids) if room is not None]
        if not offered:
            return None
        index = ordinal_choice(spoken, len(offered))
        if index is not None:
            return offered[index]
        return match_room(spoken, offered).room

    def _join(self, handler_input: HandlerInput, speech: Speech, room: Room) -> Response:
        if room.is_live:
            return start_live(handler_input, room, self._config,
                              speak=speech.say("joining", title=room.title))
        builder = handler_input.response_builder
        now = self._config.clock()
        live = [r for r in live_rooms(self._directory) if r.id != room.id]
        if room.scheduled_start is not None and room.scheduled_start >= now:
            when = spoken_time(room.scheduled_start, now, speech, self._config.time_zone)
            key = "scheduled_later" if live else "scheduled_later_nothing_live"
            if not live:
                return builder.speak(speech.say(key, title=room.title, when=when)) \
                    .set_should_end_session(True).response
            return offer_live(handler_input, speech, key, live, title=room.title, when=when)
        has_replay = bool(self._directory.list_shows(room.id, ended_only=True))
        if not live:
            key = "not_live_replay_nothing_live" if has_replay else "not_live_nothing_live"
            return builder.speak(speech.say(key, title=room.title)).set_should_end_session(
                True).response
        key = "not_live_replay" if has_replay else "not_live"
        return offer_live(handler_input, speech, key, live, title=room.title)
