"""MPEG-TS rules for published segments, over bytes (ISO/IEC 13818-1, RFC 8216 3.2).

ffmpeg's mpegts muxer writes its SDT ahead of the PAT whenever it repeats its tables, so a
segment would open with a table a strict player does not expect there: RFC 8216 asks for
PAT and PMT first. ``pat_pmt_first`` moves the tables that come before the PAT to just
after the PMT. Each PID keeps its own packets in order, so continuity counters stay intact.
"""

from __future__ import annotations

PACKET_SIZE = 188
SYNC_BYTE = 0x47
PAT_PID = 0x0000
#: PIDs of DVB service information (NIT, SDT, EIT, …): tables a player may skip, never audio.
_SI_PIDS = range(0x0010, 0x0020)
#: Packets read from a segment's start to put its tables in order (ffmpeg writes ≤ 4 there).
HEAD_PACKETS = 8


def pid(packet: bytes) -> int:
    """The PID of one TS packet."""
    return ((packet[1] & 0x1F) << 8) | packet[2]


def _pmt_pids(pat: bytes) -> set[int]:
    """PIDs of the PMTs a single-packet PAT names (programme 0, the NIT, is left out)."""
    if not pat[1] & 0x40:  # no section starts in this packet
        return set()
    offset = 4
    if pat[3] & 0x20:  # adaptation field
        offset += 1 + pat[4]
    offset += 1 + pat[offset]  # pointer field
    section_length = ((pat[offset + 1] & 0x0F) << 8) | pat[offset + 2]
    programmes = pat[offset + 8 : offset + 3 + section_length - 4]  # up to the CRC
    found = set()
    for i in range(0, len(programmes) - 3, 4):
        number = (programmes[i] << 8) | programmes[i + 1]
        if number != 0:
            found.add(((programmes[i + 2] & 0x1F) << 8) | programmes[i + 3])
    return found


def pat_pmt_first(head: bytes) -> bytes:
    """``head`` (whole packets from a segment's start) with the SI tables before its PAT moved after the PMT.

    Returned unchanged when it already opens with the PAT, when anything but SI tables
    comes first, or when it holds no PAT followed by its PMT.
    """
    packets = [head[i : i + PACKET_SIZE] for i in range(0, len(head) - len(head) % PACKET_SIZE, PACKET_SIZE)]
    if not packets or any(p[0] != SYNC_BYTE for p in packets):
        return head
    first_pat = next((i for i, p in enumerate(packets) if pid(p) == PAT_PID), None)
    if not first_pat or any(pid(p) not in _SI_PIDS for p in packets[:first_pat]):
        return head
    pmts = _pmt_pids(packets[first_pat])
    end = first_pat + 1
    while end < len(packets) and pid(packets[end]) in pmts:
        end += 1
    if end == first_pat + 1:
        return head
    ordered = packets[first_pat:end] + packets[:first_pat] + packets[end:]
    return b"".join(ordered) + head[len(packets) * PACKET_SIZE :]
