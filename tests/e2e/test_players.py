"""Strict players on a live room of ``livestage serve``: VLC and GStreamer play it and log nothing about it.

Also through HTTP, as a player sees them: every segment opens with PAT and PMT and the
continuity counters go on across segments; every EXTINF is within the target duration;
a room is offered live only once its entry playlist plays; and the room's next show
reaches players through the entry playlist while the ended show's playlists stay final.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import m3u8
import pytest

from tests.support import LiveServer, decode_pcm, performing, wait_for
from tests.support.audio import dominant_frequency
from tests.support.mpegts import counter_breaks, opening_tables
from tests.support.players import Playback, gstreamer, vlc

pytestmark = pytest.mark.e2e

PLAY_SECONDS = 20


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder VLC (run as ``nobody`` under root) may write to."""
    folder = Path(tempfile.mkdtemp(prefix="players-"))
    folder.chmod(0o777)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def get(server: LiveServer, path: str) -> str | None:
    return server.get_text(path)


def room_info(server: LiveServer, room_id: str) -> dict[str, Any]:
    status, body = server.request("GET", f"/api/rooms/{room_id}")
    assert status == 200
    return dict(body)


def media(server: LiveServer, room_id: str, name: str) -> m3u8.M3U8:
    text = get(server, f"/hls/{room_id}/{name}")
    assert text is not None, name
    return m3u8.loads(text)


def watch_live_implies_playable(server: LiveServer, room_id: str, stop: threading.Event,
                                seen: list[str]) -> None:
    """Poll the room API and the entry; note every moment the room is live while its entry would not play."""
    while not stop.wait(0.2):
        if not room_info(server, room_id)["live"]:
            continue
        name = server.live_media(room_id)
        show_id = room_info(server, room_id)["show_id"]
        if name is None or not name.startswith(f"{show_id}-"):
            seen.append(f"live, yet the entry names {name} (show {show_id})")
            continue
        parsed = media(server, room_id, name)
        lasts = sum(s.duration for s in parsed.segments)
        if parsed.is_endlist or lasts < 3 * parsed.target_duration:
            seen.append(f"live, yet {name} lasts {lasts:.2f} s")


@contextmanager
def on_air(server: LiveServer, room: dict[str, Any], seconds: float, freq: int) -> Iterator[None]:
    """Publish a tone, watching that the room is never offered live before its entry plays."""
    stop, seen = threading.Event(), []  # type: ignore[var-annotated]
    watcher = threading.Thread(target=watch_live_implies_playable, args=(server, room["id"], stop, seen),
                               daemon=True)
    with performing(server.url, room["stream_key"], room["id"], seconds=seconds, freq=freq):
        started = time.monotonic()
        watcher.start()
        wait_for(lambda: room_info(server, room["id"])["live"], 30, what="the room offered live")
        print(f"\noffered live {time.monotonic() - started:.1f} s after the performer started")
        time.sleep(1)
        stop.set()
        watcher.join(5)
        assert seen == []
        yield


def check_transport(server: LiveServer, room_id: str, folder: Path) -> None:
    """The 128k and 64k windows: tables first in every segment, counters going on across them.

    And the entry's BANDWIDTH is not under any segment's own rate (RFC 8216 4.3.4.2).
    """
    entry = m3u8.loads(get(server, f"/hls/{room_id}/live.m3u8") or "")
    for rendition in ("128k", "64k"):
        name = server.live_media(room_id, rendition)
        assert name is not None
        parsed = media(server, room_id, name)
        assert all(s.duration <= parsed.target_duration for s in parsed.segments)
        files = []
        for seg in parsed.segments:
            path = folder / seg.uri
            with urllib.request.urlopen(f"{server.url}/hls/{room_id}/{seg.uri}", timeout=5) as resp:
                path.write_bytes(resp.read())
            files.append(path)
        assert len(files) >= 6
        declared = next(p.stream_info.bandwidth for p in entry.playlists if p.uri.startswith(name))
        rates = [f.stat().st_size * 8 / s.duration for f, s in zip(files, parsed.segments, strict=True)]
        assert max(rates) <= declared, f"{rendition}: {max(rates):.0f} bit/s over BANDWIDTH {declared}"
        for path in files:
            first_pids, programmes, crcs_hold = opening_tables(path)
            assert first_pids[:2] == [0, programmes[1]] and crcs_hold, f"{path.name}: {first_pids}"
        assert counter_breaks(files) == []


