"""One clock thread for every room's audio bus in this process.

Each tick (100 ms) it asks every registered bus for the frames now due
(``AudioBus.advance``): mixing, loudness and the write to the room's encoder.
One thread rather than one per room, because the work is small (about 0.3 ms
per room per tick) and Python threads are not: with a thread per room, 60 rooms
meant 60 threads taking turns at the interpreter lock ten times a second, and
the waiting, not the mixing, made segments late.

A room cannot hold the others up: encoder writes never block (``RoomEncoder.write``
keeps a bounded backlog instead), and a bus that raises is logged and skipped for
that tick while the others carry on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger(__name__)

#: How often the clock wakes (seconds).
TICK_SECONDS = 0.1


class Advancing(Protocol):
    """What the clock drives: something that catches up with the wall clock when asked."""

    def advance(self) -> None: ...


class BusClock:
    """Drives registered buses from one daemon thread, started with the first bus."""

    def __init__(self, *, tick: float = TICK_SECONDS, clock: Callable[[], float] = time.monotonic,
                 name: str = "bus-clock") -> None:
        self._tick = tick
        self._clock = clock
        self._name = name
        #: held for a whole tick, so ``remove`` returns only once the bus is no longer being driven
        self._lock = threading.Lock()
        self._buses: list[Advancing] = []
        self._failures: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, bus: Advancing) -> None:
        """Drive ``bus`` from the next tick on."""
        with self._lock:
            if bus not in self._buses:
                self._buses.append(bus)
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()

    def remove(self, bus: Advancing) -> None:
        """Stop driving ``bus``; when this returns, no tick is touching it."""
        with self._lock:
            if bus in self._buses:
                self._buses.remove(bus)
            self._failures.pop(id(bus), None)

    def drives(self, bus: Advancing) -> bool:
        """Whether ``bus`` is registered and the clock thread runs."""
        with self._lock:
            return bus in self._buses and self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        """Stop the thread (the buses stay registered; ``add`` starts it again)."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)

    def tick_once(self) -> None:
        """Advance every bus once (the thread's work; callable directly in tests)."""
        with self._lock:
            for bus in self._buses:
                try:
                    bus.advance()
                except Exception:
                    count = self._failures.get(id(bus), 0) + 1
                    self._failures[id(bus)] = count
                    if count == 1 or count % 600 == 0:  # the first, then once a minute
                        log.exception("audio bus %r failed (%d times); the other rooms carry on", bus, count)

    def _run(self) -> None:
        next_tick = self._clock()
        while not self._stop.is_set():
            self.tick_once()
            next_tick += self._tick
            now = self._clock()
            if next_tick < now - 1.0:  # the process was stalled: do not try to make up ticks
                next_tick = now
            self._stop.wait(max(0.0, next_tick - now))
