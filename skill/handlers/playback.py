"""AMAZON.PauseIntent and AMAZON.ResumeIntent: stop, and go back to the live edge."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from room_directory import RoomDirectory
from skill.config import SkillConfig
from skill.directives import play_room, stop_playback
from skill.envelope import audio_player_token, speech_for
from skill.tokens import room_for_token


class PauseHandler(AbstractRequestHandler):
    """"Alexa, pause": stop the stream (a live room cannot hold its place)."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """An AMAZON.PauseIntent."""
        return is_intent_name("AMAZON.PauseIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Send AudioPlayer.Stop, no speech."""
        builder = handler_input.response_builder
        return builder.add_directive(stop_playback()).set_should_end_session(True).response


class ResumeHandler(AbstractRequestHandler):
    """"Alexa, resume": play the last room again from its live edge (offset 0)."""

    def __init__(self, directory: RoomDirectory, config: SkillConfig) -> None:
        self._directory = directory
        self._config = config

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """An AMAZON.ResumeIntent."""
        return is_intent_name("AMAZON.ResumeIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Play the room named by ``context.AudioPlayer.token``, or say why not."""
        speech = speech_for(handler_input)
        builder = handler_input.response_builder
        room = room_for_token(self._directory, audio_player_token(handler_input))
        if room is None:
            return builder.speak(speech.say("resume_nothing")).set_should_end_session(True).response
        if not room.is_live:
            return builder.speak(
                speech.say("resume_ended", title=room.title)
            ).set_should_end_session(True).response
        return builder.add_directive(play_room(room, self._config)).set_should_end_session(
            True
        ).response
