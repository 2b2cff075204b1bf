"""The listener benchmark's arithmetic and its reading of wrk's output."""

from __future__ import annotations

import pytest

from bench.listeners import combine, listeners_for
from bench.wrk_run import WrkSummary, parse_summary


def test_parse_summary_reads_the_scripts_line() -> None:
    output = ("Running 10s test @ http://127.0.0.1:1\n  2 threads\n"
              "LIVESTAGE 1000 2000000 1 2 3 4 5 1500 250000\n")
    summary = parse_summary(output)
    assert summary == WrkSummary(requests=1000, seconds=2.0, errors=15, p50_ms=1.5, p99_ms=250.0)
    assert summary.requests_per_second == 500.0


def test_parse_summary_without_the_line_is_an_error() -> None:
    with pytest.raises(RuntimeError):
        parse_summary("wrk: connection refused\n")


def test_a_listener_makes_two_requests_per_two_second_target() -> None:
    assert listeners_for(4000.0) == 4000.0


def test_combined_runs_add_up_and_keep_the_worse_percentiles() -> None:
    both = combine([WrkSummary(100, 1.0, 0, 1.0, 9.0), WrkSummary(300, 1.0, 2, 3.0, 5.0)])
    assert both == WrkSummary(400, 2.0, 2, 3.0, 9.0)
    assert both.requests_per_second == 200.0
