"""The skill's configuration from ``LIVESTAGE_*`` variables (the Lambda host uses this).

==========================  =========================================================
``LIVESTAGE_PUBLIC_URL``    base of the stream URLs in Play directives (HTTPS)
``LIVESTAGE_SKILL_ID``      the skill id to accept; empty accepts any
``LIVESTAGE_URL_SECRET``    signs listener tokens and private-room URLs
``LIVESTAGE_PRIVATE_URL_TTL``  seconds a private room's signed URL stays valid (12 h)
``LIVESTAGE_SKILL_STATE``   per-listener state: ``sqlite:///PATH``, ``dynamodb://TABLE``
                            or ``memory:``; default ``DATA_DIR/skill-state.db``
``LIVESTAGE_TIME_ZONE``     time zone of spoken schedules (default ``UTC``)
==========================  =========================================================
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter

from skill.config import PRIVATE_URL_TTL, SkillConfig
from skill.storage.persistence import persistence_from_url


def config_from_env(
    env: Mapping[str, str], *, public_url: str | None = None,
    listener_count: Callable[[str], int] | None = None,
) -> SkillConfig:
    """A ``SkillConfig`` from the environment (``public_url`` overrides the variable)."""
    return SkillConfig(
        public_url=public_url if public_url is not None else env.get("LIVESTAGE_PUBLIC_URL", ""),
        skill_id=env.get("LIVESTAGE_SKILL_ID", ""),
        url_secret=env.get("LIVESTAGE_URL_SECRET", ""),
        url_ttl=float(env.get("LIVESTAGE_PRIVATE_URL_TTL", "") or PRIVATE_URL_TTL),
        listener_count=listener_count,
        time_zone=env.get("LIVESTAGE_TIME_ZONE", "") or "UTC",
    )


def persistence_from_env(
    env: Mapping[str, str], *, data_dir: Path | None = None
) -> AbstractPersistenceAdapter:
    """The listener-state adapter ``LIVESTAGE_SKILL_STATE`` names (built on first use)."""
    if data_dir is None and env.get("LIVESTAGE_DATA_DIR"):
        data_dir = Path(env["LIVESTAGE_DATA_DIR"])
    return persistence_from_url(env.get("LIVESTAGE_SKILL_STATE", ""), data_dir=data_dir)
