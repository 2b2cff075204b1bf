"""Multi-turn voice flows: virtual-alexa talks to one running ``livestage serve``.

One server for the module (rooms differ per test by id); virtual-alexa carries the
session attributes between turns and emulates the device's AudioPlayer.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from room_directory import Room, RoomStatus, Show, SqliteRoomDirectory
from stream_server.api.room_list import TTL_SECONDS as LISTING_TTL
from tests.support import LiveServer, free_port

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
VOICE_DIR = ROOT / "tests" / "voice"
MODEL = ROOT / "interaction_models" / "en-US.json"
PUBLIC_URL = "https://live.example.test"
APPLICATION_ID = "amzn1.ask.skill.00000000-e2e0-4000-8000-00000000c0de"


@dataclasses.dataclass(frozen=True)
class VoiceStage:
    server: LiveServer
    directory: SqliteRoomDirectory


@pytest.fixture(scope="module")
def stage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VoiceStage]:
    root = tmp_path_factory.mktemp("voice")
    db = root / "rooms.db"
    directory = SqliteRoomDirectory(db)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVESTAGE_")}
    env.update({"LIVESTAGE_VERIFY_SIGNATURES": "0", "LIVESTAGE_ADMIN_TOKEN": "voice-admin",
                "LIVESTAGE_DIRECTORY": f"sqlite:///{db}", "LIVESTAGE_PUBLIC_URL": PUBLIC_URL,
                "LIVESTAGE_SKILL_ID": APPLICATION_ID, "LIVESTAGE_URL_SECRET": "voice-e2e"})
    server = LiveServer(free_port(), root / "data", "voice-admin", env, ["--no-demo"])
    server.start()
    try:
        yield VoiceStage(server, directory)
    finally:
        server.stop()


def go_live(directory: SqliteRoomDirectory, room: Room) -> None:
    created = directory.create(room)
    directory.update(dataclasses.replace(created, status=RoomStatus.LIVE, show_id="s1",
                                         live_since=time.time()))


def converse(stage: VoiceStage, *steps: dict[str, Any]) -> list[dict[str, Any]]:
    node = shutil.which("node")
    if node is None or not (VOICE_DIR / "node_modules" / "virtual-alexa").is_dir():
        pytest.fail("node or tests/voice/node_modules missing: run scripts/bootstrap --test")
    done = subprocess.run(
        [node, str(VOICE_DIR / "conversation.js"), f"{stage.server.url}/alexa", str(MODEL),
         APPLICATION_ID, json.dumps(list(steps))],
        capture_output=True, text=True, timeout=90, check=False,
    )
    assert done.returncode == 0, done.stderr
    responses: list[dict[str, Any]] = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(responses) == len(steps)
    return responses


def said(response: dict[str, Any]) -> str:
    return str(response["response"].get("outputSpeech", {}).get("ssml", ""))


def played_room(response: dict[str, Any]) -> str | None:
    plays = [d for d in response["response"].get("directives", [])
             if d["type"] == "AudioPlayer.Play"]
    if not plays:
        return None
    (play,) = plays
    url: str = play["audioItem"]["stream"]["url"]
    assert url.startswith(f"{PUBLIC_URL}/hls/") and "/t/" in url and "?" not in url
    room, _, file = url.removeprefix(f"{PUBLIC_URL}/hls/").partition("/t/")
    return f"{room}/{file.split('/', 1)[1]}"


def test_launch_list_join_pause_resume_next_stop(stage: VoiceStage) -> None:
    go_live(stage.directory, Room("e2e-jazz", "Blue Note Jazz", "x", host="Mia Santos",
                                  genre="jazz"))
    go_live(stage.directory, Room("e2e-talk", "Evening Talk", "x", host="Sam", genre="talk"))
    launch, listing, join, pause, resume, nxt, stop = converse(
        stage, {"launch": True}, {"utter": "what's live"}, {"utter": "play jazz"},
        {"utter": "pause"}, {"utter": "resume"}, {"utter": "next"}, {"utter": "stop"},
    )
    assert "Live now" in said(launch) and launch["response"]["shouldEndSession"] is False
    assert "Blue Note Jazz" in said(listing)
    assert played_room(join) == "e2e-jazz/live.m3u8"
    assert [d["type"] for d in pause["response"]["directives"]] == ["AudioPlayer.Stop"]
    assert played_room(resume) == "e2e-jazz/live.m3u8"
    next_room = played_room(nxt)
    assert next_room is not None and next_room != "e2e-jazz/live.m3u8"
    assert [d["type"] for d in stop["response"]["directives"]] == ["AudioPlayer.Stop"]
    log = stage.server.log()
    assert "refused /alexa" not in log and "skill failed" not in log, log


def test_disambiguation_across_two_turns(stage: VoiceStage) -> None:
    go_live(stage.directory, Room("e2e-folk-a", "Harbour Folk Night", "x", genre="folk"))
    go_live(stage.directory, Room("e2e-folk-b", "Mountain Folk Session", "x", genre="folk"))
    asked, answered = converse(
        stage, {"intend": "JoinRoomIntent", "slots": {"room": "folk"}},
        {"intend": "JoinRoomIntent", "slots": {"room": "mountain"}},
    )
    assert "Did you mean" in said(asked) and played_room(asked) is None
    assert asked["response"]["shouldEndSession"] is False
    assert played_room(answered) == "e2e-folk-b/live.m3u8"


def test_replay_resumes_where_the_device_stopped(stage: VoiceStage) -> None:
    stage.directory.create(Room("e2e-gospel", "Sunday Gospel", "x", host="Rev Lee",
                                genre="gospel"))
    now = time.time()
    stage.directory.save_show(Show("e2e-gospel", "g1", now - 7200, now - 3600,
                                   title="Sunday Gospel", genre="gospel"))
    first, _stopped, again = converse(
        stage, {"intend": "ReplayIntent", "slots": {"room": "gospel"}}, {"stopped": 754000},
        {"intend": "ReplayIntent", "slots": {"room": "gospel"}},
    )
    assert played_room(first) == "e2e-gospel/g1.m3u8"
    assert played_room(again) == "e2e-gospel/g1.m3u8"
    (play,) = again["response"]["directives"]
    assert play["audioItem"]["stream"]["offsetInMilliseconds"] == 754000
    assert "Resuming" in said(again)


def test_yes_joins_the_followed_host_and_no_closes(stage: VoiceStage) -> None:
    go_live(stage.directory, Room("e2e-dana", "Dana's Late Show", "x", host="Dana Lee",
                                  genre="talk"))
    time.sleep(LISTING_TTL + 0.2)  # a write from another process is seen once the room list's cache lapses
    follow, welcome, yes, again, no = converse(
        stage, {"utter": "follow dana lee"}, {"launch": True}, {"utter": "yes"},
        {"launch": True}, {"utter": "no"},
    )
    assert "following Dana Lee" in said(follow)
    assert "Would you like to join?" in said(welcome)
    assert played_room(yes) == "e2e-dana/live.m3u8"
    assert played_room(no) is None and no["response"]["shouldEndSession"] is True
    assert "went wrong" not in said(no) and "Would you like to join?" in said(again)
