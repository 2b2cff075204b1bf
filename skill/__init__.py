"""The Live Stage voice skill on ask-sdk-core.

``build_skill(directory, config)`` is the one way in: it wires the handlers of
``skill.handlers`` in the order of ``skill.builder`` and returns a ``CustomSkill``;
``persistence_from_url`` picks where per-listener state lives. Importing this package
builds nothing and loads no handler (a Lambda cold start pays for them on the first
request, not at import).

A request flows through four layers, each importing only those below it::

    handlers/    one handler per intent or event: gather, call the core, answer
      │
    requests/    the request glue: envelope fields, the standing offer, listener state,
      │          answers that start a play, resuming
    services/    calls to Alexa's APIs: reminders, the device's time zone, their HTTP client
    storage/     what outlives a request: listener-state adapters, the room index cache,
      │          the speech catalogs
    core/        pure functions over values: matching, the join decision, speech,
                 directives, stream tokens, schedule words, entities, screens

Beside them: ``config`` (what the skill is told), ``environment`` (that from
``LIVESTAGE_*``), ``directory`` (the narrow room-directory Protocols handlers declare)
and ``catalogs/`` (speech per locale, data).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from skill.config import SkillConfig

if TYPE_CHECKING:
    from ask_sdk_core.skill import CustomSkill

    from skill.directory import SkillDirectory
    from skill.storage.persistence import persistence_from_url

__all__ = ["SkillConfig", "build_skill", "persistence_from_url"]


def build_skill(directory: SkillDirectory, config: SkillConfig, **options: Any) -> CustomSkill:
    """A ready skill (see ``skill.builder.build_skill``); the handlers load on first build."""
    from skill.builder import build_skill as build

    return build(directory, config, **options)


def __getattr__(name: str) -> Any:
    """``persistence_from_url``, imported on first use (it loads the SDK's persistence port)."""
    if name == "persistence_from_url":
        from skill.storage.persistence import persistence_from_url

        return persistence_from_url
    raise AttributeError(f"module 'skill' has no attribute {name!r}")
