"""The subtitle rendition of one captioned show: WebVTT segments, its playlists and transcript.

Audio segments arrive from the packager, cues and progress from the room's recogniser.
A subtitle segment goes out once the recogniser has heard past the end of its audio
segment (every cue that starts in it is known), or ``max_wait`` seconds after that end
by the wall clock, whichever comes first, so a stalled recogniser never holds the
playlist back for long. At the end of the show the whole transcript is published as
WebVTT and plain text, with a VOD subtitle playlist for the replay.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import replace

from stream_server.hls.names import (
    caption_segment_name,
    live_subtitles_name,
    replay_subtitles_name,
    transcript_name,
)
from stream_server.hls.playlist import Segment, Subtitles, render_media_playlist, target_duration_for
from stream_server.hls.webvtt import (
    Cue,
    cues_starting_in,
    render_plain_text,
    render_segment,
    render_transcript,
)
from stream_server.stores.port import SegmentStore

log = logging.getLogger(__name__)

#: Seconds past an audio segment's end after which its captions go out with what is known.
MAX_WAIT_SECONDS = 8.0


class CaptionTrack:
    """Publishes one show's subtitle rendition beside its audio, segment for segment."""

    def __init__(self, room_id: str, show_id: str, store: SegmentStore, *, target_duration: int,
                 window_size: int, next_sequence: int = 0, max_wait: float = MAX_WAIT_SECONDS,
                 clock: Callable[[], float] = time.time) -> None:
        self.room_id = room_id
        self.show_id = show_id
        self._store = store
        self._target = target_duration
        #: the audio's next sequence: an empty subtitle playlist (a show resumed here) says it
        self._next_sequence = next_sequence
        self._max_wait = max_wait
        self._clock = clock
        self._lock = threading.Lock()
        self._cues: list[Cue] = []
        self._waiting: deque[tuple[Segment, int | None]] = deque()
        self._window: deque[Segment] = deque(maxlen=window_size)
        self._show_segments: list[Segment] = []
        #: every cue starting before this air time is known (the recogniser's progress)
        self._heard_until = -math.inf
        self._ended = False
        #: the show's captions as plain text, set when the show ends
        self.transcript = ""
        #: end (air time) of the last subtitle segment published
        self._released_until = -math.inf
        #: (sequence, wall time) of the latest subtitle segments published (for the delay benchmark)
        self.published: deque[tuple[int, float]] = deque(maxlen=256)
        with self._lock:
            self._publish_playlist()

    @property
    def rendition(self) -> Subtitles:
        """How the live master playlist names this track."""
        return Subtitles(live_subtitles_name(self.show_id))

    def replay_rendition(self) -> Subtitles:
        """How the replay's master playlist names the replay's subtitles."""
        return Subtitles(replay_subtitles_name(self.show_id))

    def cues(self) -> list[Cue]:
        """Every cue of the show so far, in time order."""
        with self._lock:
            return sorted(self._cues, key=lambda c: c.start)

    def recent_lines(self, count: int) -> list[str]:
        """The texts of the last ``count`` cues (for a console or a screen)."""
        with self._lock:
            return [c.text for c in sorted(self._cues, key=lambda c: c.start)[-count:]]

    def add_audio_segment(self, segment: Segment, first_pts: int | None) -> None:
        """An audio segment was published: its subtitle segment follows when its cues are known."""
        with self._lock:
            if segment.show_id != self.show_id or self._ended:
                return
            self._waiting.append((segment, first_pts))
            self._release()

    def add_cues(self, cues: list[Cue], heard_until: float) -> None:
        """New final cues, and the air time up to which every cue is now known."""
        with self._lock:
            # a cue heard after its segment went out (the wait ran out) shows in the next one
            self._cues.extend(c if c.start >= self._released_until
                              else Cue(self._released_until, max(c.end, self._released_until + 1.0), c.text)
                              for c in cues)
            self._heard_until = max(self._heard_until, heard_until)
            self._release()

    def finish(self) -> None:
        """The show ended: publish what waits, close the live playlist, publish the replay's files."""
        with self._lock:
            self._heard_until = math.inf
            self._release()
            self._ended = True
            self._publish_playlist()
            if not self._show_segments:
                return
            start = self._show_segments[0].program_date_time
            cues = sorted(self._cues, key=lambda c: c.start)
            vod = render_media_playlist(self._show_segments, target_duration=target_duration_for(
                self._show_segments, self._target), vod=True)
            self._store.publish_playlist(self.room_id, replay_subtitles_name(self.show_id), vod)
            self._store.publish_playlist(self.room_id, transcript_name(self.show_id, "vtt"),
                                         render_transcript(cues, show_start=start))
            self.transcript = render_plain_text(cues, show_start=start)
            self._store.publish_playlist(self.room_id, transcript_name(self.show_id, "txt"), self.transcript)

    def _release(self) -> None:
        """Publish, in order, every waiting segment whose cues are all known or whose wait is over."""
        now = self._clock()
        released = False
        while self._waiting:
            segment, pts = self._waiting[0]
            end = segment.program_date_time + segment.duration
            if end > self._heard_until and now < end + self._max_wait:
                break
            self._waiting.popleft()
            cues = cues_starting_in(self._cues, segment.program_date_time, end)
            name = caption_segment_name(self.show_id, segment.sequence)
            text = render_segment(cues, segment_start=segment.program_date_time, first_pts=pts)
            self._store.publish_playlist(self.room_id, name, text)
            listed = replace(segment, uri=name)
            # as the audio's: raised by a long segment, never lowered while the playlist lives
            self._target = target_duration_for([listed], self._target)
            self._window.append(listed)
            self._show_segments.append(listed)
            self._released_until = end
            self.published.append((segment.sequence, now))
            released = True
        if released:
            self._publish_playlist()

    def _publish_playlist(self) -> None:
        text = render_media_playlist(list(self._window), target_duration=self._target, ended=self._ended,
                                     next_sequence=self._next_sequence)
        self._store.publish_playlist(self.room_id, live_subtitles_name(self.show_id), text)
