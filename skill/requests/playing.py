"""What several handlers share: what this device plays now, and answers that start a play."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response
from ask_sdk_model.interfaces.audioplayer import PlayDirective

from room_directory import Room, Show
from skill.config import SkillConfig
from skill.core.directives import play_replay, play_room
from skill.core.tokens import StreamToken, parse_token
from skill.directory import RoomReader
from skill.requests.envelope import audio_player_token, session_attributes
from skill.requests.listener_state import ListenerState
from skill.requests.offers import forget_offer


def current_play(handler_input: HandlerInput) -> StreamToken | None:
    """What this device played last for the skill (``context.AudioPlayer.token``)."""
    return parse_token(audio_player_token(handler_input))


#: Player activities in which this device is playing the skill's stream right now (PAUSED:
#: held while the listener talks to Alexa; STOPPED, FINISHED and IDLE are not playing).
PLAYING_ACTIVITIES = frozenset({"PLAYING", "PAUSED", "BUFFER_UNDERRUN"})


def playing_now(handler_input: HandlerInput) -> StreamToken | None:
    """What this device is playing now: ``current_play`` unless the player stopped or finished."""
    context = handler_input.request_envelope.context
    player = context.audio_player if context is not None else None
    activity = getattr(player, "player_activity", None) if player is not None else None
    if str(getattr(activity, "value", activity)) not in PLAYING_ACTIVITIES:
        return None
    return current_play(handler_input)


def player_offset(handler_input: HandlerInput) -> int:
    """``context.AudioPlayer.offsetInMilliseconds`` (0 when absent)."""
    context = handler_input.request_envelope.context
    player = context.audio_player if context is not None else None
    offset = getattr(player, "offset_in_milliseconds", None) if player is not None else None
    return int(offset or 0)


def live_rooms(directory: RoomReader) -> list[Room]:
    """The public rooms on air now, newest first."""
    return directory.list_rooms(live_only=True)


def start_play(
    handler_input: HandlerInput, directive: PlayDirective, room: Room, *, speak: str | None = None
) -> Response:
    """Answer with one Play directive (ending the session), remembering the room played."""
    state = ListenerState(handler_input)
    state.played(room.id)
    state.save()
    forget_offer(session_attributes(handler_input))
    builder = handler_input.response_builder
    if speak:
        builder.speak(speak)
    return builder.add_directive(directive).set_should_end_session(True).response


def start_live(
    handler_input: HandlerInput, room: Room, config: SkillConfig, *, speak: str | None = None
) -> Response:
    """Play ``room`` from its live edge."""
    return start_play(handler_input, play_room(room, config), room, speak=speak)


def start_replay(
    handler_input: HandlerInput, room: Room, show: Show, config: SkillConfig, *,
    speak: str | None = None,
) -> Response:
    """Play ``show``'s replay from where this listener stopped it last."""
    offset = ListenerState(handler_input).offset(room.id, show.show_id)
    return start_play(handler_input, play_replay(room, show, config, offset_ms=offset), room,
                      speak=speak)
