"""The packager: turns finished encoder segments into published segments and playlists.

Every sequence number is published for every rendition at once (the encoder hands
over a segment only when each rendition has finished it), so the media playlists
of a room stay aligned: same sequence numbers, durations, air times and
discontinuities, which is what lets a player switch renditions at any segment.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from collections.abc import Mapping, Sequence
from pathlib import Path

from stream_server.hls.names import (
    LIVE_PLAYLIST,
    for_rendition,
    live_media_name,
    rendition_name,
    replay_media_name,
    replay_name,
    segment_files,
    segment_name,
)
from stream_server.hls.playlist import (
    MIN_MEASURED_SEGMENTS,
    DateRange,
    Segment,
    Variant,
    measured_bandwidth,
    nominal_bandwidth,
    render_master_playlist,
    render_media_playlist,
)
from stream_server.hls.show_log import ShowLog
from stream_server.hls.tracks import TRACK_CLASS, Track, TrackLog
from stream_server.ops import metrics
from stream_server.stores.port import SegmentStore

log = logging.getLogger(__name__)

DEFAULT_RENDITIONS: tuple[int, ...] = (128, 64)
#: Song titles remembered for the live playlists (a window holds far fewer songs than this).
_RECENT_TRACKS = 32


def _size(segment: Segment, rendition: str) -> int:
    if rendition in segment.renditions and len(segment.sizes) == len(segment.renditions):
        return segment.sizes[segment.renditions.index(rendition)]
    return segment.sizes[0] if segment.sizes else 0


class Packager:
    """Per-room packaging state: the live window, sequence numbers and discontinuities.

    Sequence numbers belong to the room, not the show, so the live playlists never go
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
        renditions_kbps: Sequence[int] = DEFAULT_RENDITIONS,
        track_log: TrackLog | None = None,
    ) -> None:
        self.room_id = room_id
        self._store = store
        self._log = show_log
        self._track_log = track_log
        #: the tracks the live window may still show (newest last)
        self._tracks: deque[Track] = deque(track_log.tracks()[-_RECENT_TRACKS:] if track_log else (),
                                           maxlen=_RECENT_TRACKS)
        self._target = target_duration
        self._kbps = {rendition_name(k): k for k in renditions_kbps}
        self.renditions = tuple(self._kbps)
        self._lock = threading.Lock()
        history = show_log.segments()
        self._window: deque[Segment] = deque(history[-window_size:], maxlen=window_size)
        last = self._window[-1] if self._window else None
        self._next_sequence = last.sequence + 1 if last else 0
        self._discontinuity_sequence = last.discontinuity_sequence if last else 0
        # Whatever came before this process (another show, a crash) is a discontinuity.
        self._pending_discontinuity = last is not None
        self._show_id = ""
        self._show_segments = 0
        self._show_seconds = 0.0
        #: per rendition, over the current show: [bytes, seconds, peak bit/s]
        self._rates: dict[str, list[float]] = {}
        self._master_text = ""
        self._recent: deque[Segment] = deque(maxlen=MIN_MEASURED_SEGMENTS)
        for seg in history:
            if last is not None and seg.show_id == last.show_id:
                self._count(seg)

    @property
    def next_sequence(self) -> int:
        """The sequence number the next segment will get."""
        return self._next_sequence

    def show_progress(self, show_id: str) -> tuple[int, float]:
        """(segments, seconds) published so far for ``show_id`` (its replay's length)."""
        with self._lock:
            if show_id != self._show_id:
                return 0, 0.0
            return self._show_segments, round(self._show_seconds, 3)

    def add_track(self, track: Track) -> None:
        """Record a song title on air now; the live playlists name it from their next update."""
        with self._lock:
            if self._track_log is not None:
                self._track_log.append(track)
            self._tracks.append(track)

    def now_playing(self, show_id: str) -> Track | None:
        """The song the show plays now (the last announced in it), if any."""
        with self._lock:
            for track in reversed(self._tracks):
                if track.show_id == show_id:
                    return track
            return None

    def tracks(self, show_id: str) -> list[Track]:
        """The show's track list, oldest first."""
        with self._lock:
            return self._track_log.tracks(show_id) if self._track_log is not None else [
                t for t in self._tracks if t.show_id == show_id]

    def mark_discontinuity(self) -> None:
        """The next segment does not follow on from the last one (encoder restarted)."""
        with self._lock:
            if self._window:
                self._pending_discontinuity = True

    def add_segment(self, show_id: str, sources: Mapping[str, Path], duration: float,
                    air_time: float) -> Segment:
        """Publish one sequence (a file per rendition), record it, then publish the playlists naming it."""
        missing = [r for r in self.renditions if r not in sources]
        if missing:
            raise ValueError(f"segment lacks renditions {missing}")
        with self._lock:
            sizes = tuple(sources[r].stat().st_size for r in self.renditions)
            discontinuity = self._pending_discontinuity
            segment = Segment(
                sequence=self._next_sequence,
                uri=segment_name(show_id, self._next_sequence),
                duration=round(duration, 6),
                program_date_time=air_time,
                discontinuity_sequence=self._discontinuity_sequence + (1 if discontinuity else 0),
                discontinuity=discontinuity,
                show_id=show_id,
                renditions=self.renditions,
                sizes=sizes,
            )
            for rendition in self.renditions:
                self._store.publish_segment(self.room_id, for_rendition(segment, rendition).uri,
                                            sources[rendition])
                metrics.SEGMENTS_WRITTEN.labels(rendition=rendition).inc()
            self._log.append(segment)
            self._next_sequence += 1
            self._discontinuity_sequence = segment.discontinuity_sequence
            self._pending_discontinuity = False
            self._window.append(segment)
            self._count(segment)
            self._publish_live(ended=False)
            if time.time() - air_time > self._target + 0.5:
                metrics.SEGMENTS_LATE.inc()
            return segment

    def end_show(self, show_id: str) -> list[Segment]:
        """Close the live playlists with EXT-X-ENDLIST and publish the show's replay (VOD)."""
        with self._lock:
            self._publish_live(ended=True)
            self._pending_discontinuity = bool(self._window)
            show = self._log.segments(show_id)
            if show:
                ranges = [_date_range(t) for t in self._track_log.tracks(show_id)] if (
                    self._track_log is not None) else []
                for rendition in self.renditions:
                    text = render_media_playlist([for_rendition(s, rendition) for s in show],
                                                 target_duration=self._target, vod=True,
                                                 date_ranges=ranges)
                    self._store.publish_playlist(self.room_id, replay_media_name(show_id, rendition), text)
                master = render_master_playlist(self._replay_variants(show))
                self._store.publish_playlist(self.room_id, replay_name(show_id), master)
            return show

    def delete_show(self, show_id: str) -> int:
        """Remove a show's replay: its playlists, its segments and its lines in the log; files removed."""
        with self._lock:
            show = self._log.segments(show_id)
            names = [replay_name(show_id)]
            names += [replay_media_name(show_id, r) for r in {*self.renditions, *_renditions(show)}]
            self._log.drop_show(show_id)
            if self._track_log is not None:
                self._track_log.drop_show(show_id)
            kept = {name for s in self._log.tail(1) for name in segment_files(s)}
            names += [name for s in show for name in segment_files(s) if name not in kept]
            for name in names:
                self._store.delete(self.room_id, name)
            return len(names)

    def referenced_files(self) -> set[str]:
        """Every segment file the log names and every replay playlist of a show it holds."""
        names: set[str] = set()
        shows: set[str] = set()
        for seg in self._log.segments():
            names.update(segment_files(seg))
            shows.add(seg.show_id)
        for show_id in shows:
            names.add(replay_name(show_id))
            names.update(replay_media_name(show_id, r) for r in self.renditions)
        return names

    def _count(self, segment: Segment) -> None:
        """Add a segment to the current show's totals (a new show starts them again)."""
        if segment.show_id != self._show_id:
            self._show_id, self._show_segments, self._show_seconds = segment.show_id, 0, 0.0
            self._rates = {r: [0.0, 0.0, 0.0] for r in self.renditions}
            self._recent.clear()
        self._show_segments += 1
        self._show_seconds += segment.duration
        self._recent.append(segment)
        recent = list(self._recent)
        for rendition, totals in self._rates.items():
            if rendition not in segment.renditions:
                continue
            totals[0] += _size(segment, rendition)
            totals[1] += segment.duration
            if self._show_segments >= MIN_MEASURED_SEGMENTS:
                measured = [(_size(s, rendition), s.duration) for s in recent]
                peak, _ = measured_bandwidth(measured, target_duration=self._target,
                                             nominal_kbps=self._kbps[rendition])
                totals[2] = max(totals[2], peak)

    def _live_variants(self) -> list[Variant]:
        variants = []
        for rendition, kbps in self._kbps.items():
            peak, average = nominal_bandwidth(kbps)
            size, seconds, measured_peak = self._rates.get(rendition, (0.0, 0.0, 0.0))
            if self._show_segments >= MIN_MEASURED_SEGMENTS and seconds > 0 and measured_peak > 0:
                average = math.ceil(size * 8 / seconds)
                peak = max(math.ceil(measured_peak), average)
            variants.append(Variant(live_media_name(rendition), _kbit(peak), _kbit(average)))
        return variants

    def _replay_variants(self, show: Sequence[Segment]) -> list[Variant]:
        variants = []
        for rendition, kbps in self._kbps.items():
            measured = [(_size(s, rendition), s.duration) for s in show]
            peak, average = measured_bandwidth(measured, target_duration=self._target, nominal_kbps=kbps)
            uri = replay_media_name(show[0].show_id, rendition)
            variants.append(Variant(uri, _kbit(peak), _kbit(average)))
        return variants

    def _window_date_ranges(self, window: Sequence[Segment]) -> list[DateRange]:
        """The songs heard in the window: the one playing at its start and every later one."""
        if not window:
            return []
        shows = {s.show_id for s in window}
        tracks = [t for t in self._tracks if t.show_id in shows]
        first = window[0].program_date_time
        before = [t for t in tracks if t.started_at <= first]
        return [_date_range(t) for t in [*before[-1:], *(t for t in tracks if t.started_at > first)]]

    def _publish_live(self, *, ended: bool) -> None:
        window = list(self._window)
        ranges = self._window_date_ranges(window)
        for rendition in self.renditions:
            text = render_media_playlist([for_rendition(s, rendition) for s in window],
                                         target_duration=self._target, ended=ended,
                                         date_ranges=ranges)
            self._store.publish_playlist(self.room_id, live_media_name(rendition), text)
        # The master goes out after the media playlists it names, and only when it changes:
        # its figures are measured over the show so far (peak and average settle quickly).
        master = render_master_playlist(self._live_variants())
        if master != self._master_text:
            self._store.publish_playlist(self.room_id, LIVE_PLAYLIST, master)
            self._master_text = master


def _date_range(track: Track) -> DateRange:
    """A song as an EXT-X-DATERANGE: ``X-TITLE`` and, when known, ``X-ARTIST``."""
    attributes = [("X-TITLE", track.title)] + ([("X-ARTIST", track.artist)] if track.artist else [])
    return DateRange(track.id, track.started_at, TRACK_CLASS, tuple(attributes))


def _kbit(bits_per_second: int) -> int:
    """Rounded up to whole kbit/s, so that the master playlist changes only when the figures do."""
    return -(-bits_per_second // 1000) * 1000


def _renditions(segments: Sequence[Segment]) -> set[str]:
    return {r for s in segments for r in s.renditions}
