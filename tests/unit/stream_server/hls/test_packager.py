"""The packager: segments before playlists, renditions in lockstep, sequences that survive restarts."""

from __future__ import annotations

from pathlib import Path

import m3u8
import pytest

from stream_server.hls.names import LIVE_PLAYLIST, live_media_name, replay_media_name, replay_name
from stream_server.hls.packager import Packager
from stream_server.hls.show_log import ShowLog
from stream_server.stores.local import LocalSegmentStore

ROOM = "room-1"
RENDITIONS = ("128k", "64k")
#: bytes per 2 s segment of each rendition: ~140 and ~70 kbit/s, as AAC in TS measures
SIZES = {"128k": 35_000, "64k": 17_500}


class RecordingStore(LocalSegmentStore):
    """The local store, noting the order of publications and checking every URI exists first."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.events: list[str] = []

    def publish_segment(self, room_id: str, name: str, source: Path) -> None:
        super().publish_segment(room_id, name, source)
        self.events.append(f"segment {name}")

    def publish_playlist(self, room_id: str, name: str, text: str) -> None:
        parsed = m3u8.loads(text)
        for uri in [s.uri for s in parsed.segments] + [p.uri for p in parsed.playlists]:
            assert (self.root / room_id / uri).exists(), f"{uri} listed before published"
        super().publish_playlist(room_id, name, text)
        self.events.append(f"playlist {name}")


def packager(tmp: Path, store: LocalSegmentStore | None = None) -> Packager:
    return Packager(ROOM, store or RecordingStore(tmp / "hls"),
                    ShowLog(tmp / "work" / ROOM / "segments.jsonl"), target_duration=2, window_size=6,
                    renditions_kbps=(128, 64))


def add(p: Packager, tmp: Path, show: str, n: int, t0: float = 1000.0, scale: float = 1.0) -> None:
    for i in range(n):
        sources = {}
        for rendition in RENDITIONS:
            src = tmp / f"src-{show}-{rendition}-{i}.ts"
            src.write_bytes(b"G" * int(SIZES[rendition] * scale))
            sources[rendition] = src
        p.add_segment(show, sources, 2.005, t0 + 2 * i)


def media(tmp: Path, rendition: str = "128k") -> m3u8.M3U8:
    return m3u8.loads((tmp / "hls" / ROOM / live_media_name(rendition)).read_text())


def master(tmp: Path, name: str = LIVE_PLAYLIST) -> m3u8.M3U8:
    return m3u8.loads((tmp / "hls" / ROOM / name).read_text())


def test_segments_then_media_playlists_then_master(tmp_path: Path) -> None:
    store = RecordingStore(tmp_path / "hls")
    add(packager(tmp_path, store), tmp_path, "s1", 2)
    assert store.events[:5] == ["segment s1-128k-00000000.ts", "segment s1-64k-00000000.ts",
                                "playlist live-128k.m3u8", "playlist live-64k.m3u8", "playlist live.m3u8"]


def test_master_names_both_renditions_with_nominal_bandwidth_before_measuring(tmp_path: Path) -> None:
    add(packager(tmp_path), tmp_path, "s1", 1)
    parsed = master(tmp_path)
    assert parsed.is_variant
    infos = {p.uri: p.stream_info for p in parsed.playlists}
    assert set(infos) == {"live-128k.m3u8", "live-64k.m3u8"}
    assert infos["live-128k.m3u8"].codecs == "mp4a.40.2"
    high = infos["live-128k.m3u8"]
    assert high.bandwidth == 148_000 and high.average_bandwidth == 141_000
    assert infos["live-64k.m3u8"].bandwidth == 74_000


def test_master_bandwidth_is_measured_peak_and_average_once_segments_exist(tmp_path: Path) -> None:
    p = packager(tmp_path)
    add(p, tmp_path, "s1", 4)
    add(p, tmp_path, "s1", 1, t0=1008, scale=1.5)  # one louder, bigger segment: the peak
    info = {pl.uri: pl.stream_info for pl in master(tmp_path).playlists}["live-128k.m3u8"]
    per_second = SIZES["128k"] * 8 / 2.005
    assert info.bandwidth == pytest.approx(1.5 * per_second, abs=1000)
    assert info.average_bandwidth == pytest.approx(5.5 / 5 * per_second, abs=1000)
    assert info.bandwidth >= info.average_bandwidth


def test_both_media_playlists_stay_aligned(tmp_path: Path) -> None:
    add(packager(tmp_path), tmp_path, "s1", 10)
    high, low = media(tmp_path, "128k"), media(tmp_path, "64k")
    assert high.media_sequence == low.media_sequence == 4 and len(high.segments) == 6
    assert [s.duration for s in high.segments] == [s.duration for s in low.segments]
    assert [s.program_date_time for s in high.segments] == [s.program_date_time for s in low.segments]
    assert [s.uri for s in low.segments] == [f"s1-64k-{i:08d}.ts" for i in range(4, 10)]


def test_restart_continues_sequence_with_a_discontinuity_in_every_rendition(tmp_path: Path) -> None:
    add(packager(tmp_path), tmp_path, "s1", 8)
    after_restart = packager(tmp_path)  # a new process reads the log
    assert after_restart.next_sequence == 8
    assert after_restart.show_progress("s1") == (8, pytest.approx(8 * 2.005))
    add(after_restart, tmp_path, "s1", 2, t0=5000)
    for rendition in RENDITIONS:
        parsed = media(tmp_path, rendition)
        assert parsed.media_sequence == 4
        assert [s.discontinuity for s in parsed.segments] == [False] * 4 + [True, False]


def test_encoder_restart_marks_the_next_segment(tmp_path: Path) -> None:
    p = packager(tmp_path)
    add(p, tmp_path, "s1", 3)
    p.mark_discontinuity()
    add(p, tmp_path, "s1", 9)
    for rendition in RENDITIONS:
        parsed = media(tmp_path, rendition)
        # the tagged segment (seq 3) has left the window: DISCONTINUITY-SEQUENCE took it over
        assert parsed.media_sequence == 6 and parsed.discontinuity_sequence == 1
        assert not any(s.discontinuity for s in parsed.segments)


def test_end_show_closes_live_and_publishes_master_and_vod_replays(tmp_path: Path) -> None:
    p = packager(tmp_path)
    add(p, tmp_path, "s1", 9)
    shown = p.end_show("s1")
    assert len(shown) == 9 and media(tmp_path, "64k").is_endlist and media(tmp_path, "128k").is_endlist
    replay_master = master(tmp_path, replay_name("s1"))
    assert {pl.uri for pl in replay_master.playlists} == {replay_media_name("s1", r) for r in RENDITIONS}
    for rendition in RENDITIONS:
        replay = master(tmp_path, replay_media_name("s1", rendition))
        assert replay.playlist_type == "vod" and replay.is_endlist
        assert [s.uri for s in replay.segments] == [f"s1-{rendition}-{i:08d}.ts" for i in range(9)]
        assert all((tmp_path / "hls" / ROOM / s.uri).exists() for s in replay.segments)


def test_next_show_in_the_room_continues_the_room_sequence(tmp_path: Path) -> None:
    p = packager(tmp_path)
    add(p, tmp_path, "s1", 4)
    p.end_show("s1")
    add(p, tmp_path, "s2", 2)
    parsed = media(tmp_path)
    assert not parsed.is_endlist
    assert [s.uri for s in parsed.segments][-2:] == ["s2-128k-00000004.ts", "s2-128k-00000005.ts"]
    assert parsed.segments[-2].discontinuity
    assert p.show_progress("s2")[0] == 2 and p.show_progress("s1") == (0, 0.0)


def test_deleting_a_show_removes_its_files_and_log_lines_but_keeps_the_sequence(tmp_path: Path) -> None:
    p = packager(tmp_path)
    add(p, tmp_path, "s1", 3)
    p.end_show("s1")
    add(p, tmp_path, "s2", 2)
    p.end_show("s2")
    p.delete_show("s1")
    room = tmp_path / "hls" / ROOM
    assert not list(room.glob("s1*"))
    assert len(list(room.glob("s2-*.ts"))) == 4
    assert packager(tmp_path).next_sequence == 5


def test_torn_log_line_is_skipped(tmp_path: Path) -> None:
    add(packager(tmp_path), tmp_path, "s1", 3)
    with open(tmp_path / "work" / ROOM / "segments.jsonl", "a") as log:
        log.write('{"sequence": 3, "uri": "s1-0000')
    assert packager(tmp_path).next_sequence == 3
