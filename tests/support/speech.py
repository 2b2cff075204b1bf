"""Known spoken sentences: espeak-ng reads them, ffmpeg makes them bus PCM or a performer's stream."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Sentences read for the caption tests and bench/captions.py: plain words a radio show says.
SENTENCES = (
    "good evening and welcome to the show",
    "tonight we talk about gardens and rivers",
    "the weather will be cold tomorrow morning",
    "thank you for listening to our radio program",
    "the music starts again after the news",
    "please call the station with your questions",
    "our guest plays the piano every sunday",
    "the city council will meet next week",
)


def espeak() -> str:
    """Debian's espeak-ng; its absence is a failure (scripts/bootstrap --test installs it)."""
    path = shutil.which("espeak-ng")
    assert path, "espeak-ng must be installed: run scripts/bootstrap --test"
    return path


def spoken_wav(text: str, path: Path, *, words_per_minute: int = 140, voice: str = "en-us") -> Path:
    """``text`` read by espeak-ng into a WAV file (22.05 kHz mono, as espeak writes it)."""
    subprocess.run([espeak(), "-v", voice, "-s", str(words_per_minute), "-w", str(path), text],
                   check=True, capture_output=True)
    return path


def wav_to_pcm(path: Path, *, sample_rate: int = 48000, channels: int = 2, pad_seconds: float = 0.0) -> bytes:
    """The WAV as s16le PCM at ``sample_rate`` (the bus's format by default), silence padded after."""
    pcm = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "s16le", "-ac", str(channels),
                          "-ar", str(sample_rate), "-"], check=True, capture_output=True).stdout
    return pcm + b"\0" * (int(pad_seconds * sample_rate) * channels * 2)


def speech_pcm(texts: tuple[str, ...] | list[str], folder: Path, *, gap: float = 1.0,
               sample_rate: int = 48000, channels: int = 2) -> tuple[bytes, list[tuple[float, float, str]]]:
    """The sentences one after another with ``gap`` s of silence before each; (PCM, [(start, end, text)])."""
    pcm = b""
    spans = []
    frame = 2 * channels
    for i, text in enumerate(texts):
        pcm += b"\0" * (int(gap * sample_rate) * frame)
        start = len(pcm) / (sample_rate * frame)
        pcm += wav_to_pcm(spoken_wav(text, folder / f"sentence-{i}.wav"), sample_rate=sample_rate,
                          channels=channels)
        spans.append((start, len(pcm) / (sample_rate * frame), text))
    return pcm, spans


@contextmanager
def speaking(url: str, key: str, room_id: str, wav: Path, *,
             loops: int = 0) -> Iterator[subprocess.Popen[bytes]]:
    """A performer reading ``wav`` (repeated ``loops`` more times) to the Icecast ingest, in real time."""
    host = url.removeprefix("http://")
    performer = subprocess.Popen(
        ["ffmpeg", "-v", "error", "-re", "-stream_loop", str(loops), "-i", str(wav),
         "-c:a", "libmp3lame", "-b:a", "128k", "-content_type", "audio/mpeg", "-f", "mp3",
         f"icecast://source:{key}@{host}/ingest/{room_id}"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        yield performer
    finally:
        if performer.poll() is None:
            performer.kill()
        performer.wait()
