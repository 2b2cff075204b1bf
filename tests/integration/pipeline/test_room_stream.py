"""One room's pipeline on real ffmpeg: bus → loudness → one encoder, two renditions → packager."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import m3u8
import numpy as np
import pytest

from stream_server.hls.names import LIVE_PLAYLIST, live_media_name
from stream_server.hls.packager import Packager
from stream_server.hls.show_log import ShowLog
from stream_server.ops.config import Settings
from stream_server.pipeline.room_stream import RoomStream
from stream_server.stores.local import LocalSegmentStore
from tests.support import decode_pcm, ffprobe_streams, wait_for
from tests.support.audio import dominant_frequency, rms_dbfs
from tests.support.mpegts import counter_breaks, opening_tables

ROOM = "room-1"
SR = Settings().sample_rate  # the bus rate: the PCM fed in must be at it


def tone(freq: float, seconds: float) -> bytes:
    t = np.arange(int(SR * seconds)) / SR
    mono = (0.3 * 32767 * np.sin(2 * np.pi * freq * t)).astype(np.int16)
    return np.repeat(mono[:, None], 2, axis=1).tobytes()


def make_packager(tmp: Path, packager_class: type[Packager] = Packager) -> Packager:
    settings = Settings(data_dir=tmp)
    return packager_class(ROOM, LocalSegmentStore(settings.hls_dir),
                          ShowLog(settings.work_dir / ROOM / "segments.jsonl"),
                          target_duration=1, window_size=6, renditions_kbps=settings.renditions_kbps)


def make_stream(tmp: Path, packager: Packager | None = None) -> RoomStream:
    settings = Settings(data_dir=tmp, segment_seconds=1, window_segments=6)
    return RoomStream(ROOM, "show1", settings, packager or make_packager(tmp), settings.work_dir / ROOM)


def feed(stream: RoomStream, pcm: bytes) -> threading.Thread:
    inp = stream.add_publisher("test")

    def run() -> None:
        for i in range(0, len(pcm), 19200):
            if not inp.write(pcm[i : i + 19200], timeout=10):
                return
        inp.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def live(tmp: Path, rendition: str = "128k") -> m3u8.M3U8 | None:
    path = tmp / "hls" / ROOM / live_media_name("show1", rendition)
    return m3u8.loads(path.read_text()) if path.exists() else None


def segment_count(tmp: Path) -> int:
    parsed = live(tmp)
    return 0 if parsed is None else parsed.media_sequence + len(parsed.segments)


@pytest.fixture
def stream(tmp_path: Path):  # type: ignore[no-untyped-def]
    s = make_stream(tmp_path)
    s.start()
    yield s
    s.stop(end_show=True)


def test_published_pcm_comes_out_as_aac_lc_segments_of_the_same_tone(
    stream: RoomStream, tmp_path: Path
) -> None:
    feed(stream, tone(660, 6))
    wait_for(lambda: segment_count(tmp_path) >= 5, 30, what="five segments")
    master = m3u8.loads((tmp_path / "hls" / ROOM / LIVE_PLAYLIST).read_text())
    assert [p.uri for p in master.playlists] == ["show1-live-128k.m3u8", "show1-live-64k.m3u8"]
    assert all(p.stream_info.codecs == "mp4a.40.2" for p in master.playlists)
    high, low = master.playlists[0].stream_info, master.playlists[1].stream_info
    assert high.bandwidth >= high.average_bandwidth > low.average_bandwidth > 0
    listed = {r: live(tmp_path, r) for r in ("128k", "64k")}
    for rendition, parsed in listed.items():
        assert parsed is not None and parsed.target_duration == 1
        files = [tmp_path / "hls" / ROOM / s.uri for s in parsed.segments]
        assert ffprobe_streams(files[-1]) == [
            {"codec_name": "aac", "profile": "LC", "sample_rate": str(SR), "channels": 2}
        ]
        joined = tmp_path / f"joined-{rendition}.ts"
        joined.write_bytes(b"".join(f.read_bytes() for f in files[1:4]))
        pcm = decode_pcm(joined)
        assert abs(dominant_frequency(pcm) - 660) < 5
        assert rms_dbfs(pcm) > -25
    # the same cut points: sequence by sequence, the same duration and air time
    high_list, low_list = listed["128k"], listed["64k"]
    assert high_list is not None and low_list is not None
    assert [(s.duration, s.program_date_time) for s in high_list.segments] == [
        (s.duration, s.program_date_time) for s in low_list.segments]


def test_segments_open_with_pat_and_pmt_and_counters_go_on_from_one_to_the_next(
    stream: RoomStream, tmp_path: Path
) -> None:
    feed(stream, tone(660, 12))
    wait_for(lambda: segment_count(tmp_path) >= 8, 40, what="eight segments")
    for rendition in ("128k", "64k"):
        parsed = live(tmp_path, rendition)
        assert parsed is not None and len(parsed.segments) >= 6
        files = [tmp_path / "hls" / ROOM / s.uri for s in parsed.segments]
        for path in files:
            first_pids, programmes, crcs_hold = opening_tables(path)
            assert first_pids[:2] == [0, programmes[1]], f"{path.name} opens with PIDs {first_pids}"
            assert crcs_hold, f"{path.name}: PAT or PMT fails its CRC"
        assert counter_breaks(files) == []
    # the sizes recorded when each segment was listed are the final ones: it was complete by then
    recorded = ShowLog(tmp_path / "work" / ROOM / "segments.jsonl").segments()
    assert len(recorded) >= 8
    for seg in recorded:
        for rendition, size in zip(seg.renditions, seg.sizes, strict=True):
            path = tmp_path / "hls" / ROOM / f"show1-{rendition}-{seg.sequence:08d}.ts"
            assert size == path.stat().st_size > 0, path.name
        # every EXTINF as written, not rounded, within the target (1 s here)
        assert all(0.9 < s.duration <= parsed.target_duration == 1 for s in parsed.segments)


def test_without_publishers_the_encoder_keeps_publishing_room_tone(
    stream: RoomStream, tmp_path: Path
) -> None:
    wait_for(lambda: segment_count(tmp_path) >= 3, 30, what="three segments of room tone")
    parsed = live(tmp_path)
    assert parsed is not None
    level = rms_dbfs(decode_pcm(tmp_path / "hls" / ROOM / parsed.segments[-1].uri))
    assert -90 < level < -55  # quiet, yet not digital silence


def test_killed_encoder_restarts_with_a_discontinuity_and_rising_sequence(
    stream: RoomStream, tmp_path: Path
) -> None:
    feed(stream, tone(440, 20))
    wait_for(lambda: segment_count(tmp_path) >= 3, 30, what="segments before the kill")
    first_pid = stream.encoder.pid
    assert first_pid is not None
    before = segment_count(tmp_path)
    os.kill(first_pid, signal.SIGKILL)
    wait_for(lambda: stream.encoder.pid not in (None, first_pid), 10, what="a new encoder")
    wait_for(lambda: segment_count(tmp_path) >= before + 3, 30, what="segments after the restart")
    assert stream.encoder.restarts == 1
    for rendition in ("128k", "64k"):
        parsed = live(tmp_path, rendition)
        assert parsed is not None
        assert parsed.media_sequence + len(parsed.segments) >= before + 3
        sequences = [parsed.media_sequence + i for i in range(len(parsed.segments))]
        assert sequences == sorted(set(sequences))
        tagged = sum(1 for s in parsed.segments if s.discontinuity) + (parsed.discontinuity_sequence or 0)
        assert tagged == 1
        for seg in parsed.segments:  # every listed file, after the restart too, decodes
            assert len(decode_pcm(tmp_path / "hls" / ROOM / seg.uri)) > 0
    log = ShowLog(tmp_path / "work" / ROOM / "segments.jsonl").segments()
    assert [s.sequence for s in log] == list(range(len(log)))
    assert sum(1 for s in log if s.discontinuity) == 1


def test_stop_publishes_the_last_partial_segment_and_the_replay(tmp_path: Path) -> None:
    s = make_stream(tmp_path)
    s.start()
    feed(s, tone(440, 2.5))
    wait_for(lambda: segment_count(tmp_path) >= 2, 30, what="segments")
    s.stop(end_show=True)
    parsed = live(tmp_path)
    replay_master = m3u8.loads((tmp_path / "hls" / ROOM / "show1.m3u8").read_text())
    assert [p.uri for p in replay_master.playlists] == ["show1-128k.m3u8", "show1-64k.m3u8"]
    replay = m3u8.loads((tmp_path / "hls" / ROOM / "show1-128k.m3u8").read_text())
    assert parsed is not None and parsed.is_endlist
    assert replay.is_endlist and replay.playlist_type == "vod"
    assert [s.uri for s in replay.segments][-1] == parsed.segments[-1].uri
    assert not list((tmp_path / "work" / ROOM).glob("*.ts"))  # nothing orphaned


def test_a_failed_restart_does_not_kill_the_room_and_a_later_one_recovers(tmp_path: Path) -> None:
    wrapper = tmp_path / "ffmpeg-wrapper"
    script = '#!/bin/sh\nexec ffmpeg "$@"\n'
    wrapper.write_text(script)
    wrapper.chmod(0o755)
    settings = Settings(data_dir=tmp_path, segment_seconds=1, window_segments=6, ffmpeg=str(wrapper))
    packager = Packager(ROOM, LocalSegmentStore(settings.hls_dir),
                        ShowLog(settings.work_dir / ROOM / "segments.jsonl"),
                        target_duration=1, window_size=6, renditions_kbps=settings.renditions_kbps)
    s = RoomStream(ROOM, "show1", settings, packager, settings.work_dir / ROOM)
    s.start()
    try:
        wait_for(lambda: segment_count(tmp_path) >= 2, 30, what="segments before the crash")
        wrapper.unlink()  # the next start fails: no such file
        pid = s.encoder.pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        wait_for(lambda: s.encoder.restarts >= 2, 10, what="failed restart attempts")
        assert s.bus_thread_alive()
        before = segment_count(tmp_path)
        wrapper.write_text(script)
        wrapper.chmod(0o755)
        wait_for(lambda: segment_count(tmp_path) >= before + 2, 30, what="segments after recovery")
    finally:
        s.stop(end_show=True)


def test_a_hung_encoder_never_holds_up_the_bus_and_is_replaced(tmp_path: Path) -> None:
    s = make_stream(tmp_path)
    s.start()
    pid = None
    try:
        feed(s, tone(440, 60))
        wait_for(lambda: segment_count(tmp_path) >= 2, 30, what="segments before the hang")
        pid = s.encoder.pid
        assert pid is not None
        os.kill(pid, signal.SIGSTOP)  # alive, but taking no audio: its pipe fills
        frames = s.bus.frames_out
        wait_for(lambda: s.bus.frames_out >= frames + 100, 10, what="bus frames while the encoder hangs")
        wait_for(lambda: s.encoder.restarts >= 1, 20, what="the hung encoder replaced")
        assert s.encoder.pid != pid
        before = segment_count(tmp_path)
        wait_for(lambda: segment_count(tmp_path) >= before + 2, 30, what="segments from the new encoder")
        parsed = live(tmp_path)
        assert parsed is not None and any(seg.discontinuity for seg in parsed.segments)
    finally:
        if pid is not None:
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
        s.stop(end_show=True)


def kill_encoder_mid_show(s: RoomStream, tmp: Path) -> int:
    """Start ``s`` with a publisher, let two segments out, SIGKILL its encoder; the dead pid."""
    s.start()
    feed(s, tone(440, 60))
    wait_for(lambda: segment_count(tmp) >= 2, 30, what="segments before the crash")
    pid = s.encoder.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    return pid


def assert_recovers(s: RoomStream, tmp: Path, dead_pid: int) -> None:
    """A new encoder replaces ``dead_pid``, publishes segments, and the playlist marks the break."""
    wait_for(lambda: s.encoder.pid not in (None, dead_pid), 10, what="the new encoder")
    assert s.bus_thread_alive()
    before = segment_count(tmp)
    wait_for(lambda: segment_count(tmp) >= before + 2, 30, what="segments from the new encoder")
    parsed = live(tmp)
    assert parsed is not None and any(seg.discontinuity for seg in parsed.segments)


class SlowToMark(Packager):
    """A packager whose discontinuity mark waits for the test: a restart that takes its time."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.marking = threading.Event()
        self.release = threading.Event()

    def mark_discontinuity(self) -> None:
        self.marking.set()
        self.release.wait(30)
        super().mark_discontinuity()


