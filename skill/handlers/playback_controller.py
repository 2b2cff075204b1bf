"""PlaybackController.* events (buttons on the device or a remote): directives only."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_request_type, is_request_type
from ask_sdk_model import Response

from room_directory import RoomDirectory
from skill.config import SkillConfig
from skill.directives import play_room, stop_playback
from skill.envelope import audio_player_token
from skill.tokens import room_for_token


class PlayCommandHandler(AbstractRequestHandler):
    """The play button: back to the live edge of the last room, if it is still live."""

    def __init__(self, directory: RoomDirectory, config: SkillConfig) -> None:
        self._directory = directory
        self._config = config

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """A PlaybackController.PlayCommandIssued event."""
        return is_request_type("PlaybackController.PlayCommandIssued")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Play the room of ``context.AudioPlayer.token`` at offset 0, or do nothing."""
        builder = handler_input.response_builder
        room = room_for_token(self._directory, audio_player_token(handler_input))
        if room is None or not room.is_live:
            return builder.response
        return builder.add_directive(play_room(room, self._config)).response


class PauseCommandHandler(AbstractRequestHandler):
    """The pause button: stop the stream."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """A PlaybackController.PauseCommandIssued event."""
        return is_request_type("PlaybackController.PauseCommandIssued")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Send AudioPlayer.Stop."""
        return handler_input.response_builder.add_directive(stop_playback()).response


class SkipCommandHandler(AbstractRequestHandler):
    """Next and previous buttons: a live room has nothing to skip to, so nothing happens."""

    EVENTS = frozenset(
        {"PlaybackController.NextCommandIssued", "PlaybackController.PreviousCommandIssued"}
    )

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """A NextCommandIssued or PreviousCommandIssued event."""
        return str(get_request_type(handler_input)) in self.EVENTS

    def handle(self, handler_input: HandlerInput) -> Response:
        """An empty response: the stream plays on."""
        return handler_input.response_builder.response
