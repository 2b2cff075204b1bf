"""AudioPlayer.* events: directives only, never speech or a card.

Started, Finished and Stopped need nothing. NearlyFinished (which some devices send
early) enqueues the live edge of the same room again while it is still live, so a
stream that ends unexpectedly reconnects; an ended show is left to finish. Failed clears
the queue, which also stops playback.
"""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_request_type, is_request_type
from ask_sdk_model import Response
from ask_sdk_model.interfaces.audioplayer import (
    PlaybackFailedRequest,
    PlaybackNearlyFinishedRequest,
    PlayBehavior,
)

from room_directory import RoomDirectory
from skill.config import SkillConfig
from skill.directives import clear_queue, play_room
from skill.envelope import request_as
from skill.tokens import room_for_token

log = logging.getLogger(__name__)

#: Events that only report progress: the answer is an empty response.
PROGRESS_EVENTS = frozenset(
    {"AudioPlayer.PlaybackStarted", "AudioPlayer.PlaybackFinished", "AudioPlayer.PlaybackStopped"}
)


class PlaybackProgressHandler(AbstractRequestHandler):
    """PlaybackStarted, PlaybackFinished, PlaybackStopped: acknowledge, nothing more."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """One of ``PROGRESS_EVENTS``."""
        return str(get_request_type(handler_input)) in PROGRESS_EVENTS

    def handle(self, handler_input: HandlerInput) -> Response:
        """An empty response."""
        return handler_input.response_builder.response


class PlaybackNearlyFinishedHandler(AbstractRequestHandler):
    """PlaybackNearlyFinished: enqueue the room's live edge while it is still live."""

    def __init__(self, directory: RoomDirectory, config: SkillConfig) -> None:
        self._directory = directory
        self._config = config

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """An AudioPlayer.PlaybackNearlyFinished event."""
        return is_request_type("AudioPlayer.PlaybackNearlyFinished")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """ENQUEUE a fresh play of the same live room after the current token."""
        builder = handler_input.response_builder
        token = request_as(handler_input, PlaybackNearlyFinishedRequest).token
        room = room_for_token(self._directory, token)
        if room is None or not room.is_live:
            return builder.response
        directive = play_room(
            room, self._config, behavior=PlayBehavior.ENQUEUE, expected_previous_token=token
        )
        return builder.add_directive(directive).response


class PlaybackFailedHandler(AbstractRequestHandler):
    """PlaybackFailed: log why, clear the queue, stop cleanly."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """An AudioPlayer.PlaybackFailed event."""
        return is_request_type("AudioPlayer.PlaybackFailed")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Send ClearQueue(CLEAR_ALL)."""
        request = request_as(handler_input, PlaybackFailedRequest)
        log.warning("playback failed for token %s: %s", request.token, request.error)
        return handler_input.response_builder.add_directive(clear_queue()).response
