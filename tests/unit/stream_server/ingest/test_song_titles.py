"""Song titles as tools send them become clean (title, artist) pairs."""

from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest

from stream_server.ingest.song_titles import (
    MAX_TEXT,
    SongTitle,
    from_vorbis_comments,
    query_fields,
    song_title,
)


@pytest.mark.parametrize(("fields", "expected"), [
    ({"song": "Miles Davis - Blue in Green"}, SongTitle("Blue in Green", "Miles Davis")),
    ({"title": "Blue in Green", "artist": "Miles Davis"}, SongTitle("Blue in Green", "Miles Davis")),
    ({"song": "Blue in Green"}, SongTitle("Blue in Green")),
    ({"song": "A - B - C"}, SongTitle("B - C", "A")),
    ({"song": " - leading dash"}, SongTitle("- leading dash")),
    ({"song": "x", "title": "Title wins"}, SongTitle("Title wins")),
    ({"song": "Tab\there\r\nand line"}, SongTitle("Tab here and line")),
    ({"song": ""}, None),
    ({"song": "\u200b\n"}, None),
    ({}, None),
], ids=["song-split", "title-artist", "song-only", "first-separator", "no-artist-before-dash",
        "title-over-song", "control-chars", "empty", "invisible-only", "nothing"])
def test_song_title(fields: dict[str, str], expected: SongTitle | None) -> None:
    assert song_title(**fields) == expected


def test_long_titles_are_cut() -> None:
    song = song_title(title="x" * 1000)
    assert song is not None and len(song.title) == MAX_TEXT


@pytest.mark.parametrize(("query", "song"), [
    (b"mode=updinfo&song=" + quote("Björk - Jóga", encoding="utf-8").encode(), "Björk - Jóga"),
    (b"mode=updinfo&charset=ISO-8859-1&song=" + quote("Björk - Jóga", encoding="latin-1").encode(),
     "Björk - Jóga"),
    (b"mode=updinfo&song=" + quote("Björk - Jóga", encoding="latin-1").encode(), "Björk - Jóga"),
    (b"mode=updinfo&charset=UTF-8&song=" + quote("東京 - 夜", encoding="utf-8").encode(), "東京 - 夜"),
    (b"mode=updinfo&charset=no-such-charset&song=plain", "plain"),
    (urlencode({"mode": "updinfo", "song": "a+b & c"}).encode(), "a+b & c"),
], ids=["utf8-default", "latin1-named", "latin1-guessed", "utf8-named", "unknown-charset", "escaped"])
def test_query_fields_decode_in_the_named_charset(query: bytes, song: str) -> None:
    fields = query_fields(query)
    assert fields["mode"] == "updinfo" and fields["song"] == song


def test_vorbis_comments_name_the_song() -> None:
    assert from_vorbis_comments({"TITLE": "So What", "ARTIST": "Miles Davis"}) == SongTitle(
        "So What", "Miles Davis")
    assert from_vorbis_comments({"ENCODER": "x"}) is None


@pytest.mark.parametrize("charset", ["utf-8%00", "%00", "rot13", "hex", "idna", "no-such-charset"],
                         ids=["nul-after", "nul", "text-transform", "bytes-transform", "strict", "unknown"])
def test_any_charset_a_client_names_decodes_to_text(charset: str) -> None:
    fields = query_fields(b"mode=updinfo&song=%C3%A9t%C3%A9%FF&charset=" + charset.encode())
    assert fields["mode"] == "updinfo" and isinstance(fields["song"], str) and fields["song"]
