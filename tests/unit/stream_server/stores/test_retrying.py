"""RetryingSegmentStore: order kept through an outage (segments before the playlists naming them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stream_server.ops.config import Settings
from stream_server.ops.server import url_secret
from stream_server.stores.memory import MemorySegmentStore
from stream_server.stores.port import SegmentStoreError
from stream_server.stores.retrying import RetryingSegmentStore, spool_is_empty

DOWN = SegmentStoreError("down")


def segment(tmp_path: Path, name: str) -> Path:
    path = tmp_path / "encoder" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(name.encode())
    return path


def test_outage_spools_in_order_and_flushes_segments_before_playlists(tmp_path: Path) -> None:
    inner = MemorySegmentStore()
    store = RetryingSegmentStore(inner, tmp_path / "work")
    store.publish_segment("r", "a.ts", segment(tmp_path, "a.ts"))
    store.publish_playlist("r", "live.m3u8", "1")
    inner.fail_with = DOWN
    for name, text in (("b.ts", "2"), ("c.ts", "3")):
        store.publish_segment("r", name, segment(tmp_path, name))
        store.publish_playlist("r", "live.m3u8", text)
    store.delete("r", "a.ts")
    assert store.pending_segments("r") == 2 and not spool_is_empty(tmp_path / "work", "r")
    assert inner.calls == [("segment", "r", "a.ts"), ("playlist", "r", "live.m3u8")]
    assert inner.text("r", "live.m3u8") == "1"
    inner.fail_with = None
    store.publish_segment("r", "d.ts", segment(tmp_path, "d.ts"))
    assert [(op, name) for op, _, name in inner.calls[2:]] == [
        ("segment", "b.ts"), ("segment", "c.ts"), ("playlist", "live.m3u8"), ("delete", "a.ts"),
        ("segment", "d.ts")]
    assert inner.text("r", "live.m3u8") == "3"  # only the latest text went out
    assert inner.read("r", "b.ts") == b"b.ts" and spool_is_empty(tmp_path / "work", "r")


def test_a_full_spool_fails_like_the_store(tmp_path: Path) -> None:
    inner = MemorySegmentStore()
    inner.fail_with = DOWN
    store = RetryingSegmentStore(inner, tmp_path / "work", max_pending=2)
    for name in ("a.ts", "b.ts"):
        store.publish_segment("r", name, segment(tmp_path, name))
    with pytest.raises(SegmentStoreError):
        store.publish_segment("r", "c.ts", segment(tmp_path, "c.ts"))
    assert store.flush("r") is False
    inner.fail_with = None
    assert store.flush("r") is True and [c[2] for c in inner.calls] == ["a.ts", "b.ts"]


def test_serve_keeps_one_url_secret_in_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    first = url_secret(settings)
    assert len(first) >= 40 and url_secret(settings) == first
    assert (tmp_path / "url-secret").stat().st_mode & 0o077 == 0
    assert url_secret(Settings(data_dir=tmp_path, url_secret="configured")) == "configured"


def test_a_spool_left_by_a_killed_process_is_published_by_the_next(tmp_path: Path) -> None:
    inner = MemorySegmentStore()
    inner.fail_with = DOWN
    first = RetryingSegmentStore(inner, tmp_path / "work")
    for name in ("show-128k-00000010.ts", "show-128k-00000011.ts"):
        first.publish_segment("r", name, segment(tmp_path, name))
    assert not spool_is_empty(tmp_path / "work", "r")
    inner.fail_with = None  # the process died; the store came back; a new process starts
    RetryingSegmentStore(inner, tmp_path / "work")
    assert [c[2] for c in inner.calls] == ["show-128k-00000010.ts", "show-128k-00000011.ts"]
    assert spool_is_empty(tmp_path / "work", "r")
