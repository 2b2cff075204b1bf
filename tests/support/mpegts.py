"""A small MPEG-TS reader for tests, written apart from the server's code (ISO/IEC 13818-1).

It reads what ffprobe's dumps do not show: which tables open a segment, and each PID's
continuity counters across the files of a playlist.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SIZE = 188
PAT_PID = 0


@dataclass(frozen=True)
class Packet:
    """One TS packet's header fields."""

    pid: int
    counter: int
    unit_start: bool
    has_payload: bool
    discontinuity_flag: bool
    payload: bytes


def packets(data: bytes) -> list[Packet]:
    """Every packet of a file; fails on a lost sync byte or a torn last packet."""
    assert len(data) % SIZE == 0, f"{len(data)} bytes is not whole packets"
    found = []
    for offset in range(0, len(data), SIZE):
        raw = data[offset : offset + SIZE]
        assert raw[0] == 0x47, f"sync byte lost at {offset}"
        control = (raw[3] >> 4) & 0x3
        start = 4
        flag = False
        if control & 0x2:
            length = raw[4]
            flag = length > 0 and bool(raw[5] & 0x80)
            start = 5 + length
        found.append(Packet(((raw[1] & 0x1F) << 8) | raw[2], raw[3] & 0x0F, bool(raw[1] & 0x40),
                            bool(control & 0x1), flag, raw[start:]))
    return found


def section(packet: Packet) -> bytes:
    """The PSI section starting in ``packet`` (after its pointer field), CRC included."""
    assert packet.unit_start, f"no section starts in this packet of PID {packet.pid:#x}"
    body = packet.payload[1 + packet.payload[0] :]
    length = ((body[1] & 0x0F) << 8) | body[2]
    return body[: 3 + length]


def crc_ok(table: bytes) -> bool:
    """MPEG-2's CRC-32 over a whole section (CRC included) is zero when it is right."""
    crc = 0xFFFFFFFF
    for byte in table:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7 if crc & 0x80000000 else crc << 1) & 0xFFFFFFFF
    return crc == 0


def pmt_pids(pat: bytes) -> dict[int, int]:
    """``{programme number: PMT PID}`` of a PAT section."""
    entries = pat[8:-4]
    return {(entries[i] << 8) | entries[i + 1]: ((entries[i + 2] & 0x1F) << 8) | entries[i + 3]
            for i in range(0, len(entries), 4)}


def counter_breaks(files: Iterable[Path]) -> list[str]:
    """Every place a PID's continuity counter does not go on by one, across the files in order."""
    last: dict[int, int] = {}
    breaks = []
    for path in files:
        for index, pkt in enumerate(packets(path.read_bytes())):
            if not pkt.has_payload:
                continue  # the counter does not advance without a payload
            before = last.get(pkt.pid)
            if before is not None and pkt.counter != (before + 1) % 16:
                breaks.append(f"{path.name} packet {index} PID {pkt.pid:#x}: {before} then {pkt.counter}")
            last[pkt.pid] = pkt.counter
    return breaks


def opening_tables(path: Path) -> tuple[list[int], dict[int, int], bool]:
    """(PIDs of the first three packets, the first PAT's programmes, whether its and its PMT's CRCs hold)."""
    pkts = packets(path.read_bytes())
    pat = section(pkts[0]) if pkts[0].pid == PAT_PID else b""
    programmes = pmt_pids(pat) if pat else {}
    pmt = next((section(p) for p in pkts[:4] if p.pid in programmes.values()), b"")
    valid = bool(pat and pmt) and crc_ok(pat) and crc_ok(pmt)
    return [p.pid for p in pkts[:3]], programmes, valid
