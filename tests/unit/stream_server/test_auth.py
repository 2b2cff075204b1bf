"""Failed key attempts: slowed per address, doubling, fading, bounded in memory."""

from __future__ import annotations

from stream_server.auth import FailedAttempts


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
