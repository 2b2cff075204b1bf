"""ReplayIntent: "play the last jazz show" — the newest ended show that fits, resumed
where this listener stopped it (the offset saved on pause and stop)."""

from __future__ import annotations

from dataclasses import replace

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from room_directory import Room, RoomStatus, Show
from skill.config import SkillConfig
from skill.core.matching import MatchKind, match_room
from skill.core.speech import Speech
from skill.directory import RoomsAndShows, ShowReader
from skill.requests.envelope import session_attributes, slot_text, speech_for
from skill.requests.listener_state import ListenerState
from skill.requests.offers import remember_offer
from skill.requests.playing import start_replay


def latest_replays(directory: RoomsAndShows) -> list[tuple[Room, Show]]:
    """The newest ended show of every public room, newest first."""
    seen: dict[str, tuple[Room, Show]] = {}
    for show in directory.list_shows(ended_only=True):
        if show.room_id in seen:
            continue
        room = directory.get(show.room_id)
        if room is not None and not room.private:
            seen[show.room_id] = (room, show)
    return list(seen.values())


def play_latest_replay(handler_input: HandlerInput, directory: ShowReader,
                       config: SkillConfig, speech: Speech, room: Room) -> Response | None:
    """Play ``room``'s newest replay (resumed), or None when it has none."""
    shows = directory.list_shows(room.id, ended_only=True)
    if not shows:
        return None
    show = shows[0]
    resumed = ListenerState(handler_input).offset(room.id, show.show_id) > 0
    key = "replay_resuming" if resumed else "replay_playing"
    return start_replay(handler_input, room, show, config,
                        speak=speech.say(key, title=show.title or room.title))


class ReplayHandler(AbstractRequestHandler):
    """Replays by title, genre or host; the listener's last room when nothing is named."""

    def __init__(self, directory: RoomsAndShows, config: SkillConfig) -> None:
        self._directory = directory
        self._config = config

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """A ReplayIntent."""
        return is_intent_name("ReplayIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Match the spoken words against shows; play, ask which, or say there is none."""
        speech = speech_for(handler_input)
        builder = handler_input.response_builder
        spoken = slot_text(handler_input, "room")
        replays = latest_replays(self._directory)
        if not replays:
            return builder.speak(speech.say("replay_none")).set_should_end_session(True).response
        if not spoken:
            last = ListenerState(handler_input).last_room_id
            room = next((r for r, _ in replays if r.id == last), replays[0][0])
            answer = play_latest_replay(handler_input, self._directory, self._config, speech, room)
            assert answer is not None  # every room in ``replays`` has a show
            return answer
        # match against what each show was (its title, genre, host), keyed by room
        as_rooms = [replace(room, title=show.title or room.title, genre=show.genre or room.genre,
                            host=show.host or room.host, status=RoomStatus.ENDED)
                    for room, show in replays]
        result = match_room(spoken, as_rooms)
        rooms = {room.id: room for room, _ in replays}
        if result.kind is MatchKind.MATCH and result.room is not None:
            answer = play_latest_replay(handler_input, self._directory, self._config, speech,
                                        rooms[result.room.id])
            assert answer is not None
            return answer
        if result.kind is MatchKind.AMBIGUOUS:
            first, second = result.candidates
            remember_offer(session_attributes(handler_input), result.candidates, kind="replay")
            choices = speech.choice(first.title, second.title)
            return builder.speak(speech.say("ambiguous", choices=choices)).ask(
                speech.say("ambiguous_reprompt", choices=choices)).response
        return builder.speak(speech.say("replay_not_found", spoken=spoken)).ask(
            speech.say("replay_reprompt")).response
