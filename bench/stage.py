"""The stage: mouth-to-ear delay, CPU per member, most members on a stage, most stages at once.

The real server (``livestage serve``) on loopback; stage members are aiortc peers in this
process (one event loop thread), each joining over WHIP with a key of its own.

* **Mouth-to-ear delay**: one member sends a 5 ms click every 0.5 s, another listens; the
  delay from a click's first sample leaving the sender's track to its onset arriving at the
  listener's track (send pacing, Opus, the server's jitter buffer and mix, Opus again, aiortc's
  own receive buffer) over ``LATENCY_SECONDS``; p50 and p95 by nearest rank.
* **Members on one stage**: ``MEMBER_STEPS`` members, each sending its own tone and hearing
  the rest; a step passes when every segment of the room's two renditions is listed on time
  (within 1 s of its air-time end, no sequence missing) while ``OBSERVE`` seconds are watched.
  The share of the stage mixer's 20 ms ticks that began a frame or more late (``/metrics``)
  is reported beside it: on a busy machine it is the first thing to give.
  CPU per member is the server process's own CPU (not its encoders) over that window, idle
  taken off, divided by the members.
* **Stages at once**: ``STAGE_STEPS`` rooms with two members each, same on-time rule.
Every ramp stops at its first failing step, and the whole benchmark at ``TIME_CAP``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from bench.loopback_server import LoopbackServer, serving
from bench.percentile import nearest_rank
from bench.playlist_watch import segments_on_time
from bench.proc_usage import Usage, cpu_between, tree_usage
from bench.results import BenchOptions, Result
from bench.stage_peers import PeerLoop, add_cohost_key, click_delays, end_room

NAME = "stage"
LATENCY_SECONDS = 12.0
MEMBER_STEPS = (2, 8, 16)
STAGE_STEPS = (1, 3, 6)
WARMUP = 3.0
OBSERVE = 7.0
TIME_CAP = 120.0
ON_TIME_SLACK = 1.0
RENDITIONS = ("128k", "64k")
POLL = 0.1


def _on_time(hls: Path, rooms: list[str], server: LoopbackServer) -> tuple[int, int, int]:
    """Watch the rooms' media playlists for ``OBSERVE`` seconds: (segments, late, missing)."""
    seen = segments_on_time(hls, rooms, OBSERVE, server.check, renditions=RENDITIONS, slack=ON_TIME_SLACK,
                            poll=POLL)
    return seen.segments, seen.late, seen.missing


def _ticks(server: LoopbackServer) -> tuple[float, float]:
    """The stage mixer's (ticks, late ticks) so far, from the server's /metrics."""
    values = {"livestage_stage_ticks_total": 0.0, "livestage_stage_ticks_late_total": 0.0}
    for line in (server.fetch("/metrics") or "").splitlines():
        name, _, value = line.partition(" ")
        if name in values:
            values[name] = float(value)
    return values["livestage_stage_ticks_total"], values["livestage_stage_ticks_late_total"]


def _late_share(before: tuple[float, float], after: tuple[float, float]) -> float:
    """The share of mixer ticks that began a frame or more late between two readings."""
    ticks = after[0] - before[0]
    return (after[1] - before[1]) / ticks if ticks else 1.0


def _own_usage(server: LoopbackServer) -> tuple[list[Usage], float]:
    """The server process's own usage (not its encoders) and the time it was read."""
    pid = server.process.pid
    return [u for u in tree_usage(pid) if u.pid == pid], time.monotonic()


def _cpu_rate(before: tuple[list[Usage], float], after: tuple[list[Usage], float]) -> float:
    """CPU seconds per second between two readings."""
    return cpu_between(before[0], after[0]) / max(1e-9, after[1] - before[1])


def _latency(server: LoopbackServer, peers: PeerLoop) -> list[float]:
    room = server.create_room("Stage latency")
    listener_key = add_cohost_key(server.base_url, server.admin_token, room.id, "listener")
    talker = peers.join(server.base_url, room.id, room.stream_key, None)
    listener = peers.join(server.base_url, room.id, listener_key, 300.0)
    time.sleep(LATENCY_SECONDS)
    delays = click_delays(talker.source.clicks[2:], listener.click_onsets())
    peers.close_all()
    end_room(server.base_url, server.admin_token, room.id)
    return delays


