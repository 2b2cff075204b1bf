"""Transcripts through the shows API: listed beside each replay, and found by the words said."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from room_directory import Show
from stream_server.ops.app import create_app
from stream_server.ops.config import Settings

TOKEN = "admin-secret"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
GARDEN = "[00:03] tonight we talk about gardens and rivers\n[00:09] the weather will be cold\n"
NEWS = "[00:01] the city council will meet\n[00:40] rain and cold weather tomorrow\n"


@pytest.fixture
def app(tmp_path: Path) -> Any:
    return create_app(Settings(data_dir=tmp_path, admin_token=TOKEN, public_url="https://ls.example"),
                      run_encoders=False)


@pytest.fixture
def client(app: Any) -> FlaskClient:
    return app.test_client()


def room_with_show(client: FlaskClient, app: Any, title: str, transcript: str, *, private: bool = False,
                   started: float = 1_900_000_000.0) -> tuple[str, str]:
    room = client.post("/api/rooms", json={"title": title, "private": private}, headers=ADMIN).get_json()
    show_id = f"show-{room['id']}"
    app.extensions["livestage"].directory.save_show(Show(
        room_id=room["id"], show_id=show_id, started_at=started, ended_at=started + 600,
        title=title, transcript=transcript))
    return room["id"], show_id


def search(client: FlaskClient, q: str, headers: dict[str, str] | None = None) -> list[dict[str, Any]]:
    resp = client.get("/api/shows/search", query_string={"q": q}, headers=headers or {})
    assert resp.status_code == 200, resp.get_json()
    return list(resp.get_json()["shows"])


def test_a_replay_offers_its_transcript_beside_its_playlist(client: FlaskClient, app: Any) -> None:
    room_id, show_id = room_with_show(client, app, "Garden Talk", GARDEN)
    quiet_id, _ = room_with_show(client, app, "Music Only", "")
    (show,) = client.get(f"/api/rooms/{room_id}/shows").get_json()["shows"]
    assert show["captioned"] is True
    assert show["transcript_url"] == f"https://ls.example/hls/{room_id}/{show_id}-transcript.vtt"
    assert show["transcript_text_url"] == f"https://ls.example/hls/{room_id}/{show_id}-transcript.txt"
    (quiet,) = client.get(f"/api/rooms/{quiet_id}/shows").get_json()["shows"]
    assert quiet["captioned"] is False and quiet["transcript_url"] is None


@pytest.mark.parametrize(("query", "titles"), [
    ("gardens", ["Garden Talk"]),
    ("Cold WEATHER", ["Morning News", "Garden Talk"]),
    ("weather, tomorrow!", ["Morning News"]),
    ("garden", []),  # whole words, not parts of them
    ("gardens council", []),  # every word, in one show
], ids=["one-word", "any-case-newest-first", "punctuation", "whole-words", "all-words"])
def test_shows_are_found_by_the_words_said(client: FlaskClient, app: Any, query: str,
                                          titles: list[str]) -> None:
    room_with_show(client, app, "Garden Talk", GARDEN, started=1_900_000_000.0)
    room_with_show(client, app, "Morning News", NEWS, started=1_900_086_400.0)
    found = search(client, query)
    assert [s["title"] for s in found] == titles
    words = set(re.findall(r"\w+", query.casefold()))
    for show in found:
        assert show["matches"] and all(words & set(line.split()) for line in show["matches"])


def test_the_lines_that_matched_come_with_each_show(client: FlaskClient, app: Any) -> None:
    room_with_show(client, app, "Garden Talk", GARDEN)
    (show,) = search(client, "rivers")
    assert show["matches"] == ["[00:03] tonight we talk about gardens and rivers"]


def test_private_shows_are_found_only_by_an_admin_on_signed_urls(client: FlaskClient, app: Any) -> None:
    room_id, _ = room_with_show(client, app, "Secret Garden", GARDEN, private=True)
    assert search(client, "gardens") == []
    (show,) = search(client, "gardens", ADMIN)
    assert show["transcript_url"].startswith(f"https://ls.example/hls/{room_id}/s/")


@pytest.mark.parametrize("query", ["", "  ", "!!!", "x" * 201],
                         ids=["empty", "spaces", "no-word", "too-long"])
def test_a_search_without_words_is_refused(client: FlaskClient, query: str) -> None:
    resp = client.get("/api/shows/search", query_string={"q": query})
    assert resp.status_code == 400 and resp.get_json()["error"]
