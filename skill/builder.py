"""The one place where handlers are registered. Order is behaviour: first match wins.

1. the capability guard (a device without AudioPlayer never gets a Play);
2. the intents and requests of a voice session;
3. AudioPlayer and PlaybackController events (directives only);
4. session ends and system errors;
5. the catch-all exception handler, last.
"""

from __future__ import annotations

from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import SkillBuilder

from room_directory import RoomDirectory
from skill.config import SkillConfig
from skill.handlers.audio_player import (
    PlaybackFailedHandler,
    PlaybackNearlyFinishedHandler,
    PlaybackProgressHandler,
)
from skill.handlers.builtins import (
    FallbackHandler,
    HelpHandler,
    LiveOnlyHandler,
    NavigateHomeHandler,
    StopHandler,
)
from skill.handlers.capability import NoAudioPlayerHandler
from skill.handlers.errors import CatchAllExceptionHandler
from skill.handlers.join import JoinRoomHandler
from skill.handlers.launch import LaunchHandler
from skill.handlers.playback import PauseHandler, ResumeHandler
from skill.handlers.playback_controller import (
    PauseCommandHandler,
    PlayCommandHandler,
    SkipCommandHandler,
)
from skill.handlers.session import ExceptionEncounteredHandler, SessionEndedHandler


def build_skill(directory: RoomDirectory, config: SkillConfig) -> CustomSkill:
    """A ready skill over ``directory``: every handler wired, in dispatch order."""
    builder = SkillBuilder()
    builder.skill_id = config.skill_id or None  # type: ignore[assignment]  # SDK says None
    for handler in (
        NoAudioPlayerHandler(),
        LaunchHandler(directory),
        JoinRoomHandler(directory, config),
        PauseHandler(),
        ResumeHandler(directory, config),
        StopHandler(),
        HelpHandler(),
        FallbackHandler(),
        NavigateHomeHandler(),
        LiveOnlyHandler(),
        PlaybackProgressHandler(),
        PlaybackNearlyFinishedHandler(directory, config),
        PlaybackFailedHandler(),
        PlayCommandHandler(directory, config),
        PauseCommandHandler(),
        SkipCommandHandler(),
        SessionEndedHandler(),
        ExceptionEncounteredHandler(),
    ):
        builder.add_request_handler(handler)
    builder.add_exception_handler(CatchAllExceptionHandler())
    skill: CustomSkill = builder.create()
    return skill
