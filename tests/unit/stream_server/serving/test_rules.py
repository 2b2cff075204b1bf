"""The HLS request rules every serving path shares."""

from __future__ import annotations

from typing import Any

import pytest

from room_directory.access import new_listener_token, room_signature
from stream_server.serving.rules import (
    HlsTarget,
    add_token_to_variants,
    cache_control,
    content_type,
    listener_token,
    parse_hls_path,
    request_token,
    resolve,
)
from tests.support import private_paths

SECRET = "unit-secret"
SIG = room_signature("jazz", 2000, SECRET)
TOKEN = new_listener_token(SECRET)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/hls/jazz/live.m3u8", HlsTarget("jazz", "live.m3u8")),
        ("/hls/jazz/show-1-128k-00000007.ts", HlsTarget("jazz", "show-1-128k-00000007.ts")),
        (f"/hls/jazz/s/2000/{SIG}/live-64k.m3u8", HlsTarget("jazz", "live-64k.m3u8", signed=True)),
        (f"/hls/jazz/t/{TOKEN}/live.m3u8", HlsTarget("jazz", "live.m3u8", token=TOKEN)),
        (f"/hls/jazz/s/2000/{SIG}/t/{TOKEN}/a.ts", HlsTarget("jazz", "a.ts", signed=True, token=TOKEN)),
        ("/hls/jazz/t/x/live.m3u8", None),
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
    ids=["playlist", "segment", "signed", "token", "signed-token", "bad-token", "marker", "not-hls", "dots",
         "upper-room", "short-sig", "bad-expiry", "not-s", "dotdot", "no-file", "other"],
)
def test_parse_hls_path(path: str, expected: HlsTarget | None) -> None:
    assert parse_hls_path(path) == expected


def _expected(expect: Any) -> HlsTarget | int:
    if isinstance(expect, int):
        return expect
    return HlsTarget(expect["room"], expect["file"], signed=expect["signed"], token=expect.get("token"))


@pytest.mark.parametrize("case", private_paths.CASES, ids=[case["id"] for case in private_paths.CASES])
def test_resolve_follows_the_shared_table_of_private_paths(case: dict[str, Any]) -> None:
    # the same table drives the CloudFront function's tests (tests/integration/aws/)
    resolved = resolve(case["path"], room_private=private_paths.ROOMS.get, secret=private_paths.SECRET,
                       now=case["now"])
    assert resolved == _expected(case["expect"])


def test_the_tables_genuine_signatures_are_what_the_skill_hands_out() -> None:
    signed = [case for case in private_paths.CASES
              if isinstance(case["expect"], dict) and case["expect"]["signed"]]
    assert signed
    for case in signed:
        _, _, room, _, expires, signature, *_ = case["path"].split("/")
        assert signature == room_signature(room, int(expires), private_paths.SECRET), case["id"]


SERVED = [case for case in private_paths.CASES if isinstance(case["expect"], dict)]


@pytest.mark.parametrize("case", SERVED, ids=[case["id"] for case in SERVED])
def test_a_served_path_counts_a_listener_exactly_where_the_table_says(case: dict[str, Any]) -> None:
    target = resolve(case["path"], room_private=private_paths.ROOMS.get, secret=private_paths.SECRET,
                     now=case["now"])
    assert isinstance(target, HlsTarget)
    counted = target.is_playlist and request_token(target, "", private_paths.SECRET) is not None
    assert counted is bool(case.get("counts")), case["id"]


def test_a_path_token_wins_over_the_query_and_a_query_token_still_counts() -> None:
    path_token, query_token = new_listener_token(SECRET), new_listener_token(SECRET)
    tokened = parse_hls_path(f"/hls/jazz/t/{path_token}/live.m3u8")
    plain = parse_hls_path("/hls/jazz/live.m3u8")
    assert tokened is not None and plain is not None
    assert request_token(tokened, f"lt={query_token}", SECRET) == path_token
    assert request_token(plain, f"lt={query_token}", SECRET) == query_token  # URLs in the field
    forged = parse_hls_path(f"/hls/jazz/t/{new_listener_token('other-secret')}/live.m3u8")
    assert forged is not None
    assert request_token(forged, f"lt={query_token}", SECRET) is None  # the path's token decides
    assert request_token(tokened, "", "") is None


ROOMS = {"jazz": True, "rock": False}  # room -> private


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
