"""The skill through ``POST /alexa`` with signatures off: an app over the seeded rooms, a call, its speech."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from room_directory import InMemoryRoomDirectory
from stream_server.ops.app import create_app
from stream_server.ops.config import Settings
from tests.support.alexa_fixtures import seed_rooms

PUBLIC_URL = "https://live.example.test"


def make_app(tmp_path: Path) -> Flask:
    """An app (no encoders) over an in-memory directory holding the seeded rooms."""
    directory = InMemoryRoomDirectory()
    seed_rooms(directory)
    settings = Settings(data_dir=tmp_path, verify_signatures=False, public_url=PUBLIC_URL)
    return create_app(settings, directory=directory, run_encoders=False)


def post(app: Flask, envelope: dict[str, Any]) -> dict[str, Any]:
    """The skill's answer to one envelope (which must be 200)."""
    reply = app.test_client().post("/alexa", json=envelope)
    assert reply.status_code == 200
    body: dict[str, Any] = reply.get_json()
    return body


def speech(body: dict[str, Any]) -> str:
    """The SSML the answer speaks, or ''."""
    return str(body["response"].get("outputSpeech", {}).get("ssml", ""))
