"""One room on air: its audio bus, its encoder and its packager, wired together."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from stream_server.hls.packager import Packager
from stream_server.ops.config import Settings
from stream_server.pipeline.bus import AudioBus, PublisherInput
from stream_server.pipeline.captions.captioner import RoomCaptioner
from stream_server.pipeline.clock import BusClock
from stream_server.pipeline.encoder import RoomEncoder
from stream_server.pipeline.loudness import LoudnessProcessor

log = logging.getLogger(__name__)


class RoomStream:
    """The live pipeline of one show: publishers → bus → loudness → encoder → packager."""

    def __init__(self, room_id: str, show_id: str, settings: Settings, packager: Packager,
                 work_dir: Path, *, bus_clock: BusClock | None = None, captions: bool = False,
                 on_playable: Callable[[], None] | None = None) -> None:
        self.room_id = room_id
        self.show_id = show_id
        self._packager = packager
        #: called once, from the segment that makes the room's entry playlist play this show
        self._on_playable = on_playable
        self.loudness = (LoudnessProcessor(settings.sample_rate, target_lufs=settings.loudness_lufs)
                         if settings.loudness else None)
        self.encoder = RoomEncoder(
            room_id, settings, work_dir,
            on_segment=self._publish, on_restart=packager.mark_discontinuity,
            latency=self.loudness.latency if self.loudness else 0.0,
        )
        #: speech to text of the program, only in a room with captions (none: no thread, no model)
        self.captions = packager.start_captions(show_id) if captions else None
        self.captioner = (RoomCaptioner(room_id, settings.sample_rate, self.captions,
                                        latency=self.encoder.latency)
                          if self.captions else None)
        self.bus = AudioBus(settings.sample_rate, self._program)
        #: the process's shared clock (the stage's); a stream made alone gets a clock of its own
        self._own_clock = bus_clock is None
        self._clock = bus_clock or BusClock(name=f"bus-clock[{room_id}]")
        self.started_at = time.time()
        self.last_segment_at: float | None = None

    def _program(self, pcm: bytes) -> None:
        """The mixed program on its way to the encoder, normalised for loudness."""
        out = pcm if self.loudness is None else self.loudness.process(pcm)
        if out:
            self.encoder.write(out)
            if self.captioner is not None:
                self.captioner.feed(out)

    def _publish(self, sources: Mapping[str, Path], duration: float, air_time: float) -> None:
        self._packager.add_segment(self.show_id, sources, duration, air_time)
        self.last_segment_at = time.time()
        if self._on_playable is not None and self._packager.is_playable(self.show_id):
            announce, self._on_playable = self._on_playable, None
            try:
                announce()
            except Exception:  # the show plays on; the directory still says it is not live
                log.exception("room %s: show %s could not be announced as live", self.room_id, self.show_id)

    def start(self) -> None:
        """Start the encoder, then put the bus on the clock that feeds it."""
        self.encoder.start()
        if self.captioner is not None:
            self.captioner.start()
        self._clock.add(self.bus)

    def bus_thread_alive(self) -> bool:
        """Whether the clock feeding the encoder still drives this room's bus."""
        return self._clock.drives(self.bus)

    def add_publisher(self, label: str) -> PublisherInput:
        """A new input on the room's bus."""
        return self.bus.add_input(label)

    def stop(self, *, end_show: bool) -> None:
        """Stop the clock and the encoder (its last segment is published); optionally end the show."""
        self._clock.remove(self.bus)  # no tick touches the bus after this
        for publisher in self.bus.inputs():  # nothing takes their audio now: they end at once,
            publisher.drop()  # so their keys are free for the next show (not held for 10 s)
        if self._own_clock:
            self._clock.stop()
        if self.loudness is not None:
            tail = self.loudness.flush()
            if tail:
                self.encoder.write(tail)
                if self.captioner is not None:
                    self.captioner.feed(tail)
        if self.captioner is not None:
            self.captioner.stop()
        self.encoder.stop()
        if end_show:
            self._packager.end_show(self.show_id)
        elif self.captioner is not None:
            self._packager.stop_captions()
