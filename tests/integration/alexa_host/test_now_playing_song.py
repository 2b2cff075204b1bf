"""The song a performer's tool announced reaches "what am I listening to" through ``POST /alexa``."""

from __future__ import annotations

from pathlib import Path

from room_directory import InMemoryRoomDirectory
from stream_server.ops.app import create_app
from stream_server.ops.config import Settings
from tests.support.alexa_fixtures import intent_request, join_room, seed_rooms

ADMIN = "admin-secret"


def test_the_announced_song_is_said(tmp_path: Path) -> None:
    directory = InMemoryRoomDirectory()
    seed_rooms(directory)
    app = create_app(Settings(data_dir=tmp_path, verify_signatures=False, admin_token=ADMIN,
                              public_url="https://live.example.test", segment_seconds=2),
                     directory=directory)
    on_air = app.extensions["livestage"].on_air
    try:
        room = directory.get("jazz-night")
        assert room is not None
        on_air.go_live(room)
        client = app.test_client()
        update = client.get("/admin/metadata?mode=updinfo&mount=/ingest/jazz-night"
                            "&song=Miles%20Davis%20-%20Blue%20in%20Green",
                            headers={"Authorization": f"Bearer {ADMIN}"})
        assert update.status_code == 200
        play = client.post("/alexa", json=join_room("jazz")).get_json()["response"]["directives"][0]
        token = play["audioItem"]["stream"]["token"]
        said = client.post("/alexa", json=intent_request("NowPlayingIntent", audio_token=token)).get_json()
        speech = said["response"]["outputSpeech"]["ssml"]
        assert "Late Night Jazz Concert" in speech and "Now playing Blue in Green by Miles Davis." in speech
    finally:
        on_air.shutdown()
