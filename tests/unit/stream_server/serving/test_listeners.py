"""Listener counts now and per minute."""

from __future__ import annotations

from stream_server.serving.listeners import ListenerTracker


def test_a_listener_counts_until_the_window_passes() -> None:
    tracker = ListenerTracker(window=10.0)
    tracker.seen("r1", "a", at=100.0)
    tracker.seen("r1", "a", at=102.0)
    tracker.seen("r1", "b", at=105.0)
    tracker.seen("r2", "c", at=105.0)
    assert tracker.counts(now=106.0) == {"r1": 2, "r2": 1}
    assert tracker.count("r1", now=113.0) == 1
    assert tracker.count("r1", now=120.0) == 0


def test_per_minute_counts_distinct_tokens_in_each_minute() -> None:
    tracker = ListenerTracker()
    for at, token in [(60.0, "a"), (61.0, "a"), (70.0, "b"), (130.0, "a"), (250.0, "c")]:
        tracker.seen("r1", token, at=at)
    assert tracker.per_minute("r1", since=60.0, until=250.0) == [2, 1, 0, 1]
    tracker.forget("r1")
    assert tracker.per_minute("r1", since=60.0, until=250.0) == [0, 0, 0, 0]
