"""JoinRoomIntent: match the spoken room, then play it, ask back, or say what is live."""

from __future__ import annotations

from dataclasses import replace

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from room_directory import Room
from skill.config import SkillConfig
from skill.core.entities import live_room_entities
from skill.core.join_decision import Gather, JoinAction, JoinDecision, JoinFacts, decide_join
from skill.core.matching import match_in_index
from skill.core.schedule_words import spoken_time
from skill.core.speech import Speech
from skill.directory import RoomsAndShows
from skill.handlers.remind import remind_about
from skill.handlers.replay import play_latest_replay
from skill.requests.envelope import resolved_room_id, session_attributes, slot_text, speech_for
from skill.requests.offers import forget_offer, offer_kind, offered_room_ids, remember_offer
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
        facts = JoinFacts(spoken, now=self._config.clock())
        if spoken:
            offered = [r for r in map(self._directory.get, offered_room_ids(attributes)) if r]
            resolved = resolved_room_id(handler_input, "room")
            facts = replace(facts, offered=offered, offer_kind=offer_kind(attributes),
                            entity=self._directory.get(resolved) if resolved else None)
        decision = decide_join(facts)
        while isinstance(decision, Gather):
            facts = self._gather(facts, decision)
            decision = decide_join(facts)
        return self._answer(handler_input, speech, spoken, decision)

    def _gather(self, facts: JoinFacts, what: Gather) -> JoinFacts:
        if what is Gather.LIVE:
            return replace(facts, live=live_rooms(self._directory))
        index = self._index.index(self._directory.list_rooms)
        found = match_in_index(facts.spoken, index, now=facts.now)
        # the index may be a second old: the room is joined as it is now
        current = self._directory.get(found.room.id) if found.room is not None else None
        return replace(facts, search=found, matched_now=current, indexed_ids=index.ids)

    def _answer(self, handler_input: HandlerInput, speech: Speech, spoken: str,
                decision: JoinDecision) -> Response:
        builder = handler_input.response_builder
        action = decision.action
        if action is JoinAction.REPLAY:
            replay = play_latest_replay(handler_input, self._directory, self._config, speech,
                                        decision.room)
            if replay is not None:
                return replay
            return self._join(handler_input, speech, decision.room)
        if action is JoinAction.REMIND:
            forget_offer(session_attributes(handler_input))
            return remind_about(handler_input, decision.room, self._config, speech)
        if action is JoinAction.JOIN:
            return self._join(handler_input, speech, decision.room)
        if action is JoinAction.ASK_BETWEEN:
            first, second = decision.rooms
            remember_offer(session_attributes(handler_input), decision.rooms)
            choices = speech.choice(first.title, second.title)
            return (
                builder.speak(speech.say("ambiguous", choices=choices))
                .ask(speech.say("ambiguous_reprompt", choices=choices))
                .response
            )
        if action is JoinAction.NOTHING_LIVE:
            text = speech.say("not_found_nothing_live", spoken=spoken) if spoken \
                else speech.say("nothing_live")
            return builder.speak(text).set_should_end_session(True).response
        if action is JoinAction.ASK_WHICH:
            return offer_live(handler_input, speech, "which_room_live", list(decision.live))
        return offer_live(handler_input, speech, "not_found", list(decision.live), spoken=spoken)

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
