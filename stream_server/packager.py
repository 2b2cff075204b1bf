"""The packager: turns finished encoder segments into published segments and playlists."""

from __future__ import annotations

import logging
import threading
from collections import deque
from pathlib import Path

from stream_server.playlist import Segment, render_media_playlist
from stream_server.segment_store import SegmentStore
from stream_server.show_log import ShowLog

log = logging.getLogger(__name__)

LIVE_PLAYLIST = "live.m3u8"


def segment_name(show_id: str, sequence: int) -> str:
    """Published name of a segment: unique per show and sequence (and per room by its folder)."""
    return f"{show_id}-{sequence:08d}.ts"


def replay_name(show_id: str) -> str:
    """Published name of a show's replay playlist."""
    return f"{show_id}.m3u8"


class Packager:
    """Per-room packaging state: the live window, sequence numbers and discontinuities.

    Sequence numbers belong to the room, not the show, so ``live.m3u8`` never goes
    backwards: a new show, a restarted encoder or a restarted server continues the
    count with a discontinuity.
    """

    def __init__(
        self,
        room_id: str,
        store: SegmentStore,
        show_log: ShowLog,
        *,
        target_duration: int,
        window_size: int,
    ) -> None:
        self.room_id = room_id
        self._store = store
        self._log = show_log
        self._target = target_duration
        self._lock = threading.Lock()
        self._window: deque[Segment] = deque(show_log.tail(window_size), maxlen=window_size)
        last = self._window[-1] if self._window else None
        self._next_sequence = last.sequence + 1 if last else 0
        self._discontinuity_sequence = last.discontinuity_sequence if last else 0
        # Whatever came before this process (another show, a crash) is a discontinuity.
        self._pending_discontinuity = last is not None

    @property
    def next_sequence(self) -> int:
        """The sequence number the next segment will get."""
        return self._next_sequence

    def mark_discontinuity(self) -> None:
        """The next segment does not follow on from the last one (encoder restarted)."""
        with self._lock:
            if self._window:
                self._pending_discontinuity = True

    def add_segment(self, show_id: str, source: Path, duration: float, air_time: float) -> Segment:
        """Publish a finished segment, record it, then publish the live playlist naming it."""
        with self._lock:
            discontinuity = self._pending_discontinuity
            segment = Segment(
                sequence=self._next_sequence,
                uri=segment_name(show_id, self._next_sequence),
                duration=round(duration, 6),
                program_date_time=air_time,
                discontinuity_sequence=self._discontinuity_sequence + (1 if discontinuity else 0),
                discontinuity=discontinuity,
                show_id=show_id,
            )
            self._store.publish_segment(self.room_id, segment.uri, source)
            self._log.append(segment)
            self._next_sequence += 1
            self._discontinuity_sequence = segment.discontinuity_sequence
            self._pending_discontinuity = False
            self._window.append(segment)
            self._publish_live(ended=False)
            return segment

    def end_show(self, show_id: str) -> list[Segment]:
        """Close the live playlist with EXT-X-ENDLIST and publish the show's replay (VOD)."""
        with self._lock:
            self._publish_live(ended=True)
            self._pending_discontinuity = bool(self._window)
            show = self._log.segments(show_id)
            if show:
                text = render_media_playlist(show, target_duration=self._target, vod=True)
                self._store.publish_playlist(self.room_id, replay_name(show_id), text)
            return show

    def _publish_live(self, *, ended: bool) -> None:
        text = render_media_playlist(list(self._window), target_duration=self._target, ended=ended)
        self._store.publish_playlist(self.room_id, LIVE_PLAYLIST, text)
