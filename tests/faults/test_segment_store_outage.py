"""The segment store failing for a while and coming back: no segment lost, MEDIA-SEQUENCE never down.

A real stage with a real ffmpeg encoder (fed room tone by its bus) publishes through the
``RetryingSegmentStore`` into a ``LocalSegmentStore`` that the test makes fail for some
seconds, the way a full disk or an unreachable bucket would.
"""

from __future__ import annotations

import threading
from pathlib import Path

import m3u8
import pytest

from room_directory import InMemoryRoomDirectory, Room
from stream_server.hls.names import live_media_name
from stream_server.ops.config import Settings
from stream_server.pipeline.on_air import OnAir
from stream_server.stores.local import LocalSegmentStore
from stream_server.stores.port import SegmentStoreError
from stream_server.stores.retrying import RetryingSegmentStore, spool_is_empty
from tests.support import wait_for

pytestmark = pytest.mark.e2e


class FailingWhileToldStore:
    """A real local store that raises, as a broken one would, while ``down`` is set."""

    def __init__(self, inner: LocalSegmentStore) -> None:
        self.inner = inner
        self.down = threading.Event()
        self.refused = 0

    def _check(self) -> None:
        if self.down.is_set():
            self.refused += 1
            raise SegmentStoreError("store unreachable (test outage)")

    def publish_segment(self, room_id: str, name: str, source: Path) -> None:
        self._check()
        self.inner.publish_segment(room_id, name, source)

    def publish_playlist(self, room_id: str, name: str, text: str) -> None:
        self._check()
        self.inner.publish_playlist(room_id, name, text)

    def delete(self, room_id: str, name: str) -> None:
        self._check()
        self.inner.delete(room_id, name)


class PlaylistWatcher:
    """Polls the published live playlist; records every MEDIA-SEQUENCE and last sequence seen."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.media_sequences: list[int] = []
        self.last_listed = -1
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            try:
                parsed = m3u8.loads(self.path.read_text())
            except OSError:
                continue
            if parsed.segments:
                self.media_sequences.append(parsed.media_sequence)
                self.last_listed = parsed.media_sequence + len(parsed.segments) - 1

    def __enter__(self) -> PlaylistWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)


def test_store_outage_loses_no_segment_and_sequence_never_goes_down(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, segment_seconds=2, window_segments=6, dead_air_seconds=0)
    directory = InMemoryRoomDirectory()
    room = directory.create(Room(id="outage-room", title="Outage", stream_key_hash="x"))
    flaky = FailingWhileToldStore(LocalSegmentStore(settings.hls_dir))
    store = RetryingSegmentStore(flaky, settings.work_dir)
    stage = OnAir(settings, directory, store=store)
    stream = stage.go_live(room)
    room_dir = settings.hls_dir / room.id
    try:
        with PlaylistWatcher(room_dir / live_media_name(stream.show_id, "128k")) as watcher:
            wait_for(lambda: watcher.last_listed >= 2, 30, what="three segments before the outage")
            flaky.down.set()
            listed_at_outage = watcher.last_listed
            wait_for(lambda: store.pending_segments(room.id) >= 3, 30, what="segments spooled in the outage")
            assert watcher.last_listed <= listed_at_outage + 1  # nothing new reached listeners
            spooled = store.pending_segments(room.id)
            flaky.down.clear()
            wait_for(lambda: watcher.last_listed >= listed_at_outage + spooled + 2, 30,
                     what="the spool flushed and the show going on")
        assert flaky.refused > 0
        assert watcher.media_sequences == sorted(watcher.media_sequences)
    finally:
        ended = stage.end_show(room.id)
    assert ended is not None and ended.show_id == stream.show_id
    master = m3u8.loads((room_dir / f"{stream.show_id}.m3u8").read_text())
    assert len(master.playlists) >= 2
    for variant in master.playlists:  # every rendition's replay is whole
        replay = m3u8.loads((room_dir / variant.uri).read_text())
        assert replay.is_endlist
        sequences = [int(s.uri.rsplit("-", 1)[1].removesuffix(".ts")) for s in replay.segments]
        assert sequences == list(range(sequences[0], sequences[0] + len(sequences)))
        assert sequences[-1] >= watcher.last_listed
        for seg in replay.segments:  # every file is there and in order on the air clock
            assert (room_dir / seg.uri).stat().st_size > 0
        times = [s.current_program_date_time.timestamp() for s in replay.segments]
        for (start, seg), following in zip(zip(times, replay.segments, strict=False), times[1:],
                                           strict=False):
            assert following - (start + seg.duration) == pytest.approx(0, abs=0.1)  # no hole in the audio
    assert spool_is_empty(settings.work_dir, room.id)