def run(options: BenchOptions | None = None) -> list[Result]:
    """Measure the stage; see the module docstring."""
    results: list[Result] = []
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="livestage-stage-") as tmp, serving(Path(tmp)) as (server, _):
        hls = Path(tmp) / "data" / "hls"
        peers = PeerLoop()
        try:
            idle = _own_usage(server)
            time.sleep(3.0)
            idle_rate = _cpu_rate(idle, _own_usage(server))
            delays = _latency(server, peers)
            if delays:
                for q in (50, 95):
                    results.append(Result(NAME, f"mouth-to-ear delay p{q}, member to member "
                                                f"(click, loopback, {len(delays)} clicks)",
                                          round(nearest_rank(delays, q) * 1000, 1), "ms"))
            best_members, cpu_at, late_at, stages_late = 0, {}, {}, {}
            for count in MEMBER_STEPS:
                if time.monotonic() - began > TIME_CAP:
                    break
                room = server.create_room(f"Stage of {count}")
                keys = [room.stream_key] + [add_cohost_key(server.base_url, server.admin_token, room.id,
                                                           f"member {i}") for i in range(1, count)]
                for i, key in enumerate(keys):
                    peers.join(server.base_url, room.id, key, 300.0 + 37.0 * i)
                time.sleep(WARMUP)
                before, ticks = _own_usage(server), _ticks(server)
                segments, late, missing = _on_time(hls, [room.id], server)
                cpu_at[count] = (_cpu_rate(before, _own_usage(server)) - idle_rate) / count * 100
                late_ticks = _late_share(ticks, _ticks(server))
                print(f"  stage of {count}: {segments} segments, {late} late, {missing} missing, "
                      f"{late_ticks:.1%} mixer ticks late, {cpu_at[count]:.2f} % CPU/member",
                      file=sys.stderr, flush=True)
                peers.close_all()
                end_room(server.base_url, server.admin_token, room.id)
                late_at[count] = late_ticks
                if segments == 0 or late or missing:
                    break
                best_members = count
            results.append(Result(NAME, f"most members on one stage, every segment on time "
                                        f"(steps {', '.join(map(str, MEMBER_STEPS))})",
                                  float(best_members), "members"))
            if cpu_at:
                at = 8 if 8 in cpu_at else max(cpu_at)
                results.append(Result(NAME, f"CPU per stage member at {at} members (server process)",
                                      round(cpu_at[at], 2), "% core"))
            for count, share in late_at.items():
                results.append(Result(NAME, f"stage mixer ticks a frame late, {count} members on one stage",
                                      round(share * 100, 1), "%"))
            best_stages = 0
            for count in STAGE_STEPS:
                if time.monotonic() - began > TIME_CAP:
                    break
                rooms = [server.create_room(f"Stages {count}.{i}") for i in range(count)]
                for room in rooms:
                    peers.join(server.base_url, room.id, room.stream_key, 440.0)
                    second = add_cohost_key(server.base_url, server.admin_token, room.id, "b")
                    peers.join(server.base_url, room.id, second, 660.0)
                time.sleep(WARMUP)
                ticks = _ticks(server)
                segments, late, missing = _on_time(hls, [r.id for r in rooms], server)
                late_ticks = _late_share(ticks, _ticks(server))
                print(f"  {count} stages: {segments} segments, {late} late, {missing} missing, "
                      f"{late_ticks:.1%} mixer ticks late", file=sys.stderr, flush=True)
                peers.close_all()
                for room in rooms:
                    end_room(server.base_url, server.admin_token, room.id)
                stages_late[count] = late_ticks
                if segments == 0 or late or missing:
                    break
                best_stages = count
            for count, share in stages_late.items():
                results.append(Result(NAME, f"stage mixer ticks a frame late, {count} stages of two",
                                      round(share * 100, 1), "%"))
            results.append(Result(NAME, f"most stages at once, two members each, every segment on time "
                                        f"(steps {', '.join(map(str, STAGE_STEPS))})",
                                  float(best_stages), "stages"))
        finally:
            peers.stop()
    return results
