"""The one place where handlers are registered. Order is behaviour: first match wins.

1. the capability guard (a device without AudioPlayer never gets a Play);
2. the intents and requests of a voice session (a room named for a waiting message
   before joining; StartOver of a replay before the live-only polite answers);
3. AudioPlayer, PlaybackController, APL, Connections and skill events;
4. session ends and system errors;
5. the catch-all exception handler, last.

A response interceptor drops a yes-or-no question the answer did not ask again
(``skill.requests.questions``). The builder carries an ``ApiClient`` (the Reminders API)
and the persistence adapter of per-listener state (memory unless one is given; see
``skill.storage.persistence``).
"""

from __future__ import annotations

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder

from room_directory.follows import InMemoryFollowBook
from skill.config import SkillConfig
from skill.directory import FollowIndex, SkillDirectory
from skill.handlers.answers import NoHandler, YesHandler
from skill.handlers.audio_player import (
    PlaybackFailedHandler,
    PlaybackFinishedHandler,
    PlaybackNearlyFinishedHandler,
    PlaybackStartedHandler,
    PlaybackStoppedHandler,
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
from skill.handlers.follow import FollowHandler
from skill.handlers.hands import RaiseHandHandler
from skill.handlers.join import JoinRoomHandler
from skill.handlers.join_code import JoinCodeHandler
from skill.handlers.launch import LaunchHandler
from skill.handlers.live_list import MoreHandler, WhatsLiveHandler
from skill.handlers.message import MessageHostHandler, MessageRoomAnswerHandler
from skill.handlers.notices import NoticeSubscriptionHandler
from skill.handlers.now_playing import NowPlayingHandler
from skill.handlers.playback import PauseHandler, ResumeHandler, StartOverHandler
from skill.handlers.playback_controller import PauseCommandHandler, PlayCommandHandler
from skill.handlers.remind import ConsentAnswerHandler, RemindHandler
from skill.handlers.replay import ReplayHandler
from skill.handlers.schedule import ScheduleHandler
from skill.handlers.screen import TouchJoinHandler
from skill.handlers.session import ExceptionEncounteredHandler, SessionEndedHandler
from skill.handlers.skip import SkipCommandHandler, SkipIntentHandler
from skill.handlers.unfollow import FollowsHandler, UnfollowHandler
from skill.requests.questions import ForgetUnaskedQuestion
from skill.services.api_client import UrllibApiClient
from skill.storage.persistence import MemoryPersistenceAdapter


def request_handlers(directory: SkillDirectory, config: SkillConfig,
                     follows: FollowIndex | None = None) -> list[AbstractRequestHandler]:
    """Every request handler, in dispatch order."""
    follows = follows if follows is not None else InMemoryFollowBook()
    return [
        NoAudioPlayerHandler(),
        LaunchHandler(directory),
        MessageRoomAnswerHandler(directory, config),
        JoinRoomHandler(directory, config),
        WhatsLiveHandler(directory, config),
        MoreHandler(directory),
        NowPlayingHandler(directory, config),
        ScheduleHandler(directory, config),
        RemindHandler(directory, config),
        ReplayHandler(directory, config),
        JoinCodeHandler(directory, config),
        FollowHandler(directory, follows),
        UnfollowHandler(follows),
        FollowsHandler(),
        MessageHostHandler(directory, config),
        YesHandler(directory, config),
        NoHandler(),
        RaiseHandHandler(directory),
        PauseHandler(),
        ResumeHandler(directory, config),
        StartOverHandler(directory, config),
        SkipIntentHandler(directory, config),
        StopHandler(),
        HelpHandler(),
        FallbackHandler(),
        NavigateHomeHandler(),
        LiveOnlyHandler(),
        PlaybackStartedHandler(),
        PlaybackStoppedHandler(),
        PlaybackFinishedHandler(),
        PlaybackNearlyFinishedHandler(directory, config),
        PlaybackFailedHandler(directory, config),
        PlayCommandHandler(directory, config),
        PauseCommandHandler(),
        SkipCommandHandler(directory, config),
        TouchJoinHandler(directory, config),
        ConsentAnswerHandler(directory, config),
        NoticeSubscriptionHandler(follows),
        SessionEndedHandler(),
        ExceptionEncounteredHandler(),
    ]


def build_skill(
    directory: SkillDirectory,
    config: SkillConfig,
    *,
    persistence: AbstractPersistenceAdapter | None = None,
    follows: FollowIndex | None = None,
) -> CustomSkill:
    """A ready skill over ``directory``: every handler wired, in dispatch order.

    ``follows`` is the follow book the stream server reads to send live notices (an
    in-memory one unless given).
    """
    builder = CustomSkillBuilder(
        persistence_adapter=persistence if persistence is not None else MemoryPersistenceAdapter(),
        api_client=UrllibApiClient(),
    )
    builder.skill_id = config.skill_id or None  # type: ignore[assignment]  # SDK says None
    for handler in request_handlers(directory, config, follows):
        builder.add_request_handler(handler)
    builder.add_global_response_interceptor(ForgetUnaskedQuestion())
    builder.add_exception_handler(CatchAllExceptionHandler())
    skill: CustomSkill = builder.create()
    return skill
