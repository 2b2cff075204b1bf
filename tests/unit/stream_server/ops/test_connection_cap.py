"""The connection cap stays below the process's open-file limit, and says so when it must."""

from __future__ import annotations

import logging

import pytest

from stream_server.ops.config import Settings
from stream_server.ops.server import connection_cap


def test_the_configured_cap_holds_when_files_allow_it() -> None:
    assert connection_cap(Settings(max_connections=5000), 1_048_576) == 5000


def test_a_chosen_cap_past_the_open_file_limit_is_lowered_with_a_warning(
    caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    assert connection_cap(Settings(max_connections=30000), 1024) == 768
    assert [r.levelno for r in caplog.records] == [logging.WARNING] and "768 connections" in caplog.text


def test_the_default_cap_is_lowered_quietly(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    assert connection_cap(Settings(), 4096) == 3840
    assert [r.levelno for r in caplog.records] == [logging.INFO]


def test_a_tiny_open_file_limit_still_leaves_some_connections() -> None:
    assert connection_cap(Settings(max_connections=20000), 100) == 16
