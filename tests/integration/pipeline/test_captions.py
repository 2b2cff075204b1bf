"""Captions on real parts: espeak-ng speech through the room's pipeline, pocketsphinx, WebVTT read back."""

from __future__ import annotations

import io
import os
import threading
from pathlib import Path

import jiwer
import m3u8
import pytest
import webvtt

from stream_server.hls.names import LIVE_PLAYLIST, live_media_name, live_subtitles_name, transcript_name
from stream_server.hls.packager import Packager
from stream_server.hls.show_log import ShowLog
from stream_server.ops.config import Settings
from stream_server.pipeline.captions.process import ProcessRecognizer
from stream_server.pipeline.captions.recognizer import SphinxRecognizer, Word
from stream_server.pipeline.room_stream import RoomStream
from stream_server.stores.local import LocalSegmentStore
from tests.support import wait_for
from tests.support.speech import SENTENCES, speech_pcm

ROOM = "room-1"
#: the content words of SENTENCES[:4] (pocketsphinx misses many in espeak-ng's voice: see README)
HEARD_WORDS = {"evening", "welcome", "show", "talk", "gardens", "rivers", "weather", "cold", "tomorrow",
               "morning", "thank", "listening", "radio", "program"}


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, list[tuple[float, float, str]]]:
    """Four known sentences at 16 kHz mono, a second of silence before each."""
    return speech_pcm(SENTENCES[:4], tmp_path_factory.mktemp("speech"), sample_rate=16000, channels=1)


def recognise(recognizer: SphinxRecognizer | ProcessRecognizer, pcm: bytes) -> list[Word]:
    words = []
    for i in range(0, len(pcm), 3200):
        words += recognizer.feed(pcm[i : i + 3200])
    return words + recognizer.flush()


Speech = tuple[bytes, list[tuple[float, float, str]]]


def test_pocketsphinx_hears_the_sentences_in_their_time(speech: Speech) -> None:
    pcm, spans = speech
    words = recognise(SphinxRecognizer(), pcm)
    said = " ".join(text for _, _, text in spans)
    heard = " ".join(w.text for w in words)
    assert jiwer.wer(said, heard) < 0.9
    assert len(HEARD_WORDS & set(heard.split())) >= 4, heard
    for word in words:  # every word lies within a sentence (a little slack for the endpointer)
        assert any(start - 0.5 <= word.start and word.end <= end + 0.5 for start, end, _ in spans), word


def test_the_recogniser_process_hears_what_the_library_hears(speech: Speech) -> None:
    pcm, _ = speech
    inside = recognise(SphinxRecognizer(), pcm)
    process = ProcessRecognizer()
    try:
        assert recognise(process, pcm) == inside
    finally:
        process.close()
    assert process._proc.poll() is not None


def make_stream(tmp: Path, *, captions: bool) -> RoomStream:
    settings = Settings(data_dir=tmp, segment_seconds=1, window_segments=6)
    packager = Packager(ROOM, LocalSegmentStore(settings.hls_dir),
                        ShowLog(settings.work_dir / ROOM / "log.jsonl"),
                        target_duration=1, window_size=6, renditions_kbps=settings.renditions_kbps)
    return RoomStream(ROOM, "show1", settings, packager, settings.work_dir / ROOM, captions=captions)


def feed(stream: RoomStream, pcm: bytes) -> None:
    inp = stream.add_publisher("test")

    def run() -> None:
        for i in range(0, len(pcm), 19200):
            if not inp.write(pcm[i : i + 19200], timeout=10):
                return
        inp.close()

    threading.Thread(target=run, daemon=True).start()


def children() -> set[int]:
    path = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children")
    return {int(pid) for pid in path.read_text().split()}


def test_a_room_with_captions_off_has_no_captioner_thread_or_process(tmp_path: Path) -> None:
    before = children()
    stream = make_stream(tmp_path, captions=False)
    stream.start()
    try:
        assert stream.captioner is None
        assert not [t for t in threading.enumerate() if t.name.startswith("captions[")]
        assert len(children() - before) == 1  # the encoder, and nothing else
        assert not (tmp_path / "hls" / ROOM / live_subtitles_name("show1")).exists()
    finally:
        stream.stop(end_show=True)


def test_a_captioned_room_publishes_the_spoken_words_beside_its_audio(tmp_path: Path) -> None:
    pcm, spans = speech_pcm(SENTENCES[:4], tmp_path)
    stream = make_stream(tmp_path, captions=True)
    stream.start()
    folder = tmp_path / "hls" / ROOM
    try:
        assert [t for t in threading.enumerate() if t.name == f"captions[{ROOM}]"]
        feed(stream, pcm)
        audio = folder / live_media_name("show1", "128k")
        wait_for(audio.exists, 30, what="the first audio segment")
        first = m3u8.loads(audio.read_text()).segments[0]
        assert first.media_sequence == 0
        show_start = first.program_date_time.timestamp()  # the air time the speech started at

        def cues_listed() -> list[tuple[float, float, str]]:
            parsed = m3u8.loads((folder / live_subtitles_name("show1")).read_text())
            found = []
            for seg in parsed.segments:
                base = seg.program_date_time.timestamp()
                for cue in webvtt.from_buffer(io.StringIO((folder / seg.uri).read_text())):
                    found.append((base + cue.start_in_seconds, base + cue.end_in_seconds, cue.text))
            return found

        wait_for(lambda: len({w for c in cues_listed() for w in c[2].split()} & HEARD_WORDS) >= 3, 60,
                 what="the spoken words in the subtitle playlist")
        master = m3u8.loads((folder / LIVE_PLAYLIST).read_text())
        assert master.media[0].type == "SUBTITLES" and master.media[0].uri == live_subtitles_name("show1")
        # a cue sits where its words were said: the sentence's air time, measured from the show's start
        for start, _, text in cues_listed():
            at = start - show_start
            assert any(s - 1.0 <= at <= e + 1.0 for s, e, _ in spans), (at, text)
    finally:
        stream.stop(end_show=True)
    transcript = (folder / transcript_name("show1", "txt")).read_text()
    assert len(set(transcript.split()) & HEARD_WORDS) >= 3
    assert stream.captioner is not None and not stream.captioner._thread.is_alive()
