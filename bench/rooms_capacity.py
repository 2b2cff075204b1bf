"""Rooms capacity: the most rooms live at once with every segment of both renditions on time.

The real server (``livestage serve``) on loopback; rooms are added ``STEP`` at a time,
each with a performer publishing a 440 Hz sine as MP3 at real-time pace (one
``ffmpeg -re`` per step, its ``tee`` muxer sending the same MP3 to every room of the
step, so the load generator stays small and is measured apart). After a warm-up,
every room's live media playlists (128k and 64k) are watched on disk for
``OBSERVE`` seconds: a segment is **on time** when it is listed within
``ON_TIME_SLACK`` of its air-time end (PROGRAM-DATE-TIME + EXTINF), and a step passes
when every segment of every room and rendition is on time with no sequence missing.
The ramp stops at the first failing step, at ``MAX_ROOMS`` or at ``TIME_CAP``.

Per room, at the largest passing step: CPU (% of one core) of the server and its
children (encoders, decoders), the server's idle CPU taken off; RSS and PSS (MiB) of
its encoder and decoder plus its share of the server's growth; and the machine's
view: how much ``MemAvailable`` fell per room (the load generator's PSS taken off).
RSS counts the ≈40 MiB of ffmpeg's shared libraries again in every process; the
last two figures are what a machine actually gives up per room. The peer, measured
for ``PEER_SECONDS`` before the ramp (so it takes no CPU from the rooms), is ffmpeg
alone doing one room's encoding job (same input, dithered like ours, both
renditions, segment muxers).
Ingest → listed latency p50/p99 per rendition comes from the first step (watching
files every 0.1 s, so figures are good to about 0.1 s).
"""

from __future__ import annotations

import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.loopback_server import LoopbackServer, serving
from bench.percentile import nearest_rank
from bench.playlist_watch import listed_segments
from bench.proc_usage import cpu_between, mem_available_mib, tree_usage
from bench.processes import Child
from bench.results import BenchOptions, Result

NAME = "rooms_capacity"
PEER_NAME = "ffmpeg alone, same encode"
STEP = 10
MAX_ROOMS = 80
WARMUP = 8.0
OBSERVE = 14.0
TIME_CAP = 300.0
PEER_SECONDS = 15.0
POLL = 0.1
#: Listed no later than this after its air-time end (half a 2 s target).
ON_TIME_SLACK = 1.0
RENDITIONS = ("128k", "64k")
SINE = "sine=frequency=440:sample_rate=44100"


def publisher_argv(urls: list[str], ffmpeg: str = "ffmpeg") -> list[str]:
    """One performer ffmpeg sending the same MP3 to several Icecast mounts (tee muxer)."""
    slaves = "|".join(f"[f=mp3:onfail=ignore]{url}" for url in urls)
    return [
        ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-re", "-f", "lavfi", "-i", SINE,
        "-map", "0:a", "-c:a", "libmp3lame", "-b:a", "128k", "-f", "tee", slaves,
    ]  # fmt: skip


def peer_argv(out_dir: Path, ffmpeg: str = "ffmpeg") -> list[str]:
    """ffmpeg alone doing one room's job: decode-free PCM in, both AAC renditions cut into segments.

    Like our loudness stage, it hands the encoders 48 kHz s16 with triangular dither
    (ffmpeg's resampler does it): on an undithered pure tone the AAC encoder's rate
    control works up to six times as hard, which would flatter our figure against it.
    """
    chain = ("[0:a]aresample=48000:internal_sample_fmt=fltp:osf=s16:dither_method=triangular,"
             "aformat=channel_layouts=stereo,asplit[r128][r64]")
    argv = [ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-re", "-f", "lavfi", "-i", SINE,
            "-filter_complex", chain]
    for kbps in (128, 64):
        argv += ["-map", f"[r{kbps}]", "-c:a", "aac", "-aac_coder", "fast", "-b:a", f"{kbps}k",
                 "-f", "segment", "-segment_time", "2", "-segment_format", "mpegts",
                 str(out_dir / f"{kbps}-%05d.ts")]
    return argv


