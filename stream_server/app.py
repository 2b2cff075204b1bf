"""The Flask application factory of the stream server."""

from __future__ import annotations

import secrets

from flask import Flask

from room_directory import RoomDirectory, open_directory
from stream_server.config import Settings, settings_from_env
from stream_server.services import Services


def create_app(
    settings: Settings | None = None,
    *,
    directory: RoomDirectory | None = None,
    start_stage: bool = True,
) -> Flask:
    """Build the app: settings from the env unless given; the stage runs encoders unless told not to."""
    from stream_server import alexa, api, health, hls, index, ingest, metrics_endpoint, shows_api
    from stream_server.api_keys import bp as api_keys_bp
    from stream_server.api_messages import bp as api_messages_bp
    from stream_server.browser_ingest import bp as browser_ingest_bp
    from stream_server.console import bp as console_bp
    from stream_server.stage import Stage
    from stream_server.store_factory import open_segment_store

    settings = settings or settings_from_env()
    if not settings.url_secret:  # ``serve`` keeps one in the data dir; a bare app gets its own
        settings = settings.with_overrides(url_secret=secrets.token_urlsafe(32))
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    directory = directory or open_directory(settings.room_directory_url)
    stage = Stage(settings, directory, run_encoders=start_stage, store=open_segment_store(settings))

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 1 << 20  # JSON bodies; ingest reads its own stream
    app.extensions["livestage"] = Services(settings, directory, stage)
    app.register_blueprint(health.bp)
    app.register_blueprint(index.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(ingest.bp)
    app.register_blueprint(hls.bp)
    app.register_blueprint(alexa.bp)
    app.register_blueprint(metrics_endpoint.bp)
    app.register_blueprint(api_keys_bp)
    app.register_blueprint(browser_ingest_bp)
    app.register_blueprint(shows_api.bp)
    app.register_blueprint(api_messages_bp)
    app.register_blueprint(console_bp)
    return app
