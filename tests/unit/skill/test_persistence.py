"""Per-listener state storage: the SQLite adapter, the URL that picks one, laziness."""

from __future__ import annotations

import json
import sqlite3
import sys
import threading
from pathlib import Path

import pytest
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope

from skill.storage.persistence import (
    LazyPersistenceAdapter,
    MemoryPersistenceAdapter,
    SqlitePersistenceAdapter,
    persistence_from_url,
)


def envelope(user_id: str) -> RequestEnvelope:
    raw = {"version": "1.0", "context": {"System": {"application": {"applicationId": "a"},
                                                    "user": {"userId": user_id}}},
           "request": {"type": "LaunchRequest", "requestId": "r",
                       "timestamp": "2026-11-21T10:00:00Z", "locale": "en-US"}}
    request: RequestEnvelope = DefaultSerializer().deserialize(json.dumps(raw), RequestEnvelope)
    return request


def test_sqlite_keeps_each_listener_apart_and_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "state" / "skill-state.db"
    adapter = SqlitePersistenceAdapter(path)
    adapter.save_attributes(envelope("alice"), {"follows": ["Mia Santos"]})
    adapter.save_attributes(envelope("bob"), {"offsets": {"jazz/s1": 5000}})
    adapter.save_attributes(envelope("alice"), {"follows": ["Mia Santos", "Sam"]})
    reopened = SqlitePersistenceAdapter(path)
    assert reopened.get_attributes(envelope("alice")) == {"follows": ["Mia Santos", "Sam"]}
    assert reopened.get_attributes(envelope("bob")) == {"offsets": {"jazz/s1": 5000}}
    assert reopened.get_attributes(envelope("carol")) == {}
    reopened.delete_attributes(envelope("bob"))
    assert reopened.get_attributes(envelope("bob")) == {}
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_sqlite_is_safe_across_threads(tmp_path: Path) -> None:
    adapter = SqlitePersistenceAdapter(tmp_path / "s.db")

    def write(n: int) -> None:
        for i in range(20):
            adapter.save_attributes(envelope(f"user-{n}"), {"i": i})

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert [adapter.get_attributes(envelope(f"user-{n}")) for n in range(4)] == [{"i": 19}] * 4


def test_an_unusable_file_is_a_persistence_error(tmp_path: Path) -> None:
    (tmp_path / "dir.db").mkdir()
    with pytest.raises(PersistenceException):
        SqlitePersistenceAdapter(tmp_path / "dir.db").get_attributes(envelope("alice"))


@pytest.mark.parametrize(
    ("url", "kind"),
    [("memory:", MemoryPersistenceAdapter), ("sqlite:///tmp/x.db", LazyPersistenceAdapter),
     ("dynamodb://listener-state", LazyPersistenceAdapter)],
    ids=["memory", "sqlite", "dynamodb"],
)
def test_the_url_picks_the_adapter_and_builds_nothing_yet(url: str, kind: type) -> None:
    before = set(sys.modules)
    adapter = persistence_from_url(url)
    assert isinstance(adapter, kind)
    assert not {"boto3", "ask_sdk_dynamodb"} & (set(sys.modules) - before)


def test_a_sqlite_url_names_an_absolute_path_as_the_room_directory_does(tmp_path: Path) -> None:
    adapter = persistence_from_url(f"sqlite://{tmp_path / 'state.db'}")
    adapter.save_attributes(envelope("alice"), {"lastRoomId": "jazz"})
    assert (tmp_path / "state.db").is_file()


def test_the_default_is_a_file_in_the_data_dir(tmp_path: Path) -> None:
    adapter = persistence_from_url("", data_dir=tmp_path)
    adapter.save_attributes(envelope("alice"), {"lastRoomId": "jazz"})
    assert (tmp_path / "skill-state.db").is_file()


@pytest.mark.parametrize("url", ["sqlite:///", "dynamodb://", "redis://x", "postgres://db"])
def test_bad_urls_are_clear_errors(url: str) -> None:
    with pytest.raises(ValueError, match="LIVESTAGE_SKILL_STATE"):
        persistence_from_url(url)
