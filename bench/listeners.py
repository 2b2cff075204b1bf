"""Listener capacity: wrk replays the listener mix against every way of serving HLS.

One room's files (its 128 kbps media playlist ``live-128k.m3u8`` naming 8 segments of
36,096 bytes, the size of 2 s of 128 kbps AAC in MPEG-TS) sit in a data dir. For
``SECONDS`` each, wrk (2 threads, ``CONNECTIONS`` keep-alive connections,
``bench/listeners.lua``) fetches them as listeners do once they have the master playlist:
the media playlist then a segment, alternately, under the listener token a listen URL
carries in its path (``/hls/<room>/t/<token>/…``), against

* (a) the embedded default: ``livestage serve``, its event-loop front and fast path, while
  ``LIVE_ROOMS`` other rooms of the same server are live (one ffmpeg publishing MP3 to all
  of them) and every segment they list is watched for being on time;
* (a0) the same server with ``LIVESTAGE_HLS_FAST_PATH=0`` (the Flask route), for reference;
* (b) the nginx recipe: nginx from ``livestage nginx-config`` in front of (a);
* (c) the peer: nginx alone serving the same directory with a minimal static config (one
  ``rewrite`` takes the token out of the path).

(c) and (b) are measured three times each, in turns with the others, and their runs combined
(requests and seconds added; the worse of the two p50s and p99s), so that load other
processes put on the machine meanwhile weighs on the recipe and its peer alike. Then (c) and
(a) hold a full house at a player's pace: ``PACED_LISTENERS`` connections, each fetching a
playlist or a segment once a second (``bench/listeners_paced.lua``), the latency each of them
meets, and the server's memory with every one of them open. The server's
CPU (its own process, and with its encoders and decoders) and memory are read from /proc
across (a)'s runs. Then (a) and (c) run again with every process of the benchmark (server,
its ffmpegs, the publisher, nginx, wrk, this watcher) held to one core, for how the figures
grow from one core to two.

A listener makes 2 requests per target duration (2 s), so listeners = req/s × 2 s ÷ 2.
wrk runs closed-loop on the same cores as the server, so the figures are the capacity of
this machine with its load generator on board, not of the server alone.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.loopback_server import LoopbackServer, free_port
from bench.playlist_watch import OnTime, segments_on_time
from bench.proc_usage import Usage, cpu_between, tree_usage
from bench.processes import Child, descendants
from bench.results import BenchOptions, Result
from bench.rooms_capacity import publisher_argv
from bench.wrk_run import WrkSummary, run_wrk
from room_directory.access import new_listener_token

NAME = "listeners"
PEER_NAME = "nginx alone"
#: Seconds of load per run (8 runs).
SECONDS = 8
#: Keep-alive connections wrk holds open.
CONNECTIONS = 100
#: Rooms live on the server (a) while it serves the listeners.
LIVE_ROOMS = 10
#: A full house at a player's pace (``bench/listeners_paced.lua``): this many connections,
#: each one request a second, for this many seconds (the first spreads their starts).
PACED_LISTENERS = 15_000
PACED_SECONDS = 12
#: wrk threads for it: wrk keeps its timers in a list, so fewer connections per thread keep
#: wrk's own time per request small (2 threads: p99 116 ms; 8: 65 ms, the server alike).
PACED_THREADS = 8
#: HLS target duration of the replayed room, and requests per listener per target duration.
TARGET_SECONDS = 2
REQUESTS_PER_TARGET = 2
SEGMENT_BYTES = 36_096
SEGMENTS = 8
#: What a player polls after the master playlist: a rendition's media playlist.
MEDIA_PLAYLIST = "live-128k.m3u8"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

_PEER_CONF = """worker_processes auto;
worker_rlimit_nofile 65536;
daemon off;
{user}
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 20000; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_requests 100000;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    types {{ application/vnd.apple.mpegurl m3u8; video/mp2t ts; }}
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        root {root};
        rewrite "^/hls/([^/]+)/t/[^/]+/([^/]+)$" /hls/$1/$2 break;
    }}
}}
"""


def listeners_for(requests_per_second: float) -> float:
    """Listeners a request rate serves: each makes ``REQUESTS_PER_TARGET`` per target duration."""
    return requests_per_second * TARGET_SECONDS / REQUESTS_PER_TARGET


def write_room(hls_dir: Path, room_id: str) -> list[str]:
    """A live room's playlist and segments; the segment names."""
    room = hls_dir / room_id
    room.mkdir(parents=True, exist_ok=True)
    names = [f"show-bench-128k-{n:08d}.ts" for n in range(1, SEGMENTS + 1)]
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", f"#EXT-X-TARGETDURATION:{TARGET_SECONDS}",
             "#EXT-X-MEDIA-SEQUENCE:1"]
    for name in names:
        (room / name).write_bytes(os.urandom(SEGMENT_BYTES))
        lines += ["#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:00.000Z", f"#EXTINF:{TARGET_SECONDS}.000,", name]
    (room / MEDIA_PLAYLIST).write_text("\n".join(lines) + "\n")
    return names


