"""The packager: segments before playlists, renditions in lockstep, shows that end for good."""

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
#: bytes per segment of each rendition: ~141 and ~71 kbit/s, as AAC in TS measures
SIZES = {"128k": 35_000, "64k": 17_500}
#: what the encoder cuts for a 2 s target at 48 kHz: 93 AAC frames
DURATION = 1.984


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


def add(p: Packager, tmp: Path, show: str, n: int, t0: float = 1000.0, scale: float = 1.0,
        duration: float = DURATION) -> None:
    for i in range(n):
        sources = {}
        for rendition in RENDITIONS:
            src = tmp / f"src-{show}-{rendition}-{t0}-{i}.ts"
            src.write_bytes(b"G" * int(SIZES[rendition] * scale))
            sources[rendition] = src
        p.add_segment(show, sources, duration, t0 + 2 * i)


def media(tmp: Path, show: str = "s1", rendition: str = "128k") -> m3u8.M3U8:
    return m3u8.loads((tmp / "hls" / ROOM / live_media_name(show, rendition)).read_text())


def master(tmp: Path, name: str = LIVE_PLAYLIST) -> m3u8.M3U8:
    return m3u8.loads((tmp / "hls" / ROOM / name).read_text())


def entry_exists(tmp: Path) -> bool:
    return (tmp / "hls" / ROOM / LIVE_PLAYLIST).exists()


def test_segments_then_media_playlists_then_the_entry_once_it_plays(tmp_path: Path) -> None:
    store = RecordingStore(tmp_path / "hls")
    p = packager(tmp_path, store)
    add(p, tmp_path, "s1", 3)  # 5.95 s: under three target durations, a player has no start yet
    assert not entry_exists(tmp_path) and not p.is_playable("s1")
    assert store.events[:4] == ["segment s1-128k-00000000.ts", "segment s1-64k-00000000.ts",
                                "playlist s1-live-128k.m3u8", "playlist s1-live-64k.m3u8"]
    add(p, tmp_path, "s1", 1, t0=1006)
    assert p.is_playable("s1") and not p.is_playable("s2")
    assert store.events[-5:] == ["segment s1-128k-00000003.ts", "segment s1-64k-00000003.ts",
                                 "playlist s1-live-128k.m3u8", "playlist s1-live-64k.m3u8",
                                 "playlist live.m3u8"]


def test_entry_names_both_renditions_never_under_the_nominal_peak(tmp_path: Path) -> None:
    add(packager(tmp_path), tmp_path, "s1", 4)
    parsed = master(tmp_path)
    assert parsed.is_variant
    infos = {p.uri: p.stream_info for p in parsed.playlists}
    assert set(infos) == {"s1-live-128k.m3u8", "s1-live-64k.m3u8"}
    assert infos["s1-live-128k.m3u8"].codecs == "mp4a.40.2"
    high, low = infos["s1-live-128k.m3u8"], infos["s1-live-64k.m3u8"]
    # measured ~141 kbit/s on average; the peak is held at 1.25 x 128 kbit/s for louder audio to come
    assert high.bandwidth == 160_000 and high.average_bandwidth == 142_000
    assert low.bandwidth == 80_000 and low.average_bandwidth == 71_000


def test_entry_bandwidth_is_the_measured_peak_once_above_the_nominal_one(tmp_path: Path) -> None:
    p = packager(tmp_path)
    add(p, tmp_path, "s1", 4)
    add(p, tmp_path, "s1", 1, t0=1008, scale=1.5)  # one louder, bigger segment: the peak
    info = {pl.uri: pl.stream_info for pl in master(tmp_path).playlists}["s1-live-128k.m3u8"]
    per_second = SIZES["128k"] * 8 / DURATION
    assert info.bandwidth == pytest.approx(1.5 * per_second, abs=1000)
    assert info.average_bandwidth == pytest.approx(5.5 / 5 * per_second, abs=1000)


def test_both_media_playlists_stay_aligned(tmp_path: Path) -> None:
    add(packager(tmp_path), tmp_path, "s1", 10)
    high, low = media(tmp_path, "s1", "128k"), media(tmp_path, "s1", "64k")
    assert high.media_sequence == low.media_sequence == 4 and len(high.segments) == 6
    assert [s.duration for s in high.segments] == [s.duration for s in low.segments]
    assert [s.program_date_time for s in high.segments] == [s.program_date_time for s in low.segments]
    assert [s.uri for s in low.segments] == [f"s1-64k-{i:08d}.ts" for i in range(4, 10)]


def test_restart_continues_sequence_with_a_discontinuity_in_every_rendition(tmp_path: Path) -> None:
    add(packager(tmp_path), tmp_path, "s1", 8)
    after_restart = packager(tmp_path)  # a new process reads the log
    assert after_restart.next_sequence == 8
    assert after_restart.show_progress("s1") == (8, pytest.approx(8 * DURATION))
    assert after_restart.is_playable("s1")
    add(after_restart, tmp_path, "s1", 2, t0=5000)
    for rendition in RENDITIONS:
        parsed = media(tmp_path, "s1", rendition)
        assert parsed.media_sequence == 4
        assert [s.discontinuity for s in parsed.segments] == [False] * 4 + [True, False]


