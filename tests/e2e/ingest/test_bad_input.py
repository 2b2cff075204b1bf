"""Bad input never spreads: wrong codecs, garbage, stalls, floods, key reuse and key guessing.

Each case runs while a good room is on air, and shows that room (and its publisher) carry on.
"""

from __future__ import annotations

import threading
import time
import urllib.error
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.ingest.conftest import IDLE_SECONDS
from tests.support import LiveServer, wait_for
from tests.support.ingest import (
    call,
    create_room,
    encode_file,
    levels,
    media_playlist,
    open_raw_put,
    publishing,
    read_response,
)

pytestmark = pytest.mark.e2e


def listed(server: LiveServer, room_id: str) -> int:
    """Segments the room has listed so far (0 before its first playlist)."""
    try:
        parsed = media_playlist(server, room_id, "live.m3u8")
    except urllib.error.HTTPError:
        return 0
    return int(parsed.media_sequence) + len(parsed.segments)


@pytest.fixture(scope="module")
def good_room(ingest_server: LiveServer) -> Iterator[tuple[dict[str, Any], Any]]:
    """A room on air with a steady publisher for the whole module."""
    room = create_room(ingest_server, "Good room")
    with publishing(ingest_server, room["stream_key"], room["id"], freq=440, seconds=120) as proc:
        wait_for(lambda: levels(ingest_server, room["id"])["publishers"], 20, what="good room on air")
        wait_for(lambda: listed(ingest_server, room["id"]) >= 1, 30, what="good room's first segment")
        yield room, proc


