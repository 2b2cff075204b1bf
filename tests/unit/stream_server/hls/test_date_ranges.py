"""Song titles in the playlists: EXT-X-DATERANGE entries, read back with the ``m3u8`` package."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import m3u8
import pytest

from stream_server.hls.names import live_media_name, replay_media_name
from stream_server.hls.packager import Packager
from stream_server.hls.playlist import DateRange, Segment, render_media_playlist
from stream_server.hls.show_log import ShowLog
from stream_server.hls.tracks import TRACK_CLASS, Track, TrackLog
from stream_server.stores.local import LocalSegmentStore

ROOM = "room-1"
T0 = 1_800_000_000.0


def segments(n: int, t0: float = T0) -> list[Segment]:
    return [Segment(i, f"s{i}.ts", 2.0, t0 + 2 * i, show_id="show") for i in range(n)]


def stamp(when: float) -> datetime:
    return datetime.fromtimestamp(when, tz=UTC)


def test_each_date_range_goes_before_the_segment_it_starts_in() -> None:
    ranges = [DateRange("a", T0 - 30, TRACK_CLASS, (("X-TITLE", "Before the window"),)),
              DateRange("b", T0 + 5.5, TRACK_CLASS, (("X-TITLE", "Third segment"), ("X-ARTIST", "Me"))),
              DateRange("c", T0 + 60, TRACK_CLASS, (("X-TITLE", "Not yet on air"),))]
    parsed = m3u8.loads(render_media_playlist(segments(4), target_duration=2, date_ranges=ranges))
    by_segment = [[d.id for d in seg.dateranges] for seg in parsed.segments]
    assert by_segment == [["a"], [], ["b"], []]
    b = parsed.segments[2].dateranges[0]
    assert b.class_ == TRACK_CLASS and b.end_on_next == "YES"
    assert datetime.fromisoformat(b.start_date.replace("Z", "+00:00")) == stamp(T0 + 5.5)
    assert dict(b.x_client_attrs) == {"x_title": '"Third segment"', "x_artist": '"Me"'}


@pytest.mark.parametrize("title", ['Say "hello"', "two\nlines", "cr\rhere"], ids=["quote", "lf", "cr"])
def test_titles_never_break_the_quoted_string(title: str) -> None:
    text = render_media_playlist(segments(1), target_duration=2,
                                 date_ranges=[DateRange("x", T0, TRACK_CLASS, (("X-TITLE", title),))])
    parsed = m3u8.loads(text)
    (date_range,) = parsed.segments[0].dateranges
    shown = dict(date_range.x_client_attrs)["x_title"]
    assert shown.count('"') == 2 and "\n" not in shown and "\r" not in shown
    assert date_range.class_ == TRACK_CLASS and len(parsed.segments) == 1


def packager(tmp: Path) -> Packager:
    return Packager(ROOM, LocalSegmentStore(tmp / "hls"), ShowLog(tmp / "work" / "segments.jsonl"),
                    target_duration=2, window_size=3, renditions_kbps=(64,),
                    track_log=TrackLog(tmp / "work" / "tracks.jsonl"))


def add(p: Packager, tmp: Path, show: str, first: int, n: int) -> None:
    for i in range(first, first + n):
        src = tmp / f"src-{i}.ts"
        src.write_bytes(b"G" * 10_000)
        p.add_segment(show, {"64k": src}, 2.0, T0 + 2 * i)


def live(tmp: Path) -> m3u8.M3U8:
    return m3u8.loads((tmp / "hls" / ROOM / live_media_name("show", "64k")).read_text())


def titles(parsed: m3u8.M3U8) -> list[str]:
    return [dict(d.x_client_attrs)["x_title"].strip('"') for s in parsed.segments for d in s.dateranges]


def test_the_live_window_names_the_song_playing_at_its_start_and_every_later_one(tmp_path: Path) -> None:
    p = packager(tmp_path)
    p.add_track(Track("show", T0 - 1, "One"))
    add(p, tmp_path, "show", 0, 2)
    p.add_track(Track("show", T0 + 4.5, "Two", "Artist"))
    p.add_track(Track("show", T0 + 5.0, "Three"))
    add(p, tmp_path, "show", 2, 2)
    assert titles(live(tmp_path)) == ["One", "Two", "Three"]  # the window starts at 2 s: "One" plays
    p.add_track(Track("show", T0 + 8.1, "Four"))
    add(p, tmp_path, "show", 4, 3)
    assert titles(live(tmp_path)) == ["Three", "Four"]
    assert p.now_playing("show") == Track("show", T0 + 8.1, "Four")
    assert p.now_playing("another show") is None


def test_the_replay_carries_the_whole_track_list_and_a_restart_keeps_it(tmp_path: Path) -> None:
    p = packager(tmp_path)
    for i, title in enumerate(["One", "Two", "Three", "Four"]):
        p.add_track(Track("show", T0 + 3 * i, title))
    add(p, tmp_path, "show", 0, 7)
    again = packager(tmp_path)  # a restarted server reads the logs back
    assert [t.title for t in again.tracks("show")] == ["One", "Two", "Three", "Four"]
    assert again.now_playing("show") == Track("show", T0 + 9, "Four")
    again.end_show("show")
    replay = m3u8.loads((tmp_path / "hls" / ROOM / replay_media_name("show", "64k")).read_text())
    assert replay.is_endlist and titles(replay) == ["One", "Two", "Three", "Four"]
    assert again.delete_show("show") > 0 and again.tracks("show") == []
