"""ice-* headers fill only what a room lacks, as clean text, and never touch privacy."""

from __future__ import annotations

import pytest

from stream_server.ingest.ice_metadata import metadata_updates

EMPTY = {"title": "", "description": "", "genre": ""}


@pytest.mark.parametrize(("current", "headers", "expected"), [
    (EMPTY, {"Ice-Name": "Night Set", "Ice-Genre": "jazz", "Ice-Description": "Live"},
     {"title": "Night Set", "genre": "jazz", "description": "Live"}),
    ({**EMPTY, "title": "Mine", "genre": "rock"}, {"ice-name": "Tool", "ice-genre": "pop"}, {}),
    (EMPTY, {"ice-genre": "  "}, {}),
    (EMPTY, {"ice-genre": "bad\x07bell"}, {}),
    (EMPTY, {"ice-genre": "x" * 100}, {"genre": "x" * 40}),
    (EMPTY, {"ice-genre": "Électro".encode().decode("latin-1")}, {"genre": "Électro"}),
    (EMPTY, {"ice-public": "1", "ice-private": "1", "ice-url": "http://x"}, {}),
], ids=["fills-empty", "keeps-host-fields", "blank", "control-chars", "truncated", "utf8-header",
        "privacy-ignored"])
def test_metadata_updates(current: dict[str, str], headers: dict[str, str],
                          expected: dict[str, str]) -> None:
    assert metadata_updates(current, headers) == expected
