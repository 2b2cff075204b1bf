"""The recogniser process: length-prefixed 16 kHz mono PCM in, one JSON line of words out per message.

Recognition runs in a process of its own because pocketsphinx holds Python's global
interpreter lock while it decodes (an utterance's end takes a few hundred milliseconds):
in the server's process that would stall the bus clock thread that feeds every room.

Protocol on stdin: a 4-byte big-endian length, then that many bytes of PCM; length 0
flushes (ends the utterance). Each message is answered on stdout by one line:
``{"words": [[start, end, text], …], "pending": seconds or null}``.
"""

from __future__ import annotations

import json
import struct
import sys
from typing import BinaryIO

from stream_server.pipeline.captions.recognizer import SphinxRecognizer

HEADER = struct.Struct(">I")
#: one message holds at most this much audio (10 s): a corrupt length never allocates much
MAX_MESSAGE = 10 * 32_000


def _read_exactly(stream: BinaryIO, size: int) -> bytes | None:
    data = bytearray()
    while len(data) < size:
        more = stream.read(size - len(data))
        if not more:
            return None
        data += more
    return bytes(data)


def serve(stdin: BinaryIO, stdout: BinaryIO) -> None:
    """Answer messages until stdin closes."""
    recognizer = SphinxRecognizer()
    stdout.write(b'{"ready": true}\n')
    stdout.flush()
    while True:
        header = _read_exactly(stdin, HEADER.size)
        if header is None:
            return
        (size,) = HEADER.unpack(header)
        if size > MAX_MESSAGE:
            raise SystemExit(f"message of {size} bytes is over the limit")
        pcm = _read_exactly(stdin, size) if size else b""
        if pcm is None:
            return
        words = recognizer.feed(pcm) if size else recognizer.flush()
        answer = {"words": [[w.start, w.end, w.text] for w in words], "pending": recognizer.pending_since()}
        stdout.write(json.dumps(answer).encode() + b"\n")
        stdout.flush()


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
