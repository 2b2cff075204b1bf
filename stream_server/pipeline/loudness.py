"""Program loudness: a slow, gated AGC on a BS.1770 loudness estimate, then a true-peak limiter.

Every room's mixed program passes through one ``LoudnessProcessor`` before the
encoder, so it airs at -16 LUFS integrated with true peaks at or below -1 dBTP,
whatever the performers send. How:

- **Measure** like ITU-R BS.1770-4: K-weighting (its two filters, designed for the
  bus's sample rate) applied in the frequency domain to 100 ms blocks (Parseval:
  the mean square of the filtered block is the weighted power spectrum), summed
  over both channels, averaged over 400 ms ("momentary" loudness).
- **Gate** like BS.1770: blocks under -50 LUFS (room tone, silence, a muted
  room) or 20 LU under the running estimate (pauses) do not move it, so silence
  is never pumped up and a pause does not raise the gain. A program that stays
  under the relative gate for 10 s is a new, quieter level and is followed again.
- **Gain** follows the estimate slowly (time constant 5 s, in the power domain as
  BS.1770 integrates), ramped sample by sample. The first gated block sets the
  estimate and the gain at once (an abrupt loud start would also make the AAC
  encoder overshoot) and the first second is followed fast; a program running
  6 LU over target is followed ten times faster too, so no living room gets
  blasted while the AGC settles. Gain is held within ±30 dB. What the limiter
  takes away (smoothed) is made up, up to 3 dB, so a programme with hot peaks
  still airs at the target.
- **Limit** true peaks: each 10 ms of the gained signal is 4× oversampled
  (BS.1770 Annex 2's method, a 48-tap interpolator) and the gain envelope is
  brought under a -2 dBTP ceiling. The gain ramps down over the 10 ms before a
  peak, so the limiter looks one sub-block ahead: the last 10 ms of each block
  is held until the next block's limits are known. It recovers at 60 dB/s. The
  ceiling sits 1 dB under the promise because AAC coding adds overshoot.

Cost: numpy on 100 ms blocks, about 0.15–0.25 ms of CPU per block alone (≈0.2 % of a
core per room; in a busy server about twice that, with the mixing). Latency: a block
is gathered (100 ms) and its last sub-block held (10 ms); the bus hands over a block
per tick, so a block's first 90 ms leave on the tick that completes it.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

CHANNELS = 2
BLOCK_SECONDS = 0.1
MOMENTARY_BLOCKS = 4
SUBBLOCKS = 10
#: Quieter than this is room tone or silence: the gain is held, never pumped up.
ABSOLUTE_GATE_LUFS = -50.0
RELATIVE_GATE_LU = -20.0
#: How long a program may sit under the relative gate before it counts as a new level.
NEW_LEVEL_SECONDS = 10.0
TIME_CONSTANT_SECONDS = 5.0
FAST_TIME_CONSTANT_SECONDS = 0.5
#: The first second of sound is followed with the fast time constant (its first block may be cut short).
SETTLING_BLOCKS = 10
#: Over target by this much, the fast time constant applies.
FAST_ABOVE_LU = 6.0
MAX_GAIN_DB = 30.0
#: The most the AGC adds back for what the limiter takes (dB).
MAX_MAKEUP_DB = 3.0
MIN_GAIN_DB = -30.0
#: The limiter's true-peak ceiling: 1 dB under the -1 dBTP promise, for the AAC encoder's overshoot.
CEILING_DBTP = -2.0
RELEASE_DB_PER_SECOND = 60.0
OVERSAMPLING = 4
TAPS_PER_PHASE = 12

Float = npt.NDArray[np.float64]


def _biquad_response(b: tuple[float, float, float], a: tuple[float, float, float],
                     freqs: Float, sample_rate: int) -> Float:
    z = np.exp(-1j * 2 * np.pi * freqs / sample_rate)
    num = b[0] + b[1] * z + b[2] * z * z
    den = a[0] + a[1] * z + a[2] * z * z
    return np.asarray(np.abs(num / den) ** 2, dtype=np.float64)


def k_weighting_power(sample_rate: int, size: int) -> Float:
    """|H(f)|² of BS.1770's K-weighting at the ``rfft`` bins of a ``size``-sample block."""
    freqs = np.asarray(np.fft.rfftfreq(size, 1 / sample_rate), dtype=np.float64)
    # stage 1: high shelf (+4 dB above ~1.7 kHz, the head's effect); RBJ design as pyloudnorm does
    gain_db, q, fc = 3.99984385397, 0.7071752369554193, 1681.9744509555319
    amp = 10 ** (gain_db / 40)
    w0 = 2 * math.pi * fc / sample_rate
    alpha = math.sin(w0) / (2 * q)
    cos, root = math.cos(w0), math.sqrt(amp)
    shelf_b = (amp * ((amp + 1) + (amp - 1) * cos + 2 * root * alpha),
               -2 * amp * ((amp - 1) + (amp + 1) * cos),
               amp * ((amp + 1) + (amp - 1) * cos - 2 * root * alpha))
    shelf_a = ((amp + 1) - (amp - 1) * cos + 2 * root * alpha,
               2 * ((amp - 1) - (amp + 1) * cos),
               (amp + 1) - (amp - 1) * cos - 2 * root * alpha)
    # stage 2: high pass (RLB weighting) at ~38 Hz
    q, fc = 0.5003270373253953, 38.13547087613982
    w0 = 2 * math.pi * fc / sample_rate
    alpha, cos = math.sin(w0) / (2 * q), math.cos(w0)
    pass_b = ((1 + cos) / 2, -(1 + cos), (1 + cos) / 2)
    pass_a = (1 + alpha, -2 * cos, 1 - alpha)
    shelf = _biquad_response(shelf_b, shelf_a, freqs, sample_rate)
    high_pass = _biquad_response(pass_b, pass_a, freqs, sample_rate)
    return np.asarray(shelf * high_pass, dtype=np.float64)


