"""GET /healthz says "degraded" (503, with the reason) whenever rooms on air do not reach listeners."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from room_directory import InMemoryRoomDirectory, Room, RoomDirectoryError, hash_stream_key
from stream_server.ops.app import create_app
from stream_server.ops.config import Settings
from stream_server.ops.services import Services
from tests.support import wait_for

TOKEN = "health-admin-token"


class ReadOnlyDirectory(InMemoryRoomDirectory):
    """A directory that reads but refuses every write (a full disk under SQLite)."""

    def create(self, room: Room) -> Room:
        raise RoomDirectoryError("database or disk is full")


@pytest.fixture
def stage(tmp_path: Path) -> Iterator[tuple[Flask, Services]]:
    directory = InMemoryRoomDirectory()
    directory.create(Room(id="room-1", title="On air", stream_key_hash=hash_stream_key("k" * 32)))
    app = create_app(Settings(data_dir=tmp_path / "data", admin_token=TOKEN, segment_seconds=1,
                              window_segments=6, loudness=False), directory=directory)
    services: Services = app.extensions["livestage"]
    try:
        yield app, services
    finally:
        services.on_air.shutdown()


def health(app: Flask) -> tuple[int, dict[str, Any]]:
    reply = app.test_client().get("/healthz")
    return reply.status_code, reply.get_json()


def go_live(services: Services) -> Any:
    room = services.directory.get("room-1")
    assert room is not None
    return services.on_air.go_live(room)


def test_a_directory_refusing_writes_is_reported(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path, admin_token=TOKEN), directory=ReadOnlyDirectory(),
                     run_encoders=False)
    assert health(app)[0] == 200
    created = app.test_client().post("/api/rooms", json={"title": "New"},
                                     headers={"Authorization": f"Bearer {TOKEN}"})
    assert created.status_code == 503
    status, body = health(app)
    assert (status, body["status"]) == (503, "degraded") and "directory" in body["reason"]


def test_segments_the_store_refuses_are_reported_and_health_returns(stage: tuple[Flask, Services]) -> None:
    app, services = stage
    hls = services.settings.hls_dir
    go_live(services)
    wait_for(lambda: (hls / "room-1" / "live.m3u8").exists(), 20, what="first segment")
    assert health(app)[0] == 200
    (hls / "room-1").rename(hls / "moved")
    (hls / "room-1").write_bytes(b"")  # a file where the folder was: every publish fails, as on a full disk
    status, body = wait_for(lambda: (lambda h: h if h[0] == 503 else None)(health(app)), 15,
                            what="degraded health")
    assert body["status"] == "degraded" and "spool" in body["reason"]
    (hls / "room-1").unlink()
    (hls / "moved").rename(hls / "room-1")
    assert wait_for(lambda: health(app)[0] == 200, 15, what="health back once the spool drained")


def test_an_encoder_restarting_again_and_again_is_reported(stage: tuple[Flask, Services]) -> None:
    app, services = stage
    stream = go_live(services)
    for _ in range(3):
        pid = wait_for(lambda: stream.encoder.pid, 10, what="encoder running")
        os.kill(pid, signal.SIGKILL)
        wait_for(lambda p=pid: stream.encoder.pid not in (None, p), 10, what="encoder restarted")
    status, body = health(app)
    assert (status, body["status"]) == (503, "degraded") and "encoder restart" in body["reason"]


def test_an_encoder_that_publishes_nothing_is_reported(tmp_path: Path) -> None:
    hung = tmp_path / "hung-ffmpeg"
    hung.write_text("#!/bin/sh\nexec cat >/dev/null\n")  # takes the audio, cuts nothing
    hung.chmod(0o755)
    directory = InMemoryRoomDirectory()
    directory.create(Room(id="room-1", title="On air", stream_key_hash=hash_stream_key("k" * 32)))
    app = create_app(Settings(data_dir=tmp_path / "data", segment_seconds=1, ffmpeg=str(hung)),
                     directory=directory)
    services: Services = app.extensions["livestage"]
    try:
        go_live(services)
        assert health(app)[0] == 200  # a fresh show has time to publish its first segment
        status, body = wait_for(lambda: (lambda h: h if h[0] == 503 else None)(health(app)), 15,
                                what="degraded health")
        assert "published no segment" in body["reason"] and body["reasons"]
    finally:
        services.on_air.shutdown()
