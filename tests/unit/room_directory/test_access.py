"""Listener tokens and signed private-room paths."""

from __future__ import annotations

from urllib.parse import urlsplit

from room_directory.access import (
    listen_url,
    listener_token_valid,
    new_listener_token,
    room_path_prefix,
    room_signature,
    signature_valid,
)

SECRET = "s3cret-for-tests"


def test_listener_tokens_are_fresh_and_only_valid_with_their_secret() -> None:
    tokens = {new_listener_token(SECRET) for _ in range(50)}
    assert len(tokens) == 50
    token = tokens.pop()
    assert listener_token_valid(token, SECRET)
    assert not listener_token_valid(token, "other")
    random_part, _, tag = token.partition(".")
    assert not listener_token_valid(f"{random_part}x.{tag}", SECRET)
    assert not listener_token_valid("no-dot", SECRET)
    assert not listener_token_valid("a" * 70 + "." + tag, SECRET)


def test_signatures_bind_room_and_expiry_and_expire() -> None:
    sig = room_signature("r1", 1000, SECRET)
    assert signature_valid("r1", 1000, sig, SECRET, now=999.0)
    assert not signature_valid("r1", 1000, sig, SECRET, now=1000.5)
    assert not signature_valid("r2", 1000, sig, SECRET, now=999.0)
    assert not signature_valid("r1", 1001, sig, SECRET, now=999.0)
    assert not signature_valid("r1", 1000, sig, "wrong", now=999.0)
    assert "=" not in sig and "/" not in sig and "+" not in sig


def test_public_rooms_get_plain_paths_and_private_rooms_signed_ones() -> None:
    assert room_path_prefix("r1", private=False, secret=SECRET, now=0, ttl=60) == "/hls/r1"
    prefix = room_path_prefix("r1", private=True, secret=SECRET, now=100.0, ttl=60)
    _, _, room, s, expires, sig = prefix.split("/")
    assert (room, s, expires) == ("r1", "s", "160")
    assert signature_valid("r1", int(expires), sig, SECRET, now=150.0)


def test_listen_url_carries_a_valid_listener_token_in_its_path() -> None:
    url = listen_url("https://x.example", "r1", private=False, secret=SECRET, now=0)
    parts = urlsplit(url)
    _, _, room, t, token, name = parts.path.split("/")
    assert (room, t, name, parts.query) == ("r1", "t", "live.m3u8", "")
    assert listener_token_valid(token, SECRET)
    signed = urlsplit(listen_url("https://x.example", "r1", private=True, secret=SECRET, now=100.0, ttl=60,
                                 playlist="show-1.m3u8")).path
    _, _, room, s, expires, sig, t, token, name = signed.split("/")
    assert (room, s, t, name) == ("r1", "s", "t", "show-1.m3u8")
    assert signature_valid("r1", int(expires), sig, SECRET, now=150.0)
    assert listener_token_valid(token, SECRET)
