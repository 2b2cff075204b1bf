"""The Live Stage voice skill on ask-sdk-core.

``build_skill(directory, config)`` is the one way in: it wires the handlers of
``skill.handlers`` in the order of ``skill.builder`` and returns a ``CustomSkill``.
Importing this package builds nothing.
"""

from __future__ import annotations

from skill.builder import build_skill
from skill.config import SkillConfig

__all__ = ["SkillConfig", "build_skill"]
