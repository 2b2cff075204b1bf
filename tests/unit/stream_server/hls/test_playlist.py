"""The playlist writer keeps RFC 8216's rules; its output is parsed back with the m3u8 package."""

from __future__ import annotations

import datetime as dt

import m3u8
import pytest

from stream_server.hls.playlist import (
    PlaylistRuleError,
    Segment,
    format_program_date_time,
    live_window,
    playable,
    render_media_playlist,
    target_duration_for,
)
from stream_server.serving.headers import playlist_max_age

T0 = 1_800_000_000.0


def segs(first: int, count: int, *, duration: float = 1.984, disc_at: tuple[int, ...] = (),
         disc_before: int = 0) -> list[Segment]:
    out: list[Segment] = []
    disc = disc_before
    for i, seq in enumerate(range(first, first + count)):
        is_disc = seq in disc_at
        disc += 1 if is_disc else 0
        out.append(Segment(seq, f"show-{seq:08d}.ts", duration, T0 + 2 * i, disc, is_disc, "show"))
    return out


def test_live_playlist_parses_with_sequence_target_and_air_times() -> None:
    text = render_media_playlist(segs(40, 6), target_duration=2)
    parsed = m3u8.loads(text)
    assert parsed.target_duration == 2
    assert parsed.media_sequence == 40
    assert not parsed.is_endlist
    assert [s.uri for s in parsed.segments] == [f"show-{n:08d}.ts" for n in range(40, 46)]
    assert all(s.program_date_time is not None for s in parsed.segments)
    assert parsed.segments[0].program_date_time == dt.datetime.fromtimestamp(T0, tz=dt.UTC)


@pytest.mark.parametrize(
    "duration", [1.5, 1.984, 2.0, 2.0004], ids=["short", "93-frames", "exact", "written-as-2.000"]
)
def test_extinf_as_written_at_most_the_target_is_accepted(duration: float) -> None:
    parsed = m3u8.loads(render_media_playlist(segs(0, 6, duration=duration), target_duration=2))
    assert all(s.duration <= parsed.target_duration for s in parsed.segments)


@pytest.mark.parametrize("duration", [2.0006, 2.005, 2.499, 3.0, 9.0],
                         ids=["written-as-2.001", "94-frames", "rounds-down", "over", "far-over"])
def test_extinf_over_target_is_refused_even_when_it_rounds_to_it(duration: float) -> None:
    with pytest.raises(PlaylistRuleError):
        render_media_playlist(segs(0, 6, duration=duration), target_duration=2)


def test_gap_in_sequence_is_refused() -> None:
    broken = segs(0, 3) + segs(5, 3)
    with pytest.raises(PlaylistRuleError):
        render_media_playlist(broken, target_duration=2)


@pytest.mark.parametrize(
    ("first", "disc_at", "disc_before", "expected_dseq", "tags"),
    [
        (10, (), 0, 0, 0),
        (10, (12,), 0, 0, 1),  # a restart inside the window: tag shown, nothing removed yet
        (10, (10,), 0, 0, 1),  # the tagged segment is first: its tag still counts as shown
        (10, (), 1, 1, 0),  # the tag left the window: DISCONTINUITY-SEQUENCE took it over
        (10, (13,), 2, 2, 1),
    ],
    ids=["none", "inside", "first-is-tagged", "left-window", "both"],
)
def test_discontinuity_sequence_counts_tags_that_left(
    first: int, disc_at: tuple[int, ...], disc_before: int, expected_dseq: int, tags: int
) -> None:
    text = render_media_playlist(segs(first, 6, disc_at=disc_at, disc_before=disc_before),
                                 target_duration=2)
    parsed = m3u8.loads(text)
    assert (parsed.discontinuity_sequence or 0) == expected_dseq
    assert sum(1 for s in parsed.segments if s.discontinuity) == tags


def test_sliding_window_never_lowers_media_or_discontinuity_sequence() -> None:
    history = segs(0, 40, disc_at=(7, 15, 16, 30))
    last_media = last_disc = -1
    for end in range(6, 41):
        parsed = m3u8.loads(render_media_playlist(live_window(history[:end], 6), target_duration=2))
        assert parsed.media_sequence >= last_media
        assert (parsed.discontinuity_sequence or 0) >= last_disc
        last_media, last_disc = parsed.media_sequence, parsed.discontinuity_sequence or 0


