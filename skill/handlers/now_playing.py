"""NowPlayingIntent: "what am I listening to?" — room, host, the song and listeners when known."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from skill.config import SkillConfig
from skill.directory import RoomsAndShows
from skill.requests.envelope import speech_for
from skill.requests.playing import current_play


class NowPlayingHandler(AbstractRequestHandler):
    """Name what this device plays; the song and listeners only where the stream server knows them."""

    def __init__(self, directory: RoomsAndShows, config: SkillConfig) -> None:
        self._directory = directory
        self._config = config

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """A NowPlayingIntent."""
        return is_intent_name("NowPlayingIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Say the room (or replay), its host, the song on air and its listeners now."""
        speech = speech_for(handler_input)
        builder = handler_input.response_builder.set_should_end_session(True)
        play = current_play(handler_input)
        room = self._directory.get(play.room_id) if play else None
        if play is None or room is None:
            return builder.speak(speech.say("now_playing_nothing")).response
        if play.show_id:
            show = self._directory.get_show(room.id, play.show_id)
            title = (show.title if show and show.title else room.title)
            parts = [speech.say("now_playing_replay", title=title)]
        else:
            parts = [speech.say("now_playing_live", title=room.title)]
        if room.host:
            parts.append(speech.say("now_playing_host", host=room.host))
        song = self._config.now_playing(room.id) if (
            self._config.now_playing is not None and play.show_id is None) else None
        if song is not None:
            title, artist = song
            parts.append(speech.say("now_playing_song", title=title, artist=artist) if artist
                         else speech.say("now_playing_song_no_artist", title=title))
        if self._config.listener_count is not None and play.show_id is None:
            count = self._config.listener_count(room.id)
            key = "now_playing_listener" if count == 1 else "now_playing_listeners"
            parts.append(speech.say(key, count=count))
        return builder.speak(" ".join(parts)).response
