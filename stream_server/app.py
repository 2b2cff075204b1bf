"""The Flask application factory of the stream server."""

from __future__ import annotations

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
    from stream_server import alexa, api, health, hls, index, ingest
    from stream_server.api_messages import bp as api_messages_bp
    from stream_server.console import bp as console_bp
    from stream_server.stage import Stage

    settings = settings or settings_from_env()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    directory = directory or open_directory(settings.room_directory_url)
    stage = Stage(settings, directory, run_encoders=start_stage)

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 1 << 20  # JSON bodies; ingest reads its own stream
    app.extensions["livestage"] = Services(settings, directory, stage)
    app.register_blueprint(health.bp)
    app.register_blueprint(index.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(ingest.bp)
    app.register_blueprint(hls.bp)
    app.register_blueprint(alexa.bp)
    app.register_blueprint(api_messages_bp)
    app.register_blueprint(console_bp)
    return app
