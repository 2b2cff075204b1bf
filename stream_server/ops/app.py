"""The Flask application factory of the stream server."""

from __future__ import annotations

import secrets
from functools import partial
from typing import cast

from flask import Flask

from room_directory import RoomDirectory, open_directory
from room_directory.follows import FollowBook, InMemoryFollowBook, open_follow_book
from stream_server.ops.config import Settings, settings_from_env
from stream_server.ops.json_input import ClientJSONProvider
from stream_server.ops.services import Services
from stream_server.serving.analytics import save_show_listeners


def create_app(
    settings: Settings | None = None,
    *,
    directory: RoomDirectory | None = None,
    follows: FollowBook | None = None,
    run_encoders: bool = True,
) -> Flask:
    """Build the app: settings from the env unless given; rooms go on air with encoders unless told not to."""
    from stream_server import auth
    from stream_server.alexa_host import view as alexa
    from stream_server.alexa_host.notices import live_notices
    from stream_server.api import hands as hands_api
    from stream_server.api import icecast_status
    from stream_server.api import rooms as api
    from stream_server.api import shows as shows_api
    from stream_server.api.keys import bp as api_keys_bp
    from stream_server.api.messages import bp as api_messages_bp
    from stream_server.api.room_list import ListedRooms
    from stream_server.api.stage import bp as api_stage_bp
    from stream_server.hls.episodes import EpisodeMaker
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
    from stream_server.web.podcasts import bp as podcasts_bp

    settings = settings or settings_from_env()
    if not settings.url_secret:  # ``serve`` keeps one in the data dir; a bare app gets its own
        settings = settings.with_overrides(url_secret=secrets.token_urlsafe(32))
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if follows is None:  # beside the directory; an injected directory gets its own in memory
        follows = open_follow_book(settings.room_directory_url) if directory is None \
            else InMemoryFollowBook()
    # every room write in this process goes through the listing cache, which it clears
    directory = cast(RoomDirectory, ListedRooms(directory or open_directory(settings.room_directory_url)))
    store = open_segment_store(settings)
    on_air = OnAir(settings, directory, run_encoders=run_encoders, store=store)

    app = Flask("stream_server.web")  # static/ and templates/ live with the pages
    app.json = ClientJSONProvider(app)
    # Bodies read whole (JSON, browser chunks) take at most 1 MiB; Icecast ingest reads its own
    # stream. One byte more is let through so that a chunked body over the limit (which the
    # stream would cut at the limit, silently) can be told from one that fits: routes check it.
    app.config["MAX_CONTENT_LENGTH"] = (1 << 20) + 1
    app.extensions["livestage"] = Services(settings, directory, on_air, follows)
    on_air.show_ended_hooks.append(  # peak and per-minute listeners into the Show record
        partial(save_show_listeners, directory, app.extensions["livestage"].listeners,
                from_logs=settings.listeners_from_logs))
    on_air.show_ended_hooks.append(  # the show's hands expire, its guests leave the stage
        partial(hands_api.end_of_show, directory, auth.key_events(app)))
    on_air.show_ended_hooks.append(  # the show is over: everyone on its stage is cut off
        lambda room_id, show_id: (stage.registry.end_room(room_id) if (stage := built_stage(app)) else 0))
    notices = live_notices(follows, settings.alexa_client_id, settings.alexa_client_secret,
                           token_url=settings.alexa_token_url, events_url=settings.alexa_events_url)
    app.extensions["livestage"].notices = notices
    on_air.show_started_hooks.append(notices.room_on_air)  # followers hear a host went live

    def is_private(room_id: str) -> bool:
        room = directory.get(room_id) if directory is not None else None
        return room is None or room.private

    def show_started(room_id: str, show_id: str) -> float | None:
        show = directory.get_show(room_id, show_id) if directory is not None else None
        return show.started_at if show is not None else None

    episodes = EpisodeMaker(settings.hls_dir, settings.work_dir, store, is_private, on_air,
                            renditions_kbps=settings.renditions_kbps, ffmpeg=settings.ffmpeg,
                            show_started=show_started)
    app.extensions["livestage"].episodes = episodes
    on_air.show_ended_hooks.append(episodes.show_ended)  # every public show becomes an episode
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
    app.register_blueprint(podcasts_bp)
    app.register_blueprint(icecast_admin.bp)
    app.register_blueprint(icecast_status.bp)
    app.register_blueprint(whip.bp)
    app.register_blueprint(api_stage_bp)
    return app
