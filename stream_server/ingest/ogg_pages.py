"""Ogg pages of a live stream, repaired on the way to the decoder, with the songs they name.

Tools such as liquidsoap end every chained Ogg stream (one per song) with a zero-length
packet, which RFC 7845 does not allow for Opus and on which ffmpeg 5.1's Ogg demuxer stops.
``OggRepair`` takes the stream in pieces as they arrive and hands on whole pages:

* a zero-length packet is taken out of its page (the page's CRC is computed again);
* bytes that are not a page are skipped up to the next ``OggS`` capture pattern;
* the header pages of the current chain are kept, so that a restarted decoder can be
  given them before the next page;
* each chain's comment header (``OpusTags`` or Vorbis's) is read for ``TITLE`` and
  ``ARTIST``: a new chain with new comments is a new song.

No I/O here: bytes in, bytes and events out.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from stream_server.ingest.song_titles import SongTitle, from_vorbis_comments

CAPTURE = b"OggS"
_HEADER = 27
#: a page is at most 27 + 255 + 255 * 255 bytes
MAX_PAGE = _HEADER + 255 + 255 * 255
#: comment headers larger than this (cover art) are not read for titles
MAX_COMMENT_PACKET = 1 << 20
_COMMENT_PREFIXES = (b"OpusTags", b"\x03vorbis")


def _crc_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
        table.append(crc & 0xFFFFFFFF)
    return tuple(table)


_CRC = _crc_table()


def ogg_crc(data: bytes) -> int:
    """The Ogg page checksum (CRC-32, polynomial 0x04C11DB7, not reflected)."""
    crc = 0
    for byte in data:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ _CRC[((crc >> 24) & 0xFF) ^ byte]
    return crc


def vorbis_comments(packet: bytes) -> dict[str, str]:
    """The ``NAME=value`` comments of an OpusTags or Vorbis comment packet (empty when malformed)."""
    for prefix in _COMMENT_PREFIXES:
        if packet.startswith(prefix):
            pos = len(prefix)
            break
    else:
        return {}
    comments: dict[str, str] = {}
    try:
        (vendor,) = struct.unpack_from("<I", packet, pos)
        pos += 4 + vendor
        (count,) = struct.unpack_from("<I", packet, pos)
        pos += 4
        for _ in range(min(count, 1024)):
            (length,) = struct.unpack_from("<I", packet, pos)
            pos += 4
            entry = packet[pos:pos + length].decode("utf-8", errors="replace")
            pos += length
            name, sep, value = entry.partition("=")
            if sep:
                comments.setdefault(name.upper(), value)
    except struct.error:
        pass
    return comments


@dataclass
class _Stream:
    """One logical stream of the chain: its packet count and the packet being assembled."""

    packets: int = 0
    partial: bytearray = field(default_factory=bytearray)


@dataclass
class OggRepair:
    """Whole, repaired Ogg pages out of a live stream's pieces; songs and repairs counted."""

    empty_packets: int = 0
    resyncs: int = 0
    songs: list[SongTitle] = field(default_factory=list)
    _buffer: bytearray = field(default_factory=bytearray)
    _streams: dict[int, _Stream] = field(default_factory=dict)
    _headers: list[bytes] = field(default_factory=list)
    _in_headers: bool = False

    def feed(self, data: bytes) -> bytes:
        """The whole pages ``data`` completes (repaired); a partial page waits for the next piece."""
        self._buffer += data
        out = bytearray()
        while True:
            start = self._buffer.find(CAPTURE)
            if start < 0:
                keep = len(CAPTURE) - 1  # the capture pattern may be split across pieces
                if len(self._buffer) > keep:
                    self.resyncs += 1
                    del self._buffer[:-keep]
                break
            if start > 0:
                self.resyncs += 1
                del self._buffer[:start]
            if len(self._buffer) < _HEADER:
                break
            segments = self._buffer[26]
            lacing = bytes(self._buffer[_HEADER:_HEADER + segments])
            if len(lacing) < segments:
                break
            size = _HEADER + segments + sum(lacing)
            if len(self._buffer) < size:
                break
            page = bytes(self._buffer[:size])
            del self._buffer[:size]
            if page[4] != 0:  # not Ogg version 0: not a page after all
                self.resyncs += 1
                self._buffer[:0] = page[1:]
                continue
            out += self._take(page)
        return bytes(out)

    def header_pages(self) -> bytes:
        """The current chain's header pages: what a fresh decoder needs before the next page."""
        return b"".join(self._headers)

    def _take(self, page: bytes) -> bytes:
        flags = page[5]
        (granule,) = struct.unpack_from("<q", page, 6)
        (serial,) = struct.unpack_from("<I", page, 14)
        if flags & 0x02:  # beginning of a stream: a new chain starts when data pages came before
            if not self._in_headers:
                self._headers, self._streams = [], {}
            self._in_headers = True
            self._streams[serial] = _Stream()
        page = self._repaired(page)
        if self._in_headers and granule > 0:
            self._in_headers = False
        if self._in_headers:
            self._headers.append(page)
        self._read_packets(page, serial)
        return page

    def _repaired(self, page: bytes) -> bytes:
        """The page without zero-length packets, its CRC computed again when it changed."""
        segments = page[26]
        lacing = page[_HEADER:_HEADER + segments]
        at_packet_start = not page[5] & 0x01
        kept = bytearray()
        for value in lacing:
            if value == 0 and at_packet_start:
                self.empty_packets += 1
                continue
            kept.append(value)
            at_packet_start = value < 255
        if len(kept) == segments:
            return page
        header = bytearray(page[:_HEADER])
        header[22:26] = b"\0\0\0\0"
        header[26] = len(kept)
        fixed = header + kept + page[_HEADER + segments:]
        fixed[22:26] = struct.pack("<I", ogg_crc(bytes(fixed)))
        return bytes(fixed)

    def _read_packets(self, page: bytes, serial: int) -> None:
        """Assemble each stream's second packet (its comment header) and read the song from it."""
        stream = self._streams.get(serial)
        if stream is None or stream.packets >= 2:
            return
        segments = page[26]
        pos = _HEADER + segments
        for value in page[_HEADER:_HEADER + segments]:
            if stream.packets == 1 and len(stream.partial) < MAX_COMMENT_PACKET:
                stream.partial += page[pos:pos + value]
            pos += value
            if value < 255:
                if stream.packets == 1:
                    song = from_vorbis_comments(vorbis_comments(bytes(stream.partial)))
                    if song is not None:
                        self.songs.append(song)
                stream.packets += 1
                stream.partial.clear()
                if stream.packets >= 2:
                    return
