"""Song titles on the pages: the listener page names the song at its playhead, the console the
song on air, both as titles change (sent the way performers' tools send them)."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.browser.conftest import wait_in_page
from tests.browser.rooms import create_room, listed
from tests.browser.test_console import sign_in
from tests.support import LiveServer, performing, wait_for

pytestmark = pytest.mark.e2e


def announce(server: LiveServer, room: dict[str, Any], song: str) -> None:
    """A tool's title update, with its Basic credentials (the challenge step is tested elsewhere)."""
    auth = base64.b64encode(f"source:{room['stream_key']}".encode()).decode()
    query = urlencode({"mode": "updinfo", "mount": f"/ingest/{room['id']}", "song": song})
    status, _ = server.request("GET", f"/admin/metadata?{query}", headers={"Authorization": f"Basic {auth}"})
    assert status == 200


def song_text(page: Any) -> str:
    return str(page.evaluate("document.getElementById('now-song').textContent"))


def test_the_pages_name_the_song_as_it_changes(make_server: Any, open_page: Any) -> None:
    server = make_server("--no-demo")
    room = create_room(server, title="Jazz Standards", host="Mia", genre="jazz")
    with performing(server.url, room["stream_key"], room["id"], seconds=90, freq=440):
        wait_for(lambda: listed(server, room["id"]) >= 1, 30, what="the room on air")
        announce(server, room, "Miles Davis - Blue in Green")
        wait_for(lambda: listed(server, room["id"]) >= 3, 30, what="three segments")
        page, problems = open_page()
        page.goto(server.url + "/")
        page.locator("#live-rooms button.listen").click()
        wait_in_page(page, "document.getElementById('audio').currentTime > 1", 30, "playback")
        wait_in_page(page, "document.getElementById('now-song').dataset.source === 'playlist'", 20,
                     "the song read from the playlist's date ranges")
        assert song_text(page) == "Now playing: Blue in Green by Miles Davis"
        assert page.locator("#now-song").get_attribute("aria-live") == "polite"

        announce(server, room, "Bill Evans - Peace Piece")
        wait_in_page(page, "document.getElementById('now-song').textContent"
                           ".includes('Peace Piece')", 40, "the next song at the playhead")
        assert song_text(page) == "Now playing: Peace Piece by Bill Evans"

        console, console_problems = open_page()
        sign_in(console, server, room["stream_key"], room["id"])
        wait_in_page(console, "document.getElementById('room-song').textContent"
                              ".includes('Peace Piece by Bill Evans')", 15, "the console's song")
    assert not problems and not console_problems, (problems, console_problems)
