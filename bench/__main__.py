"""``python -m bench``: run the benchmarks, print the machine and one Markdown table.

Options: ``--only NAME`` runs one benchmark; ``--json PATH`` also writes the
results as JSON; ``--segments N`` measures N segments in streaming benchmarks
(default 30; a small N is the quick self-check, e.g. ``--only ingest_latency --segments 5``).
The full run stays within 3 minutes: each benchmark bounds its own waits with deadlines.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
import time
from pathlib import Path
from types import FrameType

from bench.machine import describe_machine, render_machine
from bench.results import BenchOptions, Result, render_table, write_json

#: Every benchmark, in the order they run: modules of this package exposing ``run(options)``.
BENCHMARKS = (
    "ingest_latency", "rooms_capacity", "listener_latency", "listeners",
    "voice_matching", "voice_latency", "lambda_import", "captions", "stage",
)

FOOTNOTE = (
    "ratio = value ÷ peer; for latencies lower is better, so a ratio above 1× means slower "
    "than the peer. Percentiles are nearest-rank (p99 of fewer than 100 samples is the maximum)."
)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="Run the benchmarks; print the machine and one Markdown table."
    )
    parser.add_argument("--only", choices=BENCHMARKS, metavar="NAME",
                        help=f"run one benchmark ({', '.join(BENCHMARKS)})")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--segments", type=int, default=BenchOptions.segments,
                        help="segments measured by streaming benchmarks [%(default)s]")
    args = parser.parse_args(argv)
    if args.segments < 1:
        parser.error("--segments must be at least 1")
    return args


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds through every benchmark's cleanup


def run_benchmarks(names: tuple[str, ...], options: BenchOptions) -> tuple[list[Result], dict[str, str]]:
    """Run the named benchmarks in order; a failure is recorded and the next one still runs."""
    results: list[Result] = []
    failures: dict[str, str] = {}
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        started = time.monotonic()
        print(f"running {name} ...", file=sys.stderr, flush=True)
        try:
            results.extend(module.run(options))
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            failures[name] = f"{type(exc).__name__}: {exc}"
            print(f"{name} FAILED: {failures[name]}", file=sys.stderr, flush=True)
        print(f"{name} took {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)
    return results, failures


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and print the machine, the table and the failures; 1 if any failed."""
    args = _parse(argv)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    names = (args.only,) if args.only else BENCHMARKS
    machine = describe_machine()
    results, failures = run_benchmarks(names, BenchOptions(segments=args.segments))
    print("## Machine\n")
    print(render_machine(machine))
    print("\n## Results\n")
    print(render_table(results))
    print(f"\n{FOOTNOTE}")
    for name, reason in failures.items():
        print(f"\n**{name} failed**: {reason.splitlines()[0] if reason else ''}")
    if args.json:
        write_json(args.json, machine, results, failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
