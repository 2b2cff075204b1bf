"""What the skill is told from outside: where streams live and which skill it is."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SkillConfig:
    """Configuration of one skill instance (never speech, never per-request data)."""

    #: Base of the stream URLs in Play directives, e.g. ``https://live.example.com``.
    public_url: str
    #: The Alexa skill id the skill answers; empty accepts any (local testing only).
    skill_id: str = ""

    def stream_url(self, room_id: str) -> str:
        """The entry playlist of a room: ``<public_url>/hls/<room id>/live.m3u8``."""
        return f"{self.public_url.rstrip('/')}/hls/{room_id}/live.m3u8"
