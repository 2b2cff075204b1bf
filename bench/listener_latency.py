"""Listener latency: from a sound entering the performer's ffmpeg to ffmpeg, as a listener, playing it.

One room on the real server. The performer (``ffmpeg -re``, MP3 over Icecast) sends
digital silence for ``ONSET`` seconds, then a 440 Hz tone: the tone enters at
``publisher start + ONSET`` (``-re`` paces the input to the wall clock). Two
listeners are ``ffmpeg -re -i <playlist>`` (the master ``live.m3u8``, which ffmpeg
plays from its first variant, 128k, and the 64k media playlist): ``-re`` plays the stream
at its own pace from where ffmpeg joins it (three segments from the live edge, as
players do), writing PCM to a file flushed per packet. The file's growth is timed
every 10 ms; the tone's first 50 ms above -40 dBFS in the file gives its play time.

Peer: ffmpeg's own HLS muxer (the same AAC settings, ``-hls_time 2``), listened to
by the same ffmpeg client, from the same kind of performer input.
"""

from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from bench.loopback_server import serving
from bench.processes import Child
from bench.results import BenchOptions, Result

NAME = "listener_latency"
PEER_NAME = "ffmpeg -f hls, same client"
ONSET = 12.0
#: How long after the onset a listener may take to play the tone before the bench gives up.
PLAY_ALLOWANCE = 25.0
SAMPLE_RATE = 8000
SOURCE = (f"sine=frequency=440:sample_rate=44100,volume=volume=0:enable='lt(t,{ONSET})'")


def performer_argv(url: str) -> list[str]:
    """Silence, then a tone at ``ONSET`` s, as MP3 to an Icecast mount at real-time pace."""
    return ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-re", "-f", "lavfi", "-i", SOURCE,
            "-c:a", "libmp3lame", "-b:a", "128k", "-content_type", "audio/mpeg", "-f", "mp3", url]


def peer_argv(out_dir: Path) -> list[str]:
    """The same performer input through ffmpeg's own HLS muxer (AAC-LC 128k, 2 s segments)."""
    return ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-re", "-f", "lavfi", "-i", SOURCE,
            "-ar", "48000", "-ac", "2", "-c:a", "aac", "-b:a", "128k", "-f", "hls", "-hls_time", "2",
            "-hls_list_size", "8", "-hls_segment_filename", str(out_dir / "seg-%05d.ts"),
            str(out_dir / "live.m3u8")]


def listener_argv(url: str, out: Path) -> list[str]:
    """ffmpeg as a listener: plays the playlist at its own pace into a PCM file, flushed per packet."""
    return ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-re", "-i", url,
            "-map", "0:a:0", "-ac", "1", "-ar", str(SAMPLE_RATE), "-f", "s16le", "-flush_packets", "1",
            "-y", str(out)]


class GrowthClock:
    """Notes when a file grew past each size (every 10 ms, on a thread)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.marks: list[tuple[int, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        last = -1
        while not self._stop.wait(0.01):
            try:
                size = self.path.stat().st_size
            except OSError:
                continue
            if size != last:
                self.marks.append((size, time.time()))
                last = size

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)

    def time_of_byte(self, offset: int) -> float | None:
        """Wall time when the file first held ``offset`` bytes."""
        for size, when in self.marks:
            if size > offset:
                return when
        return None


def _onset_byte(pcm: bytes) -> int | None:
    x = np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype="<i2").astype(np.float64) / 32768
    window = SAMPLE_RATE // 20
    for start in range(0, len(x) - window, window // 2):
        if np.sqrt(np.mean(x[start : start + window] ** 2)) > 10 ** (-40 / 20):
            return start * 2
    return None


def _listen(name: str, url: str, work: Path, children: list[Child], onset_wall: float,
            deadline: float, alive: object) -> float:
    out = work / f"{name}.pcm"
    clock = GrowthClock(out)
    children.append(Child(f"listener {name}", listener_argv(url, out), work / f"{name}.log"))
    try:
        while time.time() < deadline:
            assert callable(alive)
            alive()
            if out.exists() and time.time() > onset_wall:
                found = _onset_byte(out.read_bytes())
                if found is not None:
                    time.sleep(0.1)
                    played = clock.time_of_byte(found)
                    if played is not None:
                        return played - onset_wall
            time.sleep(0.2)
        raise RuntimeError(f"listener {name} never played the tone")
    finally:
        clock.stop()


def run(options: BenchOptions | None = None) -> list[Result]:
    """Measure tone-in to tone-played for our 128k and 64k playlists and for ffmpeg's own HLS."""
    with tempfile.TemporaryDirectory(prefix="livestage-listener-") as tmp:
        work = Path(tmp)
        (work / "peer").mkdir()
        with serving(work) as (server, children):
            room = server.create_room("Listener latency")
            url = f"icecast://source:{room.stream_key}@127.0.0.1:{server.port}/ingest/{room.id}"
            performer = Child("performer", performer_argv(url), work / "performer.log")
            children.append(performer)
            peer = Child("peer ffmpeg", peer_argv(work / "peer"), work / "peer-muxer.log")
            children.append(peer)
            ours_onset = performer.started_wall + ONSET
            peer_onset = peer.started_wall + ONSET
            wait_until = time.monotonic() + 30
            peer_live = work / "peer" / "live.m3u8"
            while not server.fetch(f"/hls/{room.id}/live.m3u8") or not peer_live.exists():
                server.check()
                if time.monotonic() > wait_until:
                    raise RuntimeError("no playlist to listen to within 30 s")
                time.sleep(0.2)
            deadline = max(ours_onset, peer_onset) + PLAY_ALLOWANCE
            figures = {}
            jobs = {
                "master (128k)": (f"{server.base_url}/hls/{room.id}/live.m3u8", ours_onset),
                "64k": (f"{server.base_url}/hls/{room.id}/{server.live_media(room.id, '64k')}", ours_onset),
                "peer": (str(work / "peer" / "live.m3u8"), peer_onset),
            }
            threads = []
            errors: list[BaseException] = []

            def job(name: str, target: str, onset: float) -> None:
                try:
                    figures[name] = _listen(name.split()[0], target, work, children, onset, deadline,
                                            server.check)
                except BaseException as exc:  # reported below, after every listener stopped
                    errors.append(exc)

            for name, (target, onset) in jobs.items():
                threads.append(threading.Thread(target=job, args=(name, target, onset), daemon=True))
                threads[-1].start()
            for thread in threads:
                thread.join(PLAY_ALLOWANCE + ONSET + 30)
            if errors:
                raise errors[0]
    peer_value = round(figures["peer"] * 1000)
    return [Result(NAME, f"tone in → played by ffmpeg -re, {name}", round(figures[name] * 1000), "ms",
                   peer_value, PEER_NAME) for name in ("master (128k)", "64k")]