def _interpolator() -> Float:
    """4 polyphase branches of a 48-tap windowed-sinc interpolator (true-peak, BS.1770 Annex 2)."""
    length = OVERSAMPLING * TAPS_PER_PHASE
    n = np.arange(length) - (length - 1) / 2
    taps = np.sinc(n / OVERSAMPLING) * np.kaiser(length, 6.0)
    return np.asarray(taps.reshape(TAPS_PER_PHASE, OVERSAMPLING).T * OVERSAMPLING / taps.sum(),
                      dtype=np.float64)


def lufs(power: float) -> float:
    """Loudness (LUFS) of a channel-summed K-weighted mean square."""
    return -0.691 + 10 * math.log10(power) if power > 0 else -math.inf


class LoudnessProcessor:
    """Normalises s16le stereo PCM to a loudness target under a true-peak ceiling (see the module doc)."""

    def __init__(self, sample_rate: int, *, target_lufs: float = -16.0,
                 ceiling_dbtp: float = CEILING_DBTP) -> None:
        self.sample_rate = sample_rate
        self.target_lufs = target_lufs
        self._block = int(sample_rate * BLOCK_SECONDS)
        self._block = self._block - self._block % SUBBLOCKS
        self._block_bytes = self._block * CHANNELS * 2
        self._kw = k_weighting_power(sample_rate, self._block)
        self._bin_weight = np.full(len(self._kw), 2.0)
        self._bin_weight[0] = 1.0
        if self._block % 2 == 0:
            self._bin_weight[-1] = 1.0
        self._weights = self._kw * self._bin_weight / float(self._block) ** 2
        self._phases = _interpolator()
        self._ceiling = 10 ** (ceiling_dbtp / 20)
        self._release = 10 ** (RELEASE_DB_PER_SECOND * BLOCK_SECONDS / SUBBLOCKS / 20)
        self._pending = bytearray()
        self._powers: list[float] = []
        self._estimate: float | None = None
        self._quiet_run = 0.0
        #: loudness the limiter takes away (dB, smoothed over sounding blocks), made up by the AGC
        self._limiter_loss_db = 0.0
        self._sounding = False
        self._sounding_blocks = 0
        self._block_start_db = 0.0
        self._gain = 1.0
        self._limit_gain = 1.0
        self._history = np.zeros((TAPS_PER_PHASE - 1, CHANNELS))
        self._held: Float | None = None
        self._held_limits: Float | None = None
        self._rng = np.random.default_rng()

    @property
    def latency(self) -> float:
        """Seconds from the first sample in to the first sample out: one block gathered.

        (The 10 ms held for the limiter's look-ahead delays later samples, not the first.)
        """
        return self._block / self.sample_rate

    @property
    def gain_db(self) -> float:
        """The AGC gain now applied (dB)."""
        return 20 * math.log10(self._gain)

    @property
    def estimate_lufs(self) -> float | None:
        """The gated loudness estimate of the input, or None before any audio passed the gate."""
        return None if self._estimate is None else lufs(self._estimate)

    def process(self, pcm: bytes) -> bytes:
        """Take any amount of PCM; give back processed PCM, whole blocks less the 10 ms held."""
        self._pending += pcm
        out = []
        while len(self._pending) >= self._block_bytes:
            block = bytes(self._pending[: self._block_bytes])
            del self._pending[: self._block_bytes]
            out.append(self._push(np.frombuffer(block, dtype=np.int16).reshape(-1, CHANNELS) / 32768.0))
        return b"".join(out)

    def flush(self) -> bytes:
        """Everything still held (the look-ahead sub-block and a partial block), processed."""
        owed = (0 if self._held is None else len(self._held)) + len(self._pending) // (CHANNELS * 2)
        out = b""
        if self._pending:
            tail = np.frombuffer(bytes(self._pending), dtype=np.int16).reshape(-1, CHANNELS) / 32768.0
            self._pending.clear()
            padded = np.zeros((self._block, CHANNELS))
            padded[: len(tail)] = tail
            out = self._push(padded)
        if self._held is not None and self._held_limits is not None:
            out += to_pcm(self._limit(self._held, self._held_limits, float(self._held_limits[-1])), self._rng)
            self._held = self._held_limits = None
        return out[: owed * CHANNELS * 2]  # the zero padding is not audio

    # -- one block ------------------------------------------------------------------------------

    def _push(self, block: Float) -> bytes:
        """Gain one block and limit it; give back all but its last sub-block (held for look-ahead)."""
        gained = self._apply_gain(block, *self._agc_gains(block))
        limits = self._subblock_limits(gained)
        sub = len(gained) // SUBBLOCKS
        ready, ready_limits = gained[:-sub], limits[:-1]
        if self._held is not None and self._held_limits is not None:
            ready = np.concatenate([self._held, ready])
            ready_limits = np.concatenate([self._held_limits, ready_limits])
        # only blocks with sound and a settled AGC gain teach the limiter's make-up
        steady = self._sounding and abs(self.gain_db - self._block_start_db) < 0.1
        out = to_pcm(self._limit(ready, ready_limits, float(limits[-1]), steady), self._rng)
        self._held, self._held_limits = gained[-sub:], limits[-1:]
        return out

    def _agc_gains(self, block: Float) -> tuple[float, float]:
        """Measure ``block``, move the AGC; the gain at its start and at its end."""
        spectrum = np.fft.rfft(block, axis=0)
        power = float(np.dot((spectrum.real**2 + spectrum.imag**2).sum(axis=1), self._weights))
        self._powers = (self._powers + [power])[-MOMENTARY_BLOCKS:]
        momentary = sum(self._powers) / len(self._powers)
        level = lufs(momentary)
        first_sound = False
        self._sounding = level > ABSOLUTE_GATE_LUFS
        self._sounding_blocks += 1 if self._sounding else 0
        if self._sounding:
            if self._estimate is None:  # the first block with sound sets it, undiluted by silence
                self._estimate = max(power, momentary)
                first_sound = True
            else:
                in_range = level > lufs(self._estimate) + RELATIVE_GATE_LU
                if in_range or self._quiet_run >= NEW_LEVEL_SECONDS:
                    fast = (level + 20 * math.log10(self._gain) > self.target_lufs + FAST_ABOVE_LU
                            or self._sounding_blocks < SETTLING_BLOCKS)
                    tau = FAST_TIME_CONSTANT_SECONDS if fast else TIME_CONSTANT_SECONDS
                    self._estimate += min(1.0, BLOCK_SECONDS / tau) * (momentary - self._estimate)
                self._quiet_run = 0.0 if in_range else self._quiet_run + BLOCK_SECONDS
        start = self._gain
        self._block_start_db = 20 * math.log10(start)
        if self._estimate is not None:
            makeup = min(MAX_MAKEUP_DB, -self._limiter_loss_db)
            wanted = min(MAX_GAIN_DB, max(MIN_GAIN_DB, self.target_lufs - lufs(self._estimate) + makeup))
            self._gain = 10 ** (wanted / 20)
        if first_sound:  # the show's first sound airs at the right level from its first sample
            start = self._gain
        return start, self._gain

    def _apply_gain(self, block: Float, start: float, end: float) -> Float:
        """``block`` under a gain ramped from ``start`` to ``end`` over it (one multiply if steady)."""
        if start == end:
            return block * end
        return block * np.linspace(start, end, len(block), endpoint=False)[:, None]

    def _subblock_limits(self, gained: Float) -> Float:
        """Per 10 ms, the gain that keeps its true peak under the ceiling (1 where it is under already)."""
        limits = np.ones(SUBBLOCKS)
        padded = np.concatenate([self._history, gained])
        self._history = gained[-(TAPS_PER_PHASE - 1):]
        if float(np.max(np.abs(gained))) < self._ceiling * 0.6:  # true peak ≤ sample peak + ~3 dB here
            return limits
        peaks = np.zeros(len(gained))
        for channel in range(CHANNELS):
            for phase in self._phases:
                values = np.abs(np.convolve(padded[:, channel], phase, mode="valid"))
                np.maximum(peaks, values, out=peaks)
        per_sub = peaks.reshape(SUBBLOCKS, -1).max(axis=1)
        over = per_sub > self._ceiling
        limits[over] = self._ceiling / per_sub[over]
        return limits

    def _limit(self, block: Float, limits: Float, next_limit: float, countable: bool = False) -> Float:
        """Apply the limiter's gain envelope: under every sub-block's limit, ramped, slow to recover.

        ``block`` holds ``len(limits)`` sub-blocks; ``next_limit`` is the limit of the one after.
        """
        count = len(limits)
        if self._limit_gain >= 1.0 and next_limit >= 1.0 and bool(np.all(limits >= 1.0)):
            # nothing to limit and nothing to recover from (most blocks): the envelope is all ones
            if countable:
                self._limiter_loss_db -= BLOCK_SECONDS / TIME_CONSTANT_SECONDS * self._limiter_loss_db
            return block
        ahead = np.append(limits[1:], next_limit)
        ends = np.minimum(limits, ahead)
        starts = np.empty(count)
        previous = min(self._limit_gain, float(limits[0]))  # only lower at the very start
        for i in range(count):
            starts[i] = previous
            ends[i] = min(ends[i], previous * self._release)
            previous = ends[i]
        self._limit_gain = previous
        size = len(block) // count
        ramp = np.arange(size) / size
        envelope = (starts[:, None] + (ends - starts)[:, None] * ramp[None, :]).reshape(-1)
        if countable:  # how much loudness the limiter took from this (steady) block, smoothed
            power = float(np.sum(block**2))
            kept = float(np.sum((block * envelope[:, None]) ** 2)) / power if power > 0 else 1.0
            loss = 10 * math.log10(max(kept, 1e-6))
            self._limiter_loss_db += BLOCK_SECONDS / TIME_CONSTANT_SECONDS * (loss - self._limiter_loss_db)
        return np.asarray(block * envelope[:, None], dtype=np.float64)


