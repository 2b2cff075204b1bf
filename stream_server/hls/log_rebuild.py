"""A room's segment log rebuilt from what was published, when the log is lost or damaged.

Pure: it takes the names and sizes of a room's published files and the text of its media
playlists, and returns the ``Segment`` lines the log should hold. Lines of the old log that
still parse are kept as they are (they are exact); every segment file on disk that they
miss is added back, with its duration, air time and discontinuity taken from whichever
playlist lists it, or guessed (one target duration, following on) when none does. So the
rebuilt log names every published segment, and a sweep guided by it deletes none of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from stream_server.hls.playlist import Segment

_SEGMENT = re.compile(r"^(?P<show>.+?)(?:-(?P<rendition>\d{2,4}k))?-(?P<sequence>\d{8})\.ts$")


@dataclass(frozen=True)
class Listed:
    """What a media playlist says about one segment file."""

    duration: float
    program_date_time: float | None
    discontinuity: bool
    discontinuity_sequence: int | None


def parse_segment_name(name: str) -> tuple[str, str, int] | None:
    """(show id, rendition or "", sequence) of a published segment's file name, or None."""
    match = _SEGMENT.match(name)
    if match is None:
        return None
    return match["show"], match["rendition"] or "", int(match["sequence"])


def parse_media_playlist(text: str) -> dict[str, Listed]:
    """Every segment URI a media playlist lists, with what the playlist says of it."""
    listed: dict[str, Listed] = {}
    base_dseq: int | None = None
    dseq = 0
    duration: float | None = None
    pdt: float | None = None
    discontinuity = False
    for raw in text.splitlines():
        line = raw.strip()
        tag, _, value = line.partition(":")
        if tag == "#EXT-X-DISCONTINUITY-SEQUENCE":
            base_dseq = dseq = _int(value)
        elif tag == "#EXT-X-MEDIA-SEQUENCE" and base_dseq is None:
            base_dseq = dseq = 0
        elif line == "#EXT-X-DISCONTINUITY":
            discontinuity = True
            dseq += 1
        elif tag == "#EXT-X-PROGRAM-DATE-TIME":
            pdt = _time(value)
        elif tag == "#EXTINF":
            duration = _float(value.split(",", 1)[0])
        elif line and not line.startswith("#"):
            if duration is not None:
                listed[line] = Listed(duration, pdt, discontinuity,
                                      dseq if base_dseq is not None else None)
            duration, pdt, discontinuity = None, None, False
    return listed


def rebuild_segments(kept: Iterable[Segment], files: Mapping[str, int],
                     playlists: Iterable[str], *, target_duration: int,
                     renditions: tuple[str, ...]) -> list[Segment]:
    """The log a room should have: ``kept`` lines plus every segment file they miss, in order."""
    listed: dict[str, Listed] = {}
    for text in playlists:
        listed.update(parse_media_playlist(text))
    by_sequence: dict[int, Segment] = {s.sequence: s for s in kept}
    found: dict[int, tuple[str, dict[str, int], Listed | None]] = {}
    for name, size in sorted(files.items()):
        parsed = parse_segment_name(name)
        if parsed is None:
            continue
        show, rendition, sequence = parsed
        if sequence in by_sequence:
            continue
        entry = found.setdefault(sequence, (show, {}, None))
        entry[1][rendition] = size
        found[sequence] = (show, entry[1], entry[2] or listed.get(name))
    order = {r: i for i, r in enumerate(renditions)}
    previous: Segment | None = None
    result: list[Segment] = []
    for sequence in sorted({*by_sequence, *found}):
        if sequence in by_sequence:
            previous = by_sequence[sequence]
            result.append(previous)
            continue
        show, sizes, info = found[sequence]
        names = sorted(sizes, key=lambda r: (order.get(r, len(order)), r))
        after = previous.program_date_time + previous.duration if previous else 0.0
        follows = previous is not None and previous.show_id == show and previous.sequence == sequence - 1
        discontinuity = info.discontinuity if info else not follows
        dseq = (previous.discontinuity_sequence if previous else 0) + (1 if discontinuity else 0)
        if info is not None and info.discontinuity_sequence is not None:
            dseq = max(dseq, info.discontinuity_sequence)
        segment = Segment(
            sequence=sequence,
            uri=f"{show}-{sequence:08d}.ts",
            duration=info.duration if info else float(target_duration),
            program_date_time=(info.program_date_time if info and info.program_date_time is not None
                               else after),
            discontinuity_sequence=dseq,
            discontinuity=discontinuity and previous is not None,
            show_id=show,
            renditions=tuple(n for n in names if n),
            sizes=tuple(sizes[n] for n in names if n),
        )
        previous = segment
        result.append(segment)
    return result


def _int(value: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        return 0


def _float(value: str) -> float | None:
    try:
        return float(value.strip())
    except ValueError:
        return None


def _time(value: str) -> float | None:
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None
