"""What the views share: settings, the room directory, the stage and the skill."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from flask import current_app

from room_directory import RoomDirectory
from stream_server.config import Settings
from stream_server.listeners import ListenerTracker

if TYPE_CHECKING:
    from stream_server.stage import Stage


class Services:
    """One per app: built by ``create_app``, found by views through ``current_services()``."""

    def __init__(self, settings: Settings, directory: RoomDirectory, stage: Stage) -> None:
        self.settings = settings
        self.directory = directory
        self.stage = stage
        #: listeners now and per minute, fed by every playlist fetch that carries a listener token
        self.listeners = ListenerTracker()
        self._skill: Any = None
        self._skill_lock = threading.Lock()

    @property
    def skill(self) -> Any:
        """The voice skill, built on first use (not at import, not at start-up)."""
        with self._skill_lock:
            if self._skill is None:
                from skill import SkillConfig, build_skill

                self._skill = build_skill(
                    self.directory,
                    SkillConfig(public_url=self.settings.base_url, skill_id=self.settings.skill_id),
                )
            return self._skill


def current_services() -> Services:
    """The services of the app handling the current request."""
    services: Services = current_app.extensions["livestage"]
    return services
