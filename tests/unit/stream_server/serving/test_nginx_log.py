"""Listener counts from the nginx access log: parsing, following, rotation."""

from __future__ import annotations

from pathlib import Path

from room_directory.access import new_listener_token
from stream_server.serving.listeners import ListenerTracker
from stream_server.serving.nginx_log import NginxLogTailer, parse_line

SECRET = "unit-secret"


def test_parse_line_counts_successful_playlist_fetches_with_valid_tokens() -> None:
    token = new_listener_token(SECRET)
    assert parse_line(f"1700000000.123 200 GET /hls/jazz/live.m3u8?lt={token}\n", SECRET) == (
        "jazz", token, 1700000000.123)
    assert parse_line(f"1700000000.5 304 GET /hls/jazz/s/9/{'a' * 43}/live.m3u8?lt={token}", SECRET) == (
        "jazz", token, 1700000000.5)
    assert parse_line(f"1700000000.7 200 GET /hls/jazz/t/{token}/live-64k.m3u8\n", SECRET) == (
        "jazz", token, 1700000000.7)
    assert parse_line(f"1700000000.8 304 GET /hls/jazz/s/9/{'a' * 43}/t/{token}/live.m3u8", SECRET) == (
        "jazz", token, 1700000000.8)
    forged = new_listener_token("other-secret")
    for line in (
        f"1700000000.1 200 GET /hls/jazz/t/{forged}/live.m3u8?lt={token}",
        f"1700000000.1 200 GET /hls/jazz/t/{token}/seg-1.ts",
        f"1700000000.1 403 GET /hls/jazz/t/{token}/live.m3u8",
        f"1700000000.1 403 GET /hls/jazz/live.m3u8?lt={token}",
        f"1700000000.1 404 GET /hls/jazz/live.m3u8?lt={token}",
        f"1700000000.1 200 HEAD /hls/jazz/live.m3u8?lt={token}",
        f"1700000000.1 200 GET /hls/jazz/seg-1.ts?lt={token}",
        "1700000000.1 200 GET /hls/jazz/live.m3u8?lt=made.up",
        "1700000000.1 200 GET /hls/jazz/live.m3u8",
        f"garbage 200 GET /hls/jazz/live.m3u8?lt={token}",
        "half a line",
        "",
    ):
        assert parse_line(line, SECRET) is None, line


def _line(room: str, token: str, at: float = 1700000000.0) -> str:
    return f"{at} 200 GET /hls/{room}/live.m3u8?lt={token}\n"


def test_tailer_starts_at_the_end_reads_partial_lines_and_survives_rotation(tmp_path: Path) -> None:
    log = tmp_path / "hls.log"
    old, a, b, c, d = (new_listener_token(SECRET) for _ in range(5))
    log.write_text(_line("jazz", old))
    tracker = ListenerTracker(window=1e12)
    tailer = NginxLogTailer(str(log), SECRET, tracker.seen)
    tailer.start()
    try:
        with log.open("a") as out:
            out.write(_line("jazz", a) + _line("jazz", b)[:20])
        assert tailer.poll() == 1
        with log.open("a") as out:
            out.write(_line("jazz", b)[20:])
        assert tailer.poll() == 1
        # logrotate's create mode: the file is moved away and a new one appears
        with log.open("a") as out:
            out.write(_line("rock", c))
        log.rename(tmp_path / "hls.log.1")
        log.write_text(_line("rock", d))
        assert tailer.poll() == 2
        # copytruncate mode: the same file cut short (noticed while it is shorter than what was read)
        log.write_text("")
        assert tailer.poll() == 0
        with log.open("a") as out:
            out.write(_line("jazz", c))
        assert tailer.poll() == 1
    finally:
        tailer.stop()
    assert tracker.count("jazz", now=1700000000.0) == 3  # a, b, c (old history is skipped)
    assert tracker.count("rock", now=1700000000.0) == 2


def test_tailer_waits_for_a_log_that_does_not_exist_yet(tmp_path: Path) -> None:
    log = tmp_path / "later.log"
    tracker = ListenerTracker(window=1e12)
    tailer = NginxLogTailer(str(log), SECRET, tracker.seen)
    tailer.start()
    try:
        assert tailer.poll() == 0
        log.write_text(_line("jazz", new_listener_token(SECRET)))
        assert tailer.poll() == 1
    finally:
        tailer.stop()