def test_encoder_restart_marks_the_next_segment(tmp_path: Path) -> None:
    p = packager(tmp_path)
    add(p, tmp_path, "s1", 3)
    p.mark_discontinuity()
    add(p, tmp_path, "s1", 9)
    for rendition in RENDITIONS:
        parsed = media(tmp_path, "s1", rendition)
        # the tagged segment (seq 3) has left the window: DISCONTINUITY-SEQUENCE took it over
        assert parsed.media_sequence == 6 and parsed.discontinuity_sequence == 1
        assert not any(s.discontinuity for s in parsed.segments)


def test_end_show_closes_live_and_publishes_master_and_vod_replays(tmp_path: Path) -> None:
    p = packager(tmp_path)
    add(p, tmp_path, "s1", 9)
    shown = p.end_show("s1")
    assert len(shown) == 9
    assert media(tmp_path, "s1", "64k").is_endlist and media(tmp_path, "s1", "128k").is_endlist
    replay_master = master(tmp_path, replay_name("s1"))
    assert {pl.uri for pl in replay_master.playlists} == {replay_media_name("s1", r) for r in RENDITIONS}
    for rendition in RENDITIONS:
        replay = master(tmp_path, replay_media_name("s1", rendition))
        assert replay.playlist_type == "vod" and replay.is_endlist
        assert [s.uri for s in replay.segments] == [f"s1-{rendition}-{i:08d}.ts" for i in range(9)]
        assert all((tmp_path / "hls" / ROOM / s.uri).exists() for s in replay.segments)


def test_next_show_gets_playlists_of_its_own_and_never_reopens_the_ended_ones(tmp_path: Path) -> None:
    store = RecordingStore(tmp_path / "hls")
    p = packager(tmp_path, store)
    add(p, tmp_path, "s1", 4)
    p.end_show("s1")
    ended = {r: (tmp_path / "hls" / ROOM / live_media_name("s1", r)).read_text() for r in RENDITIONS}
    published_before = len(store.events)
    add(p, tmp_path, "s2", 3, t0=2000)
    # not playable yet: the entry still names the ended show, whose playlists stay as they were
    assert [pl.uri for pl in master(tmp_path).playlists] == ["s1-live-128k.m3u8", "s1-live-64k.m3u8"]
    add(p, tmp_path, "s2", 1, t0=2006)
    assert [pl.uri for pl in master(tmp_path).playlists] == ["s2-live-128k.m3u8", "s2-live-64k.m3u8"]
    for rendition in RENDITIONS:
        assert (tmp_path / "hls" / ROOM / live_media_name("s1", rendition)).read_text() == ended[rendition]
        assert m3u8.loads(ended[rendition]).is_endlist
        new = media(tmp_path, "s2", rendition)
        assert not new.is_endlist and new.media_sequence == 4
        assert [s.uri for s in new.segments] == [f"s2-{rendition}-{i:08d}.ts" for i in range(4, 8)]
        assert not any(s.discontinuity for s in new.segments)  # nothing before it in this playlist
    assert not [e for e in store.events[published_before:] if e.startswith("playlist s1")]
    assert p.show_progress("s2")[0] == 4 and p.show_progress("s1") == (0, 0.0)


def test_a_show_that_ends_before_it_plays_still_becomes_the_entry(tmp_path: Path) -> None:
    p = packager(tmp_path)
    add(p, tmp_path, "s1", 4)
    p.end_show("s1")
    add(p, tmp_path, "s2", 1, t0=2000)
    p.end_show("s2")
    assert [pl.uri for pl in master(tmp_path).playlists] == ["s2-live-128k.m3u8", "s2-live-64k.m3u8"]
    assert media(tmp_path, "s2").is_endlist and len(media(tmp_path, "s2").segments) == 1


def test_a_segment_over_the_target_raises_the_target_of_its_show_for_good(tmp_path: Path) -> None:
    p = packager(tmp_path)
    add(p, tmp_path, "s1", 2)
    add(p, tmp_path, "s1", 1, t0=1004, duration=2.005)  # cut by an older encoder
    add(p, tmp_path, "s1", 8, t0=1006)  # the long one has left the window
    parsed = media(tmp_path)
    assert parsed.target_duration == 3 and max(s.duration for s in parsed.segments) == DURATION
    add(p, tmp_path, "s2", 1, t0=3000)
    assert media(tmp_path, "s2").target_duration == 2


def test_deleting_a_show_removes_its_files_and_log_lines_but_keeps_the_sequence(tmp_path: Path) -> None:
    p = packager(tmp_path)
    add(p, tmp_path, "s1", 3)
    p.end_show("s1")
    add(p, tmp_path, "s2", 2)
    p.end_show("s2")
    assert {live_media_name("s1", r) for r in RENDITIONS} <= p.referenced_files()
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
