"""PAT and PMT open every segment: the tables ffmpeg writes before them move behind them, counters intact."""

from __future__ import annotations

import pytest

from stream_server.hls.transport import PACKET_SIZE, pat_pmt_first

SDT, PAT, PMT, AUDIO, NIT = 0x11, 0x0, 0x1000, 0x100, 0x10


def packet(pid: int, cc: int, payload: bytes = b"", *, start: bool = True) -> bytes:
    head = bytes([0x47, (0x40 if start else 0) | pid >> 8, pid & 0xFF, 0x10 | cc])
    return (head + payload).ljust(PACKET_SIZE, b"\xff")


def pat(cc: int, programmes: dict[int, int]) -> bytes:
    """A one-packet PAT naming ``{programme number: PMT PID}`` (CRC left as zeros: not checked here)."""
    entries = b"".join(bytes([n >> 8, n & 0xFF, 0xE0 | p >> 8, p & 0xFF]) for n, p in programmes.items())
    length = 5 + len(entries) + 4
    section = bytes([0x00, 0xB0 | length >> 8, length & 0xFF, 0, 1, 0xC1, 0, 0]) + entries + b"\0\0\0\0"
    return packet(PAT, cc, b"\x00" + section)


def pids(data: bytes) -> list[int]:
    return [((data[i + 1] & 0x1F) << 8) | data[i + 2] for i in range(0, len(data), PACKET_SIZE)]


def counters(data: bytes, pid: int) -> list[int]:
    return [data[i + 3] & 0x0F for i in range(0, len(data), PACKET_SIZE)
            if ((data[i + 1] & 0x1F) << 8) | data[i + 2] == pid]


def test_an_sdt_ahead_of_the_pat_moves_behind_the_pmt() -> None:
    head = (packet(SDT, 4) + pat(12, {1: PMT}) + packet(PMT, 12) + packet(AUDIO, 3)
            + packet(AUDIO, 4, start=False))
    ordered = pat_pmt_first(head)
    assert pids(ordered) == [PAT, PMT, SDT, AUDIO, AUDIO]
    assert len(ordered) == len(head) and sorted(ordered) == sorted(head)
    for pid in (SDT, PAT, PMT, AUDIO):
        assert counters(ordered, pid) == counters(head, pid)


def test_a_partial_packet_after_the_head_is_kept_in_place() -> None:
    head = packet(SDT, 0) + pat(0, {1: PMT}) + packet(PMT, 0) + packet(AUDIO, 0)[:100]
    assert pat_pmt_first(head)[-100:] == head[-100:]
    assert pids(pat_pmt_first(head)[: 3 * PACKET_SIZE]) == [PAT, PMT, SDT]


def test_the_nit_entry_of_a_pat_is_not_a_pmt() -> None:
    head = packet(NIT, 0) + packet(SDT, 0) + pat(0, {0: NIT, 1: PMT}) + packet(PMT, 0) + packet(AUDIO, 0)
    assert pids(pat_pmt_first(head)) == [PAT, PMT, NIT, SDT, AUDIO]


@pytest.mark.parametrize(
    "head",
    [
        pat(0, {1: PMT}) + packet(PMT, 0) + packet(SDT, 0),
        packet(AUDIO, 0) + pat(0, {1: PMT}) + packet(PMT, 0),
        packet(SDT, 0) + pat(0, {1: PMT}) + packet(AUDIO, 0),
        packet(SDT, 0) + packet(AUDIO, 0),
        b"G" * (3 * PACKET_SIZE),
        b"",
    ],
    ids=["already-first", "audio-first", "no-pmt-after-pat", "no-pat", "not-ts", "empty"],
)
def test_anything_else_is_left_as_it_is(head: bytes) -> None:
    assert pat_pmt_first(head) == head
