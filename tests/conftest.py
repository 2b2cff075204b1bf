"""Fixtures shared by every test."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import LiveServer, free_port
from tests.support.aws import AWS_ENV, MotoServer


def start_live_server(data_dir: Path, *args: str, token: str, port: int | None = None,
                      **env: str) -> LiveServer:
    """A real ``livestage serve`` on loopback with a clean ``LIVESTAGE_*`` environment (caller stops it)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("LIVESTAGE_")}
    full_env.update({"LIVESTAGE_ADMIN_TOKEN": token, "LIVESTAGE_VERIFY_SIGNATURES": "0"})
    full_env.update(env)
    server = LiveServer(port or free_port(), data_dir, token, full_env, list(args))
    server.start()
    return server


@pytest.fixture
def make_server(tmp_path: Path) -> Iterator[Any]:
    """Factory of real servers; every one is stopped at the end of the test."""
    servers: list[LiveServer] = []

    def make(*args: str, data_dir: Path | None = None, port: int | None = None,
             **env: str) -> LiveServer:
        token = env.pop("LIVESTAGE_ADMIN_TOKEN", "test-admin-token-" + str(len(servers)))
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("LIVESTAGE_")}
        full_env.update({"LIVESTAGE_ADMIN_TOKEN": token, "LIVESTAGE_VERIFY_SIGNATURES": "0"})
        full_env.update(env)
        server = LiveServer(port or free_port(), data_dir or tmp_path / "data", token, full_env,
                            list(args))
        servers.append(server)
        server.start()
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture(scope="session", autouse=True)
def _ffmpeg_present() -> None:
    """Every media test runs real ffmpeg: its absence is a failure, never a skip."""
    assert shutil.which("ffmpeg") and shutil.which("ffprobe"), "ffmpeg must be installed"


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    """One real ``moto_server`` process on loopback for the session; boto3 finds it through
    ``endpoint_url`` and dummy credentials in the environment (nothing is patched)."""
    with pytest.MonkeyPatch.context() as env:
        for name, value in AWS_ENV.items():
            env.setenv(name, value)
        server = MotoServer(log_path=tmp_path_factory.mktemp("moto") / "moto.log")
        server.start()
        try:
            yield server
        finally:
            server.stop()
