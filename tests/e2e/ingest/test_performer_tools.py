"""The tools performers own, from Debian, headless: each connects with its defaults, its tone
comes out of the room's segments, and each title it announces shows up in the room API, in the
replay's track list and, as EXT-X-DATERANGE, in the replay playlist.

ezstream and GStreamer's shout2send speak through libshout 2.4 (``OPTIONS *`` probe, PUT with a
401 challenge, titles as a POST form); liquidsoap and BUTT send ``GET /admin/metadata``;
liquidsoap's Ogg/Opus carries its titles inside the stream as chained streams, each ending with
a zero-length packet. ffmpeg publishes, and a script sets the title the way urllib answers a
Basic challenge. All run at once, one room each.
"""

from __future__ import annotations

import threading
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import m3u8
import pytest

from tests.support import LiveServer, free_port, wait_for
from tests.support.audio import dominant_frequency
from tests.support.ingest import (
    create_room,
    encode_file,
    end_show,
    levels,
    loud_seconds,
    media_playlist,
    publishing,
    replay_pcm,
)
from tests.support.performer_tools import (
    TitleWatch,
    butt,
    ezstream,
    liquidsoap,
    missing_tools,
    shout2send,
)

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(
    bool(missing_tools()), reason=f"performer tools missing (scripts/bootstrap --test): {missing_tools()}")]

FREQS = {"ezstream": 440, "liquidsoap-mp3": 550, "liquidsoap-opus": 660, "butt": 523,
         "shout2send": 587, "ffmpeg": 700}


@dataclass
class Outcome:
    """What one tool's session left: titles seen live, how it went, the replay."""

    room: dict[str, Any]
    titles: list[tuple[str, str]] = field(default_factory=list)
    on_air_seconds: float = 0.0
    disconnects_while_live: list[str] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)
    pcm: bytes = b""
    replay_titles: list[str] = field(default_factory=list)
    track_list: list[tuple[str, str]] = field(default_factory=list)


def numbered_songs(watch: TitleWatch, count: int) -> Callable[[], bool]:
    return lambda: len([t for t in watch.titles() if t.startswith("Song ")]) >= count


def run_ezstream(server: LiveServer, room: dict[str, Any], tmp: Path) -> Outcome:
    files = [encode_file(tmp / "blue.mp3", freq=FREQS["ezstream"], seconds=4, codec="mp3",
                         extra=["-metadata", "title=Blue in Green", "-metadata", "artist=Miles Davis"]),
             encode_file(tmp / "what.mp3", freq=FREQS["ezstream"], seconds=4, codec="mp3",
                         extra=["-metadata", "title=So What", "-metadata", "artist=Miles Davis"])]
    out = Outcome(room)
    with TitleWatch(server, room["id"]) as watch, ezstream(tmp, server, room["id"], room["stream_key"],
                                                           files) as proc:
        started = time.monotonic()
        out.notes["exit"] = proc.wait(40)
        out.on_air_seconds = time.monotonic() - started
        time.sleep(0.5)
    out.titles = watch.seen
    out.notes["log"] = (tmp / "ezstream.log").read_text(errors="replace")
    return out


def run_liquidsoap(server: LiveServer, room: dict[str, Any], tmp: Path, fmt: str, freq: float) -> Outcome:
    out = Outcome(room)
    with TitleWatch(server, room["id"]) as watch, liquidsoap(tmp, server, room["id"], room["stream_key"],
                                                             fmt=fmt, freq=freq, every=2.0):
        # liquidsoap type-checks its standard library first: seconds on an idle machine, more when busy
        wait_for(lambda: levels(server, room["id"])["publishers"], 120, interval=0.5,
                 what="liquidsoap on air")
        started = time.monotonic()
        wait_for(numbered_songs(watch, 4), 40, interval=0.5, what="four title changes")
        out.on_air_seconds = time.monotonic() - started
        out.disconnects_while_live = [e["reason"] for e in levels(server, room["id"])["recent_disconnects"]]
    out.titles = watch.seen
    return out