@dataclass
class Watch:
    """What the watcher saw of one media playlist."""

    mtime: int = -1
    seen: dict[int, float] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class Step:
    """One step of the ramp."""

    rooms: int
    segments: int
    late: int
    missing: int
    cpu_per_room: float
    rss_per_room: float
    pss_per_room: float
    #: the drop in the machine's MemAvailable per room, the load generator's PSS taken off
    system_per_room: float
    latencies: dict[str, list[float]]
    #: CPU per room (% of a core) by process kind: server (Python), encoder, decoder
    cpu_by_kind: dict[str, float]

    @property
    def passed(self) -> bool:
        return self.segments > 0 and self.late == 0 and self.missing == 0


def _observe(hls: Path, rooms: list[str], seconds: float, check: object) -> tuple[dict[str, Watch], int]:
    watches = {f"{room}/{r}": Watch() for room in rooms for r in RENDITIONS}
    start_wall = time.time()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert callable(check)
        check()
        for key, watch in watches.items():
            room, rendition = key.split("/")
            shows = sorted((hls / room).glob(f"*-live-{rendition}.m3u8"))  # the show's, once out
            if not shows:
                continue
            path = shows[-1]
            try:
                mtime = path.stat().st_mtime_ns
                if mtime == watch.mtime:
                    continue
                text = path.read_text(encoding="utf-8")
            except OSError:
                continue
            now = time.time()
            watch.mtime = mtime
            for listing in listed_segments(text):
                if listing.sequence in watch.seen or listing.air_end < start_wall:
                    continue  # only segments whose air time ended inside the window count
                watch.seen[listing.sequence] = now
                watch.latencies.append(now - listing.air_end)
        time.sleep(POLL)
    missing = 0
    for watch in watches.values():
        if watch.seen:
            first, last = min(watch.seen), max(watch.seen)
            missing += (last - first + 1) - len(watch.seen)
        else:
            missing += 1
    return watches, missing


def _step(server: LoopbackServer, hls: Path, rooms: list[str], idle_cpu_rate: float,
          idle_server_mib: tuple[float, float], idle_available_mib: float,
          other_pids: list[int]) -> Step:
    pid = server.process.pid
    before = tree_usage(pid)
    started = time.monotonic()
    watches, missing = _observe(hls, rooms, OBSERVE, server.check)
    window = time.monotonic() - started
    after = tree_usage(pid)
    count = len(rooms)
    cpu = (cpu_between(before, after) - idle_cpu_rate * window) / window / count * 100
    children = [u for u in after if u.kind in ("encoder", "decoder")]
    own = [u for u in after if u.pid == pid]
    server_rss = own[0].rss_mib - idle_server_mib[0] if own else 0.0
    server_pss = own[0].pss_mib - idle_server_mib[1] if own else 0.0
    rss = (sum(u.rss_mib for u in children) + server_rss) / count
    pss = (sum(u.pss_mib for u in children) + server_pss) / count
    load_generator = sum(u.pss_mib for pid in other_pids for u in tree_usage(pid))
    system = (idle_available_mib - mem_available_mib() - load_generator) / count
    latencies = {r: [x for key, w in watches.items() if key.endswith(f"/{r}") for x in w.latencies]
                 for r in RENDITIONS}
    every = [x for values in latencies.values() for x in values]
    late = sum(1 for x in every if x > ON_TIME_SLACK)
    by_kind: dict[str, float] = {}
    for kind in ("server", "encoder", "decoder"):
        spent = cpu_between([u for u in before if u.kind == kind], [u for u in after if u.kind == kind])
        if kind == "server":
            spent -= idle_cpu_rate * window
        by_kind[kind] = spent / window / count * 100
    return Step(count, len(every), late, missing, cpu, rss, pss, system, latencies, by_kind)


