"""Loudness through the whole room pipeline: bus → loudness → AAC encoder, measured by ebur128.

Three rooms on air at once, each sent the same programme at a level 20 dB from the
next; each show's replay (every rendition) is decoded and measured with ffmpeg's
``ebur128=peak=true``: within ±1 LU of -16 LUFS, true peak at most -1 dBTP.
"""

from __future__ import annotations

import threading
from pathlib import Path

import m3u8
import numpy as np

from stream_server.hls.packager import Packager
from stream_server.hls.show_log import ShowLog
from stream_server.ops.config import Settings
from stream_server.pipeline.room_stream import RoomStream
from stream_server.stores.local import LocalSegmentStore
from tests.support.loudness_meter import measure_file

SR = Settings().sample_rate  # the bus rate: the PCM fed in must be at it
SECONDS = 12
LEVELS = (-3.0, -23.0, -43.0)


def programme(level_db: float) -> bytes:
    """440 Hz at ``level_db`` peak, a 1 ms 3 kHz burst 14 dB hotter every half second (peaks to limit)."""
    t = np.arange(SR * SECONDS) / SR
    x = np.sin(2 * np.pi * 440 * t) * 10 ** (level_db / 20)
    x += np.sin(2 * np.pi * 3000 * t) * ((t % 0.5) < 0.001) * 10 ** ((level_db + 14) / 20)
    return bytes((np.repeat(np.clip(x, -1, 1)[:, None], 2, axis=1) * 32767).astype("<i2").tobytes())


def on_air(tmp: Path, room_id: str) -> RoomStream:
    settings = Settings(data_dir=tmp, segment_seconds=1, window_segments=6)
    packager = Packager(room_id, LocalSegmentStore(settings.hls_dir),
                        ShowLog(settings.work_dir / room_id / "segments.jsonl"),
                        target_duration=1, window_size=6, renditions_kbps=settings.renditions_kbps)
    stream = RoomStream(room_id, "show", settings, packager, settings.work_dir / room_id)
    stream.start()
    return stream


def publish(stream: RoomStream, pcm: bytes) -> None:
    inp = stream.add_publisher("performer")
    for i in range(0, len(pcm), 19200):
        if not inp.write(pcm[i : i + 19200], timeout=10):
            break
    inp.close()


def test_three_levels_20_db_apart_all_air_at_minus_16_lufs_under_minus_1_dbtp(tmp_path: Path) -> None:
    rooms = {f"room-{i}": level for i, level in enumerate(LEVELS)}
    streams = {room_id: on_air(tmp_path, room_id) for room_id in rooms}
    try:
        feeders = [threading.Thread(target=publish, args=(streams[r], programme(level)), daemon=True)
                   for r, level in rooms.items()]
        for feeder in feeders:
            feeder.start()
        for feeder in feeders:
            feeder.join(SECONDS + 30)
            assert not feeder.is_alive()
    finally:
        for stream in streams.values():
            stream.stop(end_show=True)
    for room_id, level in rooms.items():
        for rendition in ("128k", "64k"):
            replay = m3u8.loads((tmp_path / "hls" / room_id / f"show-{rendition}.m3u8").read_text())
            joined = tmp_path / f"{room_id}-{rendition}.ts"
            joined.write_bytes(b"".join((tmp_path / "hls" / room_id / s.uri).read_bytes()
                                        for s in replay.segments))
            integrated, true_peak = measure_file(joined)
            print(f"\ninput {level:+.0f} dBFS → {rendition}: {integrated:.1f} LUFS, {true_peak:.1f} dBTP")
            assert abs(integrated + 16) <= 1.0, f"{level} dB input, {rendition}: {integrated} LUFS"
            assert true_peak <= -1.0, f"{level} dB input, {rendition}: {true_peak} dBTP"
