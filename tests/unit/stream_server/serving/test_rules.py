"""The HLS request rules every serving path shares."""

from __future__ import annotations

import pytest

from room_directory.access import new_listener_token, room_signature
from stream_server.serving.rules import (
    HlsTarget,
    add_token_to_variants,
    cache_control,
    content_type,
    listener_token,
    parse_hls_path,
    resolve,
)

SECRET = "unit-secret"
SIG = room_signature("jazz", 2000, SECRET)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/hls/jazz/live.m3u8", HlsTarget("jazz", "live.m3u8")),
        ("/hls/jazz/show-1-128k-00000007.ts", HlsTarget("jazz", "show-1-128k-00000007.ts")),
        (f"/hls/jazz/s/2000/{SIG}/live-64k.m3u8", HlsTarget("jazz", "live-64k.m3u8", signed=True)),
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


ROOMS = {"jazz": True, "rock": False}  # room -> private


@pytest.mark.parametrize(
    ("path", "now", "expected"),
    [
        ("/hls/rock/live.m3u8", 1000, HlsTarget("rock", "live.m3u8")),
        ("/hls/jazz/live.m3u8", 1000, 403),
        (f"/hls/jazz/s/2000/{SIG}/live.m3u8", 1000, HlsTarget("jazz", "live.m3u8", signed=True)),
        (f"/hls/jazz/s/2000/{SIG}/live.m3u8", 2000, HlsTarget("jazz", "live.m3u8", signed=True)),
        (f"/hls/jazz/s/2000/{SIG}/live.m3u8", 2001, 403),
        (f"/hls/rock/s/2000/{SIG}/live.m3u8", 1000, 403),
        (f"/hls/jazz/s/2001/{SIG}/live.m3u8", 1000, 403),
        ("/hls/jazz/s/2000/short/live.m3u8", 1000, 403),
        (f"/hls/jazz/s/2000/{SIG}/secret.txt", 1000, 404),
        ("/hls/jazz/secret.txt", 1000, 403),
        ("/hls/rock/secret.txt", 1000, 404),
        ("/hls/nobody/live.m3u8", 1000, 404),
        (f"/hls/nobody/s/2000/{SIG}/live.m3u8", 1000, 404),
        ("/hls/Jazz/live.m3u8", 1000, 404),
        ("/hls/rock/a/live.m3u8", 1000, 404),
    ],
    ids=["public", "private-unsigned", "signed", "signed-last-second", "expired", "other-room",
         "other-expiry", "malformed-signature", "signed-bad-name", "private-bad-name", "public-bad-name",
         "unknown-room", "unknown-room-signed", "bad-room-id", "other-shape"],
)
def test_resolve_follows_the_flask_routes_order(path: str, now: float, expected: HlsTarget | int) -> None:
    assert resolve(path, room_private=ROOMS.get, secret=SECRET, now=now) == expected


def test_no_secret_opens_no_signed_path() -> None:
    assert resolve(f"/hls/jazz/s/2000/{SIG}/live.m3u8", room_private=ROOMS.get, secret="", now=0) == 403


def test_token_added_to_variant_uris_only() -> None:
    master = ("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=140000\nlive-128k.m3u8\n"
              "#EXT-X-STREAM-INF:BANDWIDTH=70000\nlive-64k.m3u8\n")
    assert add_token_to_variants(master, "t.k").splitlines() == [
        "#EXTM3U", "#EXT-X-STREAM-INF:BANDWIDTH=140000", "live-128k.m3u8?lt=t.k",
        "#EXT-X-STREAM-INF:BANDWIDTH=70000", "live-64k.m3u8?lt=t.k"]


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