def run(options: BenchOptions | None = None) -> list[Result]:
    """Ramp rooms until a segment is late; report capacity, per-room cost and listing latency."""
    steps: list[Step] = []
    with tempfile.TemporaryDirectory(prefix="livestage-capacity-") as tmp:
        work = Path(tmp)
        (work / "peer").mkdir()
        with serving(work) as (server, children):
            idle_before = tree_usage(server.process.pid)
            time.sleep(3.0)
            idle_after = tree_usage(server.process.pid)
            idle_rate = cpu_between(idle_before, idle_after) / 3.0
            idle_mib = (idle_after[0].rss_mib, idle_after[0].pss_mib)
            # the peer runs alone first: during the ramp it would take CPU from the rooms
            peer = Child("peer ffmpeg", peer_argv(work / "peer"), work / "peer.log")
            time.sleep(2.0)
            peer_start, peer_began = tree_usage(peer.pid), time.monotonic()
            time.sleep(PEER_SECONDS)
            peer_end = tree_usage(peer.pid)
            peer_cpu = cpu_between(peer_start, peer_end) / (time.monotonic() - peer_began) * 100
            peer_rss, peer_pss = peer_end[0].rss_mib, peer_end[0].pss_mib
            peer.stop(grace=5.0)
            idle_available = mem_available_mib()
            began, watcher_began = time.monotonic(), time.process_time()
            rooms: list[str] = []
            while len(rooms) < MAX_ROOMS and time.monotonic() - began < TIME_CAP:
                batch = [server.create_room(f"Capacity {len(rooms) + i}") for i in range(STEP)]
                base = f"127.0.0.1:{server.port}/ingest"
                urls = [f"icecast://source:{r.stream_key}@{base}/{r.id}" for r in batch]
                children.append(Child(f"publisher {len(rooms)}+", publisher_argv(urls),
                                      work / f"publisher-{len(rooms)}.log"))
                rooms += [r.id for r in batch]
                time.sleep(WARMUP)
                others = [c.pid for c in children]  # the publishers: not the server's memory
                step = _step(server, work / "data" / "hls", rooms, idle_rate, idle_mib, idle_available,
                             others)
                steps.append(step)
                print(f"  {step.rooms} rooms: {step.segments} segments, {step.late} late, {step.missing} "
                      f"missing, {step.cpu_per_room:.2f} % CPU/room, {step.rss_per_room:.0f} MiB RSS/room",
                      file=sys.stderr, flush=True)
                if not step.passed:
                    break
            ramp = max(1e-9, time.monotonic() - began)
            publisher_cpu = sum(u.cpu_seconds for c in children for u in tree_usage(c.pid)) / ramp
            publisher_cpu = publisher_cpu / max(1, len(rooms)) * 100
            watcher_cpu = (time.process_time() - watcher_began) / ramp * 100
    passing = [s for s in steps if s.passed]
    best = passing[-1] if passing else steps[0]
    first = steps[0]
    results = [
        Result(NAME, f"rooms live with every segment on time (steps of {STEP}, both renditions)",
               float(best.rooms if passing else 0), "rooms"),
        Result(NAME, f"CPU per room at {best.rooms} rooms (server + its ffmpegs)",
               round(best.cpu_per_room, 2), "% core", round(peer_cpu, 2), PEER_NAME),
        *[Result(NAME, f"… of which {kind} at {best.rooms} rooms", round(value, 2), "% core")
          for kind, value in sorted(best.cpu_by_kind.items())],
        Result(NAME, f"RSS per room at {best.rooms} rooms (encoder + decoder + server share)",
               round(best.rss_per_room, 1), "MiB", round(peer_rss, 1), PEER_NAME),
        Result(NAME, f"PSS per room at {best.rooms} rooms (shared pages split)", round(best.pss_per_room, 1),
               "MiB", round(peer_pss, 1), PEER_NAME),
        Result(NAME, f"machine memory per room at {best.rooms} rooms (MemAvailable drop)",
               round(best.system_per_room, 1), "MiB"),
        Result(NAME, "load generator CPU per room (publisher ffmpeg, not in the figures above)",
               round(publisher_cpu, 2), "% core"),
        Result(NAME, "this benchmark's own CPU (playlist watcher, on the same 2 cores)",
               round(watcher_cpu, 1), "% core"),
    ]
    if not best.passed or best is not steps[-1]:
        last = steps[-1]
        results.append(Result(NAME, f"first failing step: {last.rooms} rooms, late segments",
                              float(last.late), f"of {last.segments}"))
    for rendition in RENDITIONS:
        values = first.latencies[rendition]
        if values:
            for q in (50, 99):
                figure = (f"ingest → listed latency p{q}, {rendition} "
                          f"({first.rooms} rooms, {len(values)} segments)")
                results.append(Result(NAME, figure, round(nearest_rank(values, q) * 1000, 1), "ms"))
    return results