def test_a_slow_encoder_restart_never_holds_up_the_clock_that_drives_every_room(tmp_path: Path) -> None:
    packager = make_packager(tmp_path, SlowToMark)
    assert isinstance(packager, SlowToMark)
    s = make_stream(tmp_path, packager)
    try:
        pid = kill_encoder_mid_show(s, tmp_path)
        wait_for(packager.marking.is_set, 10, what="the restart under way")
        frames = s.bus.frames_out
        # the restart is stuck, yet the clock (the same thread for every room) keeps going
        wait_for(lambda: s.bus.frames_out >= frames + 50, 10, what="bus frames during the restart")
        assert s.encoder.pid == pid  # still the dead one: the restart has not finished
        packager.release.set()
        assert_recovers(s, tmp_path, pid)
    finally:
        packager.release.set()
        s.stop(end_show=True)


class FailsToMark(Packager):
    """A packager whose discontinuity marks fail while ``failing`` is set (a store briefly down)."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.failing = threading.Event()
        self.failing.set()
        self.attempts = 0

    def mark_discontinuity(self) -> None:
        self.attempts += 1
        if self.failing.is_set():
            raise RuntimeError("store unavailable")
        super().mark_discontinuity()


def test_a_restart_that_fails_is_retried_once_a_second_until_it_succeeds(tmp_path: Path) -> None:
    packager = make_packager(tmp_path, FailsToMark)
    assert isinstance(packager, FailsToMark)
    s = make_stream(tmp_path, packager)
    try:
        pid = kill_encoder_mid_show(s, tmp_path)
        wait_for(lambda: packager.attempts >= 1, 10, what="a first restart attempt")
        frames = s.bus.frames_out
        wait_for(lambda: s.bus.frames_out >= frames + 150, 10, what="3 s of bus frames while it fails")
        # once a second, not on every 100 ms tick (a retry storm would make about 30 attempts)
        assert 2 <= packager.attempts <= 5
        packager.failing.clear()
        assert_recovers(s, tmp_path, pid)
    finally:
        s.stop(end_show=True)
