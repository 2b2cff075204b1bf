"""The performer CLI against a real ``livestage serve`` on loopback."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.browser.rooms import download_segments, listed, media_playlist
from tests.support import ROOT, LiveServer, decode_pcm, performing, wait_for
from tests.support.audio import dominant_frequency

pytestmark = pytest.mark.e2e


def cli(*args: str, timeout: float = 30, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``livestage`` as a user would (no LIVESTAGE_* from the test environment)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVESTAGE_")}
    return subprocess.run([sys.executable, "-m", "livestage", *args], cwd=ROOT, env=env, timeout=timeout,
                          capture_output=True, input=stdin.decode("latin-1") if stdin else None,
                          text=True, encoding="latin-1")


def tone_file(path: Path, seconds: float, freq: int) -> Path:
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i",
                    f"sine=frequency={freq}:sample_rate=44100:duration={seconds}",
                    "-c:a", "libmp3lame", "-b:a", "128k", str(path)], check=True)
    return path


def create(server: LiveServer, title: str) -> tuple[str, str]:
    done = cli("rooms", "create", "--title", title, "--host", "Ada", "--genre", "folk",
               "--server", server.url, "--token", server.admin_token)
    assert done.returncode == 0, done.stderr
    room_id = re.search(r"^room:\s+(\S+)", done.stdout, re.M)
    key = re.search(r"^stream key:\s+(\S+)", done.stdout, re.M)
    assert room_id and key, done.stdout
    return room_id.group(1), key.group(1)


def test_rooms_create_list_show_end(make_server: Any, tmp_path: Path) -> None:
    server = make_server("--no-demo")
    room_id, key = create(server, "Folk & Friends")
    assert server.request("GET", f"/api/rooms/{room_id}")[1]["title"] == "Folk & Friends"

    listing = cli("rooms", "list", "--server", server.url)
    assert listing.returncode == 0 and room_id in listing.stdout and "Folk & Friends" in listing.stdout
    shown = cli("rooms", "show", room_id, "--server", server.url)
    assert shown.returncode == 0
    assert re.search(rf"/hls/{room_id}/t/[^/\s]+/live\.m3u8", shown.stdout) and key not in shown.stdout

    # the admin token of a local server is read from its data dir
    (tmp_path / "local").mkdir()
    (tmp_path / "local" / "admin-token").write_text(server.admin_token + "\n")
    ended = cli("rooms", "end", room_id, "--server", server.url, "--data-dir", str(tmp_path / "local"))
    assert ended.returncode == 0 and f"Ended {room_id}" in ended.stdout, ended.stderr

    scheduled = cli("rooms", "create", "--title", "Brunch", "--scheduled-start", "2031-05-04T11:30Z",
                    "--private", "--server", server.url, "--token", server.admin_token)
    assert scheduled.returncode == 0, scheduled.stderr
    code = re.search(r"^join code:\s+(\d+)", scheduled.stdout, re.M)
    new_id = re.search(r"^room:\s+(\S+)", scheduled.stdout, re.M)
    assert code and new_id
    info = server.request("GET", f"/api/rooms/{new_id.group(1)}", admin=True)[1]
    assert info["private"] is True and info["scheduled_start"] == 1_935_660_600.0
    assert info["join_code"] == code.group(1)

    refused = cli("rooms", "create", "--title", "X", "--server", server.url, "--token", "wrong")
    assert refused.returncode == 1 and "check the admin token" in refused.stderr
    missing = cli("rooms", "show", "no-such-room", "--server", server.url)
    assert missing.returncode == 1 and "livestage rooms list" in missing.stderr
    unreachable = cli("rooms", "list", "--server", "http://127.0.0.1:9")
    assert unreachable.returncode == 1 and "is `livestage serve` running?" in unreachable.stderr


def test_go_live_plays_a_file_in_real_time_and_listen_prints_its_segments(
        make_server: Any, tmp_path: Path) -> None:
    server = make_server("--no-demo")
    room_id, key = create(server, "File Room")
    song = tone_file(tmp_path / "song.mp3", 9, 550)
    go = subprocess.Popen([sys.executable, "-m", "livestage", "go-live", room_id, str(song), "--key", key,
                           "--server", server.url], cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
    try:
        heard = cli("listen", room_id, "--print", "--segments", "2", "--timeout", "20",
                    "--server", server.url, timeout=40)
        assert heard.returncode == 0, heard.stderr
        lines = heard.stdout.strip().splitlines()
        assert len(lines) == 2 and all(re.match(r"#\d+\s+\d+\.\d{3} s\s+total", line) for line in lines)
        _, err = go.communicate(timeout=40)
    finally:
        go.kill()
        go.wait()
    assert go.returncode == 0, err
    # the 9 s file, give or take the MP3 decoder's padding (whole seconds shown, truncated)
    assert re.search(r"Done: sent 0:0[89] of audio", err) and "dBFS" in err, err
    wait_for(lambda: listed(server, room_id) >= 4, 20, what="four segments")
    parsed = media_playlist(server, room_id)
    assert parsed is not None
    joined = download_segments(server, room_id, [s.uri for s in parsed.segments[1:3]], tmp_path)
    assert abs(dominant_frequency(decode_pcm(joined)) - 550) < 5


def test_go_live_reconnects_when_the_server_restarts(make_server: Any, tmp_path: Path) -> None:
    server = make_server("--no-demo")
    room_id, key = create(server, "Restart Room")
    song = tone_file(tmp_path / "song.mp3", 14, 440)
    go = subprocess.Popen([sys.executable, "-m", "livestage", "go-live", room_id, str(song), "--key", key,
                           "--server", server.url, "--retries", "8"], cwd=ROOT,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: listed(server, room_id) >= 1, 20, what="the first segment")
        server.stop()
        server.start()
        before = listed(server, room_id)
        _, err = go.communicate(timeout=60)
    finally:
        go.kill()
        go.wait()
    assert go.returncode == 0, err
    assert "reconnecting" in err and "reconnect(s)" in err
    wait_for(lambda: listed(server, room_id) >= before + 2, 20, what="segments after the restart")


def test_go_live_errors_say_what_to_do(make_server: Any, tmp_path: Path) -> None:
    server = make_server("--no-demo")
    room_id, _ = create(server, "Error Room")
    song = tone_file(tmp_path / "song.mp3", 2, 440)
    wrong = cli("go-live", room_id, str(song), "--key", "not-the-key", "--server", server.url)
    assert wrong.returncode == 1 and "refused the stream (401)" in wrong.stderr
    assert "stream key" in wrong.stderr
    junk = tmp_path / "junk.mp3"
    junk.write_bytes(b"this is not audio" * 100)
    bad = cli("go-live", room_id, str(junk), "--key", "k", "--server", server.url)
    assert bad.returncode == 1 and "cannot decode" in bad.stderr
    absent = cli("go-live", room_id, str(tmp_path / "nope.mp3"), "--key", "k", "--server", server.url)
    assert absent.returncode == 1 and "no such file" in absent.stderr
    piped = cli("go-live", room_id, "-", "--key", "not-the-key", "--server", server.url,
                stdin=song.read_bytes())
    assert piped.returncode == 1 and "refused the stream (401)" in piped.stderr


def test_listen_prints_segments_of_a_live_room(make_server: Any) -> None:
    server = make_server("--no-demo")
    room_id, key = create(server, "Listen Room")
    with performing(server.url, key, room_id, seconds=30):
        wait_for(lambda: listed(server, room_id) >= 1, 20, what="a first segment")
        heard = cli("listen", room_id, "--print", "--segments", "3", "--server", server.url, timeout=40)
    assert heard.returncode == 0, heard.stderr
    durations = [float(m) for m in re.findall(r"^#\d+\s+(\d+\.\d+) s", heard.stdout, re.M)]
    assert len(durations) == 3 and all(0 < d <= 2.5 for d in durations)
