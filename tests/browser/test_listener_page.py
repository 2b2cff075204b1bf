"""The listener page in headless Chromium: rooms listed by section, escaped, and playing."""

from __future__ import annotations

import time
from typing import Any

import pytest

from room_directory import RoomStatus
from tests.browser.conftest import screenshot, wait_in_page
from tests.browser.rooms import create_room, edit_room, listed
from tests.support import performing, wait_for

pytestmark = pytest.mark.e2e

HOSTILE_TITLE = '<img src=x onerror="document.title=1"> Late Jazz & Blues'


def test_listener_page_lists_rooms_by_section_and_plays_a_live_room(make_server: Any, open_page: Any) -> None:
    server = make_server("--no-demo")
    live = create_room(server, title=HOSTILE_TITLE, host="Mia <Rivers>", genre="jazz")
    ended = create_room(server, title="Morning Talk", host="Sam Okafor", genre="talk")
    later = create_room(server, title="Indie Rock Set", host="The Lanterns", genre="rock")
    edit_room(server, later["id"], scheduled_start=time.time() + 3 * 3600)

    with performing(server.url, ended["stream_key"], ended["id"], seconds=20, freq=330):
        wait_for(lambda: listed(server, ended["id"]) >= 2, 30, what="the talk room on air")
    status, _ = server.request("POST", f"/api/rooms/{ended['id']}/end", admin=True)
    assert status == 200

    with performing(server.url, live["stream_key"], live["id"], seconds=60, freq=440):
        wait_for(lambda: listed(server, live["id"]) >= 3, 30, what="three segments of the live room")
        page, problems = open_page()
        page.goto(server.url + "/")

        live_card = page.locator("#live-rooms li.card", has_text="Late Jazz")
        assert live_card.locator("h3").inner_text().endswith(HOSTILE_TITLE)
        assert live_card.locator("img").count() == 0  # the title stayed text
        assert "with Mia <Rivers>" in live_card.inner_text()
        assert page.locator("#upcoming-rooms").inner_text().count("Indie Rock Set") == 1
        assert page.locator("#replays").inner_text().count("Morning Talk") == 1
        assert page.locator("#live-rooms").inner_text().count("Morning Talk") == 0

        # keyboard only: Tab to the live room's Listen button, press Enter
        for _ in range(30):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.dataset.room") == live["id"]:
                break
        else:
            raise AssertionError("the Listen button cannot be reached with Tab")
        page.keyboard.press("Enter")

        wait_in_page(page, "document.getElementById('audio').currentTime > 2", 30, "playback to start")
        first = page.evaluate("document.getElementById('audio').currentTime")
        wait_in_page(page, f"document.getElementById('audio').currentTime > {first + 1}", 15,
                     "the player's time to advance")
        assert page.locator("#now-playing").inner_text() == f"Live: {HOSTILE_TITLE} with Mia <Rivers>"
        assert page.locator("#now-playing").get_attribute("aria-live") == "polite"
        # this page is a listener: its count arrives while it plays (polled from /api/rooms/<id>)
        wait_in_page(page, "/^[1-9]\\d* listening$/.test(document.getElementById('player-listeners')"
                           ".textContent)", 20, "the listener count")
        card_count = page.locator(f"#live-rooms .listeners[data-room='{live['id']}']").inner_text()
        assert card_count == page.locator("#player-listeners").inner_text()
        assert page.title() != "1"

        # now-playing follows the room while you listen (polled from /api/rooms/<id>)
        status, _ = server.request("PATCH", f"/api/rooms/{live['id']}", {"title": "Jazz After Midnight"},
                                   admin=True)
        assert status == 200
        wait_in_page(page, "document.getElementById('now-playing').textContent"
                           ".includes('Jazz After Midnight')", 15, "now-playing to follow the new title")
        page.reload()
        page.locator("#live-rooms button.listen").click()
        wait_in_page(page, "document.getElementById('audio').currentTime > 1", 30, "playback after reload")
        screenshot(page, "listener.png")

    # the ended show plays as a replay (VOD), from its start
    page.get_by_role("button", name="Play replay").click()
    wait_in_page(page, "document.getElementById('audio').currentTime > 1", 30, "the replay to play")
    assert page.locator("#now-playing").inner_text() == "Replay: Morning Talk with Sam Okafor"

    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
    assert server.request("GET", f"/api/rooms/{live['id']}")[1]["status"] == RoomStatus.LIVE.value


def test_listener_page_fits_a_phone_screen(make_server: Any, open_page: Any) -> None:
    server = make_server("--no-demo")
    room = create_room(server, title="A very long room title " * 4, host="Host", genre="talk")
    edit_room(server, room["id"], status=RoomStatus.LIVE)
    page, problems = open_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page.goto(server.url + "/")
    assert page.locator("#live-rooms li.card").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    button = page.locator("#live-rooms button.listen")
    box = button.bounding_box()
    assert box is not None and box["height"] >= 44 and box["x"] + box["width"] <= 360
    assert button.get_attribute("aria-describedby")
    labels = page.evaluate("Array.from(document.querySelectorAll('button')).map(b => b.innerText.trim())")
    assert all(labels), "every button has a visible name"
    assert not problems, problems
