"""The Flask application factory of the stream server."""

from __future__ import annotations

import secrets
from functools import partial

from flask import Flask

from room_directory import RoomDirectory, open_directory
from stream_server.ops.config import Settings, settings_from_env
from stream_server.ops.services import Services
from stream_server.serving.analytics import save_show_listeners


def create_app(
    settings: Settings | None = None,
    *,
    directory: RoomDirectory | None = None,
    run_encoders: bool = True,
) -> Flask:
    """Build the app: settings from the env unless given; rooms go on air with encoders unless told not to."""
    from stream_server import auth
    from stream_server.alexa_host import view as alexa
    from stream_server.api import hands as hands_api
    from stream_server.api import icecast_status
    from stream_server.api import rooms as api
    from stream_server.api import shows as shows_api
    from stream_server.api.keys import bp as api_keys_bp
    from stream_server.api.messages import bp as api_messages_bp
    from stream_server.api.stage import bp as api_stage_bp
    from stream_server.ingest import icecast as ingest
    from stream_server.ingest import icecast_admin
    from stream_server.ingest.browser import bp as browser_ingest_bp
    from stream_server.ops import health
    from stream_server.ops import metrics_view as metrics_endpoint
    from stream_server.pipeline.on_air import OnAir
    from stream_server.serving import view as hls
    from stream_server.stage import whip
    from stream_server.stage.state import built_stage
    from stream_server.stores.factory import open_segment_store
    from stream_server.web import index
    from stream_server.web.console import bp as console_bp

    settings = settings or settings_from_env()
    if not settings.url_secret:  # ``serve`` keeps one in the data dir; a bare app gets its own
        settings = settings.with_overrides(url_secret=secrets.token_urlsafe(32))
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    directory = directory or open_directory(settings.room_directory_url)
    on_air = OnAir(settings, directory, run_encoders=run_encoders, store=open_segment_store(settings))

    app = Flask("stream_server.web")  # static/ and templates/ live with the pages
    app.config["MAX_CONTENT_LENGTH"] = 1 << 20  # JSON bodies; ingest reads its own stream
    app.extensions["livestage"] = Services(settings, directory, on_air)
    on_air.show_ended_hooks.append(  # peak and per-minute listeners into the Show record
        partial(save_show_listeners, directory, app.extensions["livestage"].listeners,
                from_logs=settings.listeners_from_logs))
    on_air.show_ended_hooks.append(  # the show's hands expire, its guests leave the stage
        partial(hands_api.end_of_show, directory, auth.key_events(app)))
    on_air.show_ended_hooks.append(  # the show is over: everyone on its stage is cut off
        lambda room_id, show_id: (stage.registry.end_room(room_id) if (stage := built_stage(app)) else 0))
    app.register_error_handler(auth.AuthError, lambda exc: exc.response())
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
    app.register_blueprint(hands_api.bp)
    app.register_blueprint(console_bp)
    app.register_blueprint(icecast_admin.bp)
    app.register_blueprint(icecast_status.bp)
    app.register_blueprint(whip.bp)
    app.register_blueprint(api_stage_bp)
    return app
