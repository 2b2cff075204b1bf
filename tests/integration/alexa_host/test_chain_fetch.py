"""``UrllibChainFetcher`` against a real HTTP server on loopback: size limit and timeouts."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from stream_server.alexa_host.fetch import UrllibChainFetcher
from stream_server.alexa_host.signing import RequestRejected
from tests.support.alexa_loopback import loopback_server

CHAIN = b"-----BEGIN CERTIFICATE-----\n" + b"A" * 2000 + b"\n-----END CERTIFICATE-----\n"
LIMIT = 4096


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    routes = {
        "/echo.api/chain.pem": (CHAIN, 0.0, 0.0),
        "/echo.api/at-limit.pem": (b"x" * LIMIT, 0.0, 0.0),
        "/echo.api/too-big.pem": (b"x" * (LIMIT + 1), 0.0, 0.0),
        "/echo.api/silent.pem": (CHAIN, 3.0, 0.0),
        "/echo.api/drip.pem": (b"x" * 40, 0.0, 0.05),
    }
    with loopback_server(routes) as url:
        yield url


def fetcher() -> UrllibChainFetcher:
    return UrllibChainFetcher(timeout=0.5, max_bytes=LIMIT)


@pytest.mark.parametrize(
    ("path", "expected"),
    [("/echo.api/chain.pem", CHAIN), ("/echo.api/at-limit.pem", b"x" * LIMIT)],
    ids=["chain", "exactly-the-limit"],
)
def test_the_body_is_fetched_whole(base: str, path: str, expected: bytes) -> None:
    assert fetcher().fetch(base + path) == expected


@pytest.mark.parametrize(
    ("path", "reason"),
    [("/echo.api/too-big.pem", "too large"),
     ("/echo.api/silent.pem", "timed out"),
     ("/echo.api/drip.pem", "timed out"),
     ("/echo.api/missing.pem", "fetch failed")],
    ids=["over-the-limit", "no-answer", "slow-drip-past-the-deadline", "http-404"],
)
def test_a_failed_fetch_is_rejected_quickly(base: str, path: str, reason: str) -> None:
    started = time.monotonic()
    with pytest.raises(RequestRejected, match=reason):
        fetcher().fetch(base + path)
    assert time.monotonic() - started < 1.5


def test_a_closed_port_is_a_failed_fetch() -> None:
    with loopback_server({}) as url:
        pass
    with pytest.raises(RequestRejected, match="fetch failed"):
        fetcher().fetch(url + "/echo.api/chain.pem")


def test_the_defaults_are_five_seconds_and_64_kib() -> None:
    real = UrllibChainFetcher()
    assert (real.timeout, real.max_bytes) == (5.0, 64 * 1024)
