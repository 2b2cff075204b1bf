"""Listener counts from CloudFront's standard access logs, read from lines in CloudFront's own format."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

import pytest

from room_directory import RoomDirectoryError
from room_directory.memory import InMemoryRoomDirectory
from stream_server.serving.cloudfront_log import listener_id, listeners_by_minute, read_log, record_log
from tests.support import ROOT

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
