"""The secret that signs listener tokens and private-room paths (``room_directory.access``).

``LIVESTAGE_URL_SECRET`` when set; otherwise one is generated on first use and kept in
``<data dir>/url-secret`` (mode 0600), so the stream server, ``livestage nginx-config``
and restarts all agree without configuration.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from stream_server.ops.config import Settings

#: File name of the generated secret inside the data dir.
SECRET_FILE = "url-secret"


def url_secret(settings: Settings) -> str:
    """The URL secret: the setting, the environment, else the data dir's file (made once)."""
    configured = str(getattr(settings, "url_secret", "") or os.environ.get("LIVESTAGE_URL_SECRET", ""))
    if configured:
        return configured
    path: Path = settings.data_dir / SECRET_FILE
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return path.read_text().strip()
    with os.fdopen(fd, "w") as out:
        out.write(secret + "\n")
    return secret
