"""PlaybackController.* events (buttons on the device or a remote): directives only.

Next and previous are in ``skill.handlers.skip``.
"""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from skill.config import SkillConfig
from skill.core.directives import stop_playback
from skill.directory import RoomsAndShows
from skill.handlers.playback import save_replay_offset
from skill.requests.playing import player_offset
from skill.requests.resume import resume_directive


class PlayCommandHandler(AbstractRequestHandler):
    """The play button: live edge of a live room, saved offset of a replay."""

    def __init__(self, directory: RoomsAndShows, config: SkillConfig) -> None:
        self._directory = directory
        self._config = config

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """A PlaybackController.PlayCommandIssued event."""
        return is_request_type("PlaybackController.PlayCommandIssued")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Play again what this device played, or do nothing."""
        directive, _ = resume_directive(handler_input, self._directory, self._config)
        builder = handler_input.response_builder
        return builder.add_directive(directive).response if directive else builder.response


class PauseCommandHandler(AbstractRequestHandler):
    """The pause button: save a replay's offset, stop the stream."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """A PlaybackController.PauseCommandIssued event."""
        return is_request_type("PlaybackController.PauseCommandIssued")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Send AudioPlayer.Stop."""
        save_replay_offset(handler_input, player_offset(handler_input))
        return handler_input.response_builder.add_directive(stop_playback()).response
