"""The AudioPlayer directives the skill sends, built from rooms and config."""

from __future__ import annotations

from ask_sdk_model.interfaces.audioplayer import (
    AudioItem,
    AudioItemMetadata,
    ClearBehavior,
    ClearQueueDirective,
    PlayBehavior,
    PlayDirective,
    StopDirective,
    Stream,
)

from room_directory import Room
from skill.config import SkillConfig
from skill.tokens import new_stream_token

#: Separates host and genre in the subtitle a screen shows under the title.
SUBTITLE_SEPARATOR = " · "


def play_room(
    room: Room,
    config: SkillConfig,
    *,
    behavior: PlayBehavior = PlayBehavior.REPLACE_ALL,
    expected_previous_token: str | None = None,
) -> PlayDirective:
    """Play a live room from its live edge (offset 0) under a fresh token."""
    subtitle = SUBTITLE_SEPARATOR.join(part for part in (room.host, room.genre) if part)
    return PlayDirective(
        play_behavior=behavior,
        audio_item=AudioItem(
            stream=Stream(
                token=new_stream_token(room.id),
                url=config.stream_url(room.id),
                offset_in_milliseconds=0,
                expected_previous_token=expected_previous_token,
            ),
            metadata=AudioItemMetadata(title=room.title, subtitle=subtitle or None),
        ),
    )


def stop_playback() -> StopDirective:
    """Stop whatever the skill is playing on this device."""
    return StopDirective()


def clear_queue() -> ClearQueueDirective:
    """Stop playback and drop anything enqueued after it."""
    return ClearQueueDirective(clear_behavior=ClearBehavior.CLEAR_ALL)
