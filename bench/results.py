"""Benchmark results as plain values, and the Markdown table and JSON they print as."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class BenchOptions:
    """What the runner can tell a benchmark; each default is the full run's."""

    #: Segments to measure in streaming benchmarks (the full run needs at least 30).
    segments: int = 30


@dataclass(frozen=True)
class Result:
    """One figure of one benchmark, with the same figure measured on a peer when there is one."""

    benchmark: str
    figure: str
    value: float
    unit: str
    #: The peer's value of the same figure, measured the same way.
    peer: float | None = None
    #: What the peer is (e.g. "ffmpeg alone").
    peer_name: str = ""

    @property
    def ratio(self) -> float | None:
        """``value / peer``, or None without a peer (or with a zero peer)."""
        if self.peer is None or self.peer == 0:
            return None
        return self.value / self.peer


def _number(value: float) -> str:
    return f"{value:,.1f}" if abs(value) >= 10 else f"{value:.3g}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_table(results: Sequence[Result]) -> str:
    """The results as one Markdown table: benchmark, figure, value, peer, ratio."""
    lines = ["| benchmark | figure | value | peer | ratio |", "|---|---|---:|---:|---:|"]
    for r in results:
        value = f"{_number(r.value)} {r.unit}".strip()
        peer = "—" if r.peer is None else f"{_number(r.peer)} {r.unit} ({r.peer_name})".strip()
        ratio = "—" if r.ratio is None else f"{r.ratio:.2f}×"
        lines.append(
            f"| {_cell(r.benchmark)} | {_cell(r.figure)} | {_cell(value)} | {_cell(peer)} | {ratio} |"
        )
    return "\n".join(lines)


def write_json(path: Path, machine: Mapping[str, Any], results: Sequence[Result],
               failures: Mapping[str, str]) -> None:
    """Write the machine, the results (with their ratios) and any failed benchmarks as JSON."""
    document = {
        "machine": dict(machine),
        "results": [asdict(r) | {"ratio": r.ratio} for r in results],
        "failures": dict(failures),
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
