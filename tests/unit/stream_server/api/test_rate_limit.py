"""The per-address limit of anonymous requests: a sliding window, bounded memory."""

from __future__ import annotations

from stream_server.api.rate_limit import AddressRateLimit


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_window_slides_and_addresses_are_apart() -> None:
    clock = Clock()
    limit = AddressRateLimit(3, 60.0, clock=clock)
    assert [limit.spend("a") for _ in range(3)] == [0, 0, 0]
    assert limit.spend("a") == 60
    assert limit.spend("b") == 0
    clock.now += 59.5
    assert limit.spend("a") == 1  # whole seconds, never 0 while refused
    clock.now += 0.5
    assert limit.spend("a") == 0  # the first request left the window
    assert limit.spend("a") == 0 and limit.spend("a") == 0
    assert limit.spend("a") > 0


def test_memory_is_bounded() -> None:
    clock = Clock()
    limit = AddressRateLimit(1, 60.0, capacity=2, clock=clock)
    for address in ("a", "b", "c"):
        assert limit.spend(address) == 0
    assert limit.spend("a") == 0  # forgotten first, so it starts afresh
    assert limit.spend("c") > 0
