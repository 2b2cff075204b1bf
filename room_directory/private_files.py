"""Database files that hold secrets (join codes, key hashes, listeners' state): their owner's only."""

from __future__ import annotations

import os
from pathlib import Path


def private_database(path: str | Path) -> None:
    """Create a database file readable by its owner only (0600), or tighten one that exists.

    SQLite creates its ``-wal`` and ``-shm`` files with the database's mode, so they follow.
    ``:memory:`` and URIs are left alone.
    """
    name = str(path)
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    try:
        fd = os.open(name, os.O_CREAT | os.O_RDWR, 0o600)
    except OSError:
        return  # sqlite3 will say why it cannot open it
    try:
        if os.fstat(fd).st_uid == os.getuid():
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
