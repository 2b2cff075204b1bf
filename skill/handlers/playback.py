"""AMAZON.PauseIntent, ResumeIntent and StartOverIntent.

Pause stops the stream; for a replay it first saves where the listener was (the
PlaybackStopped event that follows saves it again, from the device's own offset).
Resume goes back to a live room's live edge, or to a replay's saved offset. Start over
plays a replay from its beginning; a live room cannot start over.
"""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from skill.config import SkillConfig
from skill.core.directives import play_replay, stop_playback
from skill.directory import RoomsAndShows
from skill.requests.envelope import speech_for
from skill.requests.listener_state import ListenerState
from skill.requests.playing import current_play, player_offset
from skill.requests.resume import resume_directive


def save_replay_offset(handler_input: HandlerInput, offset_ms: int) -> None:
    """Remember the offset when the device plays a replay (nothing for live rooms)."""
    play = current_play(handler_input)
    if play is not None and play.show_id:
        state = ListenerState(handler_input)
        state.set_offset(play.room_id, play.show_id, offset_ms)
        state.save()


class PauseHandler(AbstractRequestHandler):
    """"Alexa, pause"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """An AMAZON.PauseIntent."""
        return is_intent_name("AMAZON.PauseIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Save a replay's offset, send AudioPlayer.Stop, no speech."""
        save_replay_offset(handler_input, player_offset(handler_input))
        builder = handler_input.response_builder
        return builder.add_directive(stop_playback()).set_should_end_session(True).response


class ResumeHandler(AbstractRequestHandler):
    """"Alexa, resume": live edge of a live room, saved offset of a replay."""

    def __init__(self, directory: RoomsAndShows, config: SkillConfig) -> None:
        self._directory = directory
        self._config = config

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """An AMAZON.ResumeIntent."""
        return is_intent_name("AMAZON.ResumeIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Play again what this device played, or say why not."""
        speech = speech_for(handler_input)
        builder = handler_input.response_builder.set_should_end_session(True)
        directive, room = resume_directive(handler_input, self._directory, self._config)
        if room is None:
            return builder.speak(speech.say("resume_nothing")).response
        if directive is None:
            return builder.speak(speech.say("resume_ended", title=room.title)).response
        return builder.add_directive(directive).response


class StartOverHandler(AbstractRequestHandler):
    """"Start over": a replay from its beginning; a live room says it cannot."""

    def __init__(self, directory: RoomsAndShows, config: SkillConfig) -> None:
        self._directory = directory
        self._config = config

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """An AMAZON.StartOverIntent while a replay is the device's stream."""
        play = current_play(handler_input)
        return is_intent_name("AMAZON.StartOverIntent")(handler_input) and bool(
            play and play.show_id)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Play the replay from offset 0 and forget the saved offset."""
        play = current_play(handler_input)
        assert play is not None and play.show_id is not None  # checked by can_handle
        room = self._directory.get(play.room_id)
        show = self._directory.get_show(play.room_id, play.show_id)
        builder = handler_input.response_builder.set_should_end_session(True)
        if room is None or show is None:
            return builder.speak(speech_for(handler_input).say("resume_nothing")).response
        state = ListenerState(handler_input)
        state.set_offset(room.id, show.show_id, 0)
        state.save()
        return builder.add_directive(play_replay(room, show, self._config)).response
