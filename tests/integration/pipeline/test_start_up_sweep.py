"""The start-up sweep never deletes a recording: damaged logs are rebuilt, named files stay."""

from __future__ import annotations

import logging
from pathlib import Path

import m3u8
import pytest

from room_directory import InMemoryRoomDirectory
from stream_server.hls.show_log import ShowLog
from stream_server.ops.config import Settings
from stream_server.pipeline.on_air import OnAir
from tests.support.shows import DAY, NOW, directory_with_room, record_show, show_log


def published(settings: Settings, room_id: str = "room-1") -> set[str]:
    return {p.name for p in (settings.hls_dir / room_id).iterdir()}


def replay_files_exist(settings: Settings, show_id: str, room_id: str = "room-1") -> bool:
    """Every file the replay's master and media playlists name is there (parsed by m3u8)."""
    folder = settings.hls_dir / room_id
    master = m3u8.load(str(folder / f"{show_id}.m3u8"))
    for variant in master.playlists:
        media = m3u8.load(str(folder / variant.uri))
        if not media.segments or not all((folder / s.uri).exists() for s in media.segments):
            return False
    return bool(master.playlists)


def two_replays(tmp_path: Path) -> tuple[Settings, InMemoryRoomDirectory, set[str]]:
    settings = Settings(data_dir=tmp_path)
    directory = directory_with_room()
    record_show(settings, directory, "first", NOW - 2 * DAY, segments=4)
    record_show(settings, directory, "second", NOW - DAY, segments=3)
    return settings, directory, published(settings)


def test_a_missing_log_is_rebuilt_and_nothing_is_deleted(tmp_path: Path,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    settings, directory, before = two_replays(tmp_path)
    original = ShowLog(show_log(settings)).segments()
    show_log(settings).unlink()

    with caplog.at_level(logging.WARNING):
        removed = OnAir(settings, directory).shows.clean_orphans()

    assert removed == 0 and published(settings) == before
    assert replay_files_exist(settings, "first") and replay_files_exist(settings, "second")
    assert ShowLog(show_log(settings)).segments() == original  # every field recovered from playlists
    assert "rebuilt" in caplog.text


@pytest.mark.parametrize("damage", [b"{not json\n", b"\xff\xfe garbage\n", b'{"sequence": "x"}\n', b"[1]\n"],
                         ids=["torn-json", "bad-bytes", "wrong-type", "not-an-object"])
def test_an_unreadable_line_deletes_nothing_and_the_log_is_rebuilt(tmp_path: Path, damage: bytes) -> None:
    settings, directory, before = two_replays(tmp_path)
    lines = show_log(settings).read_bytes().splitlines(keepends=True)
    lines[2] = damage  # the third segment of the first show
    show_log(settings).write_bytes(b"".join(lines))

    assert OnAir(settings, directory).shows.clean_orphans() == 0
    assert published(settings) == before
    assert replay_files_exist(settings, "first")
    state = ShowLog(show_log(settings)).read()
    assert state is not None and state[1] == 0 and len(state[0]) == 7
    assert show_log(settings).with_name("segments.jsonl.damaged").exists()


def test_a_segment_a_playlist_names_stays_even_when_the_log_forgot_it(tmp_path: Path) -> None:
    settings, directory, before = two_replays(tmp_path)
    lines = show_log(settings).read_bytes().splitlines(keepends=True)
    show_log(settings).write_bytes(b"".join(lines[:1] + lines[2:]))  # a clean line gone, not damaged

    OnAir(settings, directory).shows.clean_orphans()

    assert published(settings) == before and replay_files_exist(settings, "first")


def test_a_replay_whose_show_is_recorded_stays_even_when_the_log_dropped_it(tmp_path: Path) -> None:
    settings, directory, before = two_replays(tmp_path)
    ShowLog(show_log(settings)).drop_show("first")

    OnAir(settings, directory).shows.clean_orphans()

    assert published(settings) == before and replay_files_exist(settings, "first")


def test_true_orphans_still_go(tmp_path: Path) -> None:
    settings, directory, before = two_replays(tmp_path)
    folder = settings.hls_dir / "room-1"
    strays = ["second-128k-00000099.ts", "gone.m3u8", "gone-128k.m3u8", ".tmp-x.m3u8"]
    (folder / "gone.m3u8").write_text("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\ngone-128k.m3u8\n")
    (folder / "gone-128k.m3u8").write_text("#EXTM3U\n#EXTINF:2.0,\nsecond-128k-00000099.ts\n")
    for name in strays[:1] + strays[3:]:
        (folder / name).write_bytes(b"x")

    assert OnAir(settings, directory).shows.clean_orphans() == len(strays)
    assert published(settings) == before
