"""Hands in headless Chromium: a listener asks to speak, the console brings them on stage and off.

Two pages on one real server with a real performer (ffmpeg on the Icecast ingest): the
listener page raises a hand, the console (signed in with the host key) accepts it, the
listener page collects the guest key and hands it to the stage module; removal and a call-in
code follow the same path. The stage module is a stand-in installed before the page's scripts
run, because the real-time engine is not part of this server's tree.
"""

from __future__ import annotations

from typing import Any

import pytest

from room_directory import SqliteRoomDirectory
from room_directory.hands import raise_hand
from tests.browser.conftest import screenshot, wait_in_page
from tests.browser.rooms import create_room
from tests.browser.test_console import sign_in
from tests.support import LiveServer, performing, wait_for

pytestmark = pytest.mark.e2e

#: a stand-in for static/stage.js: records what the page hands it
FAKE_STAGE = """
window.LiveStageStage = {
  joined: [], left: 0,
  join(options) { this.joined.push(options); return Promise.resolve(); },
  leave() { this.left += 1; },
};
"""


def says(text: str) -> str:
    """A page expression: the hand's state line includes ``text``."""
    return f"document.getElementById('hand-state').textContent.includes({text!r})"


def role_of(server: LiveServer, room_id: str, key: str) -> str | int:
    status, body = server.request("GET", f"/api/console/session?room={room_id}",
                                  headers={"Authorization": f"Bearer {key}"})
    return str(body["role"]) if status == 200 else status


def test_a_hand_raised_on_the_listener_page_is_accepted_and_removed_on_the_console(
        make_server: Any, open_page: Any) -> None:
    server = make_server("--no-demo")
    room = create_room(server, title="Open Mic Night", host="Mia")
    with performing(server.url, room["stream_key"], room["id"], seconds=120, freq=440):
        wait_for(lambda: server.request("GET", f"/api/rooms/{room['id']}")[1].get("live"), 30,
                 what="the room on air")
        listener, listener_problems = open_page()
        listener.add_init_script(FAKE_STAGE)
        listener.goto(server.url + "/")
        listener.get_by_role("button", name="Ask to speak in Open Mic Night").click()
        listener.get_by_label("Your name").fill("Ada <b>Lovelace</b>")
        listener.get_by_label("What you would like to say").fill("A question about the bridge")
        listener.get_by_role("button", name="Raise my hand").click()
        wait_in_page(listener, says("#1 in the queue"), 15, "the hand to be queued")
        assert listener.locator("#hand-form").is_hidden()

        console, console_problems = open_page()
        sign_in(console, server, room["stream_key"], room["id"])
        hand_row = console.locator("#hands li", has_text="Ada <b>Lovelace</b>")
        hand_row.wait_for()
        assert "A question about the bridge" in hand_row.inner_text()
        assert console.locator("#hands b").count() == 0  # the name stayed text
        console.get_by_role("button", name="Accept Ada <b>Lovelace</b>").click()

        wait_in_page(listener, "window.LiveStageStage.joined.length === 1", 15, "the page to join the stage")
        joined = listener.evaluate("window.LiveStageStage.joined[0]")
        assert joined["room"] == room["id"] and joined["name"] == "Ada <b>Lovelace</b>"
        assert role_of(server, room["id"], joined["key"]) == "guest"
        wait_in_page(listener, says("on stage"), 10,
                     "the page to say it is on stage")

        guest_row = console.locator("#cohosts li", has_text="Ada <b>Lovelace</b>")
        guest_row.wait_for(timeout=15000)
        assert "guest" in guest_row.inner_text()
        assert guest_row.locator("meter").count() == 1
        console.locator("#audience-live svg.chart").wait_for()
        screenshot(listener, "hands-listener.png")
        screenshot(console, "hands-console.png")

        console.get_by_role("button", name="Remove Ada <b>Lovelace</b> from the stage").click()
        wait_in_page(listener, says("took you off"), 15, "the page to learn of its removal")
        assert listener.evaluate("window.LiveStageStage.left") == 1
        assert role_of(server, room["id"], joined["key"]) == 401
        guest_row.wait_for(state="detached", timeout=15000)

        # a hand raised by voice, taken over on the page with its call-in code
        directory = SqliteRoomDirectory(server.data_dir / "rooms.db")
        live_room = directory.get(room["id"])
        assert live_room is not None
        _, code = raise_hand(directory, live_room, "Kitchen speaker", via="voice")
        listener.get_by_label("Have a call-in code?").fill(" ".join(code))
        listener.get_by_role("button", name="Use the code").click()
        wait_in_page(listener, says("#1 in the queue"), 15, "the voice hand to be taken over")
        console.get_by_role("button", name="Decline Kitchen speaker").click()
        wait_in_page(listener, says("declined"), 15, "the page to learn the hand was declined")
        assert listener.locator("#hand-form").is_visible()

    console.once("dialog", lambda dialog: dialog.accept())
    console.get_by_role("button", name="End the show").click()  # the replay gets its own chart
    console.locator("#audience-replays svg.chart").wait_for(timeout=15000)
    assert "peak" in (console.locator("#audience-replays svg.chart").first.get_attribute("aria-label") or "")
    screenshot(console, "hands-console-replay.png")
    for problems in (listener_problems, console_problems):
        assert not [p for p in problems if "Content Security Policy" in p], problems


def test_an_accepted_listener_joins_the_real_stage_and_leaves_it_when_removed(
        make_server: Any, open_page: Any) -> None:
    server = make_server("--no-demo")
    room = create_room(server, title="Talk Back")
    with performing(server.url, room["stream_key"], room["id"], seconds=60, freq=330):
        wait_for(lambda: server.request("GET", f"/api/rooms/{room['id']}")[1].get("live"), 30,
                 what="the room on air")
        page, problems = open_page()
        page.goto(server.url + "/")
        page.get_by_label("Your name").fill("Ben")
        page.get_by_role("button", name="Raise my hand").click()
        wait_in_page(page, says("in the queue"), 15, "the hand to be queued")
        hands = server.request("GET", f"/api/rooms/{room['id']}/hands", admin=True)[1]["hands"]
        hand_id = hands[0]["hand_id"]
        status, _ = server.request("POST", f"/api/rooms/{room['id']}/hands/{hand_id}/accept", admin=True)
        assert status == 200
        wait_in_page(page, says("on stage"), 20, "the page on the stage (static/stage.js, WHIP)")

        def members() -> list[tuple[str, str]]:
            _, stage = server.request("GET", f"/api/rooms/{room['id']}/stage", admin=True)
            return [(m["role"], m["name"]) for m in stage["members"]]

        wait_for(lambda: members() == [("guest", "Ben")], 10, what="the guest on the server's stage")
        status, body = server.request("POST", f"/api/rooms/{room['id']}/hands/{hand_id}/remove", admin=True)
        assert status == 200 and body["disconnected"] is True
        wait_in_page(page, says("took you off"), 15, "the page to learn of its removal")
        assert members() == []
    # leaving, the page may still DELETE its session with the key the removal revoked: that 401
    # is the only complaint allowed
    assert not [p for p in problems if "401" not in p], problems
