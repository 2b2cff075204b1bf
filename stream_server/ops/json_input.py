"""JSON from clients, read so that no body can raise anything but a clean "not acceptable".

Python's parser recurses once per nesting level (2 KB of ``[`` is a ``RecursionError``) and
turns ``"\\ud800"`` into a lone surrogate that no UTF-8 database or encoder takes. Every body
the app reads goes through ``loads_client_json``: at most ``MAX_DEPTH`` levels, every string
(keys too) valid Unicode, or a ``ValueError`` that Flask answers with 400.
"""

from __future__ import annotations

import json
from typing import Any

from flask.json.provider import DefaultJSONProvider

#: deepest nesting accepted; Alexa envelopes go 6 deep, the room API 2
MAX_DEPTH = 32


def loads_client_json(data: str | bytes) -> Any:
    """Parse a client's JSON; ``ValueError`` when it is malformed, too deep or not valid Unicode."""
    try:
        value = json.loads(data)
    except RecursionError as exc:
        raise ValueError("JSON nested too deeply") from exc
    check_client_value(value)
    return value


def check_client_value(value: Any) -> None:
    """Raise ``ValueError`` when ``value`` nests past ``MAX_DEPTH`` or holds a lone surrogate."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            _check_text(item)
        elif isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                raise ValueError(f"JSON nested deeper than {MAX_DEPTH} levels")
            if isinstance(item, dict):
                for key, inner in item.items():
                    _check_text(key)
                    pending.append((inner, depth + 1))
            else:
                pending.extend((inner, depth + 1) for inner in item)


def _check_text(text: str) -> None:
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError("JSON string is not valid Unicode (a lone surrogate)") from exc


class ClientJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider with ``loads_client_json`` for request bodies."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse as ``loads_client_json`` does (Flask answers its ``ValueError`` with 400)."""
        return loads_client_json(s)
