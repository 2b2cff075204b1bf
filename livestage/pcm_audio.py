"""PCM helpers of ``go-live``: decoding any file with pydub, a streaming WAV header, levels."""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

#: what go-live sends: 48 kHz, stereo, 16-bit little-endian (the server's bus rate)
SAMPLE_RATE = 48000
CHANNELS = 2
SAMPLE_WIDTH = 2


class AudioDecodeError(Exception):
    """The input is not audio that ffmpeg (through pydub) can decode."""


@dataclass(frozen=True)
class Pcm:
    """Decoded audio: interleaved s16le frames."""

    data: bytes
    sample_rate: int = SAMPLE_RATE
    channels: int = CHANNELS

    @property
    def bytes_per_second(self) -> int:
        """Bytes of one second of this audio."""
        return self.sample_rate * self.channels * SAMPLE_WIDTH

    @property
    def seconds(self) -> float:
        """Duration in seconds."""
        return len(self.data) / self.bytes_per_second


def decode_audio(source: Path | BinaryIO) -> Pcm:
    """Decode any file ffmpeg reads (a path, or a binary stream such as stdin) to 48 kHz stereo."""
    from pydub import AudioSegment
    from pydub.exceptions import CouldntDecodeError

    try:
        if isinstance(source, Path):
            segment = AudioSegment.from_file(str(source))
        else:
            segment = AudioSegment.from_file(io.BytesIO(source.read()))
    except (CouldntDecodeError, IndexError, OSError) as exc:
        first = str(exc).strip().splitlines()[-1:] or [type(exc).__name__]
        raise AudioDecodeError(first[0][:300]) from None
    segment = segment.set_frame_rate(SAMPLE_RATE).set_channels(CHANNELS).set_sample_width(SAMPLE_WIDTH)
    return Pcm(bytes(segment.raw_data))


def streaming_wav_header(sample_rate: int = SAMPLE_RATE, channels: int = CHANNELS) -> bytes:
    """A WAV (RIFF) header of unknown length, for a stream: sizes set to 0xFFFFFFFF."""
    block_align = channels * SAMPLE_WIDTH
    return b"".join([
        b"RIFF", struct.pack("<I", 0xFFFFFFFF), b"WAVE",
        b"fmt ", struct.pack("<IHHIIHH", 16, 1, channels, sample_rate, sample_rate * block_align,
                             block_align, SAMPLE_WIDTH * 8),
        b"data", struct.pack("<I", 0xFFFFFFFF),
    ])


def level_dbfs(block: bytes) -> float:
    """RMS level of s16le audio in dBFS (-90 for silence)."""
    samples = np.frombuffer(block[: len(block) - len(block) % 2], dtype="<i2").astype(np.float64)
    if samples.size == 0:
        return -90.0
    rms = float(np.sqrt(np.mean((samples / 32768.0) ** 2)))
    return max(-90.0, 20 * float(np.log10(rms))) if rms > 0 else -90.0
