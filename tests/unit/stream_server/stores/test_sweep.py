"""A sweep removes stray files only: nothing a kept playlist names, down the whole chain."""

from __future__ import annotations

from stream_server.stores.memory import MemorySegmentStore

MASTER = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nshow-128k.m3u8\n"
MEDIA = "#EXTM3U\n#EXTINF:2.000,\nshow-128k-00000001.ts\n#EXTINF:2.000,\nshow-128k-00000002.ts\n"


def store_with_a_replay() -> MemorySegmentStore:
    store = MemorySegmentStore()
    store.publish_playlist("room", "show.m3u8", MASTER)
    store.publish_playlist("room", "show-128k.m3u8", MEDIA)
    store.files["room"]["show-128k-00000001.ts"] = b"G" * 188
    store.files["room"]["show-128k-00000002.ts"] = b"G" * 188
    store.files["room"]["show-128k-00000003.ts"] = b"G" * 188
    return store


def test_what_a_kept_master_names_stays_down_to_its_segments() -> None:
    store = store_with_a_replay()
    removed = store.sweep(lambda room, name: name != "show.m3u8")  # everything but the master "stray"
    assert removed == 1
    assert sorted(store.listing()["room"]) == ["show-128k-00000001.ts", "show-128k-00000002.ts",
                                               "show-128k.m3u8", "show.m3u8"]


def test_a_stray_master_takes_what_only_it_named() -> None:
    store = store_with_a_replay()
    assert store.sweep(lambda room, name: True) == 5
    assert store.listing()["room"] == {}
