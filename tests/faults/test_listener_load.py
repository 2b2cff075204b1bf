"""60 s of listener load while two rooms are live, one performer dropping and coming back.

Real ``livestage serve`` on loopback, real ffmpeg performers, bounded concurrent listeners
that poll the playlist like a player and fetch every new segment. Zero errors allowed; the
show survives the drop (same show, no encoder restart), the returning performer is heard,
and the replay holds every segment.
"""

from __future__ import annotations

import threading
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import m3u8
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support import LiveServer, decode_pcm, performing, wait_for
from tests.support.audio import dominant_frequency

pytestmark = pytest.mark.e2e

LOAD_SECONDS = 60
LISTENERS_PER_ROOM = 4


class Listener(threading.Thread):
    """Polls a room's playlist once a second and fetches each segment it has not fetched yet."""

    def __init__(self, listen_url: str, deadline: float) -> None:
        super().__init__(daemon=True)
        self.listen_url = listen_url
        self.deadline = deadline
        self.requests = 0
        self.errors: list[str] = []
        self.media_sequences: list[int] = []
        self._fetched: set[str] = set()

    def _get(self, url: str) -> bytes:
        self.requests += 1
        with urllib.request.urlopen(url, timeout=10) as resp:
            if resp.status != 200:
                raise OSError(f"{resp.status} for {url}")
            return bytes(resp.read())

    def run(self) -> None:
        while time.monotonic() < self.deadline:
            try:
                playlist_url = self.listen_url
                parsed = m3u8.loads(self._get(playlist_url).decode())
                if parsed.is_variant:  # a master playlist: follow its first rendition
                    playlist_url = urljoin(playlist_url, parsed.playlists[0].uri)
                    parsed = m3u8.loads(self._get(playlist_url).decode())
                self.media_sequences.append(parsed.media_sequence)
                for seg in parsed.segments:
                    if seg.uri not in self._fetched:
                        self._fetched.add(seg.uri)
                        if not self._get(urljoin(playlist_url, seg.uri)):
                            self.errors.append(f"empty segment {seg.uri}")
            except Exception as exc:  # every failure counts; the test wants none
                self.errors.append(repr(exc))
            time.sleep(1)


def create_room(server: LiveServer, title: str) -> dict[str, Any]:
    status, body = server.request("POST", "/api/rooms", {"title": title}, admin=True)
    assert status == 201, body
    return dict(body)


def live_playlist(server: LiveServer, room_id: str) -> m3u8.M3U8 | None:
    name = server.live_media(room_id)  # the 128 kbps rendition the entry playlist names
    text = server.get_text(f"/hls/{room_id}/{name}") if name else None
    return m3u8.loads(text) if text else None


def listed(server: LiveServer, room_id: str) -> int:
    parsed = live_playlist(server, room_id)
    return 0 if parsed is None else parsed.media_sequence + len(parsed.segments)


def metric(server: LiveServer, name: str) -> float:
    with urllib.request.urlopen(f"{server.url}/metrics", timeout=5) as resp:
        families = {f.name: f for f in text_string_to_metric_families(resp.read().decode())}
    return float(families[name].samples[0].value)


def test_listener_load_with_a_performer_dropping_and_returning(make_server: Any, tmp_path: Path) -> None:
    server = make_server("--no-demo")
    steady, dropping = create_room(server, "Steady"), create_room(server, "Dropping")
    with performing(server.url, steady["stream_key"], steady["id"], seconds=LOAD_SECONDS + 40, freq=440), \
            performing(server.url, dropping["stream_key"], dropping["id"], seconds=LOAD_SECONDS + 40,
                       freq=550) as first_performer:
        for room in (steady, dropping):
            wait_for(lambda r=room: listed(server, r["id"]) >= 2, 30, what=f"{room['title']} on air")
        deadline = time.monotonic() + LOAD_SECONDS
        listeners = [
            Listener(server.request("GET", f"/api/rooms/{room['id']}")[1]["listen_url"], deadline)
            for room in (steady, dropping) for _ in range(LISTENERS_PER_ROOM)
        ]
        for listener in listeners:
            listener.start()
        show_id = server.request("GET", f"/api/rooms/{dropping['id']}")[1]["show_id"]

        time.sleep(10)
        first_performer.kill()  # the performer drops ...
        first_performer.wait()
        time.sleep(8)
        status, room_now = server.request("GET", f"/api/rooms/{dropping['id']}")
        assert room_now["live"] is True and room_now["show_id"] == show_id
        with performing(server.url, dropping["stream_key"], dropping["id"], seconds=LOAD_SECONDS,
                        freq=880):  # ... and comes back
            back_from = listed(server, dropping["id"])
            wait_for(lambda: listed(server, dropping["id"]) >= back_from + 4, 30,
                     what="segments after return")
            parsed = live_playlist(server, dropping["id"])
            assert parsed is not None
            last = tmp_path / "after-return.ts"
            with urllib.request.urlopen(f"{server.url}/hls/{dropping['id']}/{parsed.segments[-1].uri}") as r:
                last.write_bytes(r.read())
            assert abs(dominant_frequency(decode_pcm(last)) - 880) < 5
            assert metric(server, "livestage_listeners") >= 2 * LISTENERS_PER_ROOM
            assert metric(server, "livestage_rooms_live") == 2
            for listener in listeners:
                listener.join(LOAD_SECONDS + 30)
                assert not listener.is_alive()

    errors = [e for listener in listeners for e in listener.errors]
    assert errors == [], errors[:5]
    assert sum(listener.requests for listener in listeners) >= 8 * LISTENERS_PER_ROOM * 2
    for listener in listeners:
        assert listener.media_sequences == sorted(listener.media_sequences)
    status, info = server.request("GET", f"/api/rooms/{dropping['id']}")
    assert info["show_id"] == show_id  # one show from start to end, through the drop
    status, analytics = server.request("GET", f"/api/rooms/{dropping['id']}/listeners", admin=True)
    assert status == 200 and analytics["peak_listeners"] >= LISTENERS_PER_ROOM
    status, ended = server.request("POST", f"/api/rooms/{dropping['id']}/end", admin=True)
    assert status == 200
    master = m3u8.loads(server.get_text(f"/hls/{dropping['id']}/{show_id}.m3u8") or "")
    assert len(master.playlists) >= 2
    for variant in master.playlists:  # every rendition of the replay holds the whole show
        replay = m3u8.loads(server.get_text(f"/hls/{dropping['id']}/{variant.uri}") or "")
        sequences = [int(s.uri.rsplit("-", 1)[1].removesuffix(".ts")) for s in replay.segments]
        assert replay.is_endlist and sequences == list(range(sequences[0], sequences[0] + len(sequences)))
        assert not any(s.discontinuity for s in replay.segments)  # the drop never restarted the encoder
