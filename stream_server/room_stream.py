"""One room on air: its audio bus, its encoder and its packager, wired together."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from stream_server.audio_bus import AudioBus, PublisherInput
from stream_server.config import Settings
from stream_server.encoder import RoomEncoder
from stream_server.packager import Packager

log = logging.getLogger(__name__)


class RoomStream:
    """The live pipeline of one show: publishers → bus → encoder → packager."""

    def __init__(self, room_id: str, show_id: str, settings: Settings, packager: Packager,
                 work_dir: Path) -> None:
        self.room_id = room_id
        self.show_id = show_id
        self._packager = packager
        self.encoder = RoomEncoder(
            room_id, settings, work_dir,
            on_segment=self._publish, on_restart=packager.mark_discontinuity,
        )
        self.bus = AudioBus(settings.sample_rate, self.encoder.write)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self.bus.run, args=(self._stop,), name=f"bus[{room_id}]", daemon=True
        )
        self.started_at = time.time()
        self.last_segment_at: float | None = None

    def _publish(self, source: Path, duration: float, air_time: float) -> None:
        self._packager.add_segment(self.show_id, source, duration, air_time)
        self.last_segment_at = time.time()

    def start(self) -> None:
        """Start the encoder, then the clock that feeds it."""
        self.encoder.start()
        self._thread.start()

    def bus_thread_alive(self) -> bool:
        """Whether the clock feeding the encoder still runs."""
        return self._thread.is_alive()

    def add_publisher(self, label: str) -> PublisherInput:
        """A new input on the room's bus."""
        return self.bus.add_input(label)

    def stop(self, *, end_show: bool) -> None:
        """Stop the clock and the encoder (its last segment is published); optionally end the show."""
        self._stop.set()
        self._thread.join(timeout=5)
        self.encoder.stop()
        if end_show:
            self._packager.end_show(self.show_id)
