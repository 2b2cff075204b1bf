"""Client JSON: bounded nesting and valid Unicode, or a ValueError."""

from __future__ import annotations

import pytest

from stream_server.ops.json_input import MAX_DEPTH, loads_client_json


@pytest.mark.parametrize("text", [
    "[" * 5000 + "]" * 5000,
    "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),
    '{"a": "\\ud800"}',
    '{"\\udc00": 1}',
    '["ok", ["\\ud83d"]]',
    "{not json",
], ids=["recursion", "just-too-deep", "lone-high", "lone-low-key", "half-pair-deep", "malformed"])
def test_refused(text: str) -> None:
    with pytest.raises(ValueError):
        loads_client_json(text)


def nested(depth: int) -> list[object]:
    value: list[object] = []
    for _ in range(depth - 1):
        value = [value]
    return value


@pytest.mark.parametrize(("text", "value"), [
    ("[" * MAX_DEPTH + "]" * MAX_DEPTH, nested(MAX_DEPTH)),
    ('{"t": "\\ud83c\\udfb7 jazz"}', {"t": "\U0001f3b7 jazz"}),
    ('"plain"', "plain"),
], ids=["at-the-limit", "surrogate-pair", "scalar"])
def test_accepted(text: str, value: object) -> None:
    assert loads_client_json(text) == value
