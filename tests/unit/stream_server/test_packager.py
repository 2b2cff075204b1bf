"""The packager: segments before playlists, sequences that survive restarts, replays."""

from __future__ import annotations

from pathlib import Path

import m3u8

from stream_server.packager import LIVE_PLAYLIST, Packager, replay_name
from stream_server.segment_store import LocalSegmentStore
from stream_server.show_log import ShowLog

ROOM = "room-1"


class RecordingStore(LocalSegmentStore):
    """The local store, noting the order of publications."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.events: list[str] = []

    def publish_segment(self, room_id: str, name: str, source: Path) -> None:
        super().publish_segment(room_id, name, source)
        self.events.append(f"segment {name}")

    def publish_playlist(self, room_id: str, name: str, text: str) -> None:
        for seg in m3u8.loads(text).segments:
            assert (self.root / room_id / seg.uri).exists(), f"{seg.uri} listed before published"
        super().publish_playlist(room_id, name, text)
        self.events.append(f"playlist {name}")


def packager(tmp: Path, store: LocalSegmentStore | None = None) -> Packager:
    return Packager(ROOM, store or LocalSegmentStore(tmp / "hls"),
                    ShowLog(tmp / "work" / ROOM / "segments.jsonl"), target_duration=2, window_size=6)


def add(p: Packager, tmp: Path, show: str, n: int, t0: float = 1000.0) -> None:
    for i in range(n):
        src = tmp / f"src-{show}-{i}.ts"
        src.write_bytes(b"G" * 188)
        p.add_segment(show, src, 2.005, t0 + 2 * i)


def live(tmp: Path) -> m3u8.M3U8:
    return m3u8.loads((tmp / "hls" / ROOM / LIVE_PLAYLIST).read_text())


def test_segment_is_published_before_the_playlist_naming_it(tmp_path: Path) -> None:
    store = RecordingStore(tmp_path / "hls")
    add(packager(tmp_path, store), tmp_path, "s1", 3)
    assert store.events[:2] == ["segment s1-00000000.ts", "playlist live.m3u8"]
    assert len(store.events) == 6


def test_window_slides_and_media_sequence_rises(tmp_path: Path) -> None:
    add(packager(tmp_path), tmp_path, "s1", 10)
    parsed = live(tmp_path)
    assert parsed.media_sequence == 4 and len(parsed.segments) == 6


def test_restart_continues_sequence_with_a_discontinuity(tmp_path: Path) -> None:
    add(packager(tmp_path), tmp_path, "s1", 8)
    after_restart = packager(tmp_path)  # a new process reads the log
    assert after_restart.next_sequence == 8
    add(after_restart, tmp_path, "s1", 2, t0=5000)
    parsed = live(tmp_path)
    assert parsed.media_sequence == 4
    assert [s.discontinuity for s in parsed.segments] == [False] * 4 + [True, False]


def test_encoder_restart_marks_the_next_segment(tmp_path: Path) -> None:
    p = packager(tmp_path)
    add(p, tmp_path, "s1", 3)
    p.mark_discontinuity()
    add(p, tmp_path, "s1", 9)
    parsed = live(tmp_path)
    # the tagged segment (seq 3) has left the window: DISCONTINUITY-SEQUENCE took it over
    assert parsed.media_sequence == 6 and parsed.discontinuity_sequence == 1
    assert not any(s.discontinuity for s in parsed.segments)


def test_end_show_closes_live_and_publishes_the_whole_show_as_replay(tmp_path: Path) -> None:
    p = packager(tmp_path)
    add(p, tmp_path, "s1", 9)
    shown = p.end_show("s1")
    assert len(shown) == 9 and live(tmp_path).is_endlist
    replay = m3u8.loads((tmp_path / "hls" / ROOM / replay_name("s1")).read_text())
    assert replay.playlist_type == "vod" and replay.is_endlist
    assert [s.uri for s in replay.segments] == [f"s1-{i:08d}.ts" for i in range(9)]
    assert all((tmp_path / "hls" / ROOM / s.uri).exists() for s in replay.segments)


def test_next_show_in_the_room_continues_the_room_sequence(tmp_path: Path) -> None:
    p = packager(tmp_path)
    add(p, tmp_path, "s1", 4)
    p.end_show("s1")
    add(p, tmp_path, "s2", 2)
    parsed = live(tmp_path)
    assert not parsed.is_endlist
    assert [s.uri for s in parsed.segments][-2:] == ["s2-00000004.ts", "s2-00000005.ts"]
    assert parsed.segments[-2].discontinuity


def test_torn_log_line_is_skipped(tmp_path: Path) -> None:
    add(packager(tmp_path), tmp_path, "s1", 3)
    with open(tmp_path / "work" / ROOM / "segments.jsonl", "a") as log:
        log.write('{"sequence": 3, "uri": "s1-0000')
    assert packager(tmp_path).next_sequence == 3
