"""Every ingest codec, published by a real ffmpeg client, comes out as the same tone."""

from __future__ import annotations

import base64
import http.client
import json
import socket
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from tests.support import LiveServer, wait_for
from tests.support.audio import dominant_frequency
from tests.support.ingest import (
    CODECS,
    create_room,
    encode_file,
    end_show,
    levels,
    loud_seconds,
    publishing,
    replay_pcm,
)

pytestmark = pytest.mark.e2e

#: each codec its own room and its own tone, all published at once
FREQS = {"mp3": 440, "aac": 550, "vorbis": 660, "opus": 770, "webm": 880, "flac": 990, "wav": 1100}
SECONDS = 4


@pytest.fixture(scope="module")
def shows(ingest_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Publish every codec at once; each room's replay decoded, and how each client ended."""
    rooms = {codec: create_room(ingest_server, f"{codec} room") for codec in CODECS}
    results: dict[str, Any] = {}
    dest = tmp_path_factory.mktemp("codecs")
    with ExitStack() as stack:
        procs = {codec: stack.enter_context(publishing(
            ingest_server, room["stream_key"], room["id"], freq=FREQS[codec], seconds=SECONDS,
            codec=codec)) for codec, room in rooms.items()}
        for codec, proc in procs.items():
            code = proc.wait(60)
            err = proc.stderr.read().decode() if proc.stderr else ""
            results[codec] = {"exit": code, "stderr": err}
    for codec, room in rooms.items():
        ended = end_show(ingest_server, room["id"])
        results[codec]["pcm"] = replay_pcm(ingest_server, room["id"], ended["show_id"], dest)
    return results


@pytest.mark.parametrize("codec", list(CODECS))
def test_codec_published_by_ffmpeg_comes_out_as_its_tone(codec: str, shows: dict[str, Any]) -> None:
    result = shows[codec]
    assert result["exit"] == 0, result["stderr"]
    pcm: bytes = result["pcm"]
    assert abs(dominant_frequency(pcm) - FREQS[codec]) < 5
    assert loud_seconds(pcm) >= SECONDS - 0.6  # the whole tone arrived, nothing lost


def test_unknown_content_type_is_refused_with_415(ingest_server: LiveServer, tmp_path: Path) -> None:
    room = create_room(ingest_server, "Video room")
    status, body = ingest_server.request(
        "PUT", f"/ingest/{room['id']}", raw=b"\0" * 1000,
        headers={"Authorization": f"Bearer {room['stream_key']}", "Content-Type": "video/mp4"})
    assert status == 415 and body["reason"] == "codec" and "audio/mpeg" in body["error"]


def test_legacy_source_method_gets_icecasts_early_200_then_streams(
    ingest_server: LiveServer, tmp_path: Path
) -> None:
    room = create_room(ingest_server, "Legacy room")
    mp3 = encode_file(tmp_path / "t.mp3", freq=440, seconds=2, codec="mp3").read_bytes()
    auth = base64.b64encode(f"source:{room['stream_key']}".encode()).decode()
    with socket.create_connection(("127.0.0.1", ingest_server.port), timeout=20) as sock:
        sock.sendall(f"SOURCE /ingest/{room['id']} HTTP/1.0\r\nAuthorization: Basic {auth}\r\n"
                     "Content-Type: audio/mpeg\r\nice-public: 0\r\n\r\n".encode())
        assert sock.recv(100).startswith(b"HTTP/1.0 200 OK\r\n\r\n")  # before any audio is sent
        sock.sendall(mp3)
        wait_for(lambda: [p for p in levels(ingest_server, room["id"])["publishers"]
                          if p["bytes_in"] == len(mp3)], 15, what="the whole stream taken")


def test_chunked_put_is_taken_and_answered_with_its_byte_count(
    ingest_server: LiveServer, tmp_path: Path
) -> None:
    room = create_room(ingest_server, "Chunked room")
    flac = encode_file(tmp_path / "t.flac", freq=440, seconds=2, codec="flac").read_bytes()
    conn = http.client.HTTPConnection("127.0.0.1", ingest_server.port, timeout=30)
    try:
        conn.request("PUT", f"/ingest/{room['id']}",
                     body=iter([flac[i : i + 5000] for i in range(0, len(flac), 5000)]),
                     headers={"Authorization": f"Bearer {room['stream_key']}",
                              "Content-Type": "audio/flac"}, encode_chunked=True)
        resp = conn.getresponse()
        assert resp.status == 200 and json.loads(resp.read())["bytes"] == len(flac)
    finally:
        conn.close()
