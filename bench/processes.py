"""The one owner of the benchmarks' child processes: start them, and always stop them.

Each child runs in its own session (so a signal reaches its whole group) with its
output in a log file (so no pipe fills up). ``stop`` also ends descendants that
left the group (the stream server starts its ffmpeg encoders in new sessions):
they are recorded before the child is signalled and killed if they outlive it.
"""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, start time in clock ticks) of a running process, or None if gone or a zombie."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw.rpartition(")")[2].split()  # the command name may hold spaces and parentheses
    if fields[0] in ("Z", "X"):
        return None
    return int(fields[1]), int(fields[19])


def descendants(pid: int) -> list[tuple[int, int]]:
    """Every live descendant of ``pid`` as (pid, start time), read from /proc (empty elsewhere)."""
    children: dict[int, list[tuple[int, int]]] = collections.defaultdict(list)
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        stat = _stat(int(entry.name))
        if stat is not None:
            children[stat[0]].append((int(entry.name), stat[1]))
    found: list[tuple[int, int]] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child[0])
    return found


class Child:
    """A process a benchmark started; ``stop`` ends it and everything it started."""

    def __init__(self, name: str, argv: Sequence[str], log_path: Path,
                 env: Mapping[str, str] | None = None) -> None:
        self.name = name
        self.log_path = log_path
        self._log = log_path.open("wb")
        try:
            self.started_wall = time.time()
            self.started = time.monotonic()
            self._proc = subprocess.Popen(
                list(argv), stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
                env=dict(env) if env is not None else None, start_new_session=True,
            )
        except BaseException:
            self._log.close()
            raise

    @property
    def pid(self) -> int:
        """The child's process id."""
        return self._proc.pid

    def exit_code(self) -> int | None:
        """The exit code, or None while it runs."""
        return self._proc.poll()

    def log_tail(self, lines: int = 15, redact: Sequence[str] = ()) -> str:
        """The last lines of the child's output, with secrets replaced by ***."""
        self._log.flush()
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        for secret in redact:
            if secret:
                text = text.replace(secret, "***")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, grace: float = 10.0) -> int:
        """SIGTERM the group, then SIGKILL it after ``grace`` seconds; kill descendants left over."""
        leftovers = descendants(self.pid)
        if self._proc.poll() is None:
            self._signal_group(signal.SIGTERM)
            try:
                self._proc.wait(grace)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self._proc.wait()
        self._kill_leftovers(leftovers, grace=2.0)
        self._log.close()
        return self._proc.returncode

    def _signal_group(self, signum: int) -> None:
        try:
            os.killpg(self.pid, signum)
        except ProcessLookupError:
            pass

    @staticmethod
    def _kill_leftovers(leftovers: list[tuple[int, int]], grace: float) -> None:
        deadline = time.monotonic() + grace
        for pid, started in leftovers:
            while time.monotonic() < deadline:
                stat = _stat(pid)
                if stat is None or stat[1] != started:
                    break
                time.sleep(0.05)
            stat = _stat(pid)
            if stat is not None and stat[1] == started:  # same process, not a reused pid
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
