"""The pages' Content-Security-Policy."""

from __future__ import annotations

import pytest

from stream_server.web.security import content_security_policy, origin_of


@pytest.mark.parametrize(("url", "origin"), [
    ("https://cdn.example.com/base", "https://cdn.example.com"),
    ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
    ("not a url", ""),
], ids=["cdn", "local", "junk"])
def test_origin_of(url: str, origin: str) -> None:
    assert origin_of(url) == origin


def test_policy_allows_only_our_scripts_and_the_stream_origin() -> None:
    policy = dict(d.split(" ", 1) for d in content_security_policy("https://cdn.example.com").split("; "))
    assert policy["script-src"] == "'self'" and "unsafe" not in policy["style-src"]
    assert policy["connect-src"] == "'self' https://cdn.example.com"
    assert policy["media-src"] == "'self' blob: data: https://cdn.example.com"
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