def _tpdf_table(size: int) -> npt.NDArray[np.float32]:
    """Triangular noise of ±1 LSB (the difference of two uniform values); blocks take it at random offsets."""
    rng = np.random.default_rng(1770)
    return np.asarray(rng.random(size, dtype=np.float32) - rng.random(size, dtype=np.float32))


#: Ten seconds of stereo dither, shared by every room (read only): cheaper than drawing it per block.
_TPDF = _tpdf_table(48000 * 2 * 10)


def to_pcm(samples: Float, rng: np.random.Generator) -> bytes:
    """Float samples (frames × channels, full scale 1.0) to s16le, with TPDF dither.

    The gain and the limiter leave values between the 16-bit steps; rounding them
    alone gives an error that follows the signal (distortion on quiet, simple
    sounds). Triangular dither of ±1 LSB makes that error plain, steady noise at
    about -101 dBFS. It also spares the AAC encoder: on a plain tone its rate
    control finds no use for its bits and codes each frame up to six times over
    (measured: a dual-mono 440 Hz sine costs 3.2× the CPU undithered). Each 10 ms
    that is digital silence stays exact zeros ("auto-blank"): zeros are the
    encoder's cheapest input, while dither alone would be its dearest.
    """
    scaled = samples * 32768.0
    pieces = SUBBLOCKS if len(scaled) % SUBBLOCKS == 0 else 1
    flat = scaled.reshape(pieces, -1)  # 10 ms each (whole blocks), else one piece
    sounding = np.maximum(flat.max(axis=1), -flat.min(axis=1)) >= 0.5
    start = int(rng.integers(0, len(_TPDF) - flat.size))
    dither = _TPDF[start : start + flat.size].reshape(flat.shape) * sounding[:, None]
    scaled = (flat + dither).reshape(scaled.shape)
    return bytes(np.clip(np.round(scaled), -32768, 32767).astype("<i2").tobytes())
