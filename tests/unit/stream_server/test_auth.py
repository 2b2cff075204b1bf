"""Who is calling: the client a trusted proxy names, and wrong keys slowed, doubling, fading, bounded."""

from __future__ import annotations

import ipaddress

import pytest

from stream_server.auth import FailedAttempts
from stream_server.ops.config import Settings
from stream_server.ops.forwarded import forwarded_client


def make(**kw: float) -> tuple[FailedAttempts, list[float]]:
    clock = [1000.0]
    return FailedAttempts(clock=lambda: clock[0], **kw), clock  # type: ignore[arg-type]


def test_five_failures_then_the_address_waits_and_the_wait_doubles() -> None:
    attempts, clock = make()
    for _ in range(4):
        attempts.failed("10.0.0.1")
    assert attempts.retry_after("10.0.0.1") == 0
    attempts.failed("10.0.0.1")
    assert attempts.retry_after("10.0.0.1") == 5
    clock[0] += 5
    assert attempts.retry_after("10.0.0.1") == 0
    attempts.failed("10.0.0.1")
    assert attempts.retry_after("10.0.0.1") == 10
    assert attempts.retry_after("10.0.0.2") == 0  # per address


def test_the_wait_is_capped_and_the_record_fades() -> None:
    attempts, clock = make(max_delay=20)
    for _ in range(12):
        attempts.failed("a")
        clock[0] += attempts.retry_after("a")
    attempts.failed("a")
    assert attempts.retry_after("a") == 20
    clock[0] += 61
    assert attempts.retry_after("a") == 0
    attempts.failed("a")
    assert attempts.retry_after("a") == 0  # a fresh start after the window


def test_slow_failures_outside_the_window_never_add_up() -> None:
    attempts, clock = make()
    for _ in range(10):
        attempts.failed("a")
        clock[0] += 61
    assert attempts.retry_after("a") == 0


def test_memory_is_bounded() -> None:
    attempts, _ = make(capacity=100)
    for i in range(1000):
        attempts.failed(f"10.0.{i // 256}.{i % 256}")
    assert len(attempts) == 100


TRUSTED = (ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("10.1.0.0/16"))


@pytest.mark.parametrize(
    ("remote", "forwarded_for", "real_ip", "client"),
    [
        ("203.0.113.9", "198.51.100.1", None, "203.0.113.9"),  # not a proxy: its headers are ignored
        ("127.0.0.1", "198.51.100.1", None, "198.51.100.1"),
        ("127.0.0.1", "6.6.6.6, 198.51.100.1", None, "198.51.100.1"),  # the client wrote the left part
        ("127.0.0.1", "198.51.100.1, 10.1.2.3", None, "198.51.100.1"),  # a chain of trusted proxies
        ("127.0.0.1", None, "198.51.100.7", "198.51.100.7"),
        ("127.0.0.1", "198.51.100.1", "6.6.6.6", "198.51.100.1"),  # the forwarded chain wins
        ("127.0.0.1", None, None, "127.0.0.1"),
        ("127.0.0.1", "not-an-ip", None, "127.0.0.1"),
        ("127.0.0.1", "198.51.100.1, junk", None, "127.0.0.1"),
        ("127.0.0.1", "10.1.0.5", None, "10.1.0.5"),  # only proxies: the farthest one
        ("127.0.0.1", "2001:db8::1", None, "2001:db8::1"),
    ],
    ids=["untrusted-peer", "one-proxy", "spoofed-left-part", "proxy-chain", "real-ip", "xff-first",
         "no-header", "garbage", "garbage-hop", "all-trusted", "ipv6"],
)
def test_the_client_is_who_a_trusted_proxy_says(remote: str, forwarded_for: str | None,
                                                real_ip: str | None, client: str) -> None:
    assert forwarded_client(remote, forwarded_for, real_ip, TRUSTED) == client


def test_nobody_is_trusted_by_default() -> None:
    assert forwarded_client("127.0.0.1", "198.51.100.1", "198.51.100.1", ()) == "127.0.0.1"


@pytest.mark.parametrize("value", ["127.0.0.1", "127.0.0.1, 10.0.0.0/8", "::1,fd00::/8", ""])
def test_trusted_proxies_setting_parses(value: str) -> None:
    networks = Settings(trusted_proxies=value).trusted_networks
    assert len(networks) == len([p for p in value.split(",") if p.strip()])


def test_a_mistyped_trusted_proxy_stops_start_up() -> None:
    with pytest.raises(ValueError, match="LIVESTAGE_TRUSTED_PROXIES"):
        Settings(trusted_proxies="127.0.0.1, localhost")


def test_key_events_reach_every_subscriber_even_past_a_failing_one() -> None:
    from stream_server.auth import KeyEvents

    events = KeyEvents()
    seen: list[tuple[str, ...]] = []

    def broken(room_id: str, key_id: str, reason: str) -> bool:
        raise RuntimeError("a subscriber's bug")

    def engine(room_id: str, key_id: str, reason: str) -> bool:
        seen.append((room_id, key_id, reason))
        return True

    events.on_revoked.extend([broken, engine])
    events.on_muted.append(lambda r, k, muted: seen.append((r, k, str(muted))))
    assert events.revoked("jazz", "k1", "removed") is True
    events.muted("jazz", "k1", True)
    assert seen == [("jazz", "k1", "removed"), ("jazz", "k1", "True")]
    assert KeyEvents().revoked("jazz", "k1", "removed") is False  # nobody held a session
