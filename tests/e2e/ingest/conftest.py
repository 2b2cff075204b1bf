"""One live server shared by every ingest test (short idle, flood and resume limits)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.support import LiveServer, free_port

#: the limits the shared server runs with, so that cut-offs happen within a test's time
IDLE_SECONDS = 3
FLOOD_SECONDS = 4
RESUME_SECONDS = 4


@pytest.fixture(scope="session")
def ingest_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A real ``livestage serve --no-demo`` on loopback, 2 s segments."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVESTAGE_")}
    env.update({
        "LIVESTAGE_ADMIN_TOKEN": "ingest-admin-token",
        "LIVESTAGE_VERIFY_SIGNATURES": "0",
        "LIVESTAGE_SEGMENT_SECONDS": "2",
        "LIVESTAGE_INGEST_IDLE_SECONDS": str(IDLE_SECONDS),
        "LIVESTAGE_INGEST_FLOOD_SECONDS": str(FLOOD_SECONDS),
        "LIVESTAGE_CHUNK_RESUME_SECONDS": str(RESUME_SECONDS),
    })
    data = tmp_path_factory.mktemp("ingest") / "data"
    server = LiveServer(free_port(), data, "ingest-admin-token", env, ["--no-demo"])
    server.start()
    yield server
    server.stop()
