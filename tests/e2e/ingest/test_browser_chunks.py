"""The browser path: MediaRecorder-style chunks posted in order, retried, resumed, over real HTTP."""

from __future__ import annotations

import http.client
import json
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.ingest.conftest import RESUME_SECONDS
from tests.support import LiveServer, wait_for
from tests.support.audio import dominant_frequency
from tests.support.ingest import (
    call,
    create_room,
    encode_file,
    end_show,
    levels,
    loud_seconds,
    replay_pcm,
)

pytestmark = pytest.mark.e2e

WEBM = "audio/webm;codecs=opus"


def split(blob: bytes, pieces: int) -> list[bytes]:
    """Cut a recording into byte chunks, the way MediaRecorder hands them out (header in the first)."""
    size = -(-len(blob) // pieces)
    return [blob[i : i + size] for i in range(0, len(blob), size)]


def post(server: LiveServer, room_id: str, key: str, session: str, seq: int, chunk: bytes,
         source: str = "127.0.0.1") -> tuple[int, Any]:
    status, body, _ = call(server, "POST", f"/ingest/{room_id}/chunks?session={session}&seq={seq}",
                           token=key, raw=chunk, headers={"Content-Type": WEBM}, source=source)
    return status, body


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """Four seconds of a 1 kHz tone as WebM/Opus, as a browser would record it."""
    path = tmp_path_factory.mktemp("webm") / "take.webm"
    return encode_file(path, freq=1000, seconds=4, codec="webm").read_bytes()


def test_chunks_with_a_retry_a_gap_and_a_pause_arrive_whole_and_in_order(
    ingest_server: LiveServer, recording: bytes, tmp_path: Path
) -> None:
    room = create_room(ingest_server, "Browser room")
    key, session = room["stream_key"], uuid.uuid4().hex
    chunks = split(recording, 8)
    for seq, chunk in enumerate(chunks):
        if seq == 5:
            status, body = post(ingest_server, room["id"], key, session, 6, chunks[6])
            assert status == 409 and body["reason"] == "gap" and body["expected_seq"] == 5
        if seq == 6:
            time.sleep(RESUME_SECONDS / 2)  # the browser's network drops for a while, then resumes
        status, body = post(ingest_server, room["id"], key, session, seq, chunk)
        assert status == 200 and body == {"session": session, "seq": seq, "next_seq": seq + 1,
                                          "duplicate": False}
        if seq == 3:  # the answer was lost: the browser sends the same chunk again
            status, body = post(ingest_server, room["id"], key, session, 3, chunk)
            assert status == 200 and body["duplicate"] is True and body["next_seq"] == 4
        time.sleep(0.3)
    status, body, _ = call(ingest_server, "DELETE", f"/ingest/{room['id']}/chunks?session={session}",
                           token=key)
    assert status == 200 and body == {"session": session, "ended": True, "chunks": len(chunks)}
    ended = end_show(ingest_server, room["id"])
    pcm = replay_pcm(ingest_server, room["id"], ended["show_id"], tmp_path)
    assert abs(dominant_frequency(pcm) - 1000) < 5
    assert loud_seconds(pcm) >= 3.4  # the whole four seconds, nothing lost or doubled
    assert loud_seconds(pcm) <= 4.6


def test_a_session_silent_past_the_resume_limit_ends_and_says_why(
    ingest_server: LiveServer, recording: bytes
) -> None:
    room = create_room(ingest_server, "Resume room")
    status, guest, _ = call(ingest_server, "POST", f"/api/rooms/{room['id']}/keys",
                            body={"name": "Browser guest"}, token=room["stream_key"])
    assert status == 201
    key, session = guest["stream_key"], uuid.uuid4().hex
    chunks = split(recording, 8)
    assert post(ingest_server, room["id"], key, session, 0, chunks[0])[0] == 200
    wait_for(lambda: not levels(ingest_server, room["id"])["publishers"], RESUME_SECONDS + 10,
             what="the idle session to end")
    status, body = post(ingest_server, room["id"], key, session, 1, chunks[1])
    assert status == 410 and body["reason"] == "session_ended" and body["ended"] == "idle"
    assert body["expected_seq"] == 0
    fresh = uuid.uuid4().hex  # a new recorder, a new session: the key works again
    assert post(ingest_server, room["id"], key, fresh, 0, chunks[0])[0] == 200
    status, body = post(ingest_server, room["id"], room["stream_key"], fresh, 1, chunks[1])
    assert status == 403 and body["reason"] == "not_your_session"


def test_chunks_that_do_not_decode_end_the_session_with_400(ingest_server: LiveServer) -> None:
    room = create_room(ingest_server, "Garbage browser")
    session = uuid.uuid4().hex
    answers = []
    for seq in range(10):
        status, body = post(ingest_server, room["id"], room["stream_key"], session, seq,
                            bytes(range(256)) * 40)
        answers.append(status)
        if status != 200:
            break
        time.sleep(0.2)
    assert answers[-1] == 400 and body["reason"] == "decode", answers
    status, body = post(ingest_server, room["id"], room["stream_key"], session, len(answers), b"x")
    assert status == 410 and body["ended"] == "decode"


@pytest.mark.parametrize(("query", "headers", "status"), [
    ("session=short&seq=0", {"Content-Type": WEBM}, 400),
    ("session=abcdefgh12&seq=-1", {"Content-Type": WEBM}, 400),
    ("session=abcdefgh12&seq=0", {"Content-Type": "text/plain"}, 415),
    ("session=abcdefgh12&seq=4", {"Content-Type": WEBM}, 410),
], ids=["bad-session-id", "bad-seq", "not-audio", "unknown-session-mid-stream"])
def test_malformed_chunk_requests_are_refused_clearly(ingest_server: LiveServer, query: str,
                                                      headers: dict[str, str], status: int) -> None:
    room = create_room(ingest_server, "Strict browser")
    got, body, _ = call(ingest_server, "POST", f"/ingest/{room['id']}/chunks?{query}",
                        token=room["stream_key"], raw=b"\x1aE\xdf\xa3", headers=headers)
    assert got == status and body["reason"]


def test_a_wrong_key_on_the_chunk_path_is_401(ingest_server: LiveServer, recording: bytes) -> None:
    room = create_room(ingest_server, "Locked browser")
    status, body = post(ingest_server, room["id"], "not-a-key", uuid.uuid4().hex, 0, recording[:500],
                        source="127.0.0.41")
    assert status == 401 and body["reason"] == "auth"


def test_an_oversized_chunk_is_a_json_413(ingest_server: LiveServer) -> None:
    room = create_room(ingest_server, "Big chunk")
    status, body = post(ingest_server, room["id"], room["stream_key"], uuid.uuid4().hex, 0,
                        b"\0" * ((1 << 20) + 1024))
    assert status == 413 and body["reason"] == "too_large"


def chunked_post(server: LiveServer, path: str, key: str, body: bytes) -> tuple[int, Any]:
    """A POST whose body goes out with Transfer-Encoding: chunked (no Content-Length)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request("POST", path, body=iter([body[i:i + 65536] for i in range(0, len(body), 65536)]),
                     headers={"Authorization": f"Bearer {key}", "Content-Type": WEBM},
                     encode_chunked=True)
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        conn.close()


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_a_chunk_over_1_mib_is_413_and_nothing_of_it_plays(ingest_server: LiveServer, recording: bytes,
                                                           framing: str) -> None:
    room = create_room(ingest_server, f"Oversized {framing}")
    oversized = recording + bytes((1 << 20) + 1 - len(recording))
    path = f"/ingest/{room['id']}/chunks?session={uuid.uuid4().hex}&seq=0"
    if framing == "chunked":
        status, body = chunked_post(ingest_server, path, room["stream_key"], oversized)
    else:
        status, body, _ = call(ingest_server, "POST", path, token=room["stream_key"], raw=oversized,
                               headers={"Content-Type": WEBM})
    assert status == 413 and body["reason"] == "too_large"
    assert levels(ingest_server, room["id"])["publishers"] == []
