"""Pure parts of the CLI: playlist parsing, WAV header, levels, time parsing."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from livestage.go_live_command import clock_text, level_bar
from livestage.listen_command import parse_playlist
from livestage.pcm_audio import level_dbfs, streaming_wav_header
from livestage.rooms_command import parse_when

MEDIA = """#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:2
#EXT-X-MEDIA-SEQUENCE:41
#EXT-X-PROGRAM-DATE-TIME:2026-11-21T10:00:00.000Z
#EXTINF:2.005,
s-41.ts
#EXT-X-DISCONTINUITY
#EXTINF:1.984,
s-42.ts
#EXT-X-ENDLIST
"""
MASTER = """#EXTM3U
#EXT-X-STREAM-INF:BANDWIDTH=140000,CODECS="mp4a.40.2"
live-128k.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=70000,CODECS="mp4a.40.2"
live-64k.m3u8
"""


def test_media_playlist_entries_carry_sequence_and_duration() -> None:
    parsed = parse_playlist(MEDIA)
    assert [(e.sequence, e.uri, e.duration) for e in parsed.entries] == [
        (41, "s-41.ts", 2.005), (42, "s-42.ts", 1.984)]
    assert parsed.ended and parsed.target_duration == 2 and parsed.variants == ()


def test_master_playlist_names_its_variants() -> None:
    parsed = parse_playlist(MASTER)
    assert parsed.variants == ("live-128k.m3u8", "live-64k.m3u8") and parsed.entries == ()


def test_not_a_playlist_is_refused() -> None:
    with pytest.raises(ValueError, match="EXTM3U"):
        parse_playlist("<html>")


def test_streaming_wav_header_is_read_by_ffmpeg() -> None:
    tone = (np.sin(2 * np.pi * 1000 * np.arange(48000) / 48000) * 8000).astype("<i2")
    stereo = np.repeat(tone, 2).tobytes()
    decoded = subprocess.run(["ffmpeg", "-v", "error", "-f", "wav", "-i", "pipe:0", "-f", "s16le", "-ac", "2",
                              "pipe:1"], input=streaming_wav_header() + stereo, capture_output=True,
                             check=True).stdout
    assert len(decoded) == len(stereo)
    assert decoded[:4000] == stereo[:4000]


@pytest.mark.parametrize(("amplitude", "expected"), [(0, -90.0), (32767, 0.0), (16384, -6.0)],
                         ids=["silence", "full-scale", "half"])
def test_level_of_a_square_wave(amplitude: int, expected: float) -> None:
    block = (np.array([amplitude, -amplitude] * 480, dtype="<i2")).tobytes()
    assert level_dbfs(block) == pytest.approx(expected, abs=0.1)


@pytest.mark.parametrize(("value", "epoch"), [
    ("1800000000", 1_800_000_000.0),
    ("2027-01-15T08:00:00Z", 1_800_000_000.0),
    ("2027-01-15T09:00:00+01:00", 1_800_000_000.0),
], ids=["epoch", "iso-utc", "iso-offset"])
def test_parse_when(value: str, epoch: float) -> None:
    assert parse_when(value) == epoch


def test_clock_and_meter_text() -> None:
    assert clock_text(75.9) == "1:15" and clock_text(3725) == "1:02:05"
    assert level_bar(0) == "█" * 10 and level_bar(-90) == "·" * 10