def assert_carries_on(server: LiveServer, good: tuple[dict[str, Any], Any]) -> None:
    """The good room lists new segments and its publisher is still connected."""
    room, proc = good
    before = listed(server, room["id"])
    wait_for(lambda: listed(server, room["id"]) >= before + 1, 15, what="the good room continuing")
    assert proc.poll() is None
    assert [p["key_id"] for p in levels(server, room["id"])["publishers"]] == ["host"]


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Short encoded files to send as request bodies."""
    dest = tmp_path_factory.mktemp("media")
    return {codec: encode_file(dest / f"tone.{codec}", freq=500, seconds=2, codec=codec)
            for codec in ("mp3", "vorbis", "flac", "wav")}


#: (what is sent, the Content-Type it claims)
MISMATCHES = [("vorbis", "audio/mpeg"), ("mp3", "audio/flac"), ("flac", "audio/wav"),
              ("wav", "audio/ogg"), ("garbage", "audio/mpeg"), ("garbage", "audio/webm"),
              ("garbage", "audio/aac")]


def test_audio_that_is_not_its_content_type_gets_a_clear_400(
    ingest_server: LiveServer, good_room: Any, media: dict[str, Path]
) -> None:
    def attempt(case: tuple[str, str]) -> tuple[tuple[str, str], int, Any]:
        codec, content_type = case
        room = create_room(ingest_server, f"{codec} as {content_type}")
        body = bytes(range(256)) * 300 if codec == "garbage" else media[codec].read_bytes()
        status, reply, _ = call(ingest_server, "PUT", f"/ingest/{room['id']}",
                                token=room["stream_key"], raw=body,
                                headers={"Content-Type": content_type})
        return case, status, reply

    with ThreadPoolExecutor(len(MISMATCHES)) as pool:  # all at once, beside the good room
        results = list(pool.map(attempt, MISMATCHES))
    for case, status, reply in results:
        assert status == 400 and reply["reason"] == "decode", (case, reply)
        assert "could not decode" in reply["error"], (case, reply)
    assert_carries_on(ingest_server, good_room)


def test_a_live_stream_in_the_wrong_codec_is_ended_with_400(ingest_server: LiveServer,
                                                           good_room: Any) -> None:
    room = create_room(ingest_server, "Ogg pretending")  # Ogg Opus at 16 kB/s, named MP3
    with publishing(ingest_server, room["stream_key"], room["id"], freq=900, seconds=60, codec="opus",
                    extra=["-vbr", "off", "-b:a", "128k", "-content_type", "audio/mpeg"]) as proc:
        assert proc.wait(30) != 0  # told 400 while streaming, it stops
    ends = levels(ingest_server, room["id"])["recent_disconnects"]
    assert [e["reason"] for e in ends] == ["decode"]
    assert_carries_on(ingest_server, good_room)


def test_a_second_connection_with_the_same_key_gets_409(ingest_server: LiveServer, good_room: Any,
                                                        media: dict[str, Path]) -> None:
    room, _ = good_room
    status, reply, _ = call(ingest_server, "PUT", f"/ingest/{room['id']}", token=room["stream_key"],
                            raw=media["mp3"].read_bytes(), headers={"Content-Type": "audio/mpeg"})
    assert status == 409 and reply["reason"] == "key_in_use"
    assert_carries_on(ingest_server, good_room)


def test_a_silent_connection_is_replaced_by_a_new_one_with_its_key(
    ingest_server: LiveServer, media: dict[str, Path]
) -> None:
    room = create_room(ingest_server, "Replace room")
    first = open_raw_put(ingest_server, room["id"], room["stream_key"])
    try:
        first.sendall(media["mp3"].read_bytes()[:8000])  # half a second, then nothing
        wait_for(lambda: levels(ingest_server, room["id"])["publishers"], 10, what="first on air")
        time.sleep(IDLE_SECONDS * 0.7)  # silent past the replace limit (half the idle limit)
        with publishing(ingest_server, room["stream_key"], room["id"], freq=600, seconds=30) as proc:
            def second_on_air() -> bool:
                pubs = levels(ingest_server, room["id"])["publishers"]
                return bool(pubs) and pubs[0]["bytes_in"] > 20000
            wait_for(second_on_air, 20, what="the new connection on air")
            assert proc.poll() is None
            status, _ = read_response(first, 10)
            assert status in (408, 409)  # replaced (or, if slower than the idle limit, timed out)
        reasons = [e["reason"] for e in levels(ingest_server, room["id"])["recent_disconnects"]]
        assert reasons[0] in ("replaced", "stall")
    finally:
        first.close()


def test_a_stalled_publisher_is_closed_cleanly_and_the_room_keeps_room_tone(
    ingest_server: LiveServer, good_room: Any, media: dict[str, Path]
) -> None:
    room = create_room(ingest_server, "Stall room")
    sock = open_raw_put(ingest_server, room["id"], room["stream_key"])
    try:
        sock.sendall(media["mp3"].read_bytes()[:16000])  # one second of audio, then silence
        status, raw = read_response(sock, IDLE_SECONDS + 15)
    finally:
        sock.close()
    assert status == 408 and b'"stall"' in raw
    wait_for(lambda: levels(ingest_server, room["id"])["bus_inputs"] == 0, 15,
             what="the stalled input played out and gone from the bus")
    before = listed(ingest_server, room["id"])
    wait_for(lambda: listed(ingest_server, room["id"]) >= before + 1, 15, what="room tone segments")
    assert levels(ingest_server, room["id"])["on_air"]
    assert_carries_on(ingest_server, good_room)


def test_a_flooding_publisher_is_paced_then_cut_off_with_a_reason(
    ingest_server: LiveServer, good_room: Any, tmp_path: Path
) -> None:
    room = create_room(ingest_server, "Flood room")
    blob = encode_file(tmp_path / "long.mp3", freq=700, seconds=120, codec="mp3").read_bytes()
    sock = open_raw_put(ingest_server, room["id"], room["stream_key"])
    stop = threading.Event()

    def flood() -> None:
        try:
            for i in range(0, len(blob), 16384):
                if stop.is_set():
                    return
                sock.sendall(blob[i : i + 16384])
        except OSError:
            return

    sender = threading.Thread(target=flood, daemon=True)
    sender.start()
    try:
        def cut() -> list[str]:
            return [e["reason"] for e in levels(ingest_server, room["id"])["recent_disconnects"]]

        assert wait_for(cut, 40, what="the flooding publisher cut off") == ["flood"]
        assert_carries_on(ingest_server, good_room)
    finally:
        stop.set()
        sock.close()
        sender.join(10)
    taken = levels(ingest_server, room["id"])["recent_disconnects"][0]["bytes_in"]
    assert taken < len(blob) / 2  # back-pressure held it back: most of two minutes was never taken


def test_wrong_keys_are_slowed_per_client_and_room(ingest_server: LiveServer,
                                                   media: dict[str, Path]) -> None:
    room = create_room(ingest_server, "Guarded")
    other = create_room(ingest_server, "Next door")
    mp3 = media["mp3"].read_bytes()
    path = f"/ingest/{room['id']}"
    headers = {"Content-Type": "audio/mpeg"}
    for attempt in range(5):
        status, reply, _ = call(ingest_server, "PUT", path, token=f"guess-{attempt}", raw=mp3,
                                headers=headers, source="127.0.0.31")
        assert status == 401 and reply["reason"] == "auth"
    status, reply, head = call(ingest_server, "PUT", path, token="guess-6", raw=mp3, headers=headers,
                               source="127.0.0.31")
    assert status == 429 and reply["reason"] == "throttled" and int(head["retry-after"]) >= 1
    status, _, _ = call(ingest_server, "GET", f"/api/rooms/{room['id']}/keys", token="guess",
                        source="127.0.0.31")
    assert status == 429  # the key API shares the limit
    status, _, _ = call(ingest_server, "GET", f"/api/rooms/{other['id']}/keys", token="guess",
                        source="127.0.0.31")
    assert status == 401  # another room is not affected
    status, reply, _ = call(ingest_server, "PUT", path, token=room["stream_key"], raw=mp3,
                            headers=headers, source="127.0.0.31")
    assert status == 200 and reply["bytes"] == len(mp3)  # a right key is never refused
    status, reply, _ = call(ingest_server, "PUT", path, token="typo", raw=mp3, headers=headers,
                            source="127.0.0.32")
    assert status == 401  # another client is not affected


def test_ice_headers_fill_what_the_room_lacks_and_never_its_privacy(ingest_server: LiveServer) -> None:
    bare = create_room(ingest_server, "Bare room")
    styled = create_room(ingest_server, "Styled room", genre="jazz", description="Set by the host")
    ice = ["-ice_name", "Tool Name", "-ice_description", "Late set from the tool",
           "-ice_genre", "Électro", "-ice_public", "0"]
    for room in (bare, styled):
        with publishing(ingest_server, room["stream_key"], room["id"], freq=500, seconds=30,
                        extra=ice):
            wait_for(lambda r=room: levels(ingest_server, r["id"])["publishers"], 20, what="on air")
    _, got_bare = ingest_server.request("GET", f"/api/rooms/{bare['id']}")
    _, got_styled = ingest_server.request("GET", f"/api/rooms/{styled['id']}")
    assert (got_bare["title"], got_bare["genre"], got_bare["description"]) == (
        "Bare room", "Électro", "Late set from the tool")
    assert (got_styled["genre"], got_styled["description"]) == ("jazz", "Set by the host")
    assert got_bare["private"] is False and got_styled["private"] is False  # ice-public: 0 ignored
