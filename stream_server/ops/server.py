"""Run the stream server: the HTTP server, the stage and, optionally, the demo rooms."""

from __future__ import annotations

import logging
import os
import resource
import secrets
import signal
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from flask import Flask

from stream_server.ops.app import create_app
from stream_server.ops.config import Settings
from stream_server.ops.demo import DemoPerformers, ensure_demo_rooms
from stream_server.ops.services import Services
from stream_server.ops.threaded import BoundedServer, RequestHandler
from stream_server.ops.url_secret import url_secret
from stream_server.pipeline.processes import stop_all
from stream_server.serving.edge_keys import CloudFrontKeyValueStore, EdgeKeySync
from stream_server.serving.fast import HlsFastPath, RoomPrivacyCache
from stream_server.serving.front import HttpFront
from stream_server.serving.nginx_log import NginxLogTailer
from stream_server.serving.private import PrivateMarkerSync
from stream_server.stage.state import built_stage

log = logging.getLogger(__name__)


#: Connections the threaded server serves at once (the API, pages, ingest; listeners need none).
APP_CONNECTIONS = 1000


class LiveStageServer:
    """The server on one port: the event-loop front (``serving.front``) before the threaded WSGI server.

    The front owns the listening socket and every connection; HLS requests are answered in
    its loop, everything else is handed to ``threaded`` (Flask through werkzeug's handler,
    with the Icecast and ``Expect`` handling of ``RequestHandler``).
    """

    def __init__(self, settings: Settings, app: Flask, fast: HlsFastPath | None) -> None:
        self.app = app
        family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
        self._sock = socket.create_server((settings.host, settings.port), family=family, backlog=4096)
        try:
            self.threaded = BoundedServer(settings.host, settings.port, app,
                                          max_connections=min(APP_CONNECTIONS, settings.max_connections),
                                          fd=self._sock.fileno())
        except BaseException:
            self._sock.close()
            raise
        if fast is not None:
            setattr(self.threaded, "hls_fast", fast)  # noqa: B010 - an HLS request after another kind
        self.front = HttpFront(self._sock, fast, self.threaded.hand_off,
                               max_connections=settings.max_connections,
                               header_timeout=RequestHandler.header_timeout,
                               idle_timeout=RequestHandler.timeout)
        self.port = self.threaded.port

    def serve_forever(self) -> None:
        """Serve until ``shutdown`` (from a signal handler or another thread)."""
        self.front.serve_forever()

    def shutdown(self) -> None:
        """Stop accepting and serving; connections the threaded server holds end with their sockets."""
        self.front.shutdown()

    def server_close(self) -> None:
        """Close the listening socket."""
        self.threaded.server_close()
        self._sock.close()


def raise_open_file_limit() -> int:
    """Allow as many open files as the hard limit does (every listener holds a socket); the new limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            pass
    return soft


def connection_cap(settings: Settings, open_files: int) -> int:
    """``max_connections``, kept 256 below the open-file limit (files, pipes, the stage's sockets)."""
    cap = max(16, min(settings.max_connections, open_files - 256))
    if cap < settings.max_connections:  # a warning only when someone asked for more
        chosen = settings.max_connections != Settings.max_connections
        log.log(logging.WARNING if chosen else logging.INFO,
                "LIVESTAGE_MAX_CONNECTIONS %d is over what %d open files allow: %d connections",
                settings.max_connections, open_files, cap)
    return cap


def keep_private(data_dir: Path) -> None:
    """Make the data dir traversable but not listable by others (0711), creating it if needed.

    Its secrets (admin token, URL secret, rooms.db with join codes, skill state) are files
    readable by this user only; ``hls/`` inside stays readable so that nginx's workers,
    running as another user, can serve it, which is why the folder is not 0700.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    if data_dir.stat().st_uid == os.getuid():
        data_dir.chmod(0o711)


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


def build_server(settings: Settings) -> tuple[LiveStageServer, Services]:
    """The server (with the HLS fast path unless turned off) and the app's services, not yet serving."""
    app = create_app(settings)
    services: Services = app.extensions["livestage"]
    fast = None
    if settings.hls_fast_path:
        fast = HlsFastPath(settings.hls_dir, settings.segment_seconds, url_secret(settings),
                           services.listeners.seen, RoomPrivacyCache(services.directory))
    return LiveStageServer(settings, app, fast), services


def start_serving_helpers(settings: Settings,
                          services: Services) -> list[PrivateMarkerSync | NginxLogTailer | EdgeKeySync]:
    """Private-room markers kept in step (on disk, and at the edge when configured), nginx's log followed."""
    helpers: list[PrivateMarkerSync | NginxLogTailer | EdgeKeySync] = [
        PrivateMarkerSync(services.directory, settings.hls_dir)]
    if settings.nginx_access_log:
        helpers.append(NginxLogTailer(settings.nginx_access_log, url_secret(settings),
                                      services.listeners.seen))
    if settings.cloudfront_kvs:
        helpers.append(EdgeKeySync(CloudFrontKeyValueStore(settings.cloudfront_kvs), services.directory,
                                   url_secret(settings)))
    for helper in helpers:
        helper.start()
    return helpers


def serve(settings: Settings, *, echo: Callable[[str], None] = print) -> None:
    """Serve until SIGINT/SIGTERM; then stop encoders cleanly (live shows resume on restart)."""
    configured_token = bool(settings.admin_token)
    settings = settings.with_overrides(max_connections=connection_cap(settings, raise_open_file_limit()))
    keep_private(settings.data_dir)
    token, new = admin_token(settings)
    settings = settings.with_overrides(admin_token=token, url_secret=url_secret(settings))
    server, services = build_server(settings)
    helpers = start_serving_helpers(settings, services)
    resumed = services.on_air.resume_live_rooms()
    stop_watch = threading.Event()
    services.on_air.watch(stop_watch)
    performers = None
    if settings.demo:
        keys = ensure_demo_rooms(services.directory)
        performers = DemoPerformers(settings.ffmpeg, f"http://127.0.0.1:{settings.port}", keys)
        performers.start()
    echo(f"Live Stage on http://{settings.host}:{settings.port}  (data in {settings.data_dir})")
    if new:  # shown once, when made; after that it is only in the file (logs outlive it)
        echo(f"  admin token (new, kept in {settings.data_dir / 'admin-token'}): {token}")
    elif not configured_token:
        echo(f"  admin token: in {settings.data_dir / 'admin-token'}")
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
        stop_watch.set()
        for helper in helpers:
            helper.stop()
        if performers:
            performers.stop()
        stage = built_stage(server.app) if isinstance(server.app, Flask) else None
        if stage is not None:  # WebRTC sessions end before the buses they feed
            stage.registry.close()
        services.on_air.shutdown()
        stop_all()
        server.server_close()