def test_ended_live_playlist_and_vod_replay() -> None:
    ended = m3u8.loads(render_media_playlist(segs(3, 6), target_duration=2, ended=True))
    assert ended.is_endlist and ended.playlist_type is None
    replay = m3u8.loads(render_media_playlist(segs(0, 50), target_duration=2, vod=True))
    assert replay.is_endlist and replay.playlist_type == "vod" and len(replay.segments) == 50


def test_window_of_six_two_second_segments_covers_three_targets() -> None:
    window = live_window(segs(0, 20), 6)
    assert len(window) == 6 and sum(s.duration for s in window) >= 3 * 2


@pytest.mark.parametrize(("target", "age"), [(1, 0), (2, 1), (4, 2), (6, 3)])
def test_playlist_cache_is_at_most_half_a_target(target: int, age: int) -> None:
    assert playlist_max_age(target) == age


def test_program_date_time_format_has_milliseconds_and_zone() -> None:
    assert format_program_date_time(T0 + 0.25) == "2027-01-15T08:00:00.250Z"


def test_master_playlist_parses_with_bandwidth_average_and_codecs() -> None:
    from stream_server.hls.playlist import Variant, render_master_playlist

    parsed = m3u8.loads(render_master_playlist(
        [Variant("live-128k.m3u8", 148_000, 141_000), Variant("live-64k.m3u8", 74_000, 71_000)]))
    assert parsed.is_variant
    assert [(p.uri, p.stream_info.bandwidth, p.stream_info.average_bandwidth, p.stream_info.codecs)
            for p in parsed.playlists] == [("live-128k.m3u8", 148_000, 141_000, "mp4a.40.2"),
                                           ("live-64k.m3u8", 74_000, 71_000, "mp4a.40.2")]


@pytest.mark.parametrize(
    ("segments", "peak", "average"),
    [([], 0, 0),
     ([(40_000, 2.0)], 160_000, 160_000),
     ([(35_000, 2.0)] * 4, 140_000, 140_000),
     ([(35_000, 2.0), (70_000, 2.0), (35_000, 2.0)], 280_000, 186_667),
     ([(35_000, 2.0), (35_000, 2.0), (10_000, 0.2)], 163_637, 152_381)],
    ids=["none", "first-segment-alone", "steady", "one-big-segment", "short-tail-judged-with-neighbour"],
)
def test_measured_bandwidth_follows_rfc_8216_peak_rule(
    segments: list[tuple[int, float]], peak: int, average: int
) -> None:
    from stream_server.hls.playlist import measured_bandwidth

    assert measured_bandwidth(segments, target_duration=2) == (peak, average)


@pytest.mark.parametrize(
    ("durations", "configured", "expected"),
    [([1.984, 1.963], 2, 2), ([2.0], 2, 2), ([1.984, 2.005], 2, 3), ([], 2, 2), ([6.5], 6, 7)],
    ids=["under", "exact", "one-over", "empty", "six-second-target"],
)
def test_target_duration_holds_every_extinf_as_written(durations: list[float], configured: int,
                                                       expected: int) -> None:
    listed = [Segment(i, f"s-{i}.ts", d, T0 + 2 * i) for i, d in enumerate(durations)]
    assert target_duration_for(listed, configured) == expected


@pytest.mark.parametrize(
    ("count", "duration", "expected"),
    [(0, 1.984, False), (3, 1.984, False), (4, 1.984, True), (3, 2.0, True), (1, 6.0, True)],
    ids=["empty", "three-of-93-frames", "four-of-93-frames", "three-full-targets", "one-long"],
)
def test_a_live_playlist_plays_once_it_lasts_three_target_durations(count: int, duration: float,
                                                                   expected: bool) -> None:
    assert playable(segs(0, count, duration=duration), 2) is expected


def test_a_listener_token_added_to_a_rendered_master_reaches_every_variant() -> None:
    from stream_server.hls.playlist import Variant, render_master_playlist
    from stream_server.serving.rules import add_token_to_variants

    text = add_token_to_variants(render_master_playlist([Variant("live-64k.m3u8", 74_000, 71_000)]), "abc")
    assert [p.uri for p in m3u8.loads(text).playlists] == ["live-64k.m3u8?lt=abc"]
