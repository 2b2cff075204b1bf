"""The subtitle rendition: WebVTT segments aligned with the audio's, released once their words are known."""

from __future__ import annotations

import io
from pathlib import Path

import m3u8
import webvtt

from stream_server.hls.caption_track import CaptionTrack
from stream_server.hls.names import (
    LIVE_PLAYLIST,
    caption_segment_name,
    live_media_name,
    live_subtitles_name,
    replay_name,
    replay_subtitles_name,
    show_of_playlist,
    transcript_name,
)
from stream_server.hls.packager import Packager
from stream_server.hls.playlist import Segment
from stream_server.hls.show_log import ShowLog
from stream_server.hls.webvtt import Cue
from stream_server.stores.memory import MemorySegmentStore

ROOM = "room-1"
SHOW = "20261206T000000-aaaaaa"
T0 = 1_800_000_000.0


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def audio_segment(i: int, *, discontinuity: bool = False) -> Segment:
    return Segment(sequence=10 + i, uri=f"{SHOW}-{10 + i:08d}.ts", duration=2.0,
                   program_date_time=T0 + 2 * i, discontinuity=discontinuity,
                   discontinuity_sequence=1 if discontinuity else 0, show_id=SHOW)


def track(store: MemorySegmentStore, clock: Clock) -> CaptionTrack:
    return CaptionTrack(ROOM, SHOW, store, target_duration=2, window_size=6, max_wait=8.0, clock=clock)


def playlist(store: MemorySegmentStore, name: str = "") -> m3u8.M3U8:
    return m3u8.loads(store.text(ROOM, name or live_subtitles_name(SHOW)))


def cues_of(store: MemorySegmentStore, name: str) -> list[tuple[str, str, str]]:
    return [(c.start, c.end, c.text) for c in webvtt.from_buffer(io.StringIO(store.text(ROOM, name)))]


def test_a_subtitle_segment_waits_until_the_recogniser_has_heard_past_its_end() -> None:
    store, clock = MemorySegmentStore(), Clock(T0 + 3)
    t = track(store, clock)
    assert playlist(store).segments == []  # published empty, before any master names it
    t.add_audio_segment(audio_segment(0), first_pts=126000)
    t.add_cues([Cue(T0 + 0.5, T0 + 1.5, "good evening")], heard_until=T0 + 1.9)
    assert playlist(store).segments == []
    t.add_cues([], heard_until=T0 + 2.0)
    (seg,) = playlist(store).segments
    assert seg.uri == caption_segment_name(SHOW, 10)
    assert playlist(store).media_sequence == 10
    assert seg.program_date_time.timestamp() == T0
    assert cues_of(store, seg.uri) == [("00:00:00.500", "00:00:01.500", "good evening")]
    assert "X-TIMESTAMP-MAP=MPEGTS:126000,LOCAL:00:00:00.000" in store.text(ROOM, seg.uri)


def test_a_stalled_recogniser_holds_nothing_back_longer_than_the_wait() -> None:
    store, clock = MemorySegmentStore(), Clock(T0 + 3)
    t = track(store, clock)
    t.add_audio_segment(audio_segment(0), first_pts=None)
    clock.now = T0 + 2 + 7.9
    t.add_audio_segment(audio_segment(1), first_pts=None)
    assert playlist(store).segments == []
    clock.now = T0 + 2 + 8.0
    t.add_audio_segment(audio_segment(2), first_pts=None)
    assert [s.uri for s in playlist(store).segments] == [caption_segment_name(SHOW, 10)]
    # words heard after their segment went out show at the start of the next one
    t.add_cues([Cue(T0 + 1.0, T0 + 1.4, "late")], heard_until=T0 + 4.0)
    assert [s.uri for s in playlist(store).segments][-1] == caption_segment_name(SHOW, 11)
    assert cues_of(store, caption_segment_name(SHOW, 11)) == [("00:00:00.000", "00:00:01.000", "late")]


def test_subtitle_segments_carry_the_audio_sequence_times_and_discontinuities() -> None:
    store, clock = MemorySegmentStore(), Clock(T0)
    t = track(store, clock)
    for i in range(3):
        t.add_audio_segment(audio_segment(i, discontinuity=i == 2), first_pts=i * 180000)
    t.add_cues([], heard_until=T0 + 6.0)
    parsed = playlist(store)
    assert [s.program_date_time.timestamp() for s in parsed.segments] == [T0, T0 + 2, T0 + 4]
    assert [s.duration for s in parsed.segments] == [2.0, 2.0, 2.0]
    assert [s.discontinuity for s in parsed.segments] == [False, False, True]


def test_the_end_of_the_show_publishes_the_replay_subtitles_and_the_transcript() -> None:
    store, clock = MemorySegmentStore(), Clock(T0)
    t = track(store, clock)
    for i in range(2):
        t.add_audio_segment(audio_segment(i), first_pts=None)
    t.add_cues([Cue(T0 + 0.2, T0 + 1.0, "hello there"), Cue(T0 + 3.1, T0 + 3.9, "goodbye")],
               heard_until=T0 + 3.0)  # the last segment's words are still pending
    t.finish()
    assert playlist(store).is_endlist
    vod = playlist(store, replay_subtitles_name(SHOW))
    assert vod.playlist_type == "vod" and len(vod.segments) == 2
    assert [c[2] for c in cues_of(store, transcript_name(SHOW, "vtt"))] == ["hello there", "goodbye"]
    assert store.text(ROOM, transcript_name(SHOW, "txt")) == "[00:00] hello there\n[00:03] goodbye\n"


