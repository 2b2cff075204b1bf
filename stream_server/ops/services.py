"""What the views share: settings, the room directory, the rooms on air and the skill."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from flask import current_app

from room_directory import RoomDirectory
from room_directory.follows import FollowBook, InMemoryFollowBook
from skill.storage.catalogs import catalog_locales
from stream_server.ops.config import Settings
from stream_server.ops.incidents import Incidents
from stream_server.ops.model_sync import model_sync_from
from stream_server.serving.listeners import ListenerTracker

if TYPE_CHECKING:
    from stream_server.pipeline.on_air import OnAir


class Services:
    """One per app: built by ``create_app``, found by views through ``current_services()``."""

    def __init__(self, settings: Settings, directory: RoomDirectory, on_air: OnAir,
                 follows: FollowBook | None = None) -> None:
        """Hold what views share; nothing here starts a thread or opens a connection."""
        self.settings = settings
        self.directory = directory
        self.on_air = on_air
        #: when this app was built (Unix seconds): Icecast's ``server_start``
        self.started_at = time.time()
        #: listeners now and per minute, fed by every playlist fetch that carries a listener token
        self.listeners = ListenerTracker()
        #: failures requests met lately (a directory refusing writes …), reported by /healthz
        self.incidents = Incidents()
        #: keeps the interaction model naming the rooms, when the Skill Management API is configured
        self.model_sync = model_sync_from(settings, lambda: directory.list_rooms(), catalog_locales())
        #: who follows which host (the skill writes it, live notices read it)
        self.follows: FollowBook = follows if follows is not None else InMemoryFollowBook()
        #: live notices to followers (``alexa_host.notices``), set by ``create_app``
        self.notices: Any = None
        #: podcast episodes of ended shows (``hls.episodes``), set by ``create_app``
        self.episodes: Any = None
        self._skill: Any = None
        self._skill_lock = threading.Lock()

    @property
    def skill(self) -> Any:
        """The voice skill, built on first use (not at import, not at start-up)."""
        with self._skill_lock:
            if self._skill is None:
                self._skill = self._build_skill()
            return self._skill

    def _song_on_air(self, room_id: str) -> tuple[str, str] | None:
        """(title, artist) of the song on air in a room here, for the skill."""
        track = self.on_air.now_playing(room_id)
        return None if track is None else (track.title, track.artist)

    def _build_skill(self) -> Any:
        from skill import SkillConfig, build_skill, persistence_from_url

        settings = self.settings
        config = SkillConfig(
            public_url=settings.base_url, skill_id=settings.skill_id,
            url_secret=settings.url_secret, url_ttl=float(settings.private_url_ttl),
            listener_count=self.listeners.count, now_playing=self._song_on_air,
            time_zone=settings.time_zone,
        )
        persistence = persistence_from_url(settings.skill_state, data_dir=settings.data_dir)
        return build_skill(self.directory, config, persistence=persistence, follows=self.follows)


def current_services() -> Services:
    """The services of the app handling the current request."""
    services: Services = current_app.extensions["livestage"]
    return services


def rooms_changed() -> None:
    """A room was created or its listing changed: the interaction model follows (when configured)."""
    sync = current_services().model_sync
    if sync is not None:
        sync.notify()