def run_butt(server: LiveServer, room: dict[str, Any], tmp: Path) -> Outcome:
    out = Outcome(room)
    with TitleWatch(server, room["id"]) as watch, butt(tmp, server, room["id"], room["stream_key"],
                                                       freq=FREQS["butt"], command_port=free_port()) as tool:
        tool.command("-s")
        wait_for(lambda: tool.status().get("connected") == "1", 30, interval=0.5, what="BUTT connected")
        started = time.monotonic()
        for song, title in (("Miles Davis - Blue in Green", "Blue in Green"),
                            ("Bill Evans - Peace Piece", "Peace Piece")):
            tool.command("-u", song)
            wait_for(lambda title=title: title in watch.titles(), 15, what=f"BUTT's title {title}")
            time.sleep(3)
        out.on_air_seconds = time.monotonic() - started
        out.disconnects_while_live = [e["reason"] for e in levels(server, room["id"])["recent_disconnects"]]
    out.titles = watch.seen
    return out


def run_shout2send(server: LiveServer, room: dict[str, Any], tmp: Path) -> Outcome:
    out = Outcome(room)
    with TitleWatch(server, room["id"]) as watch, shout2send(
            tmp, server, room["id"], room["stream_key"], freq=FREQS["shout2send"], title="Kind of Blue",
            artist="Miles Davis"):
        wait_for(lambda: levels(server, room["id"])["publishers"], 30, interval=0.5, what="shout2send on air")
        started = time.monotonic()
        wait_for(lambda: watch.titles(), 15, what="shout2send's title")
        time.sleep(5)
        out.on_air_seconds = time.monotonic() - started
    out.titles = watch.seen
    return out


def run_ffmpeg(server: LiveServer, room: dict[str, Any], tmp: Path) -> Outcome:
    out = Outcome(room)
    password = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    password.add_password(None, server.url, "source", room["stream_key"])
    opener = urllib.request.build_opener(urllib.request.HTTPBasicAuthHandler(password))
    query = urlencode({"mode": "updinfo", "mount": f"/ingest/{room['id']}",
                       "song": "Bill Evans - Peace Piece"})
    with TitleWatch(server, room["id"]) as watch, publishing(server, room["stream_key"], room["id"],
                                                             freq=FREQS["ffmpeg"], seconds=6) as proc:
        wait_for(lambda: levels(server, room["id"])["publishers"], 15, what="ffmpeg on air")
        with opener.open(f"{server.url}/admin/metadata?{query}", timeout=10) as resp:
            out.notes["status"] = resp.status  # sent only after the 401 challenge asked for it
        out.notes["exit"] = proc.wait(30)
        out.on_air_seconds = 6.0
        time.sleep(0.5)
    out.titles = watch.seen
    return out


