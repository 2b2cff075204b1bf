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
    # An existing file is tightened by path, never opened: closing a descriptor of a database
    # drops every POSIX lock this process holds on it, which another connection here may need
    # (SQLite would then take its WAL for unused and a server sharing the file gets I/O errors).
    try:
        if os.path.exists(name):
            if os.stat(name).st_uid == os.getuid():
                os.chmod(name, 0o600)
            return
        fd = os.open(name, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
    except OSError:
        return  # sqlite3 will say why it cannot open it
    os.close(fd)
