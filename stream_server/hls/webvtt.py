"""Captions as WebVTT: cues as plain values, segments and transcripts rendered by pure functions.

A live subtitle rendition (RFC 8216 3.5) is one WebVTT file per audio segment, with the
same sequence number, air time and duration. Each file maps its local time 0 to the
audio segment's first PTS (``X-TIMESTAMP-MAP``), so a player lines the words up with the
sound whatever the encoder's timestamps are; its cues are placed relative to the
segment's air time (EXT-X-PROGRAM-DATE-TIME). A cue goes in the segment where it starts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: MPEG-TS presentation timestamps count at 90 kHz and wrap at 2**33.
MPEGTS_CLOCK = 90_000
TS_PACKET = 188


@dataclass(frozen=True, slots=True)
class Cue:
    """Words on screen from ``start`` to ``end`` (air time, Unix seconds)."""

    start: float
    end: float
    text: str


def vtt_time(seconds: float) -> str:
    """``HH:MM:SS.mmm`` as WebVTT writes cue times (negative clamps to zero)."""
    millis = max(0, round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def _cue_text(text: str) -> str:
    # a cue's text may not hold "-->" or a blank line, and "<" and "&" start markup
    flat = " ".join(text.split()).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return flat or "…"


def cues_starting_in(cues: Iterable[Cue], start: float, end: float) -> list[Cue]:
    """The cues that start in ``[start, end)``, in time order."""
    return sorted((c for c in cues if start <= c.start < end), key=lambda c: (c.start, c.end))


def render_segment(cues: Sequence[Cue], *, segment_start: float, first_pts: int | None) -> str:
    """One subtitle segment: ``cues`` timed from ``segment_start``, mapped onto the audio's PTS."""
    lines = ["WEBVTT"]
    if first_pts is not None:
        lines.append(f"X-TIMESTAMP-MAP=MPEGTS:{first_pts},LOCAL:00:00:00.000")
    lines.append("")
    for cue in cues:
        begin = max(0.0, cue.start - segment_start)
        finish = max(begin + 0.001, cue.end - segment_start)
        lines += [f"{vtt_time(begin)} --> {vtt_time(finish)}", _cue_text(cue.text), ""]
    return "\n".join(lines) + "\n"


def render_transcript(cues: Sequence[Cue], *, show_start: float) -> str:
    """A whole show's captions as one WebVTT file, timed from the start of its replay."""
    lines = ["WEBVTT", ""]
    for cue in sorted(cues, key=lambda c: c.start):
        begin = max(0.0, cue.start - show_start)
        lines += [f"{vtt_time(begin)} --> {vtt_time(max(begin + 0.001, cue.end - show_start))}",
                  _cue_text(cue.text), ""]
    return "\n".join(lines) + "\n"


def render_plain_text(cues: Sequence[Cue], *, show_start: float) -> str:
    """A whole show's captions as plain text: one line per cue, after its ``[MM:SS]`` in the replay."""
    lines = []
    for cue in sorted(cues, key=lambda c: c.start):
        minutes, seconds = divmod(int(max(0.0, cue.start - show_start)), 60)
        lines.append(f"[{minutes:02d}:{seconds:02d}] {' '.join(cue.text.split())}")
    return "\n".join(lines) + ("\n" if lines else "")


def first_pts(ts: bytes) -> int | None:
    """The PTS (90 kHz) of the first PES packet that carries one in an MPEG-TS byte string."""
    for offset in range(0, len(ts) - TS_PACKET + 1, TS_PACKET):
        packet = ts[offset : offset + TS_PACKET]
        if packet[0] != 0x47 or not packet[1] & 0x40:  # not synced, or no payload starts here
            continue
        adaptation = (packet[3] >> 4) & 0x3
        start = 4 + (1 + packet[4] if adaptation in (2, 3) else 0)
        if adaptation == 2 or start + 14 > TS_PACKET:
            continue
        pes = packet[start:]
        if pes[:3] != b"\x00\x00\x01" or not pes[7] & 0x80:  # a table, or a PES without PTS
            continue
        p = pes[9:14]
        return (((p[0] >> 1) & 0x07) << 30 | p[1] << 22 | (p[2] >> 1) << 15
                | p[3] << 7 | p[4] >> 1)
    return None
