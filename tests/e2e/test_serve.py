"""``livestage serve`` as a user runs it: real HTTP on loopback, real ffmpeg performers."""

from __future__ import annotations

import re
import signal
import urllib.request
from pathlib import Path
from typing import Any

import m3u8
import pytest

from tests.support import LiveServer, decode_pcm, ffprobe_streams, performing, wait_for
from tests.support.audio import dominant_frequency

pytestmark = pytest.mark.e2e


def playlist(server: LiveServer, room_id: str, name: str | None = None) -> m3u8.M3U8 | None:
    """A playlist of the room; by default the 128k media playlist its entry playlist names."""
    name = name or server.live_media(room_id)
    text = server.get_text(f"/hls/{room_id}/{name}") if name else None
    return m3u8.loads(text) if text else None


def listed(server: LiveServer, room_id: str) -> int:
    parsed = playlist(server, room_id)
    return 0 if parsed is None else parsed.media_sequence + len(parsed.segments)


def fetch_segments(server: LiveServer, room_id: str, parsed: m3u8.M3U8, dest: Path) -> list[Path]:
    paths = []
    for seg in parsed.segments:
        path = dest / seg.uri
        with urllib.request.urlopen(f"{server.url}/hls/{room_id}/{seg.uri}", timeout=5) as resp:
            assert resp.headers["Content-Type"] == "video/mp2t"
            path.write_bytes(resp.read())
        paths.append(path)
    return paths


def create_room(server: LiveServer, title: str) -> dict[str, Any]:
    status, body = server.request("POST", "/api/rooms", {"title": title}, admin=True)
    assert status == 201, body
    return dict(body)


def test_room_published_with_ffmpeg_icecast_plays_as_aac_lc(make_server: Any, tmp_path: Path) -> None:
    server = make_server("--no-demo")
    room = create_room(server, "Tone Room")
    with performing(server.url, room["stream_key"], room["id"], seconds=30, freq=440):
        wait_for(lambda: listed(server, room["id"]) >= 4, 30, what="four segments")
        status, info = server.request("GET", f"/api/rooms/{room['id']}")
        assert status == 200 and info["live"] is True
        parsed = playlist(server, room["id"])
        assert parsed is not None and parsed.target_duration == 2 and not parsed.is_endlist
        assert all(s.program_date_time for s in parsed.segments)
        files = fetch_segments(server, room["id"], parsed, tmp_path)
        assert ffprobe_streams(files[-1])[0]["codec_name"] == "aac"
        assert ffprobe_streams(files[-1])[0]["profile"] == "LC"
        joined = tmp_path / "joined.ts"
        joined.write_bytes(b"".join(f.read_bytes() for f in files[-2:]))
        assert abs(dominant_frequency(decode_pcm(joined)) - 440) < 5


def test_aac_publisher_is_taken_too(make_server: Any, tmp_path: Path) -> None:
    server = make_server("--no-demo")
    room = create_room(server, "ADTS Room")
    with performing(server.url, room["stream_key"], room["id"], freq=880, codec="aac"):
        wait_for(lambda: listed(server, room["id"]) >= 3, 30, what="three segments")
        parsed = playlist(server, room["id"])
        assert parsed is not None
        last = fetch_segments(server, room["id"], parsed, tmp_path)[-1]
        assert abs(dominant_frequency(decode_pcm(last)) - 880) < 5


def test_garbage_audio_is_refused_and_other_rooms_play_on(make_server: Any) -> None:
    server = make_server("--no-demo")
    good, bad = create_room(server, "Good"), create_room(server, "Bad")
    with performing(server.url, good["stream_key"], good["id"]) as performer:
        wait_for(lambda: listed(server, good["id"]) >= 2, 30, what="good room on air")
        status, body = server.request(
            "PUT", f"/ingest/{bad['id']}", headers={"Content-Type": "audio/mpeg",
                                                    "Authorization": f"Bearer {bad['stream_key']}"},
            raw=b"\x00garbage, not mp3\xff" * 4000)
        assert status == 400 and "could not decode" in body["error"]
        before = listed(server, good["id"])
        wait_for(lambda: listed(server, good["id"]) >= before + 2, 15, what="good room continuing")
        assert performer.poll() is None


def test_ffmpeg_with_a_wrong_key_is_told_401_and_stops(make_server: Any) -> None:
    server = make_server("--no-demo")
    room = create_room(server, "Locked")
    with performing(server.url, "not-the-key", room["id"], seconds=60) as performer:
        code = performer.wait(20)  # it must stop by itself, not stream into the void
        stderr = performer.stderr.read().decode() if performer.stderr else ""
        assert code != 0 and "401" in stderr
        assert listed(server, room["id"]) == 0


