"""wrk (Debian's package) driven with a Lua script, its summary read back as a value."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

#: The listener-mix script beside this module.
LISTENER_SCRIPT = Path(__file__).with_name("listeners.lua")
#: The same mix at a player's pace: each connection one request a second.
PACED_SCRIPT = Path(__file__).with_name("listeners_paced.lua")


@dataclass(frozen=True)
class WrkSummary:
    """What one wrk run measured."""

    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float

    @property
    def requests_per_second(self) -> float:
        """Completed requests per second of the run."""
        return self.requests / self.seconds if self.seconds else 0.0


def ensure_wrk() -> str:
    """The wrk binary; installed from Debian's package when missing and running as root."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise RuntimeError("wrk is missing: run scripts/bootstrap --test (or apt-get install wrk)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "wrk"],
                   check=True, env=env, timeout=600, capture_output=True)
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("apt-get install wrk did not provide wrk")
    return found


def parse_summary(output: str) -> WrkSummary:
    """The ``LIVESTAGE …`` line the script prints in ``done``."""
    for line in output.splitlines():
        if line.startswith("LIVESTAGE "):
            fields = [int(v) for v in line.split()[1:]]
            requests, duration_us, connect, read, write, status, timeout, p50, p99 = fields
            return WrkSummary(requests, duration_us / 1e6, connect + read + write + status + timeout,
                              p50 / 1000, p99 / 1000)
    raise RuntimeError(f"wrk printed no summary:\n{output[-2000:]}")


def run_wrk(base_url: str, prefix: str, playlist: str, segments: list[str], *, seconds: int,
            connections: int, threads: int = 2, paced: bool = False) -> WrkSummary:
    """Replay the listener mix against ``base_url`` for ``seconds`` (bounded by a hard timeout).

    ``paced``: each connection makes one request a second, as a listener's player does, instead
    of the next as soon as the last is answered.
    """
    script = PACED_SCRIPT if paced else LISTENER_SCRIPT
    argv = [ensure_wrk(), "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s",
            "--timeout", "2s", "-s", str(script), base_url, "--", prefix, playlist, *segments]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr[-2000:]}")
    return parse_summary(done.stdout)
