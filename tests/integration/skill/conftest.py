"""One Lambda entry for the skill's integration tests, over a seeded SQLite room directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from room_directory import SqliteRoomDirectory
from tests.support.alexa_fixtures import seed_rooms
from tests.support.lambda_entry import PUBLIC_URL, SECRET, load_lambda_module


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A room directory seeded with the test rooms."""
    path = tmp_path / "rooms.db"
    seed_rooms(SqliteRoomDirectory(path))
    return path


@pytest.fixture
def directory(db_path: Path) -> SqliteRoomDirectory:
    """The seeded room directory."""
    return SqliteRoomDirectory(db_path)


@pytest.fixture
def entry(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """``lambda/app.py`` loaded with its settings pointing at the seeded directory."""
    monkeypatch.setenv("LIVESTAGE_DIRECTORY", f"sqlite:///{db_path}")
    monkeypatch.setenv("LIVESTAGE_PUBLIC_URL", PUBLIC_URL)
    monkeypatch.setenv("LIVESTAGE_URL_SECRET", SECRET)
    monkeypatch.setenv("LIVESTAGE_SKILL_STATE", f"sqlite:///{db_path.parent / 'state.db'}")
    monkeypatch.delenv("LIVESTAGE_SKILL_ID", raising=False)
    module = load_lambda_module()
    yield module
    module.reset_skill()
