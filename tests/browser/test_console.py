"""The performer console in headless Chromium: sign in, create, copy settings, go live, end."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from room_directory import Message, SqliteRoomDirectory, new_token_id
from tests.browser.conftest import TONE_HZ, screenshot, wait_in_page
from tests.browser.rooms import create_room, download_segments, listed, media_playlist
from tests.support import LiveServer, decode_pcm, wait_for
from tests.support.audio import dominant_frequency

pytestmark = pytest.mark.e2e


def sign_in(page: Any, server: LiveServer, token: str, room_id: str = "") -> None:
    page.goto(server.url + "/console")
    page.get_by_label("Room id").fill(room_id)
    page.get_by_label("Stream key or admin token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    page.locator("#signed-in").wait_for(state="visible")


def room_status(server: LiveServer, room_id: str) -> dict[str, Any]:
    status, body = server.request("GET", f"/api/rooms/{room_id}", admin=True)
    assert status == 200, body
    return dict(body)


def test_console_creates_a_room_whose_copied_ffmpeg_settings_go_live(
        make_server: Any, open_page: Any, tmp_path: Path) -> None:
    server = make_server("--no-demo")
    page, problems = open_page()
    page.goto(server.url + "/console")
    page.get_by_label("Stream key or admin token").fill("wrong-token")
    page.get_by_role("button", name="Sign in").click()
    wait_in_page(page, "document.getElementById('signin-error').textContent.includes('not signed in')", 10,
                 "the refusal")
    assert page.evaluate("sessionStorage.getItem('livestage.console')") is None

    sign_in(page, server, server.admin_token)
    assert "admin token" in page.locator("#whoami").inner_text()
    page.get_by_label("Title", exact=True).fill("Friday Folk Night")
    page.get_by_label("Host", exact=True).fill("Ada & <i>Friends</i>")
    page.get_by_label("Genre", exact=True).fill("folk")
    page.get_by_role("button", name="Create room").click()
    page.locator("#new-key").wait_for(state="visible")
    key = page.locator("#new-key-value").inner_text()
    assert re.fullmatch(r"\S{16,}", key)
    assert page.locator("#room-title").inner_text() == "Friday Folk Night"
    room_id = page.evaluate("JSON.parse(sessionStorage.getItem('livestage.console.keys'))")
    room_id = next(r for r, k in room_id.items() if k == key)
    assert room_status(server, room_id)["host"] == "Ada & <i>Friends</i>"

    # the settings hide the key until asked, then carry the real one
    settings = page.locator("#settings pre").first.inner_text()
    assert "<stream key>" in settings and key not in settings
    page.get_by_label("Show the stream key in the settings").check()
    ffmpeg_text = page.locator("#settings pre").first.inner_text()
    url = re.search(r"icecast://\S+", ffmpeg_text)
    assert url and url.group(0) == f"icecast://source:{key}@127.0.0.1:{server.port}/ingest/{room_id}"
    assert page.locator("#settings h4").all_inner_texts()[:1] == ["ffmpeg"]
    assert len(page.locator("#settings pre").all()) == 4  # ffmpeg, BUTT, Mixxx, OBS

    # a listener message arrives while the console is open, as text
    SqliteRoomDirectory(server.data_dir / "rooms.db").add_message(Message(
        room_id, new_token_id(), '<img src=x onerror="document.title=1">play Blue in Green',
        sender="kitchen speaker", created_at=time.time()))
    wait_in_page(page, "document.getElementById('messages').textContent.includes('play Blue in Green')", 15,
                 "the listener message")
    assert page.locator("#messages img").count() == 0

    # the copied ffmpeg settings publish: the console sees the room go on air
    performer = subprocess.Popen(
        ["ffmpeg", "-v", "error", "-re", "-f", "lavfi", "-i", "sine=frequency=550:duration=20",
         "-c:a", "libmp3lame", "-b:a", "128k", "-content_type", "audio/mpeg", "-f", "mp3", url.group(0)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: listed(server, room_id) >= 2, 30, what="segments from the copied settings")
        wait_in_page(page, "document.getElementById('room-status').textContent === 'On air'", 15,
                     "the console to show the room on air")
        # the list follows the room on air; reopening it hides the once-shown key for the picture
        wait_in_page(page, "document.getElementById('room-list').textContent.includes('live')", 15,
                     "the room list to show the room live")
        page.get_by_label("Show the stream key in the settings").uncheck()
        page.get_by_role("button", name="Open Friday Folk Night").click()
        wait_in_page(page, "document.getElementById('new-key').hidden", 10, "the key to be hidden")
        screenshot(page, "console.png")
    finally:
        performer.kill()
        performer.wait()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="End the show").click()
    wait_in_page(page, "document.getElementById('end-status').textContent.includes('ended')", 15,
                 "the show to end")
    assert room_status(server, room_id)["live"] is False
    assert not [p for p in problems if "Content Security Policy" in p], problems


def test_console_signs_in_with_a_room_key(make_server: Any, open_page: Any) -> None:
    server = make_server("--no-demo")
    room = create_room(server, title="Key Room")
    page, _ = open_page()
    sign_in(page, server, room["stream_key"], room["id"])
    assert page.locator("#whoami").inner_text() == f"Signed in as the host of room {room['id']}."
    assert page.locator("#admin").is_hidden()
    page.locator("#room").wait_for(state="visible")
    assert page.locator("#live-key").input_value() == room["stream_key"]
    page.reload()  # the sign-in survives a reload of the tab (sessionStorage)
    page.locator("#room").wait_for(state="visible")
    assert page.locator("#room-title").inner_text() == "Key Room"

    # co-hosts: invite (key shown once), mute, remove, through the host's own key
    page.get_by_label("Name", exact=True).fill("Guest <Singer>")
    page.get_by_role("button", name="Invite co-host").click()
    page.locator("#cohost-result .key").wait_for()
    cohost_key = page.locator("#cohost-result .key").inner_text()
    page.get_by_role("button", name="Mute Guest <Singer>").click()
    page.get_by_role("button", name="Unmute Guest <Singer>").wait_for()
    keys = server.request("GET", f"/api/rooms/{room['id']}/keys", admin=True)[1]["keys"]
    guest = next(k for k in keys if k["name"] == "Guest <Singer>")
    assert guest["muted"] is True and not guest["revoked"]
    status, who = server.request("GET", f"/api/console/session?room={room['id']}",
                                 headers={"Authorization": f"Bearer {cohost_key}"})
    assert status == 200 and who["role"] == "cohost"
    page.get_by_role("button", name="Remove co-host Guest <Singer>").click()
    page.get_by_role("button", name="Remove co-host Guest <Singer>").wait_for(state="detached")
    keys = server.request("GET", f"/api/rooms/{room['id']}/keys", admin=True)[1]["keys"]
    assert next(k for k in keys if k["key_id"] == guest["key_id"])["revoked"] is True

    # the host ends the show with the room's key (no admin token in this tab)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="End the show").click()
    wait_in_page(page, "document.getElementById('end-status').textContent.includes('has ended')", 15,
                 "the host to end the show")


def test_console_goes_live_from_the_fake_microphone(
        make_server: Any, open_page: Any, tmp_path: Path) -> None:
    server = make_server("--no-demo")
    room = create_room(server, title="Mic Room")
    page, problems = open_page()
    sign_in(page, server, room["stream_key"], room["id"])
    before = listed(server, room["id"])
    page.get_by_role("button", name="Go live from the microphone").click()
    wait_in_page(page, "Number(document.getElementById('live-status').dataset.sent || 0) >= 2", 20,
                 f"chunks accepted ({page.locator('#live-status').inner_text()})")
    assert page.evaluate("document.getElementById('level').value") > 0.3  # the tone moves the meter
    assert "dBFS" in page.locator("#level-text").inner_text()

    wait_for(lambda: listed(server, room["id"]) >= before + 4, 40, what="segments from the microphone")
    parsed = media_playlist(server, room["id"])
    assert parsed is not None
    joined = download_segments(server, room["id"], [s.uri for s in parsed.segments[-2:]], tmp_path)
    assert abs(dominant_frequency(decode_pcm(joined)) - TONE_HZ) < 5
    screenshot(page, "console-live.png")

    page.get_by_role("button", name="Stop sending").click()
    wait_in_page(page, "document.getElementById('live-status').textContent.includes('Stopped sending')", 15,
                 "the microphone to stop")
    assert not [p for p in problems if "Content Security Policy" in p], problems


def test_console_schedules_a_private_room(make_server: Any, open_page: Any) -> None:
    server = make_server("--no-demo")
    page, _ = open_page()
    sign_in(page, server, server.admin_token)
    page.get_by_label("Title", exact=True).fill("Sunday Brunch")
    page.get_by_label("Scheduled start").fill("2031-05-04T11:30")
    page.get_by_label("Private room (listeners join with a code)").check()
    page.get_by_role("button", name="Create room").click()
    page.locator("#room").wait_for(state="visible")
    keys = page.evaluate("JSON.parse(sessionStorage.getItem('livestage.console.keys'))")
    room_id = next(r for r in keys if r != "")
    info = room_status(server, room_id)
    local = page.evaluate("new Date('2031-05-04T11:30').getTime() / 1000")
    assert info["private"] is True and info["scheduled_start"] == pytest.approx(local)
    assert re.fullmatch(r"\d{4,}", str(info["join_code"]))
    assert page.locator("#room-join-code").inner_text() == f"Join code: {info['join_code']}"
    assert server.request("GET", f"/api/rooms/{room_id}")[0] == 404  # private: hidden from the public


def test_console_microphone_chunks_follow_the_ingest_protocol(
        make_server: Any, open_page: Any, tmp_path: Path) -> None:
    """The client side of the chunk contract, with the browser's requests answered by the test.

    This needs no server ingest: Playwright's router takes the POSTs in the browser's network
    layer, records them, and once answers 409 (expecting an earlier seq) to check the resend.
    """
    server = make_server("--no-demo")
    room = create_room(server, title="Chunk Room")
    received: dict[int, bytes] = {}
    requests: list[tuple[int, str, str, str]] = []
    refused_once: list[int] = []
    closed: list[str] = []

    def take_chunk(route: Any) -> None:
        request = route.request
        query = dict(p.split("=", 1) for p in request.url.split("?", 1)[1].split("&"))
        if request.method == "DELETE":  # the session's clean end
            closed.append(query["session"])
            route.fulfill(status=200, content_type="application/json", body="{}")
            return
        seq = int(query["seq"])
        requests.append((seq, query["session"], request.headers.get("content-type", ""),
                         request.headers.get("authorization", "")))
        expected = max(received, default=-1) + 1
        if seq == 3 and not refused_once:  # pretend chunk 2 was lost: ask for it again
            refused_once.append(seq)
            del received[2]
            route.fulfill(status=409, content_type="application/json", body='{"expected": 2}')
            return
        if seq > expected:
            route.fulfill(status=409, content_type="application/json", body=f'{{"expected": {expected}}}')
            return
        received[seq] = request.post_data_buffer or b""
        route.fulfill(status=200, content_type="application/json", body="{}")

    page, problems = open_page()
    page.route("**/ingest/*/chunks?*", take_chunk)
    sign_in(page, server, room["stream_key"], room["id"])
    page.get_by_role("button", name="Go live from the microphone").click()
    wait_in_page(page, "Number(document.getElementById('live-status').dataset.sent || 0) >= 7", 30,
                 "seven chunks sent")
    assert page.evaluate("document.getElementById('level').value") > 0.3  # the tone moves the meter
    page.get_by_role("button", name="Stop sending").click()
    wait_in_page(page, "document.getElementById('live-status').textContent.includes('Stopped sending')", 15,
                 "the microphone to stop")

    assert refused_once == [3] and sorted(received) == list(range(len(received)))
    assert closed == [requests[0][1]]
    assert [seq for seq, *_ in requests[:5]] == [0, 1, 2, 3, 2]
    assert {(s, ct, auth) for _, s, ct, auth in requests} == {
        (requests[0][1], "audio/webm;codecs=opus", f"Bearer {room['stream_key']}")}
    stream = b"".join(received[seq] for seq in sorted(received))
    assert stream[:4] == b"\x1a\x45\xdf\xa3"  # the first chunk carries the WebM (EBML) header
    webm = tmp_path / "mic.webm"
    webm.write_bytes(stream)
    pcm = decode_pcm(webm)
    assert len(pcm) > 48000 * 2 * 4  # more than 4 s of audio
    assert abs(dominant_frequency(pcm[48000 * 2:]) - TONE_HZ) < 5
    assert not [p for p in problems if "Content Security Policy" in p], problems
