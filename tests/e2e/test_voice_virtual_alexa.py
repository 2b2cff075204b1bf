"""Voice end to end: virtual-alexa says "join the jazz room" to a running ``livestage serve``.

The server runs as a real process on a loopback port; it and the test share a SQLite
room directory file, where the test puts a live jazz room. The npm packages come from
``scripts/bootstrap --test`` (``npm ci`` in ``tests/voice``).
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from room_directory import Room, RoomStatus, SqliteRoomDirectory
from tests.support import LiveServer

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
VOICE_DIR = ROOT / "tests" / "voice"
MODEL = ROOT / "interaction_models" / "en-US.json"
PUBLIC_URL = "https://live.example.test"
APPLICATION_ID = "amzn1.ask.skill.00000000-e2e0-4000-8000-000000000000"


@dataclasses.dataclass(frozen=True)
class VoiceStage:
    server: LiveServer
    directory: SqliteRoomDirectory


@pytest.fixture
def stage(make_server: Any, tmp_path: Path) -> VoiceStage:
    """``livestage serve --no-demo`` and the SQLite room directory it reads."""
    db = tmp_path / "rooms.db"
    directory = SqliteRoomDirectory(db)  # rooms go live after start-up: no encoder needed
    server = make_server(
        "--no-demo",
        LIVESTAGE_DIRECTORY=f"sqlite:///{db}",
        LIVESTAGE_PUBLIC_URL=PUBLIC_URL,
        LIVESTAGE_SKILL_ID=APPLICATION_ID,
    )
    return VoiceStage(server, directory)


def go_live(directory: SqliteRoomDirectory, room: Room) -> None:
    created = directory.create(room)
    directory.update(dataclasses.replace(created, status=RoomStatus.LIVE, show_id="s1",
                                         live_since=time.time()))


def virtual_alexa(base_url: str, utterance: str, room: str = "jazz") -> dict[str, Any]:
    """Run ``join_room.js``: ``utterance`` via utter, or ``room`` via intend if utter refuses."""
    node = shutil.which("node")
    if node is None or not (VOICE_DIR / "node_modules" / "virtual-alexa").is_dir():
        pytest.fail("node or tests/voice/node_modules missing: run scripts/bootstrap --test")
    done = subprocess.run(
        [node, str(VOICE_DIR / "join_room.js"), f"{base_url}/alexa", str(MODEL),
         APPLICATION_ID, utterance, room],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    response: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return response


def test_join_the_jazz_room_by_voice_plays_its_stream(stage: VoiceStage) -> None:
    go_live(stage.directory, Room("jazz-night", "Late Night Jazz Concert", "x", host="Mia Santos",
                            genre="jazz"))
    go_live(stage.directory, Room("morning-talk", "Morning Talk with Sam", "x", genre="talk"))

    response = virtual_alexa(stage.server.url, "join the jazz room")

    (play,) = [d for d in response["response"]["directives"] if d["type"].startswith("Audio")]
    assert play["type"] == "AudioPlayer.Play"
    assert play["playBehavior"] == "REPLACE_ALL"
    stream = play["audioItem"]["stream"]
    assert re.fullmatch(rf"{PUBLIC_URL}/hls/jazz-night/t/[^/?]+/live\.m3u8", stream["url"])
    assert stream["offsetInMilliseconds"] == 0
    assert stream["token"].startswith("jazz-night:")
    assert response["response"]["shouldEndSession"] is True
    # virtual-alexa then sent AudioPlayer.PlaybackStarted: answered without a refusal or error
    log = stage.server.log()
    assert "refused /alexa" not in log and "skill failed" not in log, log


def test_an_unknown_room_by_voice_plays_nothing(stage: VoiceStage) -> None:
    go_live(stage.directory, Room("jazz-night", "Late Night Jazz Concert", "x", genre="jazz"))

    response = virtual_alexa(stage.server.url, "play polka", room="polka")

    directives = response["response"].get("directives", [])
    assert [d["type"] for d in directives] == ["Dialog.UpdateDynamicEntities"]
    assert "couldn't find polka" in response["response"]["outputSpeech"]["ssml"]