def test_end_keeps_the_show_as_a_replay(make_server: Any) -> None:
    server = make_server("--no-demo")
    room = create_room(server, "Short Show")
    with performing(server.url, room["stream_key"], room["id"], seconds=6) as performer:
        wait_for(lambda: listed(server, room["id"]) >= 2, 30, what="segments")
        performer.wait(30)  # the show plays out to its end before it is ended
    status, ended = server.request("POST", f"/api/rooms/{room['id']}/end", admin=True)
    assert status == 200 and ended["status"] == "ended" and ended["live"] is False
    live = playlist(server, room["id"])
    master = playlist(server, room["id"], f"{ended['show_id']}.m3u8")
    assert master is not None and len(master.playlists) == 2
    assert live is not None and live.is_endlist
    for variant in master.playlists:
        replay = playlist(server, room["id"], variant.uri)
        assert replay is not None and replay.playlist_type == "vod" and replay.is_endlist
        assert len(replay.segments) >= 3
    status, listing = server.request("GET", f"/api/rooms/{room['id']}/shows")
    assert status == 200 and [s["show_id"] for s in listing["shows"]] == [ended["show_id"]]
    show = listing["shows"][0]
    assert show["ended_at"] >= show["started_at"] and show["duration"] >= 6 and show["segments"] >= 3
    # the room and its shows hand out replays alike: same path, each with a listener token
    for url in (show["replay_url"], ended["replay_url"]):
        assert re.fullmatch(rf".*/hls/{room['id']}/t/[^/?]+/{ended['show_id']}\.m3u8", url)


def test_show_ends_by_itself_after_dead_air(make_server: Any) -> None:
    server = make_server("--no-demo", LIVESTAGE_DEAD_AIR_SECONDS="3")
    room = create_room(server, "Brief")
    with performing(server.url, room["stream_key"], room["id"], seconds=3) as performer:
        performer.wait(30)

    def ended() -> dict[str, Any] | None:
        status, body = server.request("GET", f"/api/rooms/{room['id']}")
        return body if status == 200 and body["status"] == "ended" else None

    info = wait_for(ended, 30, what="the show to end after dead air")
    replay = playlist(server, room["id"], f"{info['show_id']}-128k.m3u8")
    assert replay is not None and replay.is_endlist and len(replay.segments) >= 2
    live = playlist(server, room["id"])
    assert live is not None and live.is_endlist
    status, health = server.request("GET", "/healthz")
    assert health["encoders"] == 0


def test_kill_9_mid_show_then_restart_continues_the_show(make_server: Any, tmp_path: Path) -> None:
    data = tmp_path / "data"
    server = make_server("--no-demo", data_dir=data)
    room = create_room(server, "Resilient")
    with performing(server.url, room["stream_key"], room["id"], seconds=60) as performer:
        wait_for(lambda: listed(server, room["id"]) >= 3, 30, what="segments before the crash")
        before = playlist(server, room["id"])
        assert before is not None
        server.stop(signal.SIGKILL)
        performer.kill()
        performer.wait()
        again = make_server("--no-demo", data_dir=data, port=server.port,
                            LIVESTAGE_ADMIN_TOKEN=server.admin_token)
        last_before = before.media_sequence + len(before.segments) - 1
        wait_for(lambda: listed(again, room["id"]) >= last_before + 3, 30, what="resumed segments")
        for rendition in ("128k", "64k"):
            after = playlist(again, room["id"], again.live_media(room["id"], rendition))
            assert after is not None and after.media_sequence >= before.media_sequence
            assert any(s.discontinuity for s in after.segments) or (after.discontinuity_sequence or 0) >= 1
        status, info = again.request("GET", f"/api/rooms/{room['id']}")
        assert info["live"] is True and info["show_id"] == before.segments[0].uri.rsplit("-", 2)[0]
        status, ended = again.request("POST", f"/api/rooms/{room['id']}/end", admin=True)
        assert status == 200
        for rendition in ("128k", "64k"):
            replay = playlist(again, room["id"], f"{ended['show_id']}-{rendition}.m3u8")
            assert replay is not None
            sequences = [replay.media_sequence + i for i, _ in enumerate(replay.segments)]
            uris = [s.uri for s in replay.segments]
            wanted = {s.uri.replace("-128k-", f"-{rendition}-") for s in before.segments}
            assert wanted <= set(uris)  # nothing lost from the replay
            assert sequences[-1] >= last_before + 2
        # no orphan left behind (the replay's podcast episode joins its segments in a
        # ``.tmp-*.ts`` there for a moment after the end)
        wait_for(lambda: not list((data / "work" / room["id"]).glob("*.ts")), 30,
                 what="no segment left in the work folder")
        published = {p.name for p in (data / "hls" / room["id"]).glob("*.ts")}
        listed_anywhere = {
            s.uri for r in ("128k", "64k")
            for s in (playlist(again, room["id"], f"{ended['show_id']}-{r}.m3u8") or m3u8.M3U8()).segments}
        assert published == listed_anywhere  # every published segment belongs to the replay


def test_demo_rooms_are_live_and_playable_within_a_minute(make_server: Any, tmp_path: Path) -> None:
    server = make_server()
    ids = {"demo-jazz", "demo-morning-talk", "demo-indie-rock"}

    def all_live() -> bool:
        status, body = server.request("GET", "/api/rooms?live=true")
        return status == 200 and ids <= {r["id"] for r in body["rooms"]}

    wait_for(all_live, 60, what="three live demo rooms")
    for room_id in sorted(ids):
        wait_for(lambda r=room_id: listed(server, r) >= 2, 60, what=f"{room_id} segments")
        parsed = playlist(server, room_id)
        assert parsed is not None
        last = fetch_segments(server, room_id, parsed, tmp_path)[-1]
        assert ffprobe_streams(last)[0]["profile"] == "LC"
        assert len(decode_pcm(last)) > 48000  # over half a second of audio
