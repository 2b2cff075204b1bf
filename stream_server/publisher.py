"""One performer's connection: its decoder process and the thread feeding the bus."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable

from stream_server.audio_bus import PublisherInput
from stream_server.processes import ManagedProcess, decoder_argv

log = logging.getLogger(__name__)

#: Content-Type (without parameters) → ffmpeg demuxer.  Icecast clients must name their codec.
CONTENT_TYPES: dict[str, str] = {
    "audio/mpeg": "mp3",
    "audio/mp3": "mp3",
    "audio/aac": "aac",
    "audio/aacp": "aac",
    "audio/x-aac": "aac",
    "audio/ogg": "ogg",
    "application/ogg": "ogg",
    "audio/opus": "ogg",
    "audio/webm": "matroska",
    "video/webm": "matroska",
    "audio/flac": "flac",
    "audio/x-flac": "flac",
    "audio/wav": "wav",
    "audio/wave": "wav",
    "audio/x-wav": "wav",
}


def input_format(content_type: str | None) -> str | None:
    """The ffmpeg input format for a Content-Type, or None when we do not take it."""
    if not content_type:
        return None
    return CONTENT_TYPES.get(content_type.split(";")[0].strip().lower())


class DecoderFailed(Exception):
    """The publisher's audio could not be decoded as its Content-Type says."""


class PublisherSession:
    """Decodes one publisher's stream to PCM and writes it into its bus input."""

    def __init__(self, ffmpeg: str, fmt: str, sample_rate: int, bus_input: PublisherInput,
                 label: str) -> None:
        self.fmt = fmt
        self.bytes_in = 0
        self.pcm_bytes = 0
        self._input = bus_input
        self._proc = ManagedProcess(f"decoder[{label}]", decoder_argv(ffmpeg, fmt, sample_rate),
                                    stdout=True)
        self._reader = threading.Thread(target=self._pump_pcm, name=f"pcm[{label}]", daemon=True)
        self._reader.start()

    def _pump_pcm(self) -> None:
        fd = self._proc.stdout.fileno()
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            self.pcm_bytes += len(chunk)
            if not self._input.write(chunk):
                break  # room ended or input stuck: stop reading, the decoder will stop
        self._input.close()

    def feed(self, chunks: Iterable[bytes]) -> None:
        """Send the publisher's bytes to the decoder until they end; raise DecoderFailed on bad audio."""
        try:
            for chunk in chunks:
                if not chunk:
                    continue
                self.bytes_in += len(chunk)
                self._proc.stdin.write(chunk)
        except (BrokenPipeError, ValueError) as exc:
            raise DecoderFailed(self._failure_reason()) from exc

    def finish(self) -> None:
        """End of input: let the decoder flush, then wait for the PCM to be queued."""
        code = self._proc.stop(grace=5.0)
        self._reader.join(timeout=5.0)
        self._input.close()
        if code != 0 and self.pcm_bytes == 0:
            raise DecoderFailed(self._failure_reason())

    def abort(self) -> None:
        """Drop the connection's decoder now."""
        self._proc.stop(grace=0.5)
        self._input.close()

    def _failure_reason(self) -> str:
        self._proc.stop(grace=1.0)
        detail = self._proc.stderr_text().splitlines()
        last = detail[-1] if detail else "the decoder stopped"
        return f"could not decode the stream as {self.fmt}: {last}"
