"""The recogniser as seen from the server: a ``Recognizer`` whose engine runs in a child process."""

from __future__ import annotations

import json
import sys
from typing import Any

from stream_server.pipeline.captions.recognizer import Word
from stream_server.pipeline.captions.worker import HEADER
from stream_server.pipeline.processes import ManagedProcess, recognizer_argv

#: the endpointer's decision window plus a frame (matches ``SphinxRecognizer.lookback``)
LOOKBACK_SECONDS = 0.53


class RecognizerError(RuntimeError):
    """The recogniser process died or answered nonsense."""


class ProcessRecognizer:
    """Sends PCM to a recogniser process and reads its words back, one message at a time."""

    def __init__(self, name: str = "recognizer", *, python: str = sys.executable) -> None:
        self.lookback = LOOKBACK_SECONDS
        self._pending: float | None = None
        self._proc = ManagedProcess(name, recognizer_argv(python), stdout=True)
        self._answer()  # the model is loaded once it says it is ready

    @property
    def pid(self) -> int:
        """The recogniser process's id (for CPU accounting)."""
        return self._proc.pid

    def feed(self, pcm: bytes) -> list[Word]:
        """Take 16 kHz mono s16le; the words made final by it."""
        return self._send(pcm) if pcm else []

    def flush(self) -> list[Word]:
        """End the stream here: the words still pending."""
        return self._send(b"")

    def pending_since(self) -> float | None:
        """Start (stream seconds) of the utterance being decoded, or None between utterances."""
        return self._pending

    def close(self) -> None:
        """Stop the process (it exits when its input closes)."""
        self._proc.stop(grace=2.0)

    def _send(self, pcm: bytes) -> list[Word]:
        try:
            self._proc.stdin.write(HEADER.pack(len(pcm)) + pcm)
        except OSError as exc:
            raise RecognizerError(f"the recogniser stopped: {self._proc.stderr_text()}") from exc
        answer = self._answer()
        self._pending = answer.get("pending")
        return [Word(float(s), float(e), str(t)) for s, e, t in answer.get("words", [])]

    def _answer(self) -> dict[str, Any]:
        line = self._proc.stdout.readline()
        if not line:
            raise RecognizerError(f"the recogniser exited: {self._proc.stderr_text()}")
        try:
            answer = json.loads(line)
        except ValueError as exc:
            raise RecognizerError(f"the recogniser answered {line[:80]!r}") from exc
        if not isinstance(answer, dict):
            raise RecognizerError("the recogniser answered no object")
        return answer
