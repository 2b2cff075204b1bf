"""Ogg pages repaired on the way to the decoder: what liquidsoap writes decodes whole, songs read.

``liquidsoap-chained.opus`` was captured from liquidsoap 2.1 (Debian 12) writing a 440 Hz sine
as ``%ogg(%opus)`` with a new title every 1.5 s: one chained stream per title, each ending
with the zero-length packet on which ffmpeg 5.1's Ogg demuxer stops. ffmpeg, which checks
every page's CRC, and ``opusinfo`` are the independent judges here.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from stream_server.ingest.ogg_pages import OggRepair, ogg_crc, vorbis_comments
from stream_server.ingest.song_titles import SongTitle
from tests.support import ROOT
from tests.support.audio import dominant_frequency

CAPTURED = (ROOT / "tests/support/captured/liquidsoap-chained.opus").read_bytes()


def decode(data: bytes) -> tuple[bytes, str]:
    """Mono s16le at 48 kHz as ffmpeg decodes ``data`` from a pipe, and what it complained of."""
    done = subprocess.run(["ffmpeg", "-nostdin", "-v", "warning", "-f", "ogg", "-i", "pipe:0",
                           "-f", "s16le", "-ac", "1", "-ar", "48000", "pipe:1"],
                          input=data, capture_output=True, check=False, timeout=60)
    return done.stdout, done.stderr.decode(errors="replace")


def repaired(data: bytes, piece: int) -> tuple[bytes, OggRepair]:
    repair = OggRepair()
    out = b"".join(repair.feed(data[i:i + piece]) for i in range(0, len(data), piece))
    return out, repair


def opusinfo_titles(path: Path) -> list[str]:
    done = subprocess.run(["opusinfo", str(path)], capture_output=True, check=False, timeout=30)
    return [line.strip().removeprefix("title=") for line in done.stdout.decode().splitlines()
            if line.strip().startswith("title=")]


def test_ffmpeg_stops_on_the_captured_stream_as_it_is() -> None:
    pcm, complaint = decode(CAPTURED)
    whole, _ = decode(repaired(CAPTURED, 1 << 20)[0])
    assert len(pcm) < len(whole) / 3 and "Invalid data" in complaint  # the first song only


@pytest.mark.parametrize("piece", [1, 100, 4096, 1 << 20], ids=["bytewise", "small", "page-ish", "whole"])
def test_the_repaired_stream_decodes_whole_to_the_tone(piece: int) -> None:
    out, repair = repaired(CAPTURED, piece)
    pcm, complaint = decode(out)
    assert "CRC" not in complaint and "Invalid" not in complaint, complaint
    seconds = len(pcm) / 2 / 48000
    chains = CAPTURED.count(b"OpusHead")
    assert seconds > 1.2 * (chains - 1)  # every chain heard, not only the first
    assert abs(dominant_frequency(pcm) - 440) < 5
    assert repair.empty_packets == chains and repair.resyncs == 0


def test_each_chain_names_its_song_as_opusinfo_reads_it(tmp_path: Path) -> None:
    _, repair = repaired(CAPTURED, 3000)
    (tmp_path / "captured.opus").write_bytes(CAPTURED)
    titles = opusinfo_titles(tmp_path / "captured.opus")
    assert titles and [s.title for s in repair.songs] == titles
    assert {s.artist for s in repair.songs} == {"Tester"}


def test_bytes_that_are_no_page_are_skipped_and_counted() -> None:
    noisy = b"junk before the stream" + CAPTURED[:20000] + b"\x00garbage\xff" * 3 + CAPTURED[20000:]
    out, repair = repaired(noisy, 1000)
    assert repair.resyncs >= 2
    pcm, _ = decode(out)
    assert abs(dominant_frequency(pcm) - 440) < 5


def test_a_fresh_decoder_given_the_header_pages_decodes_from_the_next_page() -> None:
    repair = OggRepair()
    middle = CAPTURED.index(b"OggS", CAPTURED.index(b"OpusHead", 5000) + 2000)
    repair.feed(CAPTURED[:middle])  # the decoder died here
    headers = repair.header_pages()
    assert headers.count(b"OggS") >= 2 and b"OpusHead" in headers and b"OpusTags" in headers
    pcm, complaint = decode(headers + repair.feed(CAPTURED[middle:]))
    assert len(pcm) > 48000 * 2 and abs(dominant_frequency(pcm) - 440) < 5, complaint


def test_vorbis_comments_are_read_from_opus_and_vorbis_headers() -> None:
    def packet(prefix: bytes, *entries: str) -> bytes:
        body = len(b"vendor").to_bytes(4, "little") + b"vendor" + len(entries).to_bytes(4, "little")
        for entry in entries:
            raw = entry.encode()
            body += len(raw).to_bytes(4, "little") + raw
        return prefix + body

    assert vorbis_comments(packet(b"OpusTags", "TITLE=Blue in Green", "artist=Miles Davis")) == {
        "TITLE": "Blue in Green", "ARTIST": "Miles Davis"}
    assert vorbis_comments(packet(b"\x03vorbis", "title=So What")) == {"TITLE": "So What"}
    assert vorbis_comments(b"OpusTags\xff") == {}
    assert vorbis_comments(b"OpusHead....") == {}


def test_the_page_checksum_is_the_one_ffmpeg_accepts() -> None:
    page_end = CAPTURED.index(b"OggS", 4)
    page = bytearray(CAPTURED[:page_end])
    stored = int.from_bytes(page[22:26], "little")
    page[22:26] = b"\0\0\0\0"
    assert ogg_crc(bytes(page)) == stored


def test_songs_are_song_titles() -> None:
    _, repair = repaired(CAPTURED, 5000)
    assert all(isinstance(s, SongTitle) and s.title.startswith("Song ") for s in repair.songs)
