"""HLS playlists as plain values, rendered by pure functions (RFC 8216).

Rules kept here, so every caller gets them for free:

- every EXTINF, as written (no rounding), is at most EXT-X-TARGETDURATION; the
  target is fixed per playlist (the configured segment length);
- EXT-X-MEDIA-SEQUENCE is the sequence of the first segment shown, and
  EXT-X-DISCONTINUITY-SEQUENCE counts the discontinuities that left the window;
- EXT-X-PROGRAM-DATE-TIME on every segment (air time, UTC, milliseconds);
- EXT-X-ENDLIST once the show has ended; a replay is the whole show as VOD;
- EXT-X-DATERANGE (song titles) only beside EXT-X-PROGRAM-DATE-TIME, each placed before
  the segment it starts in, its quoted strings free of quotes and line breaks;
- a live playlist is offered to players only once it lasts three target durations,
  the distance from the end at which RFC 8216 6.3.3 has a client start;
- a master playlist names one media playlist per rendition with BANDWIDTH (the
  peak segment bit rate, RFC 8216 4.3.4.2), AVERAGE-BANDWIDTH and CODECS.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

#: RFC 6381 codec string of AAC-LC, the only codec we publish.
AAC_LC_CODECS = "mp4a.40.2"
#: What a rendition costs on the wire over its AAC bit rate (TS and PES headers, ADTS, one
#: PAT/PMT/SDT per segment). The highest segment rates measured were 1.17x at 128k (a tone
#: through the server, dithered) and 1.16x at 64k, averages up to 1.14x; the peak is a floor
#: under the measured one, so a live master is never under the real peak.
NOMINAL_AVERAGE_OVERHEAD = 1.15
NOMINAL_PEAK_OVERHEAD = 1.25
#: A live playlist plays once it lasts this many target durations (RFC 8216 6.3.3).
PLAYABLE_TARGET_DURATIONS = 3


@dataclass(frozen=True, slots=True)
class Segment:
    """One published media segment of a room."""

    sequence: int
    uri: str
    duration: float
    #: Air time of the segment's first sample (Unix seconds).
    program_date_time: float
    #: Discontinuity sequence number (RFC 8216 6.2.2): discontinuities up to and including this one.
    discontinuity_sequence: int = 0
    #: True on the first segment after an encoder restart or a new show.
    discontinuity: bool = False
    show_id: str = ""
    #: Renditions published for this sequence (e.g. ``("128k", "64k")``); empty in old single-rendition logs.
    renditions: tuple[str, ...] = ()
    #: Bytes of each rendition's file, in the order of ``renditions``.
    sizes: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class DateRange:
    """An ``EXT-X-DATERANGE`` that lasts until the next one of its class (``END-ON-NEXT``)."""

    id: str
    #: Unix seconds (air time)
    start: float
    class_name: str
    #: client attributes (``X-TITLE``, …) as (name, text) pairs, rendered as quoted strings
    attributes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Variant:
    """One rendition as a master playlist lists it."""

    uri: str
    #: Peak segment bit rate (bit/s).
    bandwidth: int
    #: Average segment bit rate (bit/s).
    average_bandwidth: int
    codecs: str = AAC_LC_CODECS


class PlaylistRuleError(ValueError):
    """A playlist would break RFC 8216 if written."""


def live_window(segments: Sequence[Segment], size: int) -> list[Segment]:
    """The last ``size`` segments: what a live playlist lists."""
    return list(segments[-size:]) if size > 0 else []


def format_program_date_time(when: float) -> str:
    """ISO 8601 with milliseconds and a UTC offset, as EXT-X-PROGRAM-DATE-TIME wants."""
    stamp = datetime.fromtimestamp(when, tz=UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def quoted_string(text: str) -> str:
    """``text`` as an RFC 8216 quoted-string: no double quote, CR or LF inside."""
    cleaned = text.replace("\"", "\u201d").replace("\r", " ").replace("\n", " ")
    return f'"{cleaned}"'


def render_date_range(date_range: DateRange) -> str:
    """One ``EXT-X-DATERANGE`` line (RFC 8216 4.3.2.7)."""
    parts = [f"ID={quoted_string(date_range.id)}", f"CLASS={quoted_string(date_range.class_name)}",
             f'START-DATE="{format_program_date_time(date_range.start)}"', "END-ON-NEXT=YES"]
    parts += [f"{name}={quoted_string(text)}" for name, text in date_range.attributes]
    return "#EXT-X-DATERANGE:" + ",".join(parts)


def _placed_date_ranges(segments: Sequence[Segment],
                        date_ranges: Sequence[DateRange]) -> dict[int, list[DateRange]]:
    """Each date range by the index of the segment it starts in (one that starts before the first
    segment goes with the first; one that starts after the last segment is left for later)."""
    placed: dict[int, list[DateRange]] = {}
    if not segments:
        return placed
    end = segments[-1].program_date_time + segments[-1].duration
    for date_range in sorted(date_ranges, key=lambda d: d.start):
        if date_range.start >= end:
            continue
        index = 0
        for i, seg in enumerate(segments):
            if seg.program_date_time <= date_range.start:
                index = i
        placed.setdefault(index, []).append(date_range)
    return placed
def _extinf(duration: float) -> str:
    return f"{duration:.3f}"


def _extinf_ok(duration: float, target: int) -> bool:
    # strict players (GStreamer) compare the written value itself, not its rounding
    return float(_extinf(duration)) <= target


def target_duration_for(segments: Sequence[Segment], configured: int) -> int:
    """The target duration a playlist of ``segments`` needs: the configured one unless a segment is longer."""
    longest = max((float(_extinf(s.duration)) for s in segments), default=0.0)
    return max(configured, math.ceil(longest))


def playable(segments: Sequence[Segment], target_duration: int) -> bool:
    """Whether a live playlist listing ``segments`` gives a player the start RFC 8216 6.3.3 asks for."""
    return sum(s.duration for s in segments) >= PLAYABLE_TARGET_DURATIONS * target_duration


def render_media_playlist(
    segments: Sequence[Segment],
    *,
    target_duration: int,
    ended: bool = False,
    vod: bool = False,
    date_ranges: Sequence[DateRange] = (),
) -> str:
    """Render a media playlist listing ``segments`` in order.

    ``ended`` appends EXT-X-ENDLIST; ``vod`` also marks it ``EXT-X-PLAYLIST-TYPE:VOD``
    (a replay: the whole show, nothing will change). ``date_ranges`` go before the segment
    each starts in.
    """
    if target_duration < 1:
        raise PlaylistRuleError("target duration must be at least 1 second")
    for earlier, later in zip(segments, segments[1:], strict=False):
        if later.sequence != earlier.sequence + 1:
            raise PlaylistRuleError(f"sequence jumps from {earlier.sequence} to {later.sequence}")
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", f"#EXT-X-TARGETDURATION:{target_duration}"]
    if vod:
        lines.append("#EXT-X-PLAYLIST-TYPE:VOD")
    first = segments[0] if segments else None
    lines.append(f"#EXT-X-MEDIA-SEQUENCE:{first.sequence if first else 0}")
    if first is not None:
        removed = first.discontinuity_sequence - (1 if first.discontinuity else 0)
        if removed:
            lines.append(f"#EXT-X-DISCONTINUITY-SEQUENCE:{removed}")
    placed = _placed_date_ranges(segments, date_ranges)
    for index, seg in enumerate(segments):
        if not _extinf_ok(seg.duration, target_duration):
            raise PlaylistRuleError(
                f"segment {seg.sequence} lasts {seg.duration:.3f}s, over the {target_duration}s target"
            )
        if seg.discontinuity:
            lines.append("#EXT-X-DISCONTINUITY")
        lines.extend(render_date_range(d) for d in placed.get(index, ()))
        lines.append(f"#EXT-X-PROGRAM-DATE-TIME:{format_program_date_time(seg.program_date_time)}")
        lines.append(f"#EXTINF:{_extinf(seg.duration)},")
        lines.append(seg.uri)
    if ended or vod:
        lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"


def nominal_bandwidth(kbps: int) -> tuple[int, int]:
    """(BANDWIDTH, AVERAGE-BANDWIDTH) of an AAC rendition in MPEG-TS before any segment is measured."""
    return math.ceil(kbps * 1000 * NOMINAL_PEAK_OVERHEAD), math.ceil(kbps * 1000 * NOMINAL_AVERAGE_OVERHEAD)


def measured_bandwidth(segments: Sequence[tuple[int, float]], *, target_duration: int) -> tuple[int, int]:
    """(peak, average) bit/s over ``(bytes, seconds)`` segments, as RFC 8216 4.3.4.2 defines them.

    The peak is the largest rate of any run of consecutive segments lasting 0.5 to 1.5
    target durations (so a short last segment is judged with its neighbour), and never
    under the average; (0, 0) without segments.
    """
    peak = 0.0
    low, high = 0.5 * target_duration, 1.5 * target_duration
    for start in range(len(segments)):
        size = 0
        seconds = 0.0
        for nbytes, duration in segments[start:]:  # every run starting here that lasts low..high
            size += nbytes
            seconds += duration
            if seconds > high:
                break
            if seconds >= low:
                peak = max(peak, size * 8 / seconds)
    total_seconds = sum(d for _, d in segments)
    average = sum(b for b, _ in segments) * 8 / total_seconds if total_seconds > 0 else 0.0
    return math.ceil(max(peak, average)), math.ceil(average)


def render_master_playlist(variants: Sequence[Variant]) -> str:
    """Render a master playlist naming one media playlist per rendition, in the order given."""
    if not variants:
        raise PlaylistRuleError("a master playlist needs at least one variant")
    lines = ["#EXTM3U", "#EXT-X-VERSION:3"]
    for variant in variants:
        if variant.bandwidth < 1 or variant.average_bandwidth < 1:
            raise PlaylistRuleError(f"variant {variant.uri} has no bandwidth")
        lines.append(
            f"#EXT-X-STREAM-INF:BANDWIDTH={variant.bandwidth},"
            f"AVERAGE-BANDWIDTH={variant.average_bandwidth},CODECS=\"{variant.codecs}\""
        )
        lines.append(variant.uri)
    return "\n".join(lines) + "\n"
