"""Listener counts from CloudFront's standard access logs, read from lines in CloudFront's own format."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

import pytest

from room_directory import RoomDirectoryError
from room_directory.access import new_listener_token
from room_directory.memory import InMemoryRoomDirectory
from stream_server.serving.cloudfront_log import listener_id, listeners_by_minute, read_log, record_log
from tests.support import ROOT
from tests.support.cloudfront import standard_log

SECRET = "unit-secret"
LOG = (ROOT / "tests" / "support" / "cloudfront_standard_log.txt").read_text().splitlines(keepends=True)
# the listener tokens in that log, minted with SECRET
A = "q0Vw8pT3aZc1mN7x.i_UKugT0CeMt3DgV"
B = "Lk2hYt9RwE4sPo1b.RqsrfJp78XLs6tO_"
C = "Zx8cVb7nM6aS5dF4.N6PdtO_ASkaVDx31"


def _at(clock: str) -> float:
    return datetime.fromisoformat(f"2026-12-06T{clock}+00:00").timestamp()


def _minute(clock: str) -> int:
    return int(_at(clock) // 60)


def test_only_genuine_tokens_fetching_playlists_successfully_are_counted() -> None:
    assert list(read_log(LOG, SECRET)) == [
        ("jazz", A, _at("05:01:07")),  # master playlist, 200
        ("jazz", A, _at("05:01:09")),  # media playlist polled, 304
        ("jazz", B, _at("05:01:31")),
        ("jazz", A, _at("05:02:01")),
        ("jazz", C, _at("05:02:11")),  # a private room's signed path
        ("rock", C, _at("05:02:12")),
    ]  # left out: a segment, a 403 from the edge, a forged tag, another secret's token, HEAD,
    # no token, not HLS


def test_with_another_secret_nobody_is_counted() -> None:
    assert list(read_log(LOG, "rotated-secret")) == []


def test_listeners_are_distinct_per_room_and_minute() -> None:
    minutes = listeners_by_minute(read_log(LOG, SECRET))
    assert {key: len(ids) for key, ids in minutes.items()} == {
        ("jazz", _minute("05:01:00")): 2, ("jazz", _minute("05:02:00")): 2, ("rock", _minute("05:02:00")): 1}
    assert minutes[("rock", _minute("05:02:00"))] == {listener_id(C)}
    assert listener_id(C) != C and len(listener_id(C)) == 16


def test_columns_are_found_by_the_fields_header() -> None:
    header, *lines = [line for line in LOG if not line.startswith("#Version")]
    names = header.removeprefix("#Fields:").split()
    order = list(reversed(range(len(names))))  # same log, columns reversed
    shuffled = ["#Fields: " + " ".join(names[i] for i in order) + "\n"] + [
        "\t".join(line.rstrip("\n").split("\t")[i] for i in order) + "\n" for line in lines]
    assert list(read_log(shuffled, SECRET)) == list(read_log(LOG, SECRET))


def test_lines_before_a_fields_header_or_without_needed_columns_count_nobody() -> None:
    body = [line for line in LOG if not line.startswith("#")]
    assert list(read_log(body, SECRET)) == []
    assert list(read_log(["#Fields: date time cs-uri-stem\n", *body], SECRET)) == []
    assert list(read_log([LOG[1], "2026-12-06\t05:01:07\tshort line\n"], SECRET)) == []


def test_a_minute_the_directory_refuses_keeps_no_other_minute_out_and_is_raised() -> None:
    class RefusesTheFirstMinute(InMemoryRoomDirectory):
        def add_listeners(self, room_id: str, minute: int, listeners: Collection[str]) -> None:
            if (room_id, minute) == ("jazz", _minute("05:01:00")):  # the first one written
                raise RoomDirectoryError("item too large")
            super().add_listeners(room_id, minute, listeners)

    directory = RefusesTheFirstMinute()
    with pytest.raises(RoomDirectoryError, match="too large"):
        record_log(directory, LOG, SECRET)
    first, last = _minute("05:00:00"), _minute("05:05:00")
    assert directory.listener_minutes("jazz", first, last) == {_minute("05:02:00"): 2}
    assert directory.listener_minutes("rock", first, last) == {_minute("05:02:00"): 1}


def test_a_log_read_twice_counts_each_listener_once() -> None:
    directory = InMemoryRoomDirectory()
    assert record_log(directory, LOG, SECRET) == 3
    record_log(directory, LOG, SECRET)
    first, last = _minute("05:00:00"), _minute("05:05:00")
    assert directory.listener_minutes("jazz", first, last) == {_minute("05:01:00"): 2, _minute("05:02:00"): 2}
    assert directory.listener_minutes("rock", first, last) == {_minute("05:02:00"): 1}


def _player_session(start: float, seconds: int, master: str, media: str,
                    segment: str) -> list[tuple[float, str, str]]:
    """What a player asks of the edge: the master once, then a media playlist and a segment every 2 s."""
    fetches = [(start, master, "-")]
    for at in range(int(start) + 1, int(start) + seconds, 2):
        fetches += [(at, media, "-"), (at + 0.5, segment, "-")]
    return fetches


def test_a_token_in_the_path_counts_the_listener_in_every_minute_they_listen() -> None:
    token = new_listener_token(SECRET)
    prefix = f"/hls/jazz/t/{token}"
    start = _at("05:10:50")
    lines = standard_log(_player_session(start, 150, f"{prefix}/live.m3u8", f"{prefix}/live-64k.m3u8",
                                         f"{prefix}/show-1-64k-00000003.ts"))
    minutes = listeners_by_minute(read_log(lines, SECRET))
    assert minutes == {("jazz", _minute(clock)): {listener_id(token)}
                       for clock in ("05:10:00", "05:11:00", "05:12:00", "05:13:00")}
    # segments count nobody: every counted line is a playlist
    assert len(list(read_log(lines, SECRET))) == 1 + 75


def test_a_query_token_on_the_master_alone_counts_only_the_minute_of_arrival() -> None:
    # what an older URL (?lt= on the master) leaves in the edge's log: the edge cannot write
    # the token into the variant URIs, so the player's polls carry none
    token = new_listener_token(SECRET)
    lines = standard_log([(_at("05:10:50"), "/hls/jazz/live.m3u8", f"lt={token}")]
                         + _player_session(_at("05:10:51"), 90, "/hls/jazz/live.m3u8",
                                           "/hls/jazz/live-64k.m3u8", "/hls/jazz/show-1-64k-00000003.ts")[1:])
    arrival = ("jazz", _minute("05:10:00"))
    assert listeners_by_minute(read_log(lines, SECRET)) == {arrival: {listener_id(token)}}


@pytest.mark.parametrize(
    ("stem", "query", "counted"),
    [("/hls/jazz/t/{token}/live-64k.m3u8", "-", True),  # the viewer's URI
     ("/hls/jazz/live-64k.m3u8", "lt={token}", True),  # the URI the edge function rewrote
     ("/hls/jazz/s/2000/{sig}/t/{token}/live-64k.m3u8", "-", True),
     ("/hls/jazz/t/{token}/live-64k.m3u8", "lt={other}", True),  # one listener, the path's
     ("/hls/jazz/t/{forged}/live-64k.m3u8", "lt={token}", False),  # the path's token decides
     ("/hls/jazz/t/{token}/show-1-64k-00000003.ts", "-", False),
     ("/hls/jazz/t/not-a-token/live-64k.m3u8", "-", False)],
    ids=["path", "rewritten", "signed-path", "path-over-query", "forged-path", "segment", "malformed"],
)
def test_a_log_line_counts_by_the_token_in_its_path_or_its_query(stem: str, query: str,
                                                                 counted: bool) -> None:
    token, other = new_listener_token(SECRET), new_listener_token(SECRET)
    values = {"token": token, "other": other, "forged": new_listener_token("other-secret"), "sig": "a" * 43}
    lines = standard_log([(_at("05:10:50"), stem.format(**values), query.format(**values))])
    assert list(read_log(lines, SECRET)) == ([("jazz", token, _at("05:10:50"))] if counted else [])
