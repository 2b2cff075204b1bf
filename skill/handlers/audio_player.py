"""AudioPlayer.* events: directives only, never speech or a card.

Started needs nothing. Stopped saves a replay's offset (this listener resumes there);
Finished forgets it. NearlyFinished (which some devices send early) enqueues the live
edge of the same room again while it is still live, so a stream that ends unexpectedly
reconnects; a replay or an ended show is left to finish. Failed retries once under a
token marked ``retry`` (live edge, or the replay where it failed), then clears the queue.
"""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response
from ask_sdk_model.interfaces.audioplayer import (
    PlaybackFailedRequest,
    PlaybackFinishedRequest,
    PlaybackNearlyFinishedRequest,
    PlaybackStoppedRequest,
    PlayBehavior,
)

from skill.config import SkillConfig
from skill.core.directives import clear_queue, play_replay, play_room
from skill.core.tokens import parse_token
from skill.directory import RoomsAndShows
from skill.requests.envelope import request_as
from skill.requests.listener_state import ListenerState

log = logging.getLogger(__name__)


def _save_offset(handler_input: HandlerInput, token: str | None, offset_ms: int) -> None:
    play = parse_token(token)
    if play is not None and play.show_id:
        state = ListenerState(handler_input)
        state.set_offset(play.room_id, play.show_id, offset_ms)
        state.save()


class PlaybackStartedHandler(AbstractRequestHandler):
    """PlaybackStarted: acknowledge, nothing more."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """An AudioPlayer.PlaybackStarted event."""
        return is_request_type("AudioPlayer.PlaybackStarted")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """An empty response."""
        return handler_input.response_builder.response


class PlaybackStoppedHandler(AbstractRequestHandler):
    """PlaybackStopped: remember where a replay stopped."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """An AudioPlayer.PlaybackStopped event."""
        return is_request_type("AudioPlayer.PlaybackStopped")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Save ``offsetInMilliseconds`` for a replay token; an empty response."""
        request = request_as(handler_input, PlaybackStoppedRequest)
        _save_offset(handler_input, request.token, int(request.offset_in_milliseconds or 0))
        return handler_input.response_builder.response


class PlaybackFinishedHandler(AbstractRequestHandler):
    """PlaybackFinished: a replay heard to its end starts from the top next time."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """An AudioPlayer.PlaybackFinished event."""
        return is_request_type("AudioPlayer.PlaybackFinished")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Forget a replay's offset; an empty response."""
        request = request_as(handler_input, PlaybackFinishedRequest)
        _save_offset(handler_input, request.token, 0)
        return handler_input.response_builder.response


class PlaybackNearlyFinishedHandler(AbstractRequestHandler):
    """PlaybackNearlyFinished: enqueue the room's live edge while it is still live."""

    def __init__(self, directory: RoomsAndShows, config: SkillConfig) -> None:
        self._directory = directory
        self._config = config

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """An AudioPlayer.PlaybackNearlyFinished event."""
        return is_request_type("AudioPlayer.PlaybackNearlyFinished")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """ENQUEUE a fresh play of the same live room after the current token."""
        builder = handler_input.response_builder
        token = request_as(handler_input, PlaybackNearlyFinishedRequest).token
        play = parse_token(token)
        room = self._directory.get(play.room_id) if play and not play.show_id else None
        if room is None or not room.is_live:
            return builder.response
        directive = play_room(
            room, self._config, behavior=PlayBehavior.ENQUEUE, expected_previous_token=token
        )
        return builder.add_directive(directive).response


class PlaybackFailedHandler(AbstractRequestHandler):
    """PlaybackFailed: retry once, then clear the queue and stop cleanly."""

    def __init__(self, directory: RoomsAndShows, config: SkillConfig) -> None:
        self._directory = directory
        self._config = config

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """An AudioPlayer.PlaybackFailed event."""
        return is_request_type("AudioPlayer.PlaybackFailed")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Play the same thing again under a ``retry`` token, or ClearQueue(CLEAR_ALL)."""
        request = request_as(handler_input, PlaybackFailedRequest)
        log.warning("playback failed for token %s: %s", request.token, request.error)
        builder = handler_input.response_builder
        play = parse_token(request.token)
        room = self._directory.get(play.room_id) if play and not play.retried else None
        if play is None or room is None:
            return builder.add_directive(clear_queue()).response
        if play.show_id:
            show = self._directory.get_show(room.id, play.show_id)
            state = getattr(request, "current_playback_state", None)
            offset = int(getattr(state, "offset_in_milliseconds", 0) or 0)
            if show is not None:
                return builder.add_directive(
                    play_replay(room, show, self._config, offset_ms=offset, retried=True)).response
        elif room.is_live:
            return builder.add_directive(play_room(room, self._config, retried=True)).response
        return builder.add_directive(clear_queue()).response
