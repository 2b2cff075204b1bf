"""Song titles on air: one ``Track`` per title a performer's tool announced, kept per room.

A track starts when its title arrives (Icecast's ``/admin/metadata``, or the comments of a
new chained Ogg stream) and lasts until the next one or the end of the show. The log is
append-only, one JSON line per track (``<work dir>/<room>/tracks.jsonl``): the live
playlists carry the recent tracks as ``EXT-X-DATERANGE``, a replay its whole track list.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

#: ``CLASS`` of a song's EXT-X-DATERANGE (each ends where the next begins: ``END-ON-NEXT``).
TRACK_CLASS = "org.livestage.track"


@dataclass(frozen=True, slots=True)
class Track:
    """One song as announced: what, by whom, from when (Unix seconds, air time) in which show."""

    show_id: str
    started_at: float
    title: str
    artist: str = ""

    @property
    def id(self) -> str:
        """Unique within the room: the show and the millisecond the song began."""
        return f"{self.show_id}-{round(self.started_at * 1000)}"

    def view(self, show_started_at: float | None = None) -> dict[str, object]:
        """The track as the API shows it; ``offset`` is seconds into the show when its start is given."""
        view: dict[str, object] = {"title": self.title, "artist": self.artist, "since": self.started_at}
        if show_started_at is not None:
            view["offset"] = round(max(0.0, self.started_at - show_started_at), 3)
        return view


class TrackLog:
    """Append-only track log of one room; a torn last line is skipped, never fatal."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)

    def append(self, track: Track) -> None:
        """Record a track durably (flushed and fsynced)."""
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(asdict(track), ensure_ascii=False, separators=(",", ":")) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def tracks(self, show_id: str | None = None) -> list[Track]:
        """Every recorded track, or those of one show, oldest first."""
        if not self.path.exists():
            return []
        found: list[Track] = []
        with open(self.path, encoding="utf-8") as handle:
            for line in handle:
                try:
                    track = Track(**json.loads(line))
                except (ValueError, TypeError):
                    continue
                if show_id is None or track.show_id == show_id:
                    found.append(track)
        return found

    def drop_show(self, show_id: str) -> int:
        """Rewrite the log without one show's tracks (atomically); the number dropped."""
        every = self.tracks()
        keep = [t for t in every if t.show_id != show_id]
        if len(keep) != len(every):
            tmp = self.path.with_name(f".tmp-{self.path.name}")
            with open(tmp, "w", encoding="utf-8") as handle:
                handle.writelines(json.dumps(asdict(t), ensure_ascii=False, separators=(",", ":")) + "\n"
                                  for t in keep)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        return len(every) - len(keep)