def vlc_baseline(folder: Path) -> set[str]:
    """What VLC logs for a plain AAC file straight from ffmpeg: its own start-up talk, not ours."""
    plain = folder / "plain.aac"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=f=440:r=48000:d=3",
                    "-c:a", "aac", "-b:a", "128k", "-f", "adts", str(plain)], check=True)
    plain.chmod(0o644)
    return set(vlc(str(plain), 5, folder).complaints)


def played(playback: Playback, pcm: bytes, freq: int) -> None:
    seconds = len(pcm) / 2 / 48000
    assert seconds > PLAY_SECONDS / 2, f"{seconds:.1f} s played:\n{playback.log[-3000:]}"
    assert abs(dominant_frequency(pcm) - freq) < 5


def test_vlc_and_gstreamer_play_a_live_room_without_a_word_about_it(make_server: Any,
                                                                    shared_dir: Path) -> None:
    server = make_server("--no-demo")
    status, room = server.request("POST", "/api/rooms", {"title": "Strict Players"}, admin=True)
    assert status == 201
    baseline = vlc_baseline(shared_dir)
    url = f"{server.url}/hls/{room['id']}/live.m3u8"
    with on_air(server, room, seconds=PLAY_SECONDS + 40, freq=440):
        results: dict[str, Playback] = {}

        def play(name: str, player: Any) -> None:
            results[name] = player(url, PLAY_SECONDS, shared_dir)

        players = [threading.Thread(target=play, args=item)
                   for item in (("vlc", vlc), ("gstreamer", gstreamer))]
        for player in players:
            player.start()
        for player in players:
            player.join(PLAY_SECONDS + 40)
        check_transport(server, room["id"], shared_dir)
    assert set(results) == {"vlc", "gstreamer"}
    assert [c for c in results["vlc"].complaints if c not in baseline] == []
    assert results["gstreamer"].complaints == []
    played(results["vlc"], decode_pcm(results["vlc"].audio), 440)
    played(results["gstreamer"], results["gstreamer"].audio.read_bytes(), 440)


def test_the_next_show_reaches_players_through_the_entry_and_the_ended_one_stays_final(
    make_server: Any,
) -> None:
    server = make_server("--no-demo")
    status, room = server.request("POST", "/api/rooms", {"title": "Two Shows"}, admin=True)
    assert status == 201
    room_id = room["id"]
    with on_air(server, room, seconds=30, freq=440):
        first = room_info(server, room_id)["show_id"]
        names = {r: server.live_media(room_id, r) for r in ("128k", "64k")}
    status, _ = server.request("POST", f"/api/rooms/{room_id}/end", admin=True)
    assert status == 200
    ended = {r: get(server, f"/hls/{room_id}/{name}") for r, name in names.items()}
    assert all(text and m3u8.loads(text).is_endlist for text in ended.values())
    # The killed performer's connection is only let go once the server notices it (a known
    # limit: a hung-up Icecast source is noticed at the idle limit or when the show ends);
    # the next show starts once the key is free again.
    wait_for(lambda: not any(k["live"] for k in server.request(
        "GET", f"/api/rooms/{room_id}/keys", admin=True)[1]["keys"]), 15, what="the host key free")
    with on_air(server, room, seconds=30, freq=660):
        second = room_info(server, room_id)["show_id"]
        assert second != first
        wait_for(lambda: len(media(server, room_id, server.live_media(room_id) or "").segments) >= 6,
                 30, what="the second show's window")
        for rendition, name in names.items():
            assert get(server, f"/hls/{room_id}/{name}") == ended[rendition]  # never written again
            new_name = server.live_media(room_id, rendition)
            assert new_name is not None and new_name.startswith(f"{second}-") and new_name != name
            new = media(server, room_id, new_name)
            old = m3u8.loads(ended[rendition] or "")
            assert not new.is_endlist and new.media_sequence > old.media_sequence
            assert not {s.uri for s in new.segments} & {s.uri for s in old.segments}
        last = media(server, room_id, server.live_media(room_id) or "").segments[-1].uri
        with urllib.request.urlopen(f"{server.url}/hls/{room_id}/{last}", timeout=5) as resp:
            path = Path(tempfile.mkstemp(suffix=".ts")[1])
            path.write_bytes(resp.read())
        assert abs(dominant_frequency(decode_pcm(path)) - 660) < 5
        path.unlink()
    master = m3u8.loads(get(server, f"/hls/{room_id}/live.m3u8") or "")
    assert all(p.stream_info.bandwidth >= p.stream_info.average_bandwidth for p in master.playlists)
    assert all(p.uri.startswith(f"{second}-") for p in master.playlists)
