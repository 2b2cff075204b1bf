"""Stream tokens: fresh per play, and the room is recoverable."""

from __future__ import annotations

import pytest

from skill.core.tokens import new_stream_token, room_id_from_token


def test_a_token_names_its_room_and_is_new_every_time() -> None:
    first, second = new_stream_token("jazz-night"), new_stream_token("jazz-night")
    assert first != second
    assert room_id_from_token(first) == room_id_from_token(second) == "jazz-night"


@pytest.mark.parametrize(
    "token", [None, "", "no-colon", ":abc", "Not A Room:abc", "../etc:abc"],
    ids=["none", "empty", "no-colon", "empty-room", "invalid-room-id", "path-like"],
)
def test_foreign_tokens_name_no_room(token: str | None) -> None:
    assert room_id_from_token(token) is None
