"""One contract for every segment store: the local directory, memory and S3 (on moto_server)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from stream_server.serving.headers import PLAYLIST_CONTENT_TYPE, SEGMENT_CACHE_CONTROL, SEGMENT_CONTENT_TYPE
from stream_server.stores.local import LocalSegmentStore
from stream_server.stores.memory import MemorySegmentStore
from stream_server.stores.port import SegmentStore, SegmentStoreError
from stream_server.stores.s3 import S3SegmentStore
from tests.support import ROOT
from tests.support.aws import MotoServer, unique_name


@dataclass
class StoreUnderTest:
    """A store, a way to read back what listeners would get, and the order of its writes."""

    store: SegmentStore
    read: Callable[[str, str], bytes | None]
    settle: Callable[[], None]
    writes: list[str]


def _local(tmp_path: Path, _: pytest.FixtureRequest) -> StoreUnderTest:
    root = tmp_path / "hls"
    store = LocalSegmentStore(root)

    def read(room_id: str, name: str) -> bytes | None:
        path = root / room_id / name
        return path.read_bytes() if path.exists() else None

    return StoreUnderTest(store, read, lambda: None, [])


def _memory(tmp_path: Path, _: pytest.FixtureRequest) -> StoreUnderTest:
    store = MemorySegmentStore()
    return StoreUnderTest(store, store.read, lambda: None, [])


def s3_store_on(server: MotoServer, spool: Path, **kwargs: Any) -> tuple[S3SegmentStore, Any, list[str]]:
    """A store on a fresh bucket whose client records each successful upload, in order."""
    client: Any = server.client("s3")
    bucket = unique_name("segments")
    client.create_bucket(Bucket=bucket)
    writes: list[str] = []

    def ask(params: Any, model: Any, context: dict[str, Any], **_: Any) -> None:
        context["recorded_key"] = params.get("Key", "")  # botocore's per-call context

    def record(http_response: Any, model: Any, context: dict[str, Any], **_: Any) -> None:
        if model.name in ("PutObject", "DeleteObject") and http_response.status_code < 300:
            writes.append(f"{model.name}:{context.get('recorded_key', '?')}")

    client.meta.events.register("before-parameter-build.s3.*", ask)
    client.meta.events.register("after-call.s3.*", record)
    store = S3SegmentStore(bucket, spool, client=client, **kwargs)
    return store, client, writes


def _s3(tmp_path: Path, request: pytest.FixtureRequest) -> StoreUnderTest:
    store, client, writes = s3_store_on(request.getfixturevalue("moto_server"), tmp_path / "spool")
    request.addfinalizer(store.close)

    def read(room_id: str, name: str) -> bytes | None:
        try:
            return bytes(client.get_object(Bucket=store.bucket, Key=f"hls/{room_id}/{name}")["Body"].read())
        except client.exceptions.NoSuchKey:
            return None

    def settle() -> None:
        assert store.flush(20), "the S3 spool did not drain"

    return StoreUnderTest(store, read, settle, writes)


STORES: dict[str, Callable[[Path, pytest.FixtureRequest], StoreUnderTest]] = {
    "local": _local, "memory": _memory, "s3": _s3}


@pytest.fixture(params=list(STORES), ids=list(STORES))
def under_test(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreUnderTest]:
    yield STORES[request.param](tmp_path, request)


def _segment(tmp_path: Path, name: str, payload: bytes) -> Path:
    path = tmp_path / "scratch" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(payload)
    return path


def test_a_segment_is_published_whole_and_its_source_taken(
    under_test: StoreUnderTest, tmp_path: Path
) -> None:
    payload = os.urandom(50_000)
    source = _segment(tmp_path, "s-1.ts", payload)
    under_test.store.publish_segment("room-a", "s-1.ts", source)
    under_test.settle()
    assert under_test.read("room-a", "s-1.ts") == payload
    assert not source.exists()


def test_the_latest_playlist_wins(under_test: StoreUnderTest) -> None:
    for i in range(3):
        under_test.store.publish_playlist("room-a", "live.m3u8", f"#EXTM3U\n# version {i}\n")
    under_test.settle()
    assert under_test.read("room-a", "live.m3u8") == b"#EXTM3U\n# version 2\n"


def test_delete_removes_and_absent_files_are_fine(under_test: StoreUnderTest, tmp_path: Path) -> None:
    under_test.store.publish_segment("room-a", "old.ts", _segment(tmp_path, "old.ts", b"x" * 188))
    under_test.store.delete("room-a", "old.ts")
    under_test.store.delete("room-a", "never-there.ts")
    under_test.settle()
    assert under_test.read("room-a", "old.ts") is None


def test_rooms_do_not_see_each_other(under_test: StoreUnderTest) -> None:
    under_test.store.publish_playlist("room-a", "live.m3u8", "#EXTM3U\n# a\n")
    under_test.store.publish_playlist("room-b", "live.m3u8", "#EXTM3U\n# b\n")
    under_test.settle()
    assert under_test.read("room-a", "live.m3u8") == b"#EXTM3U\n# a\n"
    assert under_test.read("room-b", "live.m3u8") == b"#EXTM3U\n# b\n"


def test_segments_go_up_before_the_playlist_naming_them(under_test: StoreUnderTest, tmp_path: Path) -> None:
    calls: list[str] = []
    for i in range(4):
        name = f"show-{i}.ts"
        under_test.store.publish_segment("room-a", name, _segment(tmp_path, name, bytes([i]) * 1000))
        under_test.store.publish_playlist("room-a", "live-128k.m3u8", f"#EXTM3U\n{name}\n")
        calls += [name, f"live-128k.m3u8 naming {name}"]
    under_test.settle()
    if under_test.writes:  # S3: the uploads, in the order the bucket took them
        seen = [w.split("/")[-1] for w in under_test.writes]
        # the uploads follow the calls in order (a playlist version may be skipped when a newer one
        # was queued behind it), so no playlist version ever reached S3 before its segment
        position = -1
        for upload in seen:
            later = [i for i, c in enumerate(calls) if i > position and c.split(" ")[0] == upload]
            assert later, f"{upload} uploaded out of order: {seen}"
            position = later[0]
        assert [u for u in seen if u.endswith(".ts")] == [f"show-{i}.ts" for i in range(4)]
        assert seen[-1] == "live-128k.m3u8"
    assert under_test.read("room-a", "live-128k.m3u8") == b"#EXTM3U\nshow-3.ts\n"


@pytest.mark.parametrize("adapter", ["local", "memory"])
def test_sweep_removes_what_the_rule_names_and_keeps_the_rest(
    adapter: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    under_test = STORES[adapter](tmp_path, request)
    for room, name in (("room-a", "kept.ts"), ("room-a", "stray.ts"), ("room-b", "stray.ts")):
        under_test.store.publish_segment(room, name, _segment(tmp_path, f"{room}-{name}", b"x" * 188))
    under_test.store.publish_playlist("room-a", "live.m3u8", "#EXTM3U\nkept.ts\n")
    asked: list[tuple[str, str]] = []

    def is_stray(room_id: str, name: str) -> bool:
        asked.append((room_id, name))
        return name == "stray.ts"

    assert under_test.store.sweep(is_stray) == 2
    assert under_test.read("room-a", "stray.ts") is None and under_test.read("room-b", "stray.ts") is None
    assert under_test.read("room-a", "kept.ts") == b"x" * 188
    assert ("room-a", "live.m3u8") in asked


@pytest.mark.parametrize("adapter", ["local", "memory"])
def test_sweep_never_removes_what_a_kept_playlist_names(
    adapter: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    under_test = STORES[adapter](tmp_path, request)
    under_test.store.publish_segment("room-a", "named.ts", _segment(tmp_path, "named.ts", b"x" * 188))
    replay = "#EXTM3U\n#EXTINF:2.0,\nnamed.ts\n"
    under_test.store.publish_playlist("room-a", "replay.m3u8", replay)

    assert under_test.store.sweep(lambda room_id, name: name.endswith(".ts")) == 0
    assert under_test.read("room-a", "named.ts") == b"x" * 188
    assert under_test.store.listing() == {"room-a": {"named.ts": 188, "replay.m3u8": len(replay)}}


def test_s3_sweeps_nothing_its_lifecycle_rules_do(moto_server: MotoServer, tmp_path: Path) -> None:
    store, client, _ = s3_store_on(moto_server, tmp_path / "spool")
    try:
        store.publish_segment("r", "a-1.ts", _segment(tmp_path, "a-1.ts", b"\x47" * 188))
        assert store.flush(20)
        assert store.sweep(lambda room, name: True) == 0
        assert client.head_object(Bucket=store.bucket, Key="hls/r/a-1.ts")["ContentLength"] == 188
    finally:
        store.close()


def test_s3_objects_carry_content_type_and_cache_control(moto_server: MotoServer, tmp_path: Path) -> None:
    store, client, _ = s3_store_on(moto_server, tmp_path / "spool", target_duration=2)
    try:
        store.publish_segment("r", "a-1.ts", _segment(tmp_path, "a-1.ts", b"\x47" * 188))
        store.publish_playlist("r", "live.m3u8", "#EXTM3U\n")
        store.publish_playlist("r", "show-64k.m3u8", "#EXTM3U\n")
        assert store.flush(20)
        seg = client.head_object(Bucket=store.bucket, Key="hls/r/a-1.ts")
        assert (seg["ContentType"], seg["CacheControl"]) == (SEGMENT_CONTENT_TYPE, SEGMENT_CACHE_CONTROL)
        for name in ("live.m3u8", "show-64k.m3u8"):
            pl = client.head_object(Bucket=store.bucket, Key=f"hls/r/{name}")
            assert (pl["ContentType"], pl["CacheControl"]) == (PLAYLIST_CONTENT_TYPE, "public, max-age=1")
    finally:
        store.close()


def test_s3_caption_files_are_utf8_text_cached_like_segments(moto_server: MotoServer, tmp_path: Path) -> None:
    store, client, _ = s3_store_on(moto_server, tmp_path / "spool", target_duration=2)
    try:
        store.publish_playlist("r", "show-captions-00000001.vtt", "WEBVTT\n")
        store.publish_playlist("r", "show-transcript.txt", "[00:00] hello\n")
        assert store.flush(20)
        for name, kind in (("show-captions-00000001.vtt", "text/vtt"), ("show-transcript.txt", "text/plain")):
            head = client.head_object(Bucket=store.bucket, Key=f"hls/r/{name}")
            expected = (f"{kind}; charset=utf-8", SEGMENT_CACHE_CONTROL)
            assert (head["ContentType"], head["CacheControl"]) == expected
    finally:
        store.close()


def test_s3_refuses_names_that_are_neither_playlist_nor_segment(
    moto_server: MotoServer, tmp_path: Path
) -> None:
    store, _, _ = s3_store_on(moto_server, tmp_path / "spool")
    with pytest.raises(SegmentStoreError):
        store.publish_playlist("r", "notes.txt", "hello")
    assert store.pending() == 0


def test_an_s3_outage_loses_nothing_and_keeps_the_order(tmp_path: Path) -> None:
    server = MotoServer(log_path=tmp_path / "moto.log")
    server.start()
    try:
        store, client, writes = s3_store_on(server, tmp_path / "spool", max_backoff=0.5)
        store.publish_segment("r", "s-0.ts", _segment(tmp_path, "s-0.ts", b"0" * 500))
        store.publish_playlist("r", "live.m3u8", "#EXTM3U\ns-0.ts\n")
        assert store.flush(20)
        writes.clear()

        server.stop()  # S3 is gone
        expected = {}
        for i in range(1, 6):
            payload = os.urandom(2000)
            expected[f"s-{i}.ts"] = payload
            store.publish_segment("r", f"s-{i}.ts", _segment(tmp_path, f"s-{i}.ts", payload))
            store.publish_playlist("r", "live.m3u8", f"#EXTM3U\ns-{i}.ts\n")
        assert not store.flush(1.5) and store.pending() >= 6  # nothing can leave the spool

        server.start()  # back on the same port (moto keeps no state: the bucket is re-made)
        client.create_bucket(Bucket=store.bucket)
        assert store.flush(30), "the backlog did not drain after S3 came back"
        seen = [w.removeprefix("PutObject:hls/r/") for w in writes]
        assert [s for s in seen if s.endswith(".ts")] == [f"s-{i}.ts" for i in range(1, 6)]
        assert seen[-1] == "live.m3u8"  # the playlist went up after every segment it names
        for name, payload in expected.items():
            assert client.get_object(Bucket=store.bucket, Key=f"hls/r/{name}")["Body"].read() == payload
        body = client.get_object(Bucket=store.bucket, Key="hls/r/live.m3u8")["Body"].read()
        assert body == b"#EXTM3U\ns-5.ts\n"
        store.close()
        assert list((tmp_path / "spool").iterdir()) == []
    finally:
        server.stop()


def test_a_restarted_process_uploads_what_its_spool_holds(tmp_path: Path) -> None:
    server = MotoServer(log_path=tmp_path / "moto.log")
    server.start()
    try:
        store, client, _ = s3_store_on(server, tmp_path / "spool", max_backoff=0.5)
        server.stop()
        store.publish_segment("r", "s-1.ts", _segment(tmp_path, "s-1.ts", b"1" * 300))
        store.publish_playlist("r", "live.m3u8", "#EXTM3U\ns-1.ts\n")
        store.close(timeout=0.5)  # the process ends during the outage
        server.start()
        client.create_bucket(Bucket=store.bucket)
        again = S3SegmentStore(store.bucket, tmp_path / "spool", client=client)
        assert again.pending() == 2
        assert again.flush(20)
        assert client.get_object(Bucket=store.bucket, Key="hls/r/s-1.ts")["Body"].read() == b"1" * 300
        again.close()
    finally:
        server.stop()


def test_a_process_that_exits_right_after_publishing_still_uploads(
    moto_server: MotoServer, tmp_path: Path
) -> None:
    store, client, _ = s3_store_on(moto_server, tmp_path / "spool")
    code = (
        "import sys; from pathlib import Path; from stream_server.stores.s3 import S3SegmentStore\n"
        f"store = S3SegmentStore({store.bucket!r}, Path({str(tmp_path / 'child-spool')!r}), "
        f"endpoint_url={moto_server.endpoint!r}, region='us-east-1')\n"
        "for i in range(20):\n"
        "    store.publish_playlist('r', f'show-{i}.m3u8', f'#EXTM3U\\n# {i}\\n')\n"
    )  # and the process ends at once, without close()
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    names = {o["Key"] for o in client.list_objects_v2(Bucket=store.bucket).get("Contents", [])}
    left = sorted(p.name for p in (tmp_path / "child-spool").iterdir())
    assert names == {f"hls/r/show-{i}.m3u8" for i in range(20)}, (
        f"uploaded {sorted(names)}; left in the spool {left}; the child said: {result.stderr[-2000:]}")
    assert left == []