def combine(summaries: list[WrkSummary]) -> WrkSummary:
    """Runs of one target as one: requests and time added, errors added, the worse percentiles."""
    return WrkSummary(
        requests=sum(s.requests for s in summaries), seconds=sum(s.seconds for s in summaries),
        errors=sum(s.errors for s in summaries), p50_ms=max(s.p50_ms for s in summaries),
        p99_ms=max(s.p99_ms for s in summaries),
    )


def _wait_http(url: str, child: Child, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.exit_code() is not None:
            raise RuntimeError(f"{child.name} exited:\n{child.log_tail()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{child.name} did not answer {url} within {timeout:.0f} s")


def _start_nginx(prefix: Path, conf: str, name: str) -> Child:
    (prefix / "tmp").mkdir(parents=True, exist_ok=True)
    (prefix / "nginx.conf").write_text(conf)
    return Child(name, [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf")], prefix / "out.log")


def _recipe_conf(prefix: Path, data_dir: Path, port: int, upstream: int, secret: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVESTAGE_")}
    env["LIVESTAGE_URL_SECRET"] = secret
    return subprocess.run(
        [sys.executable, "-m", "livestage", "nginx-config", "--data-dir", str(data_dir),
         "--upstream", f"127.0.0.1:{upstream}", "--listen", f"127.0.0.1:{port}",
         "--access-log", str(prefix / "hls-access.log"), "--secret-include", str(prefix / "secret.conf"),
         "--write-secret", "--standalone", str(prefix)],
        capture_output=True, text=True, check=True, timeout=60, env=env,
    ).stdout


def _rows(label: str, ours: WrkSummary, peer: WrkSummary, peer_name: str = PEER_NAME) -> list[Result]:
    return [
        Result(NAME, f"{label}: requests/s", ours.requests_per_second, "req/s",
               peer.requests_per_second, peer_name),
        Result(NAME, f"{label}: equivalent listeners (2 s target)", listeners_for(ours.requests_per_second),
               "", listeners_for(peer.requests_per_second), peer_name),
        Result(NAME, f"{label}: latency p50", ours.p50_ms, "ms", peer.p50_ms, peer_name),
        Result(NAME, f"{label}: latency p99", ours.p99_ms, "ms", peer.p99_ms, peer_name),
        Result(NAME, f"{label}: errors", float(ours.errors), "", float(peer.errors), peer_name),
    ]


def _pin(roots: list[int], cpus: set[int]) -> None:
    """Hold every thread of ``roots`` and their descendants to ``cpus`` (threads made later inherit it)."""
    for root in roots:
        for pid in [root, *(p for p, _ in descendants(root))]:
            try:
                tasks = [int(t) for t in os.listdir(f"/proc/{pid}/task")]
            except OSError:
                continue
            for tid in tasks:
                try:
                    os.sched_setaffinity(tid, cpus)
                except OSError:
                    pass  # ended meanwhile


def _start_live_rooms(server: LoopbackServer, work: Path) -> tuple[list[str], Child]:
    """``LIVE_ROOMS`` rooms with one ffmpeg publishing to all; returns once each lists segments."""
    rooms = [server.create_room(f"Live {n}") for n in range(LIVE_ROOMS)]
    base = f"127.0.0.1:{server.port}/ingest"
    publisher = Child("publisher", publisher_argv([f"icecast://source:{r.stream_key}@{base}/{r.id}"
                                                   for r in rooms]), work / "publisher.log")
    deadline = time.monotonic() + 60
    while any(server.live_media(r.id) is None for r in rooms):
        server.check()
        if publisher.exit_code() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the live rooms did not start:\n{publisher.log_tail()}")
        time.sleep(0.2)
    time.sleep(4.0)  # a few segments in: the encoders are past their start
    return [r.id for r in rooms], publisher


@dataclass
class Watched:
    """What (a)'s runs saw besides wrk: the live rooms' segments, and the server's CPU and memory."""

    on_time: list[OnTime] = field(default_factory=list)
    seconds: float = 0.0
    #: CPU seconds of the server process itself, and with its encoders and decoders
    server_cpu: float = 0.0
    tree_cpu: float = 0.0
    rss_mib: float = 0.0

    def add(self, on_time: OnTime, before: list[Usage], after: list[Usage], seconds: float,
            pid: int) -> None:
        """One run's figures."""
        self.on_time.append(on_time)
        self.seconds += seconds
        own = [u for u in before if u.pid == pid], [u for u in after if u.pid == pid]
        self.server_cpu += cpu_between(*own)
        self.tree_cpu += cpu_between(before, after)
        self.rss_mib = max([self.rss_mib, *(u.rss_mib for u in after if u.pid == pid)])

    @property
    def segments(self) -> int:
        return sum(o.segments for o in self.on_time)

    @property
    def late_or_missing(self) -> int:
        return sum(o.late + o.missing for o in self.on_time)


def _run_watched(server: LoopbackServer, rooms: list[str], watched: Watched,
                 load: Callable[[], WrkSummary]) -> WrkSummary:
    """``load`` while the live rooms' playlists are watched and the server's usage read."""
    pid = server.process.pid
    seen: list[OnTime] = []
    watcher = threading.Thread(target=lambda: seen.append(segments_on_time(
        server.data_dir / "hls", rooms, SECONDS + 1.0, server.check)), daemon=True)
    before, started = tree_usage(pid), time.monotonic()
    watcher.start()
    summary = load()
    after, elapsed = tree_usage(pid), time.monotonic() - started
    watcher.join(timeout=30)
    watched.add(seen[0] if seen else OnTime(0, 0, 1), before, after, elapsed, pid)
    return summary


def _usage_rows(label: str, watched: Watched) -> list[Result]:
    seconds = max(watched.seconds, 1e-9)
    return [
        Result(NAME, f"{label}: segments of the {LIVE_ROOMS} live rooms late or skipped",
               float(watched.late_or_missing), f"of {watched.segments}"),
        Result(NAME, f"{label}: server CPU (its process)", round(watched.server_cpu / seconds * 100, 1),
               "% core"),
        Result(NAME, f"{label}: server CPU with its encoders and decoders",
               round(watched.tree_cpu / seconds * 100, 1), "% core"),
        Result(NAME, f"{label}: server memory (RSS)", round(watched.rss_mib, 1), "MiB"),
    ]


def run(options: BenchOptions | None = None) -> list[Result]:
    """Measure (c), (b), (a) and (a0) in turns on the same files; then (c) and (a) on one core."""
    children: list[Child] = []
    servers: list[LoopbackServer] = []
    secret = secrets.token_urlsafe(32)
    all_cpus = os.sched_getaffinity(0)
    try:
        with tempfile.TemporaryDirectory(prefix="livestage-listeners-") as tmp:
            work = Path(tmp)
            data_dir = work / "data"
            server = LoopbackServer(data_dir, work / "server.log",
                                    extra_env={"LIVESTAGE_URL_SECRET": secret})
            servers.append(server)
            server.wait_ready()
            flask_server = LoopbackServer(work / "data-flask", work / "server-flask.log",
                                          extra_env={"LIVESTAGE_HLS_FAST_PATH": "0",
                                                     "LIVESTAGE_URL_SECRET": secret})
            servers.append(flask_server)
            flask_server.wait_ready()
            room = server.create_room("Listener bench").id
            flask_room = flask_server.create_room("Listener bench").id
            segments = write_room(data_dir / "hls", room)
            write_room(work / "data-flask" / "hls", flask_room)
            token = new_listener_token(secret)
            playlist = MEDIA_PLAYLIST
            print(f"  starting {LIVE_ROOMS} live rooms ...", file=sys.stderr, flush=True)
            live_rooms, publisher = _start_live_rooms(server, work)
            children.append(publisher)

            peer_port, recipe_port = free_port(), free_port()
            user = "user root;" if os.geteuid() == 0 else ""
            peer = _start_nginx(work / "peer", _PEER_CONF.format(
                user=user, prefix=work / "peer", port=peer_port, root=data_dir), "nginx alone")
            children.append(peer)
            recipe = _start_nginx(work / "recipe", _recipe_conf(work / "recipe", data_dir, recipe_port,
                                                                server.port, secret), "nginx recipe")
            children.append(recipe)
            a, a0, b, c = ("(a) embedded default (fast path)", "(a0) embedded, Flask route",
                           "(b) nginx recipe", "(c) nginx alone")
            targets = {  # label -> (base URL, the room's path prefix)
                c: (f"http://127.0.0.1:{peer_port}", f"/hls/{room}/t/{token}/"),
                b: (f"http://127.0.0.1:{recipe_port}", f"/hls/{room}/t/{token}/"),
                a: (server.base_url, f"/hls/{room}/t/{token}/"),
                a0: (flask_server.base_url, f"/hls/{flask_room}/t/{token}/"),
            }
            for url, prefix in targets.values():
                _wait_http(url + prefix + playlist, peer)

            def measure(label: str, watched: Watched) -> WrkSummary:
                print(f"  wrk {SECONDS} s against {label} ...", file=sys.stderr, flush=True)
                url, prefix = targets[label]

                def load() -> WrkSummary:
                    return run_wrk(url, prefix, playlist, segments, seconds=SECONDS, connections=CONNECTIONS)

                if label != a:
                    return load()
                summary = _run_watched(server, live_rooms, watched, load)
                counted = json.loads(server.fetch(f"/api/rooms/{room}") or "{}").get("listeners", 0)
                if not counted:  # the token in the path served but not counted: the figure would mislead
                    raise RuntimeError(f"(a) counted no listener in /api/rooms/{room}")
                return summary

            # (c) and (b) run three times each, in turns with the others (c b a c b a0 c b), so a
            # change in the load others put on the machine during the run weighs on all alike.
            watched = Watched()
            runs: dict[str, list[WrkSummary]] = {label: [] for label in targets}
            for label in [c, b, a, c, b, a0, c, b]:
                runs[label].append(measure(label, watched))
            measured = {label: combine(summaries) for label, summaries in runs.items()}
            results: list[Result] = []
            for label, summary in measured.items():
                if label != c:
                    results += _rows(label, summary, measured[c])
            results += _usage_rows(a, watched)

            # a full house at a player's pace: PACED_LISTENERS connections, one request a second each
            paced: dict[str, WrkSummary] = {}
            paced_watched = Watched()
            for label in (c, a):
                print(f"  wrk {PACED_SECONDS} s, {PACED_LISTENERS} listeners at a player's pace, against "
                      f"{label} ...", file=sys.stderr, flush=True)
                url, prefix = targets[label]

                def paced_load(url: str = url, prefix: str = prefix) -> WrkSummary:
                    return run_wrk(url, prefix, playlist, segments, seconds=PACED_SECONDS,
                                   connections=PACED_LISTENERS, threads=PACED_THREADS, paced=True)

                paced[label] = (_run_watched(server, live_rooms, paced_watched, paced_load) if label == a
                                else paced_load())
            label = f"(a) {PACED_LISTENERS:,} listeners at a player's pace"
            results += [row for row in _rows(label, paced[a], paced[c])
                        if "equivalent listeners" not in row.figure]
            results += _usage_rows(label, paced_watched)

            # one core: everything this benchmark runs (wrk inherits this process's affinity)
            one_cpu = {min(all_cpus)}
            everyone = [os.getpid(), server.process.pid, flask_server.process.pid,
                        *(child.pid for child in children)]
            _pin(everyone, one_cpu)
            one_watched = Watched()
            one_runs: dict[str, list[WrkSummary]] = {c: [], a: []}
            for label in [c, a, c, a]:
                one_runs[label].append(measure(label, one_watched))
            _pin(everyone, all_cpus)
            one_core = {label: combine(summaries) for label, summaries in one_runs.items()}
            label = f"{a} on 1 core"
            results += _rows(label, one_core[a], one_core[c], peer_name=f"{PEER_NAME}, 1 core")
            results += _usage_rows(label, one_watched)
            results.append(Result(
                NAME, f"(a) growth from 1 to {len(all_cpus)} cores (equivalent listeners)",
                round(measured[a].requests_per_second / max(one_core[a].requests_per_second, 1e-9), 2),
                "×", round(measured[c].requests_per_second / max(one_core[c].requests_per_second, 1e-9), 2),
                PEER_NAME))
            return results
    finally:
        os.sched_setaffinity(0, all_cpus)
        for child in children:
            child.stop()
        for running in servers:
            running.stop()
