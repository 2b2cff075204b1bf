"""Pipeline settings from ``LIVESTAGE_*``: renditions, AAC coder, loudness and retention."""

from __future__ import annotations

import math

import pytest

from stream_server.ops.config import settings_from_env
from stream_server.pipeline.processes import AAC_FRAME_SAMPLES, encoder_argv, segment_cut


def test_renditions_and_retention_are_read_from_the_environment() -> None:
    settings = settings_from_env({"LIVESTAGE_RENDITIONS": "96, 48", "LIVESTAGE_AAC_CODER": "twoloop",
                                  "LIVESTAGE_LOUDNESS": "0", "LIVESTAGE_LOUDNESS_LUFS": "-18",
                                  "LIVESTAGE_REPLAY_RETENTION_DAYS": "7",
                                  "LIVESTAGE_REPLAY_KEEP_PER_ROOM": "3"})
    assert settings.renditions_kbps == (96, 48) and settings.aac_coder == "twoloop"
    assert settings.loudness is False and settings.loudness_lufs == -18
    assert (settings.replay_retention_days, settings.replay_keep_per_room) == (7, 3)


def test_defaults_are_two_renditions_fast_coder_loudness_on_thirty_days() -> None:
    settings = settings_from_env({})
    assert settings.renditions_kbps == (128, 64) and settings.aac_coder == "fast"
    assert settings.loudness and settings.loudness_lufs == -16 and settings.replay_retention_days == 30
    assert settings.sample_rate == 48000


def test_the_bus_runs_at_44100_or_48000_only() -> None:
    assert settings_from_env({"LIVESTAGE_SAMPLE_RATE": "44100"}).sample_rate == 44100
    with pytest.raises(ValueError, match="44100 or 48000"):
        settings_from_env({"LIVESTAGE_SAMPLE_RATE": "22050"})


@pytest.mark.parametrize("value", ["", "128,128", "8", "128,500", "abc"],
                         ids=["empty", "twice", "too-low", "too-high", "not-a-number"])
def test_bad_renditions_are_refused_clearly(value: str) -> None:
    with pytest.raises(ValueError):
        settings_from_env({"LIVESTAGE_RENDITIONS": value})


def test_encoder_argv_has_one_aac_encode_and_segment_muxer_per_rendition() -> None:
    argv = encoder_argv("ffmpeg", sample_rate=48000, segment_seconds=2, aac_coder="fast",
                        outputs=[(128, 5, "a-%06d.ts"), (64, 6, "b-%06d.ts")])
    assert argv.count("-i") == 1 and argv.count("-map") == 2 and argv.count("segment") == 2
    first = argv.index("a-%06d.ts")
    assert argv[first - 3 : first] == ["pipe:5", "-segment_list_type", "csv"]
    assert ["-b:a", "64k"] == argv[argv.index("64k") - 1 : argv.index("64k") + 1]


@pytest.mark.parametrize("sample_rate", [44100, 48000])
@pytest.mark.parametrize("target", range(1, 11))
def test_segment_cut_keeps_the_longest_segment_under_the_target(sample_rate: int, target: int) -> None:
    frame = AAC_FRAME_SAMPLES / sample_rate
    cut = float(segment_cut(target, sample_rate))
    # ffmpeg cuts at the first frame at or after each multiple of ``cut``: a segment spans at most this
    longest = math.ceil(cut / frame) * frame
    assert longest <= target and longest > target - 2 * frame


def test_encoder_argv_keeps_one_ts_muxer_through_the_segments_with_tables_at_each_start() -> None:
    argv = encoder_argv("ffmpeg", sample_rate=48000, segment_seconds=2, outputs=[(128, 5, "a-%06d.ts")])
    assert argv[argv.index("-individual_header_trailer") + 1] == "0"
    assert argv[argv.index("-segment_time") + 1] == "1.978667"
    options = dict(o.split("=") for o in argv[argv.index("-segment_format_options") + 1].split(":"))
    assert float(options["pat_period"]) > 10 and float(options["sdt_period"]) > 10
    assert options["flush_packets"] == "1"  # the file is complete before the segment list names it
