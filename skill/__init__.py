"""The Live Stage voice skill on ask-sdk-core.

``build_skill(directory, config)`` is the one way in: it wires the handlers of
``skill.handlers`` in the order of ``skill.builder`` and returns a ``CustomSkill``.
Importing this package builds nothing and loads no handler (a Lambda cold start pays
for them on the first request, not at import).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from skill.config import SkillConfig

if TYPE_CHECKING:
    from ask_sdk_core.skill import CustomSkill

    from room_directory import RoomDirectory

__all__ = ["SkillConfig", "build_skill"]


def build_skill(directory: RoomDirectory, config: SkillConfig, **options: Any) -> CustomSkill:
    """A ready skill (see ``skill.builder.build_skill``); the handlers load on first build."""
    from skill.builder import build_skill as build

    return build(directory, config, **options)