def packager(tmp: Path, store: MemorySegmentStore) -> Packager:
    return Packager(ROOM, store, ShowLog(tmp / "segments.jsonl"), target_duration=2, window_size=6,
                    renditions_kbps=(128, 64))


def add(p: Packager, tmp: Path, i: int, show: str = SHOW) -> None:
    sources = {}
    for rendition in ("128k", "64k"):
        sources[rendition] = tmp / f"{rendition}-{i}.ts"
        sources[rendition].write_bytes(b"G" * 30_000)
    p.add_segment(show, sources, 2.0, T0 + 2 * i)


def test_each_show_has_a_live_subtitle_playlist_of_its_own_named_like_its_audio_ones() -> None:
    assert live_subtitles_name(SHOW) == f"{SHOW}-live-captions.m3u8" == live_media_name(SHOW, "captions")
    assert show_of_playlist(live_subtitles_name(SHOW)) == SHOW
    assert show_of_playlist(replay_subtitles_name(SHOW)) == SHOW
    assert show_of_playlist(live_media_name(SHOW, "128k")) == SHOW
    assert show_of_playlist(LIVE_PLAYLIST) is None


def test_the_master_names_the_subtitles_only_while_the_show_has_captions(tmp_path: Path) -> None:
    store = MemorySegmentStore()
    p = packager(tmp_path, store)
    for i in range(3):  # three target durations: the entry playlist names the show
        add(p, tmp_path, i)
    assert m3u8.loads(store.text(ROOM, LIVE_PLAYLIST)).media == []
    captions = p.start_captions(SHOW)
    assert playlist(store).media_sequence == 3  # empty, yet never behind the audio
    master = m3u8.loads(store.text(ROOM, LIVE_PLAYLIST))
    (media,) = master.media
    assert (media.type, media.uri, media.language, media.group_id) == (
        "SUBTITLES", live_subtitles_name(SHOW), "en", "captions")
    assert {v.stream_info.subtitles for v in master.playlists} == {"captions"}
    add(p, tmp_path, 3)
    captions.add_cues([Cue(T0 + 6.5, T0 + 7.0, "words")], heard_until=T0 + 8.0)
    assert len(playlist(store).segments) == 1  # segments 0-2 went out before captions started
    audio = m3u8.loads(store.text(ROOM, live_media_name(SHOW, "128k"))).segments[-1]
    assert audio.program_date_time.timestamp() == playlist(store).segments[-1].program_date_time.timestamp()
    p.end_show(SHOW)
    assert playlist(store).is_endlist
    replay = m3u8.loads(store.text(ROOM, replay_name(SHOW)))
    assert replay.media[0].uri == replay_subtitles_name(SHOW)
    assert {replay_subtitles_name(SHOW), live_subtitles_name(SHOW)} <= p.referenced_files()
    p.delete_show(SHOW)
    assert store.read(ROOM, transcript_name(SHOW, "txt")) is None
    assert store.read(ROOM, caption_segment_name(SHOW, 3)) is None
    assert store.read(ROOM, live_subtitles_name(SHOW)) is None


def test_the_subtitles_are_named_with_the_audio_once_it_plays_and_end_with_their_show(tmp_path: Path) -> None:
    store = MemorySegmentStore()
    p = packager(tmp_path, store)
    add(p, tmp_path, 0)
    captions = p.start_captions(SHOW)
    add(p, tmp_path, 1)
    assert store.read(ROOM, LIVE_PLAYLIST) is None  # not playable yet: nothing named, subtitles neither
    add(p, tmp_path, 2)
    (media,) = m3u8.loads(store.text(ROOM, LIVE_PLAYLIST)).media
    assert media.uri == live_subtitles_name(SHOW)
    captions.add_cues([], heard_until=T0 + 6.0)
    p.end_show(SHOW)
    ended = store.text(ROOM, live_subtitles_name(SHOW))
    assert "#EXT-X-ENDLIST" in ended
    # the next show: subtitles of its own; the ended playlist is never written again
    nxt = "20261206T010000-bbbbbb"
    p.start_captions(nxt)
    assert store.text(ROOM, live_subtitles_name(SHOW)) == ended
    for i in range(3, 6):
        add(p, tmp_path, i, show=nxt)
    assert store.text(ROOM, live_subtitles_name(SHOW)) == ended
    assert store.text(ROOM, live_media_name(SHOW, "128k")).rstrip().endswith("#EXT-X-ENDLIST")
    (media,) = m3u8.loads(store.text(ROOM, LIVE_PLAYLIST)).media
    assert media.uri == live_subtitles_name(nxt)
    assert not m3u8.loads(store.text(ROOM, live_subtitles_name(nxt))).is_endlist
