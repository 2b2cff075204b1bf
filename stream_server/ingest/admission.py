"""Letting a publisher in: throttle, room, key, codec, one connection per key, then a session.

Shared by the Icecast path (``icecast``) and the browser path (``browser``).
Every refusal is an ``IngestRefused`` with a reason: ``throttled`` (429, too many
wrong keys from this address), ``auth`` (401), ``codec`` (415), ``key_in_use`` (409),
``room_full`` and ``unavailable`` (503).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from flask import request

from room_directory import Room
from stream_server import auth
from stream_server.auth import Caller, room_or_none
from stream_server.ingest.keys import Publisher
from stream_server.ingest.publisher import PublisherSession, input_format
from stream_server.ingest.refusals import IngestRefused
from stream_server.ingest.registry import Connection, KeyInUse, RoomFull
from stream_server.ingest.song_titles import SongTitle
from stream_server.ingest.state import IngestState
from stream_server.ops.services import current_services
from stream_server.pipeline.on_air import OnAir, OnAirUnavailable

log = logging.getLogger(__name__)

CODECS_HINT = ("Content-Type must name the codec: audio/mpeg, audio/aac, audio/ogg, audio/opus, "
               "audio/webm, audio/flac or audio/wav")


def identify_caller(room_id: str, *allowed: Caller, basic: bool, challenge: str,
                    message: str) -> tuple[Room, auth.Identity]:
    """The room and who is calling, one of ``allowed``; ``IngestRefused`` (counted) otherwise.

    The WHIP endpoint shares it, so a wrong key there is refused, throttled and counted as here.
    """
    room = room_or_none(room_id)
    try:
        identity = auth.require(room, *allowed, basic=basic, message=message, challenge=challenge)
    except auth.Throttled as exc:
        raise IngestRefused(exc.status, exc.reason, str(exc), headers=exc.headers,
                            retry_after=exc.retry_after) from exc
    except auth.AuthError as exc:
        # libshout asks without credentials first and sends them when challenged: not an error
        challenge_only = auth.presented_key(request.headers.get("Authorization")) is None
        raise IngestRefused(exc.status, "auth", str(exc), headers=exc.headers,
                            counted=not challenge_only) from exc
    if room is None:  # only the admin token gets this far without a room
        raise IngestRefused(404, "not_found", "no such room")
    return room, identity


def authenticate(room_id: str) -> tuple[Room, Publisher]:
    """The room and the publisher of the presented key (Basic or Bearer); refused otherwise."""
    room, identity = identify_caller(room_id, Caller.HOST, Caller.COHOST, basic=True,
                                     message="unknown room or wrong stream key",
                                     challenge='Basic realm="Live Stage ingest"')
    assert identity.publisher is not None
    return room, identity.publisher


def codec_of(content_type: str | None) -> str:
    """The decoder's input format for the request's Content-Type (415 when not taken)."""
    fmt = input_format(content_type)
    if fmt is None:
        raise IngestRefused(415, "codec", CODECS_HINT)
    return fmt


def _song_on_air(on_air: OnAir, room_id: str, song: SongTitle) -> None:
    """A song named inside the stream (a new chained Ogg stream's comments) goes on air."""
    on_air.set_now_playing(room_id, song.title, song.artist)


def open_connection(state: IngestState, room: Room, publisher: Publisher, fmt: str, kind: str,
                    interrupt: Callable[[], None] = lambda: None) -> Connection:
    """Claim the key's one connection, put the room on air and start the decoder session."""
    services = current_services()
    conn = Connection(publisher, kind, auth.client_address(), interrupt)
    try:
        replaced = state.registry.claim(conn)
    except KeyInUse as exc:
        raise IngestRefused(409, "key_in_use", str(exc)) from exc
    except RoomFull as exc:
        raise IngestRefused(503, "room_full", str(exc)) from exc
    if replaced is not None:
        log.info("room %s: %s replaces a silent connection of the same key", room.id,
                 publisher.key_id)
    label = f"{room.id}/{publisher.key_id}@{conn.address}"
    bus_input = None
    try:
        bus_input = services.on_air.open_publisher(room, label)
        bus_input.muted = publisher.muted
        conn.session = PublisherSession(services.settings.ffmpeg, fmt, services.settings.sample_rate,
                                        bus_input, label,
                                        flood_seconds=services.settings.ingest_flood_seconds,
                                        on_song=partial(_song_on_air, services.on_air, room.id))
    except (OnAirUnavailable, OSError) as exc:
        if bus_input is not None:
            bus_input.drop()
        state.registry.release(conn, "unavailable")
        services.incidents.note("on_air", "a room could not go on air")
        raise IngestRefused(503, "unavailable", str(exc)) from exc
    log.info("room %s: %s publisher %s connected over %s (%s)", room.id, publisher.role.value,
             publisher.key_id, kind, fmt)
    return conn
