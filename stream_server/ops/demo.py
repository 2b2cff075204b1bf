"""Demo rooms kept live by a built-in performer that uses the real ingest path.

Each demo performer is an ffmpeg encoding MP3 that is sent to this very server's Icecast
ingest (``PUT /ingest/<room>``, Basic ``source:<key>``, chunked), exactly as a real performer
would; only the audio is synthesised here. The PUT is made from Python rather than by
ffmpeg's ``icecast://`` output, because that URL carries the stream key on ffmpeg's command
line, where ``ps`` shows it to every user of the machine.
"""

from __future__ import annotations

import base64
import http.client
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from room_directory import Room, RoomDirectory, RoomExists, hash_stream_key, new_stream_key
from stream_server.ops import demo_audio
from stream_server.pipeline.processes import ManagedProcess, mp3_encoder_argv

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DemoRoom:
    """A demo room's listing and the loop it plays."""

    id: str
    title: str
    host: str
    genre: str
    topics: tuple[str, ...]
    description: str
    render: Callable[[], bytes]


DEMO_ROOMS = (
    DemoRoom("demo-jazz", "Late Night Jazz Concert", "Mia Rivers", "jazz",
             ("jazz", "live music", "concert"), "A trio plays standards until late.",
             demo_audio.jazz_loop),
    DemoRoom("demo-morning-talk", "Morning Talk Show", "Sam Okafor", "talk",
             ("talk radio", "news", "morning show"), "The day's news, talked through.",
             demo_audio.talk_loop),
    DemoRoom("demo-indie-rock", "Indie Rock Set", "The Lanterns", "indie rock",
             ("rock", "indie", "band"), "Loud guitars from a basement stage.",
             demo_audio.rock_loop),
)


def ensure_demo_rooms(directory: RoomDirectory) -> dict[str, str]:
    """Create the demo rooms if missing and give each a fresh stream key; returns id → key."""
    keys = {}
    for demo in DEMO_ROOMS:
        key = new_stream_key()
        room = Room(id=demo.id, title=demo.title, stream_key_hash=hash_stream_key(key),
                    host=demo.host, genre=demo.genre, topics=demo.topics,
                    description=demo.description, tags=("demo",))
        try:
            directory.create(room)
        except RoomExists:
            existing = directory.get(demo.id)
            assert existing is not None
            directory.update(replace(existing, stream_key_hash=room.stream_key_hash))
        keys[demo.id] = key
    return keys


class DemoPerformers:
    """Keeps one publishing ffmpeg per demo room, reconnecting whenever it drops."""

    def __init__(self, ffmpeg: str, server_url: str, keys: dict[str, str]) -> None:
        self._ffmpeg = ffmpeg
        self._server = server_url.rstrip("/").removeprefix("http://")
        self._keys = keys
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Start publishing every demo room."""
        for demo in DEMO_ROOMS:
            thread = threading.Thread(target=self._perform, args=(demo,),
                                      name=f"demo[{demo.id}]", daemon=True)
            thread.start()
            self._threads.append(thread)

    def _perform(self, demo: DemoRoom) -> None:
        loop = demo.render()
        credentials = base64.b64encode(f"source:{self._keys[demo.id]}".encode()).decode()
        headers = {"Authorization": f"Basic {credentials}", "Content-Type": "audio/mpeg"}
        while not self._stop.is_set():
            proc = ManagedProcess(f"demo[{demo.id}]",
                                  mp3_encoder_argv(self._ffmpeg, demo_audio.SAMPLE_RATE), stdout=True)
            feeder = threading.Thread(target=self._feed, args=(proc, loop), daemon=True,
                                      name=f"demo-feed[{demo.id}]")
            feeder.start()
            conn = http.client.HTTPConnection(self._server, timeout=30)
            try:
                conn.request("PUT", f"/ingest/{demo.id}", body=self._mp3(proc), headers=headers,
                             encode_chunked=True)
                conn.getresponse().read()
            except (OSError, http.client.HTTPException):
                pass
            finally:
                conn.close()
            proc.stop(grace=1.0)
            feeder.join(timeout=2)
            if not self._stop.is_set():
                log.warning("demo performer of %s stopped; reconnecting", demo.id)
                self._stop.wait(2.0)

    def _feed(self, proc: ManagedProcess, loop: bytes) -> None:
        chunk = demo_audio.SAMPLE_RATE * 4 // 5  # 0.2 s of stereo s16le
        try:
            while not self._stop.is_set() and proc.poll() is None:
                for start in range(0, len(loop), chunk):
                    if self._stop.is_set():
                        break
                    proc.stdin.write(loop[start : start + chunk])
        except (BrokenPipeError, OSError, ValueError):
            pass
        finally:
            try:
                proc.stdin.close()
            except OSError:
                pass

    def _mp3(self, proc: ManagedProcess) -> Iterator[bytes]:
        while not self._stop.is_set():
            data = proc.stdout.read(4096)
            if not data:
                return
            yield data

    def stop(self) -> None:
        """Stop publishing; the rooms stay live until their show ends."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