@pytest.fixture(scope="module")
def outcomes(ingest_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    """Every tool's session, all at once; then each room's show ended and its replay read back."""
    rooms = {tool: create_room(ingest_server, f"{tool} room") for tool in FREQS}
    dirs = {tool: tmp_path_factory.mktemp(tool) for tool in FREQS}
    runs: dict[str, Callable[[], Outcome]] = {
        "ezstream": lambda: run_ezstream(ingest_server, rooms["ezstream"], dirs["ezstream"]),
        "liquidsoap-mp3": lambda: run_liquidsoap(ingest_server, rooms["liquidsoap-mp3"],
                                                 dirs["liquidsoap-mp3"], "%mp3(bitrate=128)",
                                                 FREQS["liquidsoap-mp3"]),
        "liquidsoap-opus": lambda: run_liquidsoap(ingest_server, rooms["liquidsoap-opus"],
                                                  dirs["liquidsoap-opus"], "%ogg(%opus(bitrate=64))",
                                                  FREQS["liquidsoap-opus"]),
        "butt": lambda: run_butt(ingest_server, rooms["butt"], dirs["butt"]),
        "shout2send": lambda: run_shout2send(ingest_server, rooms["shout2send"], dirs["shout2send"]),
        "ffmpeg": lambda: run_ffmpeg(ingest_server, rooms["ffmpeg"], dirs["ffmpeg"]),
    }
    lock = threading.Lock()
    results: dict[str, Outcome] = {}
    with ThreadPoolExecutor(max_workers=3) as pool:  # three tools at a time: the machine has 2 cores
        futures = {tool: pool.submit(run) for tool, run in runs.items()}
        for tool, future in futures.items():
            outcome = future.result(timeout=400)
            with lock:
                results[tool] = outcome
    for tool, out in results.items():
        ended = end_show(ingest_server, out.room["id"])
        show_id = ended["show_id"]
        out.pcm = replay_pcm(ingest_server, out.room["id"], show_id, dirs[tool])
        replay = media_playlist(ingest_server, out.room["id"], f"{show_id}.m3u8")
        out.replay_titles = [dict(d.x_client_attrs)["x_title"].strip('"')
                             for s in replay.segments for d in s.dateranges]
        status, shows = ingest_server.request("GET", f"/api/rooms/{out.room['id']}/shows")
        assert status == 200, shows
        (show,) = [s for s in shows["shows"] if s["show_id"] == show_id]
        out.track_list = [(t["title"], t["artist"]) for t in show["tracks"]]
    return results


@pytest.mark.parametrize("tool", list(FREQS))
def test_the_tools_tone_comes_out_of_the_rooms_segments(tool: str, outcomes: dict[str, Outcome]) -> None:
    out = outcomes[tool]
    assert abs(dominant_frequency(out.pcm) - FREQS[tool]) < 5, out.notes
    assert loud_seconds(out.pcm) >= out.on_air_seconds - 1.0  # no gap while it was on air


@pytest.mark.parametrize(("tool", "expected"), [
    ("ezstream", [("Blue in Green", "Miles Davis"), ("So What", "Miles Davis")]),
    ("butt", [("Blue in Green", "Miles Davis"), ("Peace Piece", "Bill Evans")]),
    ("shout2send", [("Kind of Blue", "Miles Davis")]),
    ("ffmpeg", [("Peace Piece", "Bill Evans")]),
])
def test_each_announced_title_reaches_the_room_api_and_the_replay(
    tool: str, expected: list[tuple[str, str]], outcomes: dict[str, Outcome]
) -> None:
    out = outcomes[tool]
    assert out.titles == expected, out.notes.get("log", "")
    assert out.track_list == expected
    assert out.replay_titles == [title for title, _ in expected]


@pytest.mark.parametrize("tool", ["liquidsoap-mp3", "liquidsoap-opus"])
def test_liquidsoaps_title_changes_arrive_in_order_without_a_reconnect(
    tool: str, outcomes: dict[str, Outcome]
) -> None:
    out = outcomes[tool]
    numbers = [int(title.removeprefix("Song ")) for title, _ in out.titles]
    assert len(numbers) >= 4 and numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    assert {artist for _, artist in out.titles} == {"Liquid Tester"}
    assert out.disconnects_while_live == []  # the chained Ogg streams did not drop the performer
    assert [t for t, _ in out.track_list] == [t for t, _ in out.titles]


def test_ffmpeg_and_the_title_script_succeed(outcomes: dict[str, Outcome]) -> None:
    assert outcomes["ffmpeg"].notes == {"status": 200, "exit": 0}
    assert outcomes["ezstream"].notes["exit"] == 0


def test_the_live_playlist_is_parsed_with_its_date_ranges(ingest_server: LiveServer,
                                                          outcomes: dict[str, Outcome]) -> None:
    room = outcomes["butt"].room  # ended: its live playlist is final and names both songs
    parsed: m3u8.M3U8 = media_playlist(ingest_server, room["id"], "live.m3u8")
    ranges = [d for s in parsed.segments for d in s.dateranges]
    assert ranges and all(d.class_ == "org.livestage.track" and d.end_on_next == "YES" for d in ranges)
