"""The connection cap stays below the process's open-file limit, and says so when it must."""

from __future__ import annotations

import logging

import pytest

from stream_server.ops.config import Settings
from stream_server.ops.server import connection_cap


def test_the_configured_cap_holds_when_files_allow_it() -> None:
    assert connection_cap(Settings(max_connections=5000), 1_048_576) == 5000


def test_a_cap_past_the_open_file_limit_is_lowered_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    assert connection_cap(Settings(max_connections=20000), 1024) == 768
    assert "768 connections" in caplog.text


def test_a_tiny_open_file_limit_still_leaves_some_connections() -> None:
    assert connection_cap(Settings(max_connections=20000), 100) == 16
