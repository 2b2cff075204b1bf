"""Speech to timed words with pocketsphinx: the English model ships in its wheel, nothing is fetched.

The stream is cut into utterances by pocketsphinx's voice-activity endpointer; an
utterance is decoded as it comes and its words are final when it ends, or after
``max_utterance`` seconds of unbroken speech (so a talker who never pauses still gets
captions every few seconds, at a small cost in accuracy at the cut).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

#: 16 kHz mono s16le: what the English acoustic model was trained on.
SAMPLE_RATE = 16_000
#: pocketsphinx counts frames at 100 per second.
FRAMES_PER_SECOND = 100
MAX_UTTERANCE_SECONDS = 4.0
#: Decoder settings: no second (flat-lexicon) pass and at most 1,500 HMMs searched per frame.
#: On the espeak-ng test set (bench/captions.py) they cut CPU per second of speech by about
#: 2.5× against pocketsphinx's defaults at the same word error rate.
DECODER_OPTIONS: dict[str, Any] = {"fwdflat": False, "maxhmmpf": 1500}
#: Fillers and markers the decoder writes that are not words anyone said.
_NOT_WORDS = re.compile(r"^(<.*>|\[.*\]|\+\+.*\+\+)$")
_ALTERNATE = re.compile(r"\(\d+\)$")


@dataclass(frozen=True, slots=True)
class Word:
    """One recognised word: seconds from the start of the recogniser's stream."""

    start: float
    end: float
    text: str


class Recognizer(Protocol):
    """What the captioner needs from a speech engine."""

    #: how far behind the audio fed so far a word may still begin (seconds)
    lookback: float

    def feed(self, pcm: bytes) -> list[Word]:
        """Take 16 kHz mono s16le; the words made final by it."""
        ...

    def flush(self) -> list[Word]:
        """End the stream: the words still pending."""
        ...

    def pending_since(self) -> float | None:
        """Start (stream seconds) of the utterance being decoded, or None between utterances."""
        ...

    def close(self) -> None:
        """Release the engine."""
        ...


class SphinxRecognizer:
    """pocketsphinx 5 with its bundled US English model, endpointed by its own VAD."""

    def __init__(self, *, max_utterance: float = MAX_UTTERANCE_SECONDS) -> None:
        from pocketsphinx import Decoder, Endpointer  # loads the model: only for captioned rooms

        self._decoder: Any = Decoder(samprate=SAMPLE_RATE, loglevel="FATAL", **DECODER_OPTIONS)
        self._new_endpointer: Any = lambda: Endpointer(sample_rate=SAMPLE_RATE)
        self._endpointer: Any = self._new_endpointer()
        #: stream seconds fed so far, and where the current endpointer's clock starts
        self._fed = 0.0
        self._base = 0.0
        self._frame = int(self._endpointer.frame_bytes)
        self._max_utterance = max_utterance
        self._buf = bytearray()
        self._utterance_start: float | None = None
        self._cut_at = 0.0
        self._utterance_seconds = 0.0
        #: the endpointer decides over a window; a word may begin that far before what it returned
        self.lookback = float(self._endpointer.frame_length) + 0.5

    def pending_since(self) -> float | None:
        """Start (stream seconds) of the utterance being decoded, or None between utterances."""
        return self._utterance_start

    def close(self) -> None:
        """Nothing to release: the model goes with the object."""

    def feed(self, pcm: bytes) -> list[Word]:
        """Take 16 kHz mono s16le; the words made final by it."""
        self._buf += pcm
        words: list[Word] = []
        while len(self._buf) >= self._frame:
            frame = bytes(self._buf[: self._frame])
            del self._buf[: self._frame]
            self._fed += self._frame / (2 * SAMPLE_RATE)
            words += self._step(self._endpointer.process(frame))
        return words

    def flush(self) -> list[Word]:
        """End the stream here: the words still pending; what is fed next starts a fresh stream."""
        tail = self._endpointer.end_stream(bytes(self._buf).ljust(self._frame, b"\0"))
        self._fed += len(self._buf) / (2 * SAMPLE_RATE)
        self._buf.clear()
        words = []
        if tail and self._utterance_start is not None:
            self._decoder.process_raw(tail, False, False)
        if self._utterance_start is not None:
            words = self._end_utterance()
        self._endpointer = self._new_endpointer()
        self._base = self._cut_at = self._fed
        return words

    def _step(self, speech: bytes | None) -> list[Word]:
        words: list[Word] = []
        if speech is not None:
            if self._utterance_start is None:
                self._decoder.start_utt()
                self._utterance_start = max(self._cut_at, self._base + float(self._endpointer.speech_start))
            self._decoder.process_raw(speech, False, False)
            self._utterance_seconds += len(speech) / (2 * SAMPLE_RATE)
            if self._utterance_seconds >= self._max_utterance:
                words = self._end_utterance()
        if not self._endpointer.in_speech and self._utterance_start is not None:
            words += self._end_utterance()
        return words

    def _end_utterance(self) -> list[Word]:
        start = self._utterance_start or 0.0
        # the next utterance starts after this one's audio, whatever the endpointer's look-back says
        self._cut_at = start + self._utterance_seconds
        self._decoder.end_utt()
        self._utterance_start = None
        self._utterance_seconds = 0.0
        words = []
        for seg in self._decoder.seg() or ():  # None when nothing was recognised
            text = _ALTERNATE.sub("", seg.word)
            if _NOT_WORDS.match(text):
                continue
            words.append(Word(start + seg.start_frame / FRAMES_PER_SECOND,
                              start + (seg.end_frame + 1) / FRAMES_PER_SECOND, text))
        return words
