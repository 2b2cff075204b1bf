"""The HLS request rules every serving path shares."""

from __future__ import annotations

import pytest

from room_directory.access import new_listener_token, room_signature
from stream_server.hls_rules import (
    HlsTarget,
    access_status,
    cache_control,
    content_type,
    listener_token,
    parse_hls_path,
)

SECRET = "unit-secret"
SIG = room_signature("jazz", 2000, SECRET)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/hls/jazz/live.m3u8", HlsTarget("jazz", "live.m3u8")),
        ("/hls/jazz/show-1-128k-00000007.ts", HlsTarget("jazz", "show-1-128k-00000007.ts")),
        (f"/hls/jazz/s/2000/{SIG}/live-64k.m3u8", HlsTarget("jazz", "live-64k.m3u8", 2000, SIG)),
        ("/hls/jazz/.private", None),
        ("/hls/jazz/segments.jsonl", None),
        ("/hls/jazz/a..m3u8", None),
        ("/hls/Jazz/live.m3u8", None),
        ("/hls/jazz/s/2000/short/live.m3u8", None),
        ("/hls/jazz/s/soon/" + SIG + "/live.m3u8", None),
        ("/hls/jazz/x/2000/" + SIG + "/live.m3u8", None),
        ("/hls/jazz/../live.m3u8", None),
        ("/hls/jazz", None),
        ("/api/rooms", None),
    ],
    ids=["playlist", "segment", "signed", "marker", "not-hls", "dots", "upper-room", "short-sig",
         "bad-expiry", "not-s", "dotdot", "no-file", "other"],
)
def test_parse_hls_path(path: str, expected: HlsTarget | None) -> None:
    assert parse_hls_path(path) == expected


@pytest.mark.parametrize(
    ("target", "private", "now", "status"),
    [
        (HlsTarget("jazz", "live.m3u8"), False, 1000, None),
        (HlsTarget("jazz", "live.m3u8"), True, 1000, 403),
        (HlsTarget("jazz", "live.m3u8", 2000, SIG), True, 1000, None),
        (HlsTarget("jazz", "live.m3u8", 2000, SIG), True, 2000, None),
        (HlsTarget("jazz", "live.m3u8", 2000, SIG), True, 2001, 403),
        (HlsTarget("jazz", "live.m3u8", 2000, SIG), False, 2001, 403),
        (HlsTarget("rock", "live.m3u8", 2000, SIG), True, 1000, 403),
        (HlsTarget("jazz", "live.m3u8", 2001, SIG), True, 1000, 403),
    ],
    ids=["public", "private-unsigned", "signed", "signed-last-second", "expired",
         "expired-public-room", "other-room", "other-expiry"],
)
def test_access_status(target: HlsTarget, private: bool, now: float, status: int | None) -> None:
    assert access_status(target, private=private, secret=SECRET, now=now) == status


def test_no_secret_opens_no_signed_path() -> None:
    assert access_status(HlsTarget("jazz", "live.m3u8", 2000, SIG), private=True, secret="", now=0) == 403


def test_headers_by_kind() -> None:
    playlist, segment = HlsTarget("jazz", "live.m3u8"), HlsTarget("jazz", "a.ts")
    assert content_type(playlist) == "application/vnd.apple.mpegurl"
    assert content_type(segment) == "video/mp2t"
    assert cache_control(playlist, 4) == "public, max-age=2"
    assert cache_control(segment, 4) == "public, max-age=31536000, immutable"


def test_listener_token_from_query() -> None:
    token = new_listener_token(SECRET)
    assert listener_token(f"lt={token}", SECRET) == token
    assert listener_token(f"x=1&lt={token}", SECRET) == token
    assert listener_token(f"lt={token}", "other-secret") is None
    assert listener_token("lt=made.up", SECRET) is None
    assert listener_token("", SECRET) is None
    assert listener_token(f"lt={token}", "") is None
    assert listener_token("&".join(f"f{i}=1" for i in range(30)) + f"&lt={token}", SECRET) is None
