"""The one clock thread that drives every room's bus: isolation between rooms, removal, the thread itself."""

from __future__ import annotations

import logging

import pytest

from stream_server.pipeline.bus import AudioBus
from stream_server.pipeline.clock import BusClock
from tests.support import wait_for


class Counting:
    def __init__(self, fail: bool = False) -> None:
        self.calls = 0
        self.fail = fail

    def advance(self) -> None:
        self.calls += 1
        if self.fail:
            raise RuntimeError("this room's pipeline is broken")


def test_a_failing_bus_is_logged_once_and_the_others_carry_on(caplog: pytest.LogCaptureFixture) -> None:
    clock = BusClock()
    good, bad, other = Counting(), Counting(fail=True), Counting()
    for bus in (good, bad, other):
        clock.add(bus)
    clock.stop()  # drive it by hand from here
    before = good.calls
    with caplog.at_level(logging.ERROR, logger="stream_server.pipeline.clock"):
        for _ in range(5):
            clock.tick_once()
    assert good.calls - before == 5 and other.calls >= 5 and bad.calls >= 5
    assert len([r for r in caplog.records if "failed" in r.getMessage()]) == 1


def test_a_removed_bus_is_no_longer_driven() -> None:
    clock = BusClock()
    kept, gone = Counting(), Counting()
    clock.add(kept)
    clock.add(gone)
    clock.stop()
    clock.remove(gone)
    calls = gone.calls
    clock.tick_once()
    assert gone.calls == calls and kept.calls >= 1
    assert not clock.drives(gone)


def test_the_thread_drives_real_buses_until_stopped() -> None:
    clock = BusClock()
    frames: list[list[bytes]] = [[], []]
    buses = [AudioBus(48000, frames[i].append) for i in range(2)]
    for bus in buses:
        clock.add(bus)
    try:
        assert all(clock.drives(bus) for bus in buses)
        wait_for(lambda: all(len(f) >= 10 for f in frames), 10, what="frames from both buses")
    finally:
        clock.stop()
    assert not any(clock.drives(bus) for bus in buses)
    clock.add(buses[0])  # adding again restarts the thread
    try:
        assert clock.drives(buses[0])
    finally:
        clock.stop()
