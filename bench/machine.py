"""The machine a benchmark ran on: CPU model, cores, RAM and ffmpeg version."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def ffmpeg_version(ffmpeg: str = "ffmpeg") -> str:
    """The first line of ``ffmpeg -version``, or why it could not be read."""
    try:
        out = subprocess.run([ffmpeg, "-version"], capture_output=True, text=True, timeout=10,
                             check=False).stdout
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unavailable ({exc})"
    return out.splitlines()[0].partition(" Copyright")[0] if out else "unavailable"


def describe_machine(ffmpeg: str = "ffmpeg") -> dict[str, str]:
    """CPU model, cores (logical, and those this process may use), RAM, ffmpeg and Python."""
    ram = _ram_gib()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu": _cpu_model(),
        "cores": f"{os.cpu_count()} logical ({usable} usable by this process)",
        "ram": f"{ram:.1f} GiB" if ram is not None else "unknown",
        "ffmpeg": ffmpeg_version(ffmpeg),
        "python": platform.python_version(),
        "os": platform.platform(),
    }


def render_machine(machine: dict[str, str]) -> str:
    """The machine as a short Markdown list."""
    return "\n".join(f"- **{key}**: {value}" for key, value in machine.items())
