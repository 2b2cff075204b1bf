"""Gaplessness and air-time accuracy of a real show: a steady tone published for a minute.

A performer (ffmpeg ``-re``, MP3 over the Icecast ingest) sends 440 Hz for 64 s; the
live playlist is polled meanwhile; then the replay's segments of each rendition are
joined, decoded by ffmpeg and searched for dips at every segment join.
"""

from __future__ import annotations

import time
import urllib.request
from pathlib import Path
from typing import Any

import m3u8
import numpy as np
import pytest

from tests.support import LiveServer, decode_pcm, performing

pytestmark = pytest.mark.e2e

SR = 48000
TONE_SECONDS = 64
#: a dip is the one-period RMS falling 6 dB under the steady level
DIP_RATIO = 0.5
MAX_DIP_MS = 5.0


def _playlist(server: LiveServer, room_id: str, name: str) -> m3u8.M3U8 | None:
    text = server.get_text(f"/hls/{room_id}/{name}")
    return m3u8.loads(text) if text else None


def _period_rms(pcm: bytes, freq: float = 440.0) -> np.ndarray[Any, Any]:
    x = np.frombuffer(pcm, dtype=np.int16).astype(np.float64) / 32768
    period = round(SR / freq)
    power = np.convolve(x * x, np.ones(period) / period, mode="same")
    return np.asarray(np.sqrt(power))


def _longest_run(mask: np.ndarray[Any, Any]) -> int:
    longest = run = 0
    for flag in mask:
        run = run + 1 if flag else 0
        longest = max(longest, run)
    return longest


def test_a_minute_of_steady_tone_has_no_dip_at_any_segment_join(make_server: Any, tmp_path: Path) -> None:
    server = make_server("--no-demo")
    status, room = server.request("POST", "/api/rooms", {"title": "Steady"}, admin=True)
    assert status == 201
    room_id = room["id"]
    first_seen: dict[int, float] = {}
    #: what the entry's first listing held: out before the entry named it, so not timed
    initial: set[int] = set()
    with performing(server.url, room["stream_key"], room_id, seconds=TONE_SECONDS) as performer:
        deadline = time.monotonic() + TONE_SECONDS + 60
        media = None
        while performer.poll() is None and time.monotonic() < deadline:  # bounded by the deadline
            media = media or server.live_media(room_id)
            parsed = _playlist(server, room_id, media) if media else None
            now = time.time()
            if parsed is not None:
                sequences = [parsed.media_sequence + i for i in range(len(parsed.segments))]
                initial = initial or set(sequences)
                for sequence in sequences:
                    first_seen.setdefault(sequence, now)
            time.sleep(0.25)
        assert performer.wait(30) == 0
    status, ended = server.request("POST", f"/api/rooms/{room_id}/end", admin=True)
    assert status == 200

    for rendition in ("128k", "64k"):
        replay = _playlist(server, room_id, f"{ended['show_id']}-{rendition}.m3u8")
        assert replay is not None and replay.is_endlist
        joined = tmp_path / f"show-{rendition}.ts"
        with open(joined, "wb") as out:
            for seg in replay.segments:
                with urllib.request.urlopen(f"{server.url}/hls/{room_id}/{seg.uri}", timeout=5) as resp:
                    out.write(resp.read())
        level = _period_rms(decode_pcm(joined))
        steady = float(np.median(level[level > 0.01]))
        joins = np.cumsum([float(s.duration) for s in replay.segments])[:-1]
        window = int(0.1 * SR)
        checked = 0
        for join_at in joins:
            at = int(join_at * SR)
            around = level[max(0, at - window): at + window]
            if len(around) < 2 * window or abs(float(np.median(around)) / steady - 1) > 0.2:
                continue  # outside the steady tone (its start and end)
            checked += 1
            dip_ms = _longest_run(level[at - window // 5: at + window // 5] < DIP_RATIO * steady) / SR * 1000
            assert dip_ms <= MAX_DIP_MS, f"{rendition}: {dip_ms:.1f} ms dip at the join at {join_at:.3f} s"
        assert checked >= (TONE_SECONDS - 8) / 2, f"{rendition}: only {checked} joins in steady tone"

    # PDT against the wall clock: how long after its air-time end each segment was first listed
    replay = _playlist(server, room_id, f"{ended['show_id']}-128k.m3u8")
    assert replay is not None
    lags = []
    for i, seg in enumerate(replay.segments):
        sequence = replay.media_sequence + i
        seen = first_seen.get(sequence)
        if seen is not None and sequence not in initial and seg.program_date_time is not None:
            lags.append(seen - (seg.program_date_time.timestamp() + float(seg.duration)))
    assert len(lags) >= TONE_SECONDS / 2 - 8  # the entry names the show after its first 4 segments
    drift = float(np.polyfit(np.arange(len(lags)) * 2.0, lags, 1)[0]) * 3600  # seconds per hour
    print(f"\nPDT vs wall clock: listed {np.median(lags):.3f} s after air-time end (median), "
          f"min {min(lags):.3f}, max {max(lags):.3f}; drift {drift:+.2f} s/hour over {len(lags)} segments")
    assert -1.0 < min(lags) and max(lags) < 10.0
    assert abs(drift) < 60
