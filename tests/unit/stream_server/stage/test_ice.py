"""The stage's ICE settings: port ranges, default media addresses, servers for browsers."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from stream_server.ops.config import Settings, settings_from_env
from stream_server.stage.ice import (
    IceSettings,
    browser_ice_servers,
    ice_settings,
    link_headers,
    parse_port_range,
)


@pytest.mark.parametrize(("text", "expected"), [("40000-40999", (40000, 40999)), ("50000", (50000, 50000)),
                                                (" 1024-65535 ", (1024, 65535))])
def test_port_ranges(text: str, expected: tuple[int, int]) -> None:
    assert parse_port_range(text) == expected


@pytest.mark.parametrize("text", ["80-90", "50000-40000", "x-y", "40000-70000"])
def test_bad_port_ranges_are_refused_at_start_up(text: str) -> None:
    with pytest.raises(ValueError, match="STAGE_UDP_PORTS"):
        settings_from_env({"LIVESTAGE_STAGE_UDP_PORTS": text})


def test_the_server_offers_the_address_it_listens_on_unless_told() -> None:
    assert ice_settings(Settings()).addresses == ("127.0.0.1",)
    assert ice_settings(Settings(host="10.1.2.3")).addresses == ("10.1.2.3",)
    told = settings_from_env({"LIVESTAGE_STAGE_MEDIA_ADDRESSES": "203.0.113.7, 10.0.0.5",
                              "LIVESTAGE_HOST": "0.0.0.0"})
    assert ice_settings(told).addresses == ("203.0.113.7", "10.0.0.5")
    everywhere = ice_settings(Settings(host="0.0.0.0")).addresses
    assert everywhere[0] == "127.0.0.1" and "0.0.0.0" not in everywhere


def test_turn_credentials_from_coturns_shared_secret() -> None:
    ice = IceSettings(servers=("stun:stun.example.net", "turn:turn.example.net:3478?transport=udp"),
                      turn_secret="s3cret")
    stun, turn = browser_ice_servers(ice, now=1000.0)
    assert stun == {"urls": "stun:stun.example.net"}
    assert turn["username"] == f"{1000 + 12 * 3600}:livestage"
    digest = hmac.new(b"s3cret", turn["username"].encode(), hashlib.sha1).digest()
    expected = base64.b64encode(digest).decode()
    assert turn["credential"] == expected
    assert link_headers(ice, now=1000.0)[1] == (
        f'<turn:turn.example.net:3478?transport=udp>; rel="ice-server"; username="{turn["username"]}"; '
        f'credential="{expected}"; credential-type="password"')


def test_fixed_turn_credentials_and_no_servers() -> None:
    ice = IceSettings(servers=("turns:turn.example.net:5349",), turn_username="u", turn_credential="p")
    assert browser_ice_servers(ice) == [
        {"urls": "turns:turn.example.net:5349", "username": "u", "credential": "p"}]
    assert link_headers(IceSettings()) == []
