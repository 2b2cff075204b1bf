"""The durable record of a room's published segments: one JSON line per segment.

It is what makes restarts lose nothing: sequence numbers and discontinuities
continue from its last line, and a show's replay is rebuilt from its lines.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path

from stream_server.hls.playlist import Segment


class ShowLog:
    """Append-only segment log of one room, ``<work dir>/<room>/segments.jsonl``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)

    def append(self, segment: Segment) -> None:
        """Record a published segment durably (flushed and fsynced)."""
        line = _line(segment)
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())

    def segments(self, show_id: str | None = None) -> list[Segment]:
        """Every recorded segment, or those of one show, oldest first.

        A line that does not parse (torn by a power cut, damaged on disk) is skipped, never
        fatal; the start-up sweep rebuilds such a log from the published files.
        """
        found, _ = self.read() or ([], 0)
        return [s for s in found if show_id is None or s.show_id == show_id]

    def read(self) -> tuple[list[Segment], int] | None:
        """Every line that parses and the number of lines that do not; None when there is no log."""
        if not self.path.exists():
            return None
        found: list[Segment] = []
        unreadable = 0
        with open(self.path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                segment = _parse(line)
                if segment is None:
                    unreadable += line.strip() != ""
                else:
                    found.append(segment)
        return found, unreadable

    def replace_all(self, segments: list[Segment]) -> None:
        """Write a rebuilt log atomically; a damaged one is kept beside it as ``.damaged``."""
        if self.path.exists():
            os.replace(self.path, self.path.with_name(self.path.name + ".damaged"))
        self._write(segments)

    def _write(self, segments: list[Segment]) -> None:
        tmp = self.path.with_name(f".tmp-{self.path.name}")
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.writelines(_line(s) for s in segments)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)

    def tail(self, count: int) -> list[Segment]:
        """The last ``count`` recorded segments."""
        return self.segments()[-count:] if count > 0 else []

    def drop_show(self, show_id: str) -> int:
        """Rewrite the log without one show's segments (atomically); the number dropped.

        The room's last segment is always kept, whatever its show: it carries the
        sequence and discontinuity counts that the next show continues from.
        """
        every = self.segments()
        keep = [s for i, s in enumerate(every) if s.show_id != show_id or i == len(every) - 1]
        dropped = len(every) - len(keep)
        if dropped:
            self._write(keep)
        return dropped


def _line(segment: Segment) -> str:
    return json.dumps(asdict(segment), separators=(",", ":")) + "\n"


def _parse(line: str) -> Segment | None:
    try:
        fields = json.loads(line)
        if not isinstance(fields, dict):
            return None
        for name in ("renditions", "sizes"):
            if name in fields:
                fields[name] = tuple(fields[name])
        segment = Segment(**fields)
    except (ValueError, TypeError):
        return None
    numbers = (segment.duration, segment.program_date_time)
    if not (type(segment.sequence) is int and isinstance(segment.uri, str)
            and isinstance(segment.show_id, str) and all(type(n) in (int, float) for n in numbers)
            and all(isinstance(r, str) for r in segment.renditions)
            and all(type(n) is int for n in segment.sizes)):
        return None
    return segment
