"""Performers' own tools from Debian, run headless against a live server.

Each helper starts the real program with its ordinary (default) settings, pointed at a
room's Icecast mount, and stops it when the block ends: ezstream (libshout), liquidsoap,
GStreamer's ``shout2send`` (libshout), and BUTT under Xvfb, fed a tone through a PulseAudio
null sink (there is no sound card here). Stream keys go into files only they read.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support import LiveServer, wait_for

TOOLS = ("ezstream", "liquidsoap", "gst-launch-1.0", "butt", "Xvfb", "pulseaudio", "opusinfo")


def missing_tools() -> list[str]:
    """The tools of this module not installed here (scripts/bootstrap --test installs them)."""
    return [tool for tool in TOOLS if shutil.which(tool) is None]


@contextmanager
def running(argv: Sequence[str], log: Path, *, env: dict[str, str] | None = None,
            cwd: Path | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """A child process logging to ``log``, terminated (then killed) when the block ends."""
    with open(log, "ab") as out:
        proc = subprocess.Popen(list(argv), stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                env={**os.environ, **(env or {})}, cwd=cwd)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def private_file(path: Path, text: str) -> Path:
    """``text`` in a file only its owner reads (ezstream refuses others; keys stay private)."""
    path.touch(mode=0o600)
    path.write_text(text)
    return path


def ezstream(tmp: Path, server: LiveServer, room_id: str, key: str, files: Sequence[Path]) -> Any:
    """ezstream with libshout's default settings (OPTIONS probe, PUT) playing ``files`` once."""
    playlist = tmp / "ezstream.m3u"
    playlist.write_text("".join(f"{f}\n" for f in files))
    config = private_file(tmp / "ezstream.xml", f"""<?xml version="1.0" encoding="UTF-8"?>
<ezstream>
  <servers><server><hostname>127.0.0.1</hostname><port>{server.port}</port>
    <password>{key}</password></server></servers>
  <streams><stream><mountpoint>/ingest/{room_id}</mountpoint><format>MP3</format></stream></streams>
  <intakes><intake><type>playlist</type><filename>{playlist}</filename>
    <stream_once>Yes</stream_once></intake></intakes>
</ezstream>
""")
    return running(["ezstream", "-v", "-c", str(config)], tmp / "ezstream.log")


def liquidsoap(tmp: Path, server: LiveServer, room_id: str, key: str, *, fmt: str, freq: float,
               every: float) -> Any:
    """liquidsoap sending a sine in ``fmt`` (``%mp3``, ``%ogg(%opus)``) with a new title every ``every`` s."""
    script = private_file(tmp / f"live-{freq:.0f}.liq", f"""
settings.init.allow_root.set(true)
settings.log.stdout.set(true)
settings.log.file.set(false)
s = insert_metadata(amplify(0.25, sine({float(freq)})))
n = ref(0)
def next_song() =
  n := !n + 1
  s.insert_metadata([("title", "Song " ^ string_of(!n)), ("artist", "Liquid Tester")])
end
thread.run(every={float(every)}, next_song)
output.icecast({fmt}, host="127.0.0.1", port={server.port}, password="{key}",
               mount="/ingest/{room_id}", s)
""")
    return running(["liquidsoap", str(script)], tmp / f"liquidsoap-{freq:.0f}.log")


def shout2send(tmp: Path, server: LiveServer, room_id: str, key: str, *, freq: float,
               title: str, artist: str) -> Any:
    """GStreamer: a live test tone, tagged, as MP3 through ``shout2send`` (libshout, defaults)."""
    return running(["gst-launch-1.0", "-q", "audiotestsrc", f"freq={freq}", "is-live=true", "volume=0.25",
                    "!", "audioconvert", "!", "audio/x-raw,rate=48000,channels=2",
                    "!", "taginject", f'tags="title=\\"{title}\\",artist=\\"{artist}\\""',
                    "!", "lamemp3enc", "target=bitrate", "bitrate=128",
                    "!", "shout2send", "ip=127.0.0.1", f"port={server.port}", f"password={key}",
                    f"mount=/ingest/{room_id}"], tmp / "shout2send.log")


