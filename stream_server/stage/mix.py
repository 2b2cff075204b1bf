"""The stage's sums for one 20 ms frame: the stage mix, and what each member hears (mix-minus)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np


def _clip(mix: np.ndarray) -> np.ndarray:
    return np.clip(mix, -32768, 32767).astype(np.int16)


def mix_minus(voices: Mapping[str, np.ndarray], bed: np.ndarray | None, listeners: list[str],
              frame_size: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The stage mix (every voice) and, for each listener, every voice but their own plus the bed.

    ``voices`` maps a member id to its frame (int16, interleaved, ``frame_size`` samples), only
    for members heard this frame (speaking and not muted); ``bed`` is the room's other bus
    inputs, heard by members but not part of the stage mix (the bus has it already).
    """
    stage = np.zeros(frame_size, np.int32)
    for frame in voices.values():
        stage += frame
    heard = stage if bed is None else stage + bed
    outs: dict[str, np.ndarray] = {}
    for member in listeners:
        own = voices.get(member)
        outs[member] = _clip(heard - own if own is not None else heard)
    return _clip(stage), outs
