"""What the views share: settings, the room directory, the rooms on air and the skill."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from flask import current_app

from room_directory import RoomDirectory
from stream_server.ops.config import Settings
from stream_server.ops.incidents import Incidents
from stream_server.serving.listeners import ListenerTracker

if TYPE_CHECKING:
    from stream_server.pipeline.on_air import OnAir


class Services:
    """One per app: built by ``create_app``, found by views through ``current_services()``."""

    def __init__(self, settings: Settings, directory: RoomDirectory, on_air: OnAir) -> None:
        self.settings = settings
        self.directory = directory
        self.on_air = on_air
        #: listeners now and per minute, fed by every playlist fetch that carries a listener token
        self.listeners = ListenerTracker()
        #: failures requests met lately (a directory refusing writes …), reported by /healthz
        self.incidents = Incidents()
        self._skill: Any = None
        self._skill_lock = threading.Lock()

    @property
    def skill(self) -> Any:
        """The voice skill, built on first use (not at import, not at start-up)."""
        with self._skill_lock:
            if self._skill is None:
                self._skill = self._build_skill()
            return self._skill

    def _build_skill(self) -> Any:
        from skill import SkillConfig, build_skill
        from skill.persistence import persistence_from_url

        settings = self.settings
        config = SkillConfig(
            public_url=settings.base_url, skill_id=settings.skill_id,
            url_secret=settings.url_secret, url_ttl=float(settings.private_url_ttl),
            listener_count=self.listeners.count, time_zone=settings.time_zone,
        )
        persistence = persistence_from_url(settings.skill_state, data_dir=settings.data_dir)
        return build_skill(self.directory, config, persistence=persistence)


def current_services() -> Services:
    """The services of the app handling the current request."""
    services: Services = current_app.extensions["livestage"]
    return services
