"""WebVTT cue files, transcripts and the PTS they are mapped onto, read back by webvtt-py and ffprobe."""

from __future__ import annotations

import html
import io
import json
import subprocess
from pathlib import Path

import pytest
import webvtt

from stream_server.hls.webvtt import (
    Cue,
    cues_starting_in,
    first_pts,
    render_plain_text,
    render_segment,
    render_transcript,
    vtt_time,
)

START = 1_800_000_000.0


def parse(text: str) -> list[webvtt.Caption]:
    return list(webvtt.from_buffer(io.StringIO(text)))


@pytest.mark.parametrize(("seconds", "text"), [
    (0.0, "00:00:00.000"), (1.2345, "00:00:01.234"), (61.5, "00:01:01.500"),
    (3725.007, "01:02:05.007"), (-3.0, "00:00:00.000"),
], ids=["zero", "millis", "minute", "hour", "negative-clamps"])
def test_cue_times_are_written_as_webvtt_wants(seconds: float, text: str) -> None:
    assert vtt_time(seconds) == text


def test_a_segment_times_its_cues_from_its_own_start_and_maps_them_onto_the_audio_pts() -> None:
    cues = [Cue(START + 0.25, START + 1.5, "good evening"), Cue(START + 1.6, START + 2.9, "and welcome")]
    text = render_segment(cues, segment_start=START, first_pts=126000)
    assert text.splitlines()[1] == "X-TIMESTAMP-MAP=MPEGTS:126000,LOCAL:00:00:00.000"
    parsed = parse(text)
    assert [(c.start, c.end, c.text) for c in parsed] == [
        ("00:00:00.250", "00:00:01.500", "good evening"), ("00:00:01.600", "00:00:02.900", "and welcome")]


def test_markup_and_arrows_in_recognised_text_stay_text() -> None:
    cue_in = Cue(START, START + 1, "a <b> & c --> d\n\ne")
    text = render_segment([cue_in], segment_start=START, first_pts=None)
    (cue,) = parse(text)
    assert "<b>" not in cue.text and "-->" not in cue.text  # no markup, no second timing line
    assert html.unescape(cue.text) == "a <b> & c --> d e"  # what a player shows (WebVTT's entities)
    assert "X-TIMESTAMP-MAP" not in text


@pytest.mark.parametrize(("start", "end", "expected"), [
    (0.0, 2.0, ["a", "b"]), (2.0, 4.0, ["c"]), (4.0, 6.0, []), (1.0, 1.5, []),
], ids=["first-segment", "second", "empty", "between-cues"])
def test_a_cue_belongs_to_the_segment_where_it_starts(start: float, end: float, expected: list[str]) -> None:
    cues = [Cue(1.9, 2.5, "b"), Cue(0.5, 1.0, "a"), Cue(2.0, 5.0, "c")]
    assert [c.text for c in cues_starting_in(cues, start, end)] == expected


def test_the_transcript_is_timed_from_the_start_of_the_replay() -> None:
    cues = [Cue(START + 65.0, START + 66.0, "later"), Cue(START + 1.0, START + 2.5, "first")]
    parsed = parse(render_transcript(cues, show_start=START))
    assert [(c.start_in_seconds, c.text) for c in parsed] == [(1, "first"), (65, "later")]
    assert render_plain_text(cues, show_start=START) == "[00:01] first\n[01:05] later\n"


def test_first_pts_reads_what_ffprobe_reads_from_a_real_segment(tmp_path: Path) -> None:
    ts = tmp_path / "seg.ts"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=2",
                    "-c:a", "aac", "-output_ts_offset", "37.5", "-f", "mpegts", str(ts)], check=True)
    probe = json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=start_pts", "-of", "json", str(ts)],
        check=True, capture_output=True).stdout)
    assert first_pts(ts.read_bytes()) == int(probe["streams"][0]["start_pts"])


def test_first_pts_is_none_without_a_pes_header() -> None:
    assert first_pts(b"\x47" + b"\x00" * 187) is None
    assert first_pts(b"") is None
