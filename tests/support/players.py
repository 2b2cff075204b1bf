"""Real HLS players for tests, headless: VLC (as an unprivileged user) and GStreamer.

Each plays a URL for a while, writes what it decoded to a file and hands back the
warnings and errors of its log, so a test can hold both the audio and the log to account.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

#: VLC prefixes each line with the address of the object logging it; not part of the message
_VLC_OBJECT = re.compile(r"^\[[0-9a-f]+\] ")
#: GStreamer's debug lines: time, pid, thread, level, category, source location, message
_GST_LINE = re.compile(r"^\S+\s+\d+\s+0x[0-9a-f]+\s+(WARN|ERROR)\s+(\S+)\s+(.*)$")
#: souphttpsrc shares its HTTP session as a context, and gst-launch cannot print that: it
#: comes with any HTTP download (one plain segment fetched alone logs it too), not our stream
GST_SELF_TALK = "No value transform to serialize field 'session' of type 'GstSoupSession'"


@dataclass
class Playback:
    """What a player decoded (a file) and what it complained about (normalised log lines)."""

    audio: Path
    complaints: list[str]
    log: str


def _as_nobody(workdir: Path) -> list[str]:
    """VLC refuses to run as root: run it as ``nobody`` then, with a home it may write."""
    if os.geteuid() != 0:
        return []
    return ["runuser", "-u", "nobody", "--", "env", f"HOME={workdir}"]


def vlc(url: str, seconds: float, workdir: Path) -> Playback:
    """``cvlc`` playing ``url`` for ``seconds`` into a WAV file, verbose (``workdir``: world-writable)."""
    assert shutil.which("cvlc"), "VLC must be installed (scripts/bootstrap --test)"
    audio = workdir / f"vlc-{abs(hash(url))}.wav"
    argv = [*_as_nobody(workdir), "cvlc", "-I", "dummy", "--verbose", "2", "--no-video",
            "--aout", "afile", "--audiofile-file", str(audio), "--play-and-exit",
            "--run-time", str(seconds), url]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 30, check=False)
    log = done.stdout + done.stderr
    complaints = sorted({_VLC_OBJECT.sub("", line) for line in log.splitlines()
                         if re.search(r"\b(warning|error):", line)})
    return Playback(audio, complaints, log)


def gstreamer(url: str, seconds: float, workdir: Path) -> Playback:
    """GStreamer's HLS and TS demuxers playing ``url`` in real time for ``seconds`` into raw mono PCM."""
    assert shutil.which("gst-launch-1.0"), "GStreamer must be installed (scripts/bootstrap --test)"
    audio = workdir / f"gst-{abs(hash(url))}.s16"
    pipeline = (f"souphttpsrc location={url} ! hlsdemux ! tsdemux ! aacparse ! avdec_aac ! "
                "audioconvert ! audio/x-raw,format=S16LE,channels=1,rate=48000 ! "
                f"identity sync=true ! filesink location={audio}")
    env = {**os.environ, "GST_DEBUG": "2", "GST_DEBUG_NO_COLOR": "1"}
    try:
        done = subprocess.run(["gst-launch-1.0", "-q", *pipeline.split(" ")], capture_output=True,
                              text=True, timeout=seconds, env=env, check=False)
        log = done.stdout + done.stderr
    except subprocess.TimeoutExpired as stopped:  # a live stream never ends: time is up
        log = _text(stopped.stdout) + _text(stopped.stderr)
    complaints = sorted({f"{m.group(1)} {m.group(2)} {m.group(3)}" for line in log.splitlines()
                         if (m := _GST_LINE.match(line)) and GST_SELF_TALK not in line})
    return Playback(audio, complaints, log)


def _text(data: bytes | str | None) -> str:
    if data is None:
        return ""
    return data if isinstance(data, str) else data.decode(errors="replace")
