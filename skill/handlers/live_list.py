"""WhatsLiveIntent and "more": what is live, in pages of three, optionally of one genre.

The listing (room ids, page) lives in the session attributes, so "more" reads the next
three and "the second one" joins from the page just read. Screens get the whole list.
"""

from __future__ import annotations

from typing import Any

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from room_directory import Room
from skill.config import SkillConfig
from skill.core.entities import live_room_entities
from skill.core.normalise import normalise
from skill.core.room_scoring import MATCH_THRESHOLD, room_score
from skill.core.screens import rooms_list
from skill.core.speech import Speech
from skill.directory import RoomReader
from skill.requests.envelope import session_attributes, slot_text, speech_for, supports_apl
from skill.requests.offers import remember_offer
from skill.requests.playing import live_rooms

#: Rooms read per page.
PAGE_SIZE = 3
#: Session attribute holding the listing being read.
LISTING_KEY = "listing"


def _of_genre(rooms: list[Room], genre: str) -> list[Room]:
    words = normalise(genre)
    return [room for room in rooms if words and room_score(words, room) >= MATCH_THRESHOLD]


def read_page(handler_input: HandlerInput, speech: Speech, rooms: list[Room], page: int,
              genre: str = "") -> Response:
    """Speak page ``page`` of ``rooms`` and remember where the listing is."""
    attributes = session_attributes(handler_input)
    chunk = rooms[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
    remaining = len(rooms) - (page + 1) * PAGE_SIZE
    attributes[LISTING_KEY] = {"ids": [r.id for r in rooms], "page": page, "genre": genre}
    remember_offer(attributes, chunk)
    titles = speech.titles([r.title for r in chunk], limit=PAGE_SIZE)
    if page == 0:
        key = "live_genre_page" if genre else "live_page"
    else:
        key = "live_more_page"
    text = speech.say(key, rooms=titles, genre=genre, count=len(rooms))
    prompt = speech.say("live_ask_more" if remaining > 0 else "live_ask_which")
    return (
        handler_input.response_builder.speak(f"{text} {prompt}").ask(prompt)
        .add_directive(live_room_entities(rooms)).response
    )


class WhatsLiveHandler(AbstractRequestHandler):
    """"What's live?", "what jazz is on?"."""

    def __init__(self, directory: RoomReader, config: SkillConfig) -> None:
        self._directory = directory
        self._config = config

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """A WhatsLiveIntent."""
        return is_intent_name("WhatsLiveIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Read the first page; on a screen, show them all."""
        speech = speech_for(handler_input)
        genre = slot_text(handler_input, "genre")
        live = live_rooms(self._directory)
        rooms = _of_genre(live, genre) if genre else live
        builder = handler_input.response_builder
        if not rooms:
            if genre and live:
                remember_offer(session_attributes(handler_input), live[:PAGE_SIZE])
                titles = speech.titles([r.title for r in live], limit=PAGE_SIZE)
                return builder.speak(speech.say("live_genre_none", genre=genre, rooms=titles)) \
                    .ask(speech.say("which_room")).response
            return builder.speak(speech.say("nothing_live")).set_should_end_session(True).response
        if supports_apl(handler_input):
            builder.add_directive(rooms_list(rooms, speech, self._config.listener_count))
        return read_page(handler_input, speech, rooms, 0, genre)


class MoreHandler(AbstractRequestHandler):
    """"More" (AMAZON.MoreIntent or our MoreIntent) during a listing."""

    INTENTS = ("AMAZON.MoreIntent", "MoreIntent")

    def __init__(self, directory: RoomReader) -> None:
        self._directory = directory

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """A MoreIntent."""
        return any(is_intent_name(name)(handler_input) for name in self.INTENTS)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Read the next page, or say that was all."""
        speech = speech_for(handler_input)
        listing: Any = session_attributes(handler_input).get(LISTING_KEY)
        builder = handler_input.response_builder
        if not isinstance(listing, dict):
            live = live_rooms(self._directory)
            if not live:
                return builder.speak(speech.say("nothing_live")).set_should_end_session(True) \
                    .response
            return read_page(handler_input, speech, live, 0)
        rooms = [r for r in map(self._directory.get, listing.get("ids", [])) if r and r.is_live]
        page = int(listing.get("page", 0)) + 1
        if page * PAGE_SIZE >= len(rooms):
            prompt = speech.say("live_ask_which")
            return builder.speak(f"{speech.say('live_no_more')} {prompt}").ask(prompt).response
        return read_page(handler_input, speech, rooms, page, str(listing.get("genre", "")))
