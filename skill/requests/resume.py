"""Resuming: a live room goes back to its live edge; a replay to the listener's offset."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model.interfaces.audioplayer import PlayDirective

from room_directory import Room
from skill.config import SkillConfig
from skill.core.directives import play_replay, play_room
from skill.directory import RoomsAndShows
from skill.requests.listener_state import ListenerState
from skill.requests.playing import current_play


def resume_directive(
    handler_input: HandlerInput, directory: RoomsAndShows, config: SkillConfig
) -> tuple[PlayDirective | None, Room | None]:
    """The Play that resumes what this device played, and its room (None, room: not live)."""
    play = current_play(handler_input)
    state = ListenerState(handler_input)
    room_id = play.room_id if play else state.last_room_id
    room = directory.get(room_id) if room_id else None
    if room is None:
        return None, None
    if play is not None and play.show_id:
        show = directory.get_show(room.id, play.show_id)
        if show is None:
            return None, room
        offset = state.offset(room.id, show.show_id)
        return play_replay(room, show, config, offset_ms=offset), room
    if not room.is_live:
        return None, room
    return play_room(room, config), room
