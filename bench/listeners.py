"""Listener capacity: wrk replays the listener mix against every way of serving HLS.

One live room's files (its 128 kbps media playlist ``live-128k.m3u8`` naming 8 segments of
36,096 bytes, the size of 2 s of 128 kbps AAC in MPEG-TS) sit in a data dir. For
``SECONDS`` each, wrk (2 threads, ``CONNECTIONS`` keep-alive connections,
``bench/listeners.lua``) fetches them as listeners
do once they have the master playlist: the media playlist (with the listener token the
master handed on, ``?lt=…``) then a segment, alternately, against

* (a) the embedded default: ``livestage serve`` and its fast path;
* (a0) the same server with ``LIVESTAGE_HLS_FAST_PATH=0`` (the Flask route), for reference;
* (b) the nginx recipe: nginx from ``livestage nginx-config`` in front of (a);
* (c) the peer: nginx alone serving the same directory with a minimal static config.

(c) and (b) are measured three times each, in turns with the others, and their runs combined
(requests and seconds added; the worse of the two p50s and p99s), so that load other
processes put on the machine meanwhile weighs on the recipe and its peer alike.

A listener makes 2 requests per target duration (2 s), so listeners = req/s × 2 s ÷ 2.
wrk runs closed-loop on the same 2 cores as the server, so the figures are the capacity of
this machine with its load generator on board, not of the server alone.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.loopback_server import LoopbackServer, free_port
from bench.processes import Child
from bench.results import BenchOptions, Result
from bench.wrk_run import WrkSummary, run_wrk
from room_directory.access import new_listener_token

NAME = "listeners"
PEER_NAME = "nginx alone"
#: Seconds of load per run (8 runs).
SECONDS = 8
#: Keep-alive connections wrk holds open.
CONNECTIONS = 100
#: HLS target duration of the replayed room, and requests per listener per target duration.
TARGET_SECONDS = 2
REQUESTS_PER_TARGET = 2
SEGMENT_BYTES = 36_096
SEGMENTS = 8
#: What a player polls after the master playlist: a rendition's media playlist.
MEDIA_PLAYLIST = "live-128k.m3u8"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

_PEER_CONF = """worker_processes auto;
daemon off;
{user}
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 4096; }}
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
        listen 127.0.0.1:{port};
        root {root};
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


def _rows(label: str, ours: WrkSummary, peer: WrkSummary) -> list[Result]:
    return [
        Result(NAME, f"{label}: requests/s", ours.requests_per_second, "req/s",
               peer.requests_per_second, PEER_NAME),
        Result(NAME, f"{label}: equivalent listeners (2 s target)", listeners_for(ours.requests_per_second),
               "", listeners_for(peer.requests_per_second), PEER_NAME),
        Result(NAME, f"{label}: latency p50", ours.p50_ms, "ms", peer.p50_ms, PEER_NAME),
        Result(NAME, f"{label}: latency p99", ours.p99_ms, "ms", peer.p99_ms, PEER_NAME),
        Result(NAME, f"{label}: errors", float(ours.errors), "", float(peer.errors), PEER_NAME),
    ]


def run(options: BenchOptions | None = None) -> list[Result]:
    """Measure (c), (b), (a) and (a0) one after the other on the same files; rows with ratios to (c)."""
    children: list[Child] = []
    servers: list[LoopbackServer] = []
    secret = secrets.token_urlsafe(32)
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
            playlist = f"{MEDIA_PLAYLIST}?lt={new_listener_token(secret)}"

            peer_port, recipe_port = free_port(), free_port()
            user = "user root;" if os.geteuid() == 0 else ""
            peer = _start_nginx(work / "peer", _PEER_CONF.format(
                user=user, prefix=work / "peer", port=peer_port, root=data_dir), "nginx alone")
            children.append(peer)
            recipe = _start_nginx(work / "recipe", _recipe_conf(work / "recipe", data_dir, recipe_port,
                                                                server.port, secret), "nginx recipe")
            children.append(recipe)
            targets = {  # label -> (base URL, the room's path prefix)
                "(c) nginx alone": (f"http://127.0.0.1:{peer_port}", f"/hls/{room}/"),
                "(b) nginx recipe": (f"http://127.0.0.1:{recipe_port}", f"/hls/{room}/"),
                "(a) embedded default (fast path)": (server.base_url, f"/hls/{room}/"),
                "(a0) embedded, Flask route": (flask_server.base_url, f"/hls/{flask_room}/"),
            }
            for url, prefix in targets.values():
                _wait_http(url + prefix + playlist, peer)
            # (c) and (b) run three times each, in turns with the others (c b a c b a0 c b), so a
            # change in the load others put on the machine during the run weighs on all alike.
            c, b = "(c) nginx alone", "(b) nginx recipe"
            order = [c, b, "(a) embedded default (fast path)", c, b, "(a0) embedded, Flask route", c, b]
            runs: dict[str, list[WrkSummary]] = {label: [] for label in targets}
            for label in order:
                print(f"  wrk {SECONDS} s against {label} ...", file=sys.stderr, flush=True)
                url, prefix = targets[label]
                runs[label].append(run_wrk(url, prefix, playlist, segments, seconds=SECONDS,
                                           connections=CONNECTIONS))
            measured = {label: combine(summaries) for label, summaries in runs.items()}
            reference = measured["(c) nginx alone"]
            results: list[Result] = []
            for label, summary in measured.items():
                if label != "(c) nginx alone":
                    results += _rows(label, summary, reference)
            return results
    finally:
        for child in children:
            child.stop()
        for running in servers:
            running.stop()
