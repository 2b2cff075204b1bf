"""A small JSON client of a Live Stage server's API, for the CLI.

Errors become ``ServerError`` with a message that says what to do next; the CLI shows it
as a one-line error. The admin token comes from ``--token``, ``LIVESTAGE_ADMIN_TOKEN`` or,
for a server on this machine, ``DATA_DIR/admin-token``.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

#: seconds before an API call gives up
TIMEOUT = 10.0


class ServerError(Exception):
    """A call to the server failed; the message says why and what to try."""


def default_server_url() -> str:
    """``LIVESTAGE_SERVER``, else the local server on ``LIVESTAGE_PORT`` (8080)."""
    server = os.environ.get("LIVESTAGE_SERVER")
    if server:
        return server.rstrip("/")
    return f"http://127.0.0.1:{os.environ.get('LIVESTAGE_PORT', '8080')}"


def find_admin_token(explicit: str | None, data_dir: Path | None = None) -> str | None:
    """The admin token: given, from the environment, or the local server's ``admin-token`` file."""
    if explicit:
        return explicit
    env = os.environ.get("LIVESTAGE_ADMIN_TOKEN")
    if env:
        return env
    path = (data_dir or Path(os.environ.get("LIVESTAGE_DATA_DIR", "data"))) / "admin-token"
    try:
        return path.read_text().strip() or None
    except OSError:
        return None


class ServerClient:
    """JSON calls to one server, with the admin token when it has one."""

    def __init__(self, base_url: str, token: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token

    def call(self, method: str, path: str, body: Any = None, *, admin: bool = False) -> Any:
        """One API call; the decoded JSON answer, or ``ServerError``."""
        if admin and not self.token:
            raise ServerError("this needs the admin token: pass --token, set LIVESTAGE_ADMIN_TOKEN, "
                              "or run it where the server's DATA_DIR/admin-token is")
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base_url + path, data=data, method=method)
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if self.token:
            req.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as err:
            raise ServerError(self._explain(err.code, err.read(), path)) from None
        except (urllib.error.URLError, OSError) as err:
            reason = getattr(err, "reason", err)
            raise ServerError(f"cannot reach {self.base_url} ({reason}); is `livestage serve` running? "
                              "Set --server or LIVESTAGE_SERVER") from None
        try:
            return json.loads(raw) if raw else {}
        except ValueError:
            raise ServerError(
                f"{self.base_url}{path} did not answer JSON; is it a Live Stage server?") from None

    def text(self, url_or_path: str) -> str:
        """GET a text resource (a playlist)."""
        url = url_or_path if "://" in url_or_path else self.base_url + url_or_path
        try:
            with urllib.request.urlopen(url, timeout=TIMEOUT) as resp:
                return str(resp.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as err:
            raise ServerError(f"{url} answered {err.code}") from None
        except (urllib.error.URLError, OSError) as err:
            raise ServerError(f"cannot fetch {url} ({getattr(err, 'reason', err)})") from None

    def _explain(self, status: int, raw: bytes, path: str) -> str:
        try:
            reason = str(json.loads(raw).get("error", ""))
        except (ValueError, AttributeError):
            reason = ""
        if status == 401:
            return (f"{reason or 'not allowed'}: check the admin token "
                    "(--token, LIVESTAGE_ADMIN_TOKEN or DATA_DIR/admin-token)")
        if status == 404:
            return f"{reason or 'not found'} ({path}); `livestage rooms list` shows the rooms"
        return f"the server answered {status}: {reason or raw[:200].decode('utf-8', 'replace')}"
