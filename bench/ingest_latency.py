"""Ingest → segment listed latency of the real server, against ffmpeg's hls muxer alone.

Ours: ``livestage serve`` on a free loopback port with a temporary data dir; one
room; a performer publishing a 440 Hz sine as MP3 with ffmpeg's ``icecast://``
output at real-time pace (``-re``); ``GET /hls/<room>/<show>-live-128k.m3u8`` (the 128k
media playlist the master ``live.m3u8`` names) polled every 50 ms.

Peer: ffmpeg alone doing the same job from the same input (AAC-LC at the same
rate and bitrate, ``-f hls -hls_time 2``, PROGRAM-DATE-TIME on), its playlist file
polled the same way. Both run at the same time, under the same machine load.

Per segment, latency = (wall time it was first seen listed) - (its air-time end,
PROGRAM-DATE-TIME + EXTINF). "First segment listed" runs from starting the
publishing ffmpeg until a first segment is listed. Ours is read over HTTP
(what a listener sees, ~1 ms on loopback), the peer's from its file.
"""

from __future__ import annotations

import tempfile
import threading
import time
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from pathlib import Path

from bench.loopback_server import serving
from bench.percentile import nearest_rank
from bench.playlist_watch import WatchReport, watch_playlist
from bench.processes import Child
from bench.results import BenchOptions, Result

NAME = "ingest_latency"
PEER_NAME = "ffmpeg alone, -f hls"
#: The performer's source: the same lavfi input for ours and the peer.
SINE = "sine=frequency=440:sample_rate=44100"
#: Server defaults the peer mirrors (stream_server.ops.config.Settings).
SEGMENT_SECONDS = 2
WINDOW_SEGMENTS = 8
SAMPLE_RATE = 48000
BITRATE_KBPS = 128
#: Allowance on top of the segments' own air time before a watch gives up (seconds).
STARTUP_ALLOWANCE = 30.0


def publisher_argv(url: str, ffmpeg: str = "ffmpeg") -> list[str]:
    """A performer: the sine as 128 kbit/s MP3 to an Icecast mount, at real-time pace."""
    return [
        ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
        "-f", "lavfi", "-i", SINE,
        "-c:a", "libmp3lame", "-b:a", "128k", "-content_type", "audio/mpeg", "-f", "mp3", url,
    ]  # fmt: skip


def peer_argv(out_dir: Path, ffmpeg: str = "ffmpeg") -> list[str]:
    """ffmpeg alone: the same sine, AAC-LC like our encoder, cut by its own hls muxer."""
    return [
        ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
        "-f", "lavfi", "-i", SINE,
        "-ar", str(SAMPLE_RATE), "-ac", "2",
        "-c:a", "aac", "-profile:a", "aac_low", "-b:a", f"{BITRATE_KBPS}k",
        "-f", "hls", "-hls_time", str(SEGMENT_SECONDS), "-hls_list_size", str(WINDOW_SEGMENTS),
        "-hls_flags", "program_date_time",
        "-hls_segment_filename", str(out_dir / "seg-%05d.ts"), str(out_dir / "live.m3u8"),
    ]  # fmt: skip


def _read_or_none(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def _alive(child: Child, abort: threading.Event, redact: str = "") -> None:
    if abort.is_set():
        raise RuntimeError("stopped: the other watch failed")
    code = child.exit_code()
    if code is not None:
        raise RuntimeError(f"{child.name} exited ({code}):\n{child.log_tail(redact=[redact])}")


def _results(count: int, ours: WatchReport, peer: WatchReport) -> list[Result]:
    def ms(seconds: float) -> float:
        return round(seconds * 1000, 1)

    figures = [
        (f"ingest → listed latency p50 ({count} segments)",
         nearest_rank(ours.latencies, 50), nearest_rank(peer.latencies, 50)),
        (f"ingest → listed latency p99 ({count} segments)",
         nearest_rank(ours.latencies, 99), nearest_rank(peer.latencies, 99)),
        ("first segment listed after publish start",
         ours.first_listed_after_start, peer.first_listed_after_start),
    ]  # fmt: skip
    return [Result(NAME, figure, ms(value), "ms", ms(peer_value), PEER_NAME)
            for figure, value, peer_value in figures]


def run(options: BenchOptions | None = None) -> list[Result]:
    """Measure ``options.segments`` segments on our server and on ffmpeg alone, side by side."""
    count = (options or BenchOptions()).segments
    if count < 1:
        raise ValueError("segments must be at least 1")
    with tempfile.TemporaryDirectory(prefix="livestage-bench-") as tmp:
        work = Path(tmp)
        (work / "peer").mkdir()
        with serving(work) as (server, children):
            room = server.create_room("Bench room")
            url = f"icecast://source:{room.stream_key}@127.0.0.1:{server.port}/ingest/{room.id}"
            publisher = Child("publisher ffmpeg", publisher_argv(url), work / "publisher.log")
            children.append(publisher)
            peer = Child("peer ffmpeg", peer_argv(work / "peer"), work / "peer.log")
            children.append(peer)
            deadline = time.monotonic() + STARTUP_ALLOWANCE + count * SEGMENT_SECONDS * 1.5
            abort = threading.Event()
            running = server

            def check_ours() -> None:
                running.check()
                _alive(publisher, abort, room.stream_key)

            def watch_ours() -> WatchReport:
                return watch_playlist(lambda: running.fetch_live_media(room.id, f"{BITRATE_KBPS}k"),
                                      started=publisher.started,
                                      count=count, deadline=deadline, check=check_ours)

            def watch_peer() -> WatchReport:
                return watch_playlist(lambda: _read_or_none(work / "peer" / "live.m3u8"),
                                      started=peer.started, count=count, deadline=deadline,
                                      check=lambda: _alive(peer, abort))

            pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="watch")
            try:
                futures = [pool.submit(watch_ours), pool.submit(watch_peer)]
                done, _ = wait(futures, return_when=FIRST_EXCEPTION)
                for future in done:
                    failure = future.exception()
                    if failure is not None:
                        raise failure
                ours_report, peer_report = futures[0].result(), futures[1].result()
            finally:
                abort.set()  # the other watch stops within one poll (also on Ctrl-C)
                pool.shutdown(wait=True)
            return _results(count, ours_report, peer_report)
