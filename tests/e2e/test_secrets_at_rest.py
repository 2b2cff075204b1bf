"""Secrets stay where they belong: not in the log after the first start, not in ``ps``, not world-readable."""

from __future__ import annotations

import json
import re
import stat
import urllib.request
from pathlib import Path
from typing import Any

from room_directory import hash_stream_key, open_directory
from tests.support import wait_for

DEMOS = ("demo-jazz", "demo-morning-talk", "demo-indie-rock")


def descendants(pid: int) -> list[int]:
    """Every process below ``pid``, read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def command_lines(pid: int) -> list[str]:
    lines = []
    for child in [pid, *descendants(pid)]:
        try:
            lines.append((Path(f"/proc/{child}/cmdline").read_bytes()).replace(b"\0", b" ").decode())
        except OSError:
            continue
    return lines


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_demo_keys_stay_out_of_ps_and_secrets_out_of_the_log(make_server: Any, tmp_path: Path) -> None:
    data = tmp_path / "data"
    server = make_server(data_dir=data, LIVESTAGE_ADMIN_TOKEN="")
    token = (data / "admin-token").read_text().strip()
    assert token in server.log()  # shown once, when it is made

    def demos_on_air() -> bool:
        with urllib.request.urlopen(f"{server.url}/api/rooms", timeout=5) as resp:
            rooms = {r["id"]: r for r in json.load(resp)["rooms"]}
        return all(rooms.get(d, {}).get("live") for d in DEMOS)

    wait_for(demos_on_air, 30, what="demo rooms on air")
    hashes = {room.stream_key_hash for room in open_directory(f"sqlite://{data / 'rooms.db'}").list_rooms()
              if room.id in DEMOS}
    assert server.proc is not None
    lines = command_lines(server.proc.pid)
    assert any("ffmpeg" in line for line in lines)  # the performers run, and we looked at them
    words = {w for line in lines for w in re.findall(r"[A-Za-z0-9_-]{16,}", line)}
    assert not {w for w in words if hash_stream_key(w) in hashes}, "a demo key is on a command line"

    assert mode(data) == 0o711
    for name in ("rooms.db", "admin-token", "url-secret", "skill-state.db"):
        if (data / name).exists():
            assert mode(data / name) == 0o600, name

    server.stop()
    server.start()  # the second start: the token is in its file, not in the log again
    assert token not in server.log()
    assert "admin-token" in server.log()
