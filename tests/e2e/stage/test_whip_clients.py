"""The stage with a WHIP client we did not write (aiortc as a client) against a real server.

A ``sendonly`` encoder reaches the room's HLS; a speaker whose network drops leaves the stage
within 2 s and can join again; a listener hears a talker and the room's other inputs.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support import LiveServer, wait_for
from tests.support.ingest import create_room, end_show, publishing, replay_pcm, tone_strength
from tests.support.stage import (
    LossyRelay,
    WhipPeer,
    run_async,
    tone_level,
    whip_delete,
    whip_patch,
    whip_post,
)

pytestmark = pytest.mark.e2e


def stage_members(server: LiveServer, room_id: str) -> list[dict[str, Any]]:
    status, body = server.request("GET", f"/api/rooms/{room_id}/stage", admin=True)
    assert status == 200, body
    return list(body["members"])


def test_a_sendonly_whip_encoder_reaches_the_rooms_hls(make_server: Any, tmp_path: Path) -> None:
    server = make_server("--no-demo")
    room = create_room(server, "Encoder")

    async def scenario() -> None:
        peer = WhipPeer("tone", 523.0, listen=False)
        assert await peer.join(server.url, room["id"], room["stream_key"]) == 201
        wait = await asyncio.to_thread(wait_for, lambda: stage_members(server, room["id"]), 10,
                                       0.2, "the encoder on stage")
        assert wait[0]["receives"] is False
        await asyncio.sleep(8)
        assert peer.heard.chunks == []  # sendonly: the stage sends it nothing
        assert peer.location is not None
        assert await asyncio.to_thread(whip_delete, peer.location, room["stream_key"]) == 200
        await peer.close()

    run_async(scenario())
    end_show(server, room["id"])
    status, body = server.request("GET", f"/api/rooms/{room['id']}", admin=True)
    pcm = replay_pcm(server, room["id"], body["show_id"], tmp_path)
    assert tone_strength(pcm, 523.0) > 30, "the replay (the room's HLS) must carry the encoder's tone"


def test_a_dropped_network_leaves_the_stage_within_2s_and_can_rejoin(make_server: Any) -> None:
    server = make_server("--no-demo")
    room = create_room(server, "Flaky")

    async def scenario() -> None:
        relay = await LossyRelay(loss=0.0, delay=0.0, jitter=0.0).start()
        talker = WhipPeer("tone", 440.0)
        listener = WhipPeer("silence", 0.0)
        assert await talker.join(server.url, room["id"], room["stream_key"], relay) == 201
        cohost = server.request("POST", f"/api/rooms/{room['id']}/keys", {"name": "Bo"}, admin=True)[1]
        assert await listener.join(server.url, room["id"], cohost["stream_key"]) == 201
        await asyncio.sleep(4)
        assert tone_level(listener.heard.audio()[-48000:], 440.0) > 0.1
        relay.cut()
        cut_at = time.time()
        await asyncio.to_thread(wait_for, lambda: len(stage_members(server, room["id"])) == 1, 5, 0.05,
                                "the cut-off talker off stage")
        _, stage = server.request("GET", f"/api/rooms/{room['id']}/stage", admin=True)
        ended = [e for e in stage["recent_ends"] if e["key_id"] == "host"]
        assert ended and ended[0]["reason"] == "network"
        assert ended[0]["at"] - cut_at <= 2.0, "off the stage within 2 s of its network dropping"
        heard_before = len(listener.heard.chunks)
        await asyncio.sleep(1)
        assert tone_level(listener.heard.audio()[heard_before * 960:], 440.0) < 0.01
        await talker.close()
        again = WhipPeer("tone", 660.0)
        assert await again.join(server.url, room["id"], room["stream_key"]) == 201
        await asyncio.sleep(3)
        assert tone_level(listener.heard.audio()[-48000:], 660.0) > 0.1
        assert {m["key_id"] for m in stage_members(server, room["id"])} == {"host", cohost["key_id"]}
        for peer in (again, listener):
            await peer.close()
        relay.close()

    run_async(scenario())


def test_members_hear_each_other_and_the_rooms_music_bed(make_server: Any) -> None:
    server = make_server("--no-demo")
    room = create_room(server, "Bed")
    cohost = server.request("POST", f"/api/rooms/{room['id']}/keys", {"name": "Bo"}, admin=True)[1]

    async def scenario() -> None:
        a, b = WhipPeer("tone", 440.0), WhipPeer("tone", 660.0)
        assert await a.join(server.url, room["id"], room["stream_key"]) == 201
        assert await b.join(server.url, room["id"], cohost["stream_key"]) == 201
        await asyncio.sleep(6)
        heard_a, heard_b = a.heard.audio()[-96000:], b.heard.audio()[-96000:]
        assert tone_level(heard_a, 660.0) > 0.1 and tone_level(heard_a, 440.0) < 0.01
        assert tone_level(heard_b, 440.0) > 0.1 and tone_level(heard_b, 660.0) < 0.01
        assert tone_level(heard_a, 330.0) > 0.05 and tone_level(heard_b, 330.0) > 0.05, "the bed"
        for peer in (a, b):
            await peer.close()

    with publishing(server, bed_key(server, room), room["id"], freq=330.0, seconds=25):
        time.sleep(3)
        run_async(scenario())


def without_candidates(sdp: str) -> str:
    return "\r\n".join(line for line in sdp.splitlines()
                       if not line.startswith(("a=candidate:", "a=end-of-candidates"))) + "\r\n"


def bed_key(server: LiveServer, room: dict[str, Any]) -> str:
    """A second co-host key, for the music bed over Icecast."""
    _, body = server.request("POST", f"/api/rooms/{room['id']}/keys", {"name": "Bed"}, admin=True)
    return str(body["stream_key"])


def test_candidates_trickled_with_patch_connect_the_member(make_server: Any) -> None:
    server = make_server("--no-demo")
    room = create_room(server, "Trickle")
    cohost = server.request("POST", f"/api/rooms/{room['id']}/keys", {"name": "Bo"}, admin=True)[1]

    async def scenario() -> None:
        talker = WhipPeer("tone", 440.0)
        assert await talker.join(server.url, room["id"], room["stream_key"]) == 201
        late = WhipPeer("silence", 0.0)
        offer = await late.offer()
        candidates = [line for line in offer.splitlines() if line.startswith("a=candidate:")]
        mid = next(line for line in offer.splitlines() if line.startswith("a=mid:"))
        status, answer, headers = await asyncio.to_thread(
            whip_post, f"{server.url}/whip/{room['id']}", cohost["stream_key"], without_candidates(offer))
        assert status == 201 and candidates
        # neither side knows an address of the other: only the trickled candidates can connect them
        await late.answer(without_candidates(answer))
        await asyncio.sleep(2)
        assert late.pc.connectionState != "connected"
        frag = "\r\n".join([mid, *candidates]) + "\r\n"
        patched = await asyncio.to_thread(
            whip_patch, server.url + headers["Location"], cohost["stream_key"], frag)
        assert patched == 204
        await asyncio.sleep(4)
        assert late.pc.connectionState == "connected"
        assert tone_level(late.heard.audio()[-48000:], 440.0) > 0.1
        for peer in (talker, late):
            await peer.close()

    run_async(scenario())
