"""A show's podcast episode: its replay's segments joined into one M4A file, never re-encoded.

When a public show ends, the segments of its best rendition are joined byte for byte (one
continuous encode cut into MPEG-TS segments is one continuous transport stream again, its
timestamps running on; ffmpeg's concat demuxer would instead restart each file at its
probed duration, which for TS is short by a few frames), then remuxed by ffmpeg with
``-c copy`` (the AAC frames as the encoder made them; ``aac_adtstoasc`` moves them from
ADTS into MP4), and the file is published as ``<show>.m4a`` beside the replay, through the
same store. When the show announced song titles, their starts become the episode's
chapters (``<show>.chapters.json``, Podcasting 2.0 JSON chapters). The replay's retention
deletes both with the replay (``Packager.delete_show``). This runs after the show, never
on the live path, and from a thread of its own (``EpisodeMaker.show_ended``). Segments are
read from the local published folder; with a bucket store there is nothing local to join
and no episode.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from stream_server.hls.names import chapters_name, episode_name, rendition_name
from stream_server.hls.packager import Packager
from stream_server.hls.tracks import Track
from stream_server.stores.port import SegmentStore, SegmentStoreError

log = logging.getLogger(__name__)

#: Longest a join may take (seconds): a copy of a few hours of AAC takes a second or two.
JOIN_TIMEOUT = 600


class PackagerSource(Protocol):
    """The room's packager (``OnAir.packager``): it knows a show's segments."""

    def packager(self, room_id: str) -> Packager: ...


def join_segments(ffmpeg: str, segments: list[Path], target: Path) -> None:
    """Join MPEG-TS segments into one M4A at ``target`` without re-encoding."""
    with tempfile.NamedTemporaryFile("wb", suffix=".ts", dir=target.parent,
                                     prefix=".tmp-", delete=False) as joined:
        for segment in segments:
            with segment.open("rb") as part:
                shutil.copyfileobj(part, joined)
    try:
        subprocess.run(
            [ffmpeg, "-v", "error", "-y", "-f", "mpegts", "-i", joined.name, "-map", "0:a",
             "-c", "copy", "-bsf:a", "aac_adtstoasc", "-movflags", "+faststart", "-f", "mp4",
             str(target)],
            check=True, capture_output=True, timeout=JOIN_TIMEOUT)
    finally:
        Path(joined.name).unlink(missing_ok=True)


def chapters_document(tracks: list[Track], show_started_at: float) -> str:
    """JSON chapters (version 1.2.0): one chapter per song, from its start into the show."""
    chapters = []
    for track in tracks:
        title = f"{track.artist} – {track.title}" if track.artist else track.title
        chapters.append({"startTime": round(max(0.0, track.started_at - show_started_at), 3),
                         "title": title})
    return json.dumps({"version": "1.2.0", "chapters": chapters}, ensure_ascii=False, indent=1)


class EpisodeMaker:
    """Makes the episode of each public show that ends; ``show_ended`` is an ``OnAir`` hook."""

    def __init__(self, hls_dir: Path, work_dir: Path, store: SegmentStore,
                 is_private: Callable[[str], bool], packagers: PackagerSource, *,
                 renditions_kbps: tuple[int, ...], ffmpeg: str = "ffmpeg",
                 show_started: Callable[[str, str], float | None] = lambda room, show: None) -> None:
        self._hls_dir = hls_dir
        self._work_dir = work_dir
        self._store = store
        self._is_private = is_private
        self._packagers = packagers
        self._rendition = rendition_name(max(renditions_kbps))
        self._ffmpeg = ffmpeg
        self._show_started = show_started
        #: the threads making episodes, so tests and shutdown can wait for them
        self.makers: list[threading.Thread] = []

    def show_ended(self, room_id: str, show_id: str) -> None:
        """The show-end hook: make the episode from a thread of its own."""
        maker = threading.Thread(target=self.make, args=(room_id, show_id), daemon=True,
                                 name=f"episode-{room_id}")
        self.makers = [t for t in self.makers if t.is_alive()] + [maker]
        maker.start()

    def make(self, room_id: str, show_id: str) -> Path | None:
        """Join and publish the episode; where it was published (None: private, or no segments)."""
        if self._is_private(room_id):
            return None
        names = self._packagers.packager(room_id).show_files(show_id, self._rendition)
        segments = [self._hls_dir / room_id / name for name in names]
        if not segments or not all(path.is_file() for path in segments):
            log.info("room %s: no local segments of show %s, so no episode", room_id, show_id)
            return None
        scratch = self._work_dir / room_id
        scratch.mkdir(parents=True, exist_ok=True)
        target = scratch / f".tmp-episode-{episode_name(show_id)}"  # a crash leaves it to the sweep
        try:
            join_segments(self._ffmpeg, segments, target)
            self._store.publish_segment(room_id, episode_name(show_id), target)
        except (subprocess.SubprocessError, OSError, SegmentStoreError) as exc:
            target.unlink(missing_ok=True)
            log.warning("room %s: the episode of show %s was not made: %s", room_id, show_id, exc)
            return None
        self._publish_chapters(room_id, show_id)
        log.info("room %s: episode %s published", room_id, episode_name(show_id))
        return self._hls_dir / room_id / episode_name(show_id)

    def _publish_chapters(self, room_id: str, show_id: str) -> None:
        tracks = self._packagers.packager(room_id).tracks(show_id)
        started = self._show_started(room_id, show_id)
        if not tracks or started is None:
            return
        try:
            self._store.publish_playlist(room_id, chapters_name(show_id),
                                         chapters_document(tracks, started))
        except SegmentStoreError as exc:
            log.warning("room %s: the chapters of show %s were not published: %s",
                        room_id, show_id, exc)
