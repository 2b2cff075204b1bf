"""Opus through libopus itself (ctypes): decode with in-band FEC and concealment, encode with FEC.

aiortc's Opus decoder (PyAV) neither recovers FEC nor conceals a lost packet, so the stage
decodes packets itself; libopus is Debian's ``libopus0`` (ffmpeg depends on it too).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading

import numpy as np

SAMPLE_RATE = 48000
CHANNELS = 2
#: samples per channel in one 20 ms frame
FRAME_SAMPLES = 960
_APPLICATION_VOIP = 2048
_SET_BITRATE = 4002
_SET_COMPLEXITY = 4010
_SET_INBAND_FEC = 4012
_SET_PACKET_LOSS_PERC = 4014
_MAX_FRAME = 5760  # 120 ms at 48 kHz, the longest Opus packet
_MAX_PACKET = 4000

_lib: ctypes.CDLL | None = None
_lib_lock = threading.Lock()


class OpusError(RuntimeError):
    """libopus refused a call (its error code is in the message)."""


def _libopus() -> ctypes.CDLL:
    global _lib
    with _lib_lock:
        if _lib is None:
            lib = ctypes.CDLL(ctypes.util.find_library("opus") or "libopus.so.0")
            lib.opus_decoder_create.restype = ctypes.c_void_p
            lib.opus_decoder_create.argtypes = [ctypes.c_int32, ctypes.c_int, ctypes.POINTER(ctypes.c_int)]
            lib.opus_decode.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int32,
                                        ctypes.POINTER(ctypes.c_int16), ctypes.c_int, ctypes.c_int]
            lib.opus_decoder_destroy.argtypes = [ctypes.c_void_p]
            lib.opus_encoder_create.restype = ctypes.c_void_p
            lib.opus_encoder_create.argtypes = [ctypes.c_int32, ctypes.c_int, ctypes.c_int,
                                                ctypes.POINTER(ctypes.c_int)]
            lib.opus_encode.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int16), ctypes.c_int,
                                        ctypes.c_char_p, ctypes.c_int32]
            lib.opus_encoder_destroy.argtypes = [ctypes.c_void_p]
            _lib = lib
        return _lib


class OpusDecoder:
    """One stream's decoder: 48 kHz, interleaved s16 out."""

    def __init__(self, channels: int = CHANNELS) -> None:
        lib = _libopus()
        err = ctypes.c_int()
        self._dec = lib.opus_decoder_create(SAMPLE_RATE, channels, ctypes.byref(err))
        if err.value != 0 or not self._dec:
            raise OpusError(f"opus_decoder_create failed ({err.value})")
        self.channels = channels
        self._pcm = (ctypes.c_int16 * (_MAX_FRAME * channels))()

    def _run(self, data: bytes | None, samples: int, fec: bool) -> np.ndarray:
        n = _libopus().opus_decode(self._dec, data, len(data) if data else 0, self._pcm, samples, int(fec))
        if n < 0:
            raise OpusError(f"opus_decode failed ({n})")
        return np.ctypeslib.as_array(self._pcm)[: n * self.channels].copy()

    def decode(self, packet: bytes) -> np.ndarray:
        """Decode one packet (any Opus frame size)."""
        return self._run(packet, _MAX_FRAME, False)

    def recover(self, next_packet: bytes | None, samples: int = FRAME_SAMPLES) -> np.ndarray:
        """Stand in for a lost packet: the FEC in the packet after it when known, else concealment."""
        return self._run(next_packet, samples, next_packet is not None)

    def __del__(self) -> None:
        if getattr(self, "_dec", None):
            _libopus().opus_decoder_destroy(self._dec)


class OpusEncoder:
    """One stream's encoder: VoIP mode with in-band FEC, 20 ms frames of interleaved s16.

    ``complexity`` (0-10) trades quality for CPU: each step down is cheaper.
    """

    def __init__(self, channels: int = CHANNELS, bitrate: int = 64000, loss_percent: int = 10,
                 complexity: int = 10) -> None:
        lib = _libopus()
        err = ctypes.c_int()
        self._enc = lib.opus_encoder_create(SAMPLE_RATE, channels, _APPLICATION_VOIP, ctypes.byref(err))
        if err.value != 0 or not self._enc:
            raise OpusError(f"opus_encoder_create failed ({err.value})")
        handle = ctypes.c_void_p(self._enc)
        lib.opus_encoder_ctl(handle, _SET_BITRATE, ctypes.c_int32(bitrate))
        lib.opus_encoder_ctl(handle, _SET_INBAND_FEC, ctypes.c_int32(1))
        lib.opus_encoder_ctl(handle, _SET_PACKET_LOSS_PERC, ctypes.c_int32(loss_percent))
        lib.opus_encoder_ctl(handle, _SET_COMPLEXITY, ctypes.c_int32(complexity))
        self.channels = channels
        self._out = ctypes.create_string_buffer(_MAX_PACKET)

    def encode(self, pcm: np.ndarray) -> bytes:
        """One Opus packet for one frame of interleaved s16 samples."""
        data = np.ascontiguousarray(pcm, dtype=np.int16)
        n = _libopus().opus_encode(self._enc, data.ctypes.data_as(ctypes.POINTER(ctypes.c_int16)),
                                   data.size // self.channels, self._out, _MAX_PACKET)
        if n < 0:
            raise OpusError(f"opus_encode failed ({n})")
        return self._out.raw[:n]

    def __del__(self) -> None:
        if getattr(self, "_enc", None):
            _libopus().opus_encoder_destroy(self._enc)
