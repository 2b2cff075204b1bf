"""Run the stream server: the HTTP server, the stage and, optionally, the demo rooms."""

from __future__ import annotations

import logging
import secrets
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from stream_server.app import create_app
from stream_server.config import Settings
from stream_server.demo import DemoPerformers, ensure_demo_rooms
from stream_server.processes import stop_all
from stream_server.services import Services

log = logging.getLogger(__name__)


class RequestHandler(WSGIRequestHandler):
    """Werkzeug's threaded handler, quiet about every HLS poll, with a socket timeout.

    It streams request bodies without a length (Icecast sources), answers
    ``Expect: 100-continue`` and accepts the Icecast ``SOURCE`` method.
    """

    #: A publisher or listener silent this long is dropped (seconds).
    timeout = 30

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Requests are logged at debug level only (listeners poll every second)."""
        log.debug('"%s" %s %s', self.requestline, code, size)


def admin_token(settings: Settings) -> tuple[str, bool]:
    """The admin token: configured, or kept in ``<data dir>/admin-token`` (made on first run)."""
    if settings.admin_token:
        return settings.admin_token, False
    path: Path = settings.data_dir / "admin-token"
    if path.exists():
        return path.read_text().strip(), False
    token = secrets.token_urlsafe(24)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(token + "\n")
    return token, True


def build_server(settings: Settings) -> tuple[BaseWSGIServer, Services]:
    """The WSGI server and the app's services, not yet serving."""
    app = create_app(settings)
    server = make_server(settings.host, settings.port, app, threaded=True,
                         request_handler=RequestHandler)
    return server, app.extensions["livestage"]


def serve(settings: Settings, *, echo: Callable[[str], None] = print) -> None:
    """Serve until SIGINT/SIGTERM; then stop encoders cleanly (live shows resume on restart)."""
    token, new = admin_token(settings)
    settings = settings.with_overrides(admin_token=token)
    server, services = build_server(settings)
    resumed = services.stage.resume_live_rooms()
    performers = None
    if settings.demo:
        keys = ensure_demo_rooms(services.directory)
        performers = DemoPerformers(settings.ffmpeg, f"http://127.0.0.1:{settings.port}", keys)
        performers.start()
    echo(f"Live Stage on http://{settings.host}:{settings.port}  (data in {settings.data_dir})")
    echo(f"  admin token{' (new)' if new else ''}: {token}")
    if resumed:
        echo(f"  resumed live rooms: {', '.join(resumed)}")
    if performers:
        echo(f"  demo rooms: {settings.base_url}/hls/demo-jazz/live.m3u8 (and demo-morning-talk,"
             " demo-indie-rock)")

    def stop(signum: int, frame: FrameType | None) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.serve_forever()
    finally:
        if performers:
            performers.stop()
        services.stage.shutdown()
        stop_all()
        server.server_close()
