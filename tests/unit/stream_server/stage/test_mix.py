"""Mix-minus: each member hears everyone but themselves, plus the bed; the stage mix has no bed."""

from __future__ import annotations

import numpy as np

from stream_server.stage.mix import mix_minus


def frame(value: int, size: int = 4) -> np.ndarray:
    return np.full(size, value, np.int32)


def test_each_listener_hears_the_others_and_the_bed_never_themselves() -> None:
    voices = {"a": frame(100), "b": frame(20), "c": frame(3)}
    stage, outs = mix_minus(voices, frame(1000), ["a", "b", "c", "quiet"], 4)
    assert stage.tolist() == [123] * 4
    assert {k: int(v[0]) for k, v in outs.items()} == {"a": 1023, "b": 1103, "c": 1120, "quiet": 1123}
    assert all(v.dtype == np.int16 for v in outs.values())


def test_sums_are_clipped_not_wrapped() -> None:
    stage, outs = mix_minus({"a": frame(30000), "b": frame(30000)}, None, ["a", "b", "c"], 4)
    assert stage.tolist() == [32767] * 4 and outs["c"].tolist() == [32767] * 4
    assert outs["a"].tolist() == [30000] * 4


def test_nobody_speaking_gives_silence_or_the_bed() -> None:
    stage, outs = mix_minus({}, None, ["a"], 4)
    assert stage.tolist() == [0] * 4 and outs["a"].tolist() == [0] * 4
    _, outs = mix_minus({}, frame(-5), ["a"], 4)
    assert outs["a"].tolist() == [-5] * 4
