"""The packager: turns finished encoder segments into published segments and playlists.

Every sequence number is published for every rendition at once (the encoder hands
over a segment only when each rendition has finished it), so the media playlists
of a room stay aligned: same sequence numbers, durations, air times and
discontinuities, which is what lets a player switch renditions at any segment.

Each show has live media playlists of its own. The room's entry playlist (``live.m3u8``,
a master) names the latest show's, from the moment they play; a show's end adds
EXT-X-ENDLIST to them for good, and the next show reaches players through the entry
playlist, never by reopening an ended playlist (RFC 8216 6.2.1).
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
    chapters_name,
    episode_name,
    for_rendition,
    live_media_name,
    rendition_name,
    replay_media_name,
    replay_name,
    segment_files,
    segment_name,
)
from stream_server.hls.playlist import (
    DateRange,
    Segment,
    Variant,
    measured_bandwidth,
    nominal_bandwidth,
    playable,
    render_master_playlist,
    render_media_playlist,
    target_duration_for,
)
from stream_server.hls.show_log import ShowLog
from stream_server.hls.tracks import TRACK_CLASS, Track, TrackLog
from stream_server.hls.transport import HEAD_PACKETS, PACKET_SIZE, pat_pmt_first
from stream_server.ops import metrics
from stream_server.stores.port import SegmentStore

log = logging.getLogger(__name__)

DEFAULT_RENDITIONS: tuple[int, ...] = (128, 64)
#: Song titles remembered for the live playlists (a window holds far fewer songs than this).
_RECENT_TRACKS = 32
#: Consecutive segments kept to find the peak rate of runs lasting up to 1.5 target durations.
_PEAK_RUN = 3


def _size(segment: Segment, rendition: str) -> int:
    if rendition in segment.renditions and len(segment.sizes) == len(segment.renditions):
        return segment.sizes[segment.renditions.index(rendition)]
    return segment.sizes[0] if segment.sizes else 0


class Packager:
    """Per-room packaging state: the live show's window, sequence numbers and discontinuities.

    Sequence numbers belong to the room, not the show, so no name is ever used twice; a
    restarted encoder or server continues the show's playlists with a discontinuity, and
    a new show starts playlists of its own.
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
        last = history[-1] if history else None
        self._window: deque[Segment] = deque(maxlen=window_size)
        self._next_sequence = last.sequence + 1 if last else 0
        self._discontinuity_sequence = last.discontinuity_sequence if last else 0
        # The same show continued by this process follows a crash or a restart: a discontinuity.
        self._pending_discontinuity = last is not None
        self._show_id = ""
        self._show_segments = 0
        self._show_seconds = 0.0
        #: EXT-X-TARGETDURATION of the show's live playlists: never lowered while they live
        self._show_target = target_duration
        #: per rendition, over the current show: [bytes, seconds, peak bit/s]
        self._rates: dict[str, list[float]] = {}
        self._master_text = ""
        self._recent: deque[Segment] = deque(maxlen=_PEAK_RUN)
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

    def is_playable(self, show_id: str) -> bool:
        """Whether the entry playlist names ``show_id``'s live playlists (they hold what a player needs)."""
        with self._lock:
            return show_id == self._show_id and playable(self._window, self._show_target)

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
            for rendition in self.renditions:
                _tables_first(sources[rendition])
            sizes = tuple(sources[r].stat().st_size for r in self.renditions)
            # a new show starts playlists of its own: nothing before it there to break from
            discontinuity = self._pending_discontinuity and show_id == self._show_id
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
            self._count(segment)
            self._publish_live(ended=False)
            if time.time() - air_time > self._target + 0.5:
                metrics.SEGMENTS_LATE.inc()
            return segment

    def end_show(self, show_id: str) -> list[Segment]:
        """Close the show's live playlists with EXT-X-ENDLIST, for good, and publish its replay (VOD)."""
        with self._lock:
            if show_id == self._show_id and self._window:
                self._publish_live(ended=True)
            self._pending_discontinuity = False
            show = self._log.segments(show_id)
            if show:
                ranges = [_date_range(t) for t in self._track_log.tracks(show_id)] if (
                    self._track_log is not None) else []
                target = target_duration_for(show, self._target)
                for rendition in self.renditions:
                    text = render_media_playlist([for_rendition(s, rendition) for s in show],
                                                 target_duration=target, vod=True,
                                                 date_ranges=ranges)
                    self._store.publish_playlist(self.room_id, replay_media_name(show_id, rendition), text)
                master = render_master_playlist(self._replay_variants(show))
                self._store.publish_playlist(self.room_id, replay_name(show_id), master)
            return show

    def show_files(self, show_id: str, rendition: str) -> list[str]:
        """The published segment names of a show's replay in one rendition, in play order."""
        with self._lock:
            return [for_rendition(s, rendition).uri for s in self._log.segments(show_id)]

    def delete_show(self, show_id: str) -> int:
        """Remove a show's replay: its playlists, its segments and its lines in the log; files removed."""
        with self._lock:
            show = self._log.segments(show_id)
            # the episode and its chapters go with the replay
            names = [replay_name(show_id), episode_name(show_id), chapters_name(show_id)]
            for rendition in {*self.renditions, *_renditions(show)}:
                names += [replay_media_name(show_id, rendition), live_media_name(show_id, rendition)]
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
            names.update(live_media_name(show_id, r) for r in self.renditions)
        return names

    def _count(self, segment: Segment) -> None:
        """Add a segment to the current show's totals (a new show starts them again)."""
        if segment.show_id != self._show_id:
            self._show_id, self._show_segments, self._show_seconds = segment.show_id, 0, 0.0
            self._rates = {r: [0.0, 0.0, 0.0] for r in self.renditions}
            self._recent.clear()
            self._window.clear()
            self._show_target = self._target
        self._show_segments += 1
        self._show_seconds += segment.duration
        self._show_target = target_duration_for([segment], self._show_target)
        self._window.append(segment)
        self._recent.append(segment)
        recent = list(self._recent)
        for rendition, totals in self._rates.items():
            if rendition not in segment.renditions:
                continue
            totals[0] += _size(segment, rendition)
            totals[1] += segment.duration
            measured = [(_size(s, rendition), s.duration) for s in recent]
            peak, _ = measured_bandwidth(measured, target_duration=self._target)
            totals[2] = max(totals[2], peak)

    def _live_variants(self) -> list[Variant]:
        """Measured over the show so far; the peak never under the nominal one, as louder audio may follow."""
        variants = []
        for rendition, kbps in self._kbps.items():
            peak, average = nominal_bandwidth(kbps)
            size, seconds, measured_peak = self._rates.get(rendition, (0.0, 0.0, 0.0))
            if seconds > 0:
                average = math.ceil(size * 8 / seconds)
                peak = max(peak, math.ceil(measured_peak), average)
            variants.append(Variant(live_media_name(self._show_id, rendition), _kbit(peak), _kbit(average)))
        return variants

    def _replay_variants(self, show: Sequence[Segment]) -> list[Variant]:
        variants = []
        for rendition in self._kbps:
            measured = [(_size(s, rendition), s.duration) for s in show]
            peak, average = measured_bandwidth(measured, target_duration=self._target)
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
                                         target_duration=self._show_target, ended=ended,
                                         date_ranges=ranges)
            self._store.publish_playlist(self.room_id, live_media_name(self._show_id, rendition), text)
        # The entry playlist names this show's playlists once they play (or once the show is
        # over, however short); until then it keeps naming the previous show's. It goes out
        # after the media playlists it names, and only when it changes.
        if not (ended or playable(window, self._show_target)):
            return
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


def _tables_first(path: Path) -> None:
    """Rewrite a finished segment's first packets in place so that PAT and PMT open it."""
    with open(path, "r+b") as handle:
        head = handle.read(HEAD_PACKETS * PACKET_SIZE)
        ordered = pat_pmt_first(head)
        if ordered != head:
            handle.seek(0)
            handle.write(ordered)
