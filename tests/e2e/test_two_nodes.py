"""Two ``livestage serve`` processes share one DynamoDB directory and one S3 bucket (moto_server).

Rooms published on either node are visible to both (and to the skill); a room runs on one
node only (its lease); when that node is killed, the other takes the room over after the
lease runs out, with a discontinuity, and the replay keeps every segment.
"""

from __future__ import annotations

import signal
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import m3u8
import pytest

from room_directory.dynamodb import DynamoDbRoomDirectory
from tests.support import LiveServer, decode_pcm, performing, wait_for
from tests.support.alexa_fixtures import join_room
from tests.support.aws import MotoServer, unique_name

pytestmark = pytest.mark.e2e
LEASE_SECONDS = 3


class Bucket:
    """The segment bucket as listeners (CloudFront) see it."""

    def __init__(self, server: MotoServer) -> None:
        self.client: Any = server.client("s3")
        self.name = unique_name("segments")
        self.client.create_bucket(Bucket=self.name)

    def text(self, room_id: str, name: str) -> str | None:
        try:
            body = self.client.get_object(Bucket=self.name, Key=f"hls/{room_id}/{name}")["Body"]
        except self.client.exceptions.NoSuchKey:
            return None
        return str(body.read().decode())

    def media(self, room_id: str, name: str) -> m3u8.M3U8 | None:
        """A media playlist; a master playlist is followed to its first rendition."""
        text = self.text(room_id, name)
        if text is None:
            return None
        parsed = m3u8.loads(text)
        if parsed.is_variant:
            return self.media(room_id, parsed.playlists[0].uri)
        return parsed

    def exists(self, room_id: str, name: str) -> bool:
        try:
            self.client.head_object(Bucket=self.name, Key=f"hls/{room_id}/{name}")
        except self.client.exceptions.ClientError:
            return False
        return True


def last_sequence(parsed: m3u8.M3U8 | None) -> int:
    return -1 if parsed is None else parsed.media_sequence + len(parsed.segments) - 1


def ask_skill(server: LiveServer, utterance: str) -> dict[str, Any]:
    status, body = server.request("POST", "/alexa", join_room(utterance))
    assert status == 200, body
    return dict(body)


def ingest_status(server: LiveServer, room_id: str, key: str) -> int:
    req = urllib.request.Request(f"{server.url}/ingest/{room_id}", data=b"\xff\xfb" * 10, method="PUT",
                                 headers={"Authorization": f"Bearer {key}", "Content-Type": "audio/mpeg"})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as err:
        return int(err.code)


def test_two_nodes_share_rooms_and_take_over_a_dead_nodes_room(
    make_server: Any, moto_server: MotoServer, tmp_path: Path
) -> None:
    table = unique_name("rooms")
    directory = DynamoDbRoomDirectory(table, client=moto_server.client("dynamodb"))
    directory.create_table()
    bucket = Bucket(moto_server)
    shared = tmp_path / "shared"  # the nodes' common volume (EFS on Fargate): segment logs
    env = {
        "LIVESTAGE_DIRECTORY": f"dynamodb://{table}?region=us-east-1&endpoint={moto_server.endpoint}",
        "LIVESTAGE_SEGMENT_STORE": f"s3://{bucket.name}/hls?region=us-east-1&endpoint={moto_server.endpoint}",
        "LIVESTAGE_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    node_a = make_server("--no-demo", data_dir=shared, LIVESTAGE_NODE_ID="node-a", **env)
    node_b = make_server("--no-demo", data_dir=shared, LIVESTAGE_NODE_ID="node-b", **env)

    status, room = node_a.request("POST", "/api/rooms", {"title": "Harbour Jazz", "genre": "jazz"},
                                  admin=True)
    assert status == 201, room
    room_id, key = room["id"], room["stream_key"]
    status, seen_on_b = node_b.request("GET", f"/api/rooms/{room_id}")
    assert status == 200 and seen_on_b["title"] == "Harbour Jazz"

    with performing(node_a.url, key, room_id, seconds=90, freq=440) as performer:
        wait_for(lambda: last_sequence(bucket.media(room_id, "live.m3u8")) >= 2, 40,
                 what="three segments from node a in the bucket")
        assert directory.lease_of(room_id)[0] == "node-a"  # type: ignore[index]
        assert ingest_status(node_b, room_id, key) == 503  # node b may not run it too
        for node in (node_a, node_b):  # the skill on either node finds the room live
            play = ask_skill(node, "harbour jazz")["response"]["directives"][0]
            assert play["type"] == "AudioPlayer.Play"
            assert f"/hls/{room_id}/" in play["audioItem"]["stream"]["url"]

        # kill node a just after a playlist reached the bucket (its spool is then empty)
        seen = last_sequence(bucket.media(room_id, "live.m3u8"))
        wait_for(lambda: last_sequence(bucket.media(room_id, "live.m3u8")) > seen, 10, interval=0.05,
                 what="a fresh segment")
        before = bucket.media(room_id, "live.m3u8")
        node_a.stop(signal.SIGKILL)
        performer.kill()
        performer.wait()
    assert before is not None

    wait_for(lambda: (directory.lease_of(room_id) or ("",))[0] == "node-b", 4 * LEASE_SECONDS + 10,
             what="node b to take the room over")
    with performing(node_b.url, key, room_id, seconds=30, freq=660):
        wait_for(lambda: last_sequence(bucket.media(room_id, "live.m3u8")) >= last_sequence(before) + 3, 40,
                 what="segments from node b")
    after = bucket.media(room_id, "live.m3u8")
    assert after is not None and after.media_sequence >= before.media_sequence
    assert any(s.discontinuity for s in after.segments) or (after.discontinuity_sequence or 0) >= 1

    status, ended = node_b.request("POST", f"/api/rooms/{room_id}/end", admin=True)
    assert status == 200, ended
    replay_name = f"{ended['show_id']}.m3u8"
    replay = wait_for(lambda: bucket.media(room_id, replay_name), 20, what="the replay in the bucket")
    uris = [s.uri for s in replay.segments]
    assert {s.uri for s in before.segments} <= set(uris)  # nothing of node a's show is lost
    assert any(s.discontinuity for s in replay.segments)
    assert len(uris) >= len(before.segments) + 3
    missing = [u for u in uris if not bucket.exists(room_id, u)]
    assert missing == []
    last = tmp_path / "last.ts"
    obj = bucket.client.get_object(Bucket=bucket.name, Key=f"hls/{room_id}/{uris[-1]}")
    last.write_bytes(obj["Body"].read())
    assert len(decode_pcm(last)) > 0  # node b's audio decodes
    assert ended["live"] is False
