"""Next and previous room while a live room plays: by voice (AMAZON.Next/PreviousIntent,
with a short spoken title) and by button (PlaybackController, directives only).

The order is the directory's live list (newest first), wrapping around. A replay has no
next room: the voice gets a polite answer, the button nothing.
"""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_intent_name, get_request_type, is_request_type
from ask_sdk_model import Response

from room_directory import Room
from skill.config import SkillConfig
from skill.core.directives import play_room
from skill.directory import RoomReader
from skill.requests.envelope import speech_for
from skill.requests.listener_state import ListenerState
from skill.requests.playing import current_play, live_rooms, start_live

_STEPS = {
    "AMAZON.NextIntent": 1,
    "AMAZON.PreviousIntent": -1,
    "PlaybackController.NextCommandIssued": 1,
    "PlaybackController.PreviousCommandIssued": -1,
}


def neighbour(rooms: list[Room], current_id: str, step: int) -> Room | None:
    """The live room ``step`` places from ``current_id`` (wrapping); None if it is alone."""
    others = [room for room in rooms if room.id != current_id]
    if not others:
        return None
    ids = [room.id for room in rooms]
    if current_id not in ids:
        return rooms[0] if step > 0 else rooms[-1]
    return rooms[(ids.index(current_id) + step) % len(rooms)]


class SkipIntentHandler(AbstractRequestHandler):
    """"Next", "previous" (voice)."""

    def __init__(self, directory: RoomReader, config: SkillConfig) -> None:
        self._directory = directory
        self._config = config

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """AMAZON.NextIntent or AMAZON.PreviousIntent."""
        return is_request_type("IntentRequest")(handler_input) and str(
            get_intent_name(handler_input)) in _STEPS

    def handle(self, handler_input: HandlerInput) -> Response:
        """Play the next or previous live room, or explain why not."""
        speech = speech_for(handler_input)
        builder = handler_input.response_builder
        play = current_play(handler_input)
        room_id = play.room_id if play else ListenerState(handler_input).last_room_id
        if play is not None and play.is_replay:
            return builder.speak(speech.say("skip_replay")).set_should_end_session(True).response
        target = neighbour(live_rooms(self._directory), room_id or "",
                           _STEPS[str(get_intent_name(handler_input))])
        if target is None:
            return builder.speak(speech.say("skip_alone")).set_should_end_session(True).response
        return start_live(handler_input, target, self._config,
                          speak=speech.say("joining", title=target.title))


class SkipCommandHandler(AbstractRequestHandler):
    """Next and previous buttons: switch live rooms, directives only."""

    def __init__(self, directory: RoomReader, config: SkillConfig) -> None:
        self._directory = directory
        self._config = config

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """A NextCommandIssued or PreviousCommandIssued event."""
        return str(get_request_type(handler_input)) in _STEPS

    def handle(self, handler_input: HandlerInput) -> Response:
        """Play the neighbouring live room; nothing for replays or a lone room."""
        builder = handler_input.response_builder
        play = current_play(handler_input)
        if play is None or play.is_replay:
            return builder.response
        target = neighbour(live_rooms(self._directory), play.room_id,
                           _STEPS[str(get_request_type(handler_input))])
        if target is None:
            return builder.response
        state = ListenerState(handler_input)
        state.played(target.id)
        state.save()
        return builder.add_directive(play_room(target, self._config)).response
