"""CPU time and memory of a process tree, read from /proc (Linux)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from bench.processes import descendants

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Usage:
    """One process: what it is, its CPU seconds so far, RSS and PSS in MiB."""

    pid: int
    kind: str
    cpu_seconds: float
    rss_mib: float
    pss_mib: float


def _cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def _memory(pid: int) -> tuple[float, float]:
    rss = pss = 0.0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            name, _, value = line.partition(":")
            if name == "Rss":
                rss = int(value.split()[0]) / 1024
            elif name == "Pss":
                pss = int(value.split()[0]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return rss, pss


def kind_of(pid: int) -> str:
    """``encoder``, ``decoder``, ``ffmpeg`` or ``server`` from the command line."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "gone"
    if argv and argv[0].endswith(b"ffmpeg"):
        if b"segment" in argv:
            return "encoder"
        if b"pipe:1" in argv:
            return "decoder"
        return "ffmpeg"
    return "server"


def tree_usage(root: int) -> list[Usage]:
    """Usage of ``root`` and every live descendant."""
    found = []
    for pid in [root, *(p for p, _ in descendants(root))]:
        cpu = _cpu_seconds(pid)
        if cpu is None:
            continue
        rss, pss = _memory(pid)
        found.append(Usage(pid, kind_of(pid), cpu, rss, pss))
    return found


def cpu_between(before: list[Usage], after: list[Usage]) -> float:
    """CPU seconds the tree used between two snapshots (processes started meanwhile count in full)."""
    earlier = {u.pid: u.cpu_seconds for u in before}
    return sum(u.cpu_seconds - earlier.get(u.pid, 0.0) for u in after)


def mem_available_mib() -> float:
    """The kernel's estimate of memory available to new work (``MemAvailable``), in MiB."""
    for line in Path("/proc/meminfo").read_text().splitlines():
        name, _, value = line.partition(":")
        if name == "MemAvailable":
            return int(value.split()[0]) / 1024
    raise RuntimeError("/proc/meminfo has no MemAvailable")
