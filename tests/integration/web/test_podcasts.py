"""Every ended public show becomes a podcast episode; rooms and hosts have feeds.

Real parts: a show on air with the real encoder (room tone) and two announced songs,
ended, joined by ffmpeg,
checked by ffprobe; feeds read back by feedparser and checked against the podcast rules
in ``tests/support/podcast_rules.py``; the enclosure fetched from the app.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import feedparser
from flask import Flask

from room_directory import InMemoryRoomDirectory, Room
from stream_server.hls.tracks import Track
from stream_server.ops.app import create_app
from stream_server.ops.config import Settings
from tests.support import wait_for
from tests.support.podcast_rules import feed_problems

BASE = "https://live.example.test"


def make_app(tmp_path: Path) -> tuple[Flask, InMemoryRoomDirectory, Settings]:
    directory = InMemoryRoomDirectory()
    directory.create(Room("jazz-1", "Late Jazz", "x", host="Mia Santos", genre="jazz",
                          art_url="https://cdn.example/jazz.png"))
    directory.create(Room("jazz-2", "Sunday Jazz", "x", host="Mia Santos", genre="jazz"))
    directory.create(Room("family", "Family Call", "x", host="Mia Santos", private=True,
                          join_code="4719"))
    settings = Settings(data_dir=tmp_path, segment_seconds=1, window_segments=6,
                        public_url=BASE)
    return create_app(settings, directory=directory), directory, settings


def air_a_show(app: Flask, directory: InMemoryRoomDirectory, room_id: str,
               songs: tuple[tuple[str, str], ...] = ()) -> str:
    services = app.extensions["livestage"]
    room = directory.get(room_id)
    assert room is not None
    stream = services.on_air.go_live(room)
    for title, artist in songs:  # announced as a performer's tool would, during the show
        services.on_air.packager(room_id).add_track(Track(stream.show_id, time.time(), title, artist))
        time.sleep(1.0)
    wait_for(lambda: (services.on_air.shows.record_progress(room_id, stream.show_id)
                      .segments >= 4), 40, what="four segments of the show")
    services.on_air.end_show(room_id)
    for maker in services.episodes.makers:
        maker.join(timeout=30)
    return str(stream.show_id)


def probe(path: Path, *entries: str) -> dict[str, Any]:
    done = subprocess.run(["ffprobe", "-v", "error", "-count_packets", "-show_entries",
                           ":".join(entries), "-of", "json", str(path)],
                          capture_output=True, text=True, check=True)
    found: dict[str, Any] = json.loads(done.stdout)
    return found


def packets(path: Path) -> int:
    streams = probe(path, "stream=nb_read_packets")["streams"]
    return int(streams[0]["nb_read_packets"])


def test_an_ended_show_is_an_episode_in_the_room_and_host_feeds(tmp_path: Path) -> None:
    app, directory, settings = make_app(tmp_path)
    first = air_a_show(app, directory, "jazz-1", songs=(("Blue in Green", "Miles Davis"),
                                                        ("So What", "")))
    second = air_a_show(app, directory, "jazz-2")
    client = app.test_client()

    episode = settings.hls_dir / "jazz-1" / f"{first}.m4a"
    info = probe(episode, "stream=codec_name,sample_rate,channels", "format=format_name,duration")
    assert info["streams"][0]["codec_name"] == "aac" and "mp4" in info["format"]["format_name"]
    # joined, not re-encoded: every AAC frame of the best rendition's segments, and no more
    replay = (settings.hls_dir / "jazz-1" / f"{first}-128k.m3u8").read_text()
    segments = [settings.hls_dir / "jazz-1" / line for line in replay.splitlines()
                if line.endswith(".ts")]
    assert packets(episode) == sum(packets(s) for s in segments)
    show = directory.get_show("jazz-1", first)
    assert show is not None
    assert float(info["format"]["duration"]) == abs_close(show.duration, 0.1)

    reply = client.get("/podcasts/rooms/jazz-1.xml")
    assert reply.status_code == 200 and reply.mimetype == "application/rss+xml"
    assert feed_problems(reply.data) == []
    feed = feedparser.parse(reply.data)
    assert not feed.bozo and feed.feed.title == "Late Jazz"
    assert feed.feed.image.href == "https://cdn.example/jazz.png"
    (entry,) = feed.entries
    assert entry.id == f"livestage:jazz-1:{first}" and entry.itunes_duration == str(round(show.duration))
    (enclosure,) = entry.enclosures
    assert enclosure.type == "audio/mp4" and int(enclosure.length) == episode.stat().st_size
    fetched = client.get(urlsplit(enclosure.href).path)
    assert fetched.status_code == 200 and fetched.mimetype == "audio/mp4"
    assert fetched.data == episode.read_bytes()
    assert client.get("/podcasts/rooms/jazz-1.xml").data == reply.data  # GUIDs never change

    chapters_link = reply.data.split(b"<podcast:chapters ")[1].split(b"/>")[0]
    chapters_url = chapters_link.split(b'url="')[1].split(b'"')[0].decode()
    chapters = client.get(urlsplit(chapters_url).path)
    assert chapters.status_code == 200 and chapters.mimetype == "application/json+chapters"
    document = json.loads(chapters.data)
    assert document["version"] == "1.2.0"
    assert [c["title"] for c in document["chapters"]] == ["Miles Davis – Blue in Green", "So What"]
    starts = [c["startTime"] for c in document["chapters"]]
    assert 0 <= starts[0] < starts[1] <= show.duration + 1

    hosts = client.get("/podcasts/hosts/mia-santos.xml")
    assert feed_problems(hosts.data) == []
    host_feed = feedparser.parse(hosts.data)
    assert [e.id for e in host_feed.entries] == [f"livestage:jazz-2:{second}",
                                                 f"livestage:jazz-1:{first}"]
    assert host_feed.feed.title == "Mia Santos on Live Stage"

    page = client.get("/").get_data(as_text=True)
    assert 'href="/podcasts/rooms/jazz-1.xml"' in page and 'href="/podcasts/hosts/mia-santos.xml"' in page


def test_private_rooms_have_no_episode_and_no_feed(tmp_path: Path) -> None:
    app, directory, settings = make_app(tmp_path)
    show = air_a_show(app, directory, "family")
    assert not (settings.hls_dir / "family" / f"{show}.m4a").exists()
    client = app.test_client()
    assert client.get("/podcasts/rooms/family.xml").status_code == 404
    assert b"Family Call" not in client.get("/podcasts/hosts/mia-santos.xml").data


def test_the_episode_goes_with_its_replay_under_retention(tmp_path: Path) -> None:
    app, directory, settings = make_app(tmp_path)
    old = air_a_show(app, directory, "jazz-1")
    air_a_show(app, directory, "jazz-1")
    assert (settings.hls_dir / "jazz-1" / f"{old}.m4a").is_file()
    shows = app.extensions["livestage"].on_air.shows
    shows._settings = settings.with_overrides(replay_keep_per_room=1)  # keep the newest only
    assert shows.apply_retention(time.time()) == [old]
    assert not (settings.hls_dir / "jazz-1" / f"{old}.m4a").exists()


def abs_close(value: float, tolerance: float) -> Any:
    import pytest

    return pytest.approx(value, abs=tolerance)
