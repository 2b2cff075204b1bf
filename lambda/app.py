"""The AWS Lambda entry: ``handler(event, context)`` over the Live Stage skill.

The skill is built on the first call of each container (never at import) from:

==========================  ================================================
``LIVESTAGE_DIRECTORY``     room directory URL (``room_directory.open_directory``)
``LIVESTAGE_PUBLIC_URL``    base of the stream URLs in Play directives (HTTPS)
``LIVESTAGE_SKILL_ID``      the skill id to accept; empty accepts any
==========================  ================================================

and the skill's own variables (``skill.environment``: URL secret, listener state, time zone).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Mapping
from typing import Any, cast

from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill import CustomSkill
from ask_sdk_model import RequestEnvelope

from room_directory import open_directory
from room_directory.follows import open_follow_book
from skill import build_skill
from skill.environment import config_from_env, persistence_from_env

_skill: CustomSkill | None = None
_skill_lock = threading.Lock()


def skill_from_env(env: Mapping[str, str]) -> CustomSkill:
    """Build the skill from ``LIVESTAGE_*`` variables; a missing one is a clear error."""
    missing = [n for n in ("LIVESTAGE_DIRECTORY", "LIVESTAGE_PUBLIC_URL") if not env.get(n)]
    if missing:
        raise RuntimeError(f"Live Stage skill not configured: set {', '.join(missing)}")
    return build_skill(open_directory(env["LIVESTAGE_DIRECTORY"]), config_from_env(env),
                       persistence=persistence_from_env(env),
                       follows=open_follow_book(env["LIVESTAGE_DIRECTORY"]))


def cached_skill() -> CustomSkill:
    """The container's skill, built on first use."""
    global _skill
    with _skill_lock:
        if _skill is None:
            _skill = skill_from_env(os.environ)
        return _skill


def reset_skill() -> None:
    """Forget the cached skill (the next call builds a new one from the environment)."""
    global _skill
    with _skill_lock:
        _skill = None


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Answer one Alexa request: deserialize, let the skill handle it, serialize."""
    serializer = DefaultSerializer()
    envelope = serializer.deserialize(json.dumps(event), RequestEnvelope)
    response = cached_skill().invoke(request_envelope=envelope, context=context)
    return cast(dict[str, Any], serializer.serialize(response))
