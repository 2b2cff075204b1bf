"""Ingest counts what it takes and what it refuses, by reason, in the shared metrics registry."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from room_directory import InMemoryRoomDirectory, Room, hash_stream_key
from stream_server.ops.app import create_app
from stream_server.ops.config import Settings
from stream_server.ops.metrics import REGISTRY

KEY = "k" * 32


def errors(reason: str) -> float:
    return REGISTRY.get_sample_value("livestage_ingest_errors_total", {"reason": reason}) or 0.0


def ingested() -> float:
    return REGISTRY.get_sample_value("livestage_ingest_bytes_total") or 0.0


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    directory = InMemoryRoomDirectory()
    directory.create(Room(id="room-1", title="T", stream_key_hash=hash_stream_key(KEY)))
    app = create_app(Settings(data_dir=tmp_path), directory=directory)
    yield app
    app.extensions["livestage"].on_air.shutdown()


def put(app: Flask, body: bytes, content_type: str = "audio/mpeg", key: str = KEY) -> int:
    resp = app.test_client().put("/ingest/room-1", data=body, headers={
        "Authorization": f"Bearer {key}", "Content-Type": content_type})
    return resp.status_code


def test_bytes_taken_and_refusals_are_counted_by_reason(app: Flask, tmp_path: Path) -> None:
    mp3 = subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=duration=1",
                          "-c:a", "libmp3lame", "-f", "mp3", "pipe:1"],
                         capture_output=True, check=True).stdout
    before = {r: errors(r) for r in ("auth", "codec", "decode")}
    taken = ingested()
    assert put(app, mp3) == 200
    assert ingested() - taken == len(mp3)
    assert put(app, mp3, key="wrong") == 401
    assert put(app, mp3, content_type="text/plain") == 415
    assert put(app, b"not audio at all" * 100) == 400
    assert {r: errors(r) - before[r] for r in before} == {"auth": 1, "codec": 1, "decode": 1}


def test_basic_auths_challenge_to_a_request_without_credentials_is_not_an_error(app: Flask) -> None:
    before = errors("auth")
    resp = app.test_client().put("/ingest/room-1", data=b"\xff\xfb" * 100,
                                 headers={"Content-Type": "audio/mpeg"})  # libshout's first try
    assert resp.status_code == 401 and resp.headers["WWW-Authenticate"].startswith("Basic ")
    assert errors("auth") == before