@dataclass
class Butt:
    """BUTT running under Xvfb, recording a tone from a PulseAudio null sink; driven by its commands."""

    port: int
    log: Path
    env: dict[str, str] = field(default_factory=dict)

    def command(self, *args: str) -> str:
        """One ``butt -p <port> …`` control command; its output."""
        done = subprocess.run(["butt", "-p", str(self.port), *args], capture_output=True, timeout=20,
                              env={**os.environ, **self.env}, check=False)
        return done.stdout.decode(errors="replace") + done.stderr.decode(errors="replace")

    def status(self) -> dict[str, str]:
        """``butt -S`` as a dict (``connected``, ``signal present``, …)."""
        lines = self.command("-S").splitlines()
        return {k.strip(): v.strip() for k, sep, v in (line.partition(":") for line in lines) if sep}


@contextmanager
def butt(tmp: Path, server: LiveServer, room_id: str, key: str, *, freq: float,
         command_port: int) -> Iterator[Butt]:
    """BUTT set up for the room (Icecast, MP3), with a ``freq`` tone on its default input."""
    home = tmp / "butt-home"
    home.mkdir()
    sock = tmp / "pulse.sock"
    pulse_env = {"PULSE_SERVER": f"unix:{sock}", "HOME": str(home)}
    (tmp / "pulse.pa").write_text(
        f"load-module module-native-protocol-unix auth-anonymous=1 socket={sock}\n"
        "load-module module-null-sink sink_name=tone rate=48000 channels=2\n"
        "set-default-sink tone\nset-default-source tone.monitor\n")
    config = private_file(home / "buttrc", f"""[main]
server = LiveStage
icy =
num_of_srv = 1
num_of_icy = 0
srv_ent = LiveStage
icy_ent =
song_update = 0
gain = 1.0
connect_at_startup = 0
force_reconnecting = 0
check_for_update = 0

[audio]
device = default
samplerate = 48000
bitrate = 128
channel = 2
codec = mp3
resample_mode = 1
buffer_ms = 50

[LiveStage]
address = 127.0.0.1
port = {server.port}
password = {key}
type = 1
tls = 0
mount = ingest/{room_id}
usr = source
""")
    with ExitStack() as stack:
        stack.enter_context(running(
            ["pulseaudio", "-n", "-F", str(tmp / "pulse.pa"), "--exit-idle-time=-1", "--daemonize=no",
             "--use-pid-file=false", "--disallow-exit"], tmp / "pulse.log", env=pulse_env))
        wait_for(sock.exists, 15, what="PulseAudio's socket")
        read_fd, write_fd = os.pipe()
        xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "800x600x24",
                                 "-nolisten", "tcp"], pass_fds=(write_fd,), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        stack.callback(lambda: (xvfb.terminate(), xvfb.wait(10)))
        os.close(write_fd)
        display = _read_display(read_fd)
        stack.enter_context(running(
            ["ffmpeg", "-nostdin", "-v", "error", "-re", "-f", "lavfi", "-i",
             f"sine=frequency={freq}:sample_rate=48000", "-af", "volume=2", "-ac", "2",
             "-f", "pulse", "-device", "tone", "tone"], tmp / "tone.log", env=pulse_env))
        env = {**pulse_env, "DISPLAY": f":{display}"}
        stack.enter_context(running(["butt", "-c", str(config), "-p", str(command_port)],
                                    tmp / "butt.log", env=env))
        tool = Butt(command_port, tmp / "butt.log", env)
        wait_for(lambda: tool.status().get("signal present") == "1", 30, interval=0.5,
                 what="BUTT hearing the tone")
        yield tool
        tool.command("-d")


def _read_display(fd: int) -> str:
    """The display number Xvfb writes to ``-displayfd`` once it is ready."""
    text = b""
    deadline = time.monotonic() + 15
    while not text.endswith(b"\n") and time.monotonic() < deadline:
        chunk = os.read(fd, 16)
        if not chunk:
            break
        text += chunk
    os.close(fd)
    assert text.strip(), "Xvfb did not start"
    return text.decode().strip()


class TitleWatch:
    """Polls a room's ``now_playing`` in the background and keeps each title change, in order."""

    def __init__(self, server: LiveServer, room_id: str, interval: float = 0.25) -> None:
        self.seen: list[tuple[str, str]] = []
        self._server, self._room_id, self._interval = server, room_id, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TitleWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            status, body = self._server.request("GET", f"/api/rooms/{self._room_id}")
            song = body.get("now_playing") if status == 200 and isinstance(body, dict) else None
            if song and (not self.seen or self.seen[-1] != (song["title"], song["artist"])):
                self.seen.append((song["title"], song["artist"]))

    def titles(self) -> list[str]:
        """The titles seen so far, in order."""
        return [title for title, _ in self.seen]
