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

        A torn last line (power cut mid-write) is skipped, never fatal.
        """
        if not self.path.exists():
            return []
        found: list[Segment] = []
        with open(self.path, encoding="utf-8") as handle:
            for line in handle:
                segment = _parse(line)
                if segment is None:
                    continue
                if show_id is None or segment.show_id == show_id:
                    found.append(segment)
        return found

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
            tmp = self.path.with_name(f".tmp-{self.path.name}")
            with open(tmp, "w", encoding="utf-8") as handle:
                handle.writelines(_line(s) for s in keep)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        return dropped


def _line(segment: Segment) -> str:
    return json.dumps(asdict(segment), separators=(",", ":")) + "\n"


def _parse(line: str) -> Segment | None:
    try:
        fields = json.loads(line)
        for name in ("renditions", "sizes"):
            if name in fields:
                fields[name] = tuple(fields[name])
        return Segment(**fields)
    except (ValueError, TypeError):
        return None
