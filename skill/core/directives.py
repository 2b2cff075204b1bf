"""The AudioPlayer directives the skill sends, built from rooms, shows and config."""

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
from ask_sdk_model.interfaces.display import Image, ImageInstance

from room_directory.models import Room, Show
from skill.config import SkillConfig
from skill.core.tokens import new_stream_token

#: Separates host and genre in the subtitle a screen shows under the title.
SUBTITLE_SEPARATOR = " · "


def _metadata(title: str, host: str, genre: str, art_url: str) -> AudioItemMetadata:
    subtitle = SUBTITLE_SEPARATOR.join(part for part in (host, genre) if part)
    art = Image(sources=[ImageInstance(url=art_url)]) if art_url.startswith("https://") else None
    return AudioItemMetadata(title=title, subtitle=subtitle or None, art=art)


def play_room(
    room: Room,
    config: SkillConfig,
    *,
    behavior: PlayBehavior = PlayBehavior.REPLACE_ALL,
    expected_previous_token: str | None = None,
    retried: bool = False,
) -> PlayDirective:
    """Play a live room from its live edge (offset 0) under a fresh token."""
    return PlayDirective(
        play_behavior=behavior,
        audio_item=AudioItem(
            stream=Stream(
                token=new_stream_token(room.id, retried=retried),
                url=config.stream_url(room),
                offset_in_milliseconds=0,
                expected_previous_token=expected_previous_token,
            ),
            metadata=_metadata(room.title, room.host, room.genre, room.art_url),
        ),
    )


def play_replay(
    room: Room, show: Show, config: SkillConfig, *, offset_ms: int = 0, retried: bool = False
) -> PlayDirective:
    """Play the replay of ``show`` from ``offset_ms`` under a fresh token."""
    return PlayDirective(
        play_behavior=PlayBehavior.REPLACE_ALL,
        audio_item=AudioItem(
            stream=Stream(
                token=new_stream_token(room.id, show_id=show.show_id, retried=retried),
                url=config.replay_url(room, show.show_id),
                offset_in_milliseconds=max(0, offset_ms),
            ),
            metadata=_metadata(show.title or room.title, show.host or room.host,
                               show.genre or room.genre, room.art_url),
        ),
    )


def stop_playback() -> StopDirective:
    """Stop whatever the skill is playing on this device."""
    return StopDirective()


def clear_queue() -> ClearQueueDirective:
    """Stop playback and drop anything enqueued after it."""
    return ClearQueueDirective(clear_behavior=ClearBehavior.CLEAR_ALL)
