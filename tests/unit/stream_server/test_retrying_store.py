"""RetryingSegmentStore: order kept through an outage (segments before the playlists naming them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stream_server.config import Settings
from stream_server.retrying_store import RetryingSegmentStore, spool_is_empty
from stream_server.segment_store import SegmentStoreError
from stream_server.server import url_secret


class RecordingStore:
    """An in-memory store that records what reached it, failing while ``down``."""

    def __init__(self) -> None:
        self.down = False
        self.calls: list[tuple[str, str]] = []
        self.files: dict[str, bytes] = {}

    def _check(self) -> None:
        if self.down:
            raise SegmentStoreError("down")

    def publish_segment(self, room_id: str, name: str, source: Path) -> None:
        self._check()
        self.files[name] = source.read_bytes()
        source.unlink()
        self.calls.append(("segment", name))

    def publish_playlist(self, room_id: str, name: str, text: str) -> None:
        self._check()
        self.files[name] = text.encode()
        self.calls.append(("playlist", f"{name}:{text}"))

    def delete(self, room_id: str, name: str) -> None:
        self._check()
        self.files.pop(name, None)
        self.calls.append(("delete", name))


def segment(tmp_path: Path, name: str) -> Path:
    path = tmp_path / "encoder" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(name.encode())
    return path


def test_outage_spools_in_order_and_flushes_segments_before_playlists(tmp_path: Path) -> None:
    inner = RecordingStore()
    store = RetryingSegmentStore(inner, tmp_path / "work")
    store.publish_segment("r", "a.ts", segment(tmp_path, "a.ts"))
    store.publish_playlist("r", "live.m3u8", "1")
    inner.down = True
    for name, text in (("b.ts", "2"), ("c.ts", "3")):
        store.publish_segment("r", name, segment(tmp_path, name))
        store.publish_playlist("r", "live.m3u8", text)
    store.delete("r", "a.ts")
    assert store.pending_segments("r") == 2 and not spool_is_empty(tmp_path / "work", "r")
    assert inner.calls == [("segment", "a.ts"), ("playlist", "live.m3u8:1")]
    inner.down = False
    store.publish_segment("r", "d.ts", segment(tmp_path, "d.ts"))
    assert inner.calls[2:] == [("segment", "b.ts"), ("segment", "c.ts"), ("playlist", "live.m3u8:3"),
                               ("delete", "a.ts"), ("segment", "d.ts")]
    assert inner.files["b.ts"] == b"b.ts" and spool_is_empty(tmp_path / "work", "r")


def test_a_full_spool_fails_like_the_store(tmp_path: Path) -> None:
    inner = RecordingStore()
    inner.down = True
    store = RetryingSegmentStore(inner, tmp_path / "work", max_pending=2)
    for name in ("a.ts", "b.ts"):
        store.publish_segment("r", name, segment(tmp_path, name))
    with pytest.raises(SegmentStoreError):
        store.publish_segment("r", "c.ts", segment(tmp_path, "c.ts"))
    assert store.flush("r") is False
    inner.down = False
    assert store.flush("r") is True and [c[1] for c in inner.calls] == ["a.ts", "b.ts"]


def test_serve_keeps_one_url_secret_in_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    first = url_secret(settings)
    assert len(first) >= 40 and url_secret(settings) == first
    assert (tmp_path / "url-secret").stat().st_mode & 0o077 == 0
    assert url_secret(Settings(data_dir=tmp_path, url_secret="configured")) == "configured"


def test_a_spool_left_by_a_killed_process_is_published_by_the_next(tmp_path: Path) -> None:
    inner = RecordingStore()
    inner.down = True
    first = RetryingSegmentStore(inner, tmp_path / "work")
    for name in ("show-128k-00000010.ts", "show-128k-00000011.ts"):
        first.publish_segment("r", name, segment(tmp_path, name))
    assert not spool_is_empty(tmp_path / "work", "r")
    inner.down = False  # the process died; the store came back; a new process starts
    RetryingSegmentStore(inner, tmp_path / "work")
    assert [c[1] for c in inner.calls] == ["show-128k-00000010.ts", "show-128k-00000011.ts"]
    assert spool_is_empty(tmp_path / "work", "r")
