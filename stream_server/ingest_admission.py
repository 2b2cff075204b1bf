"""Letting a publisher in: throttle, room, key, codec, one connection per key, then a session.

Shared by the Icecast path (``ingest.py``) and the browser path (``browser_ingest.py``).
Every refusal is an ``IngestRefused`` with a reason: ``throttled`` (429, too many
wrong keys from this address), ``auth`` (401), ``codec`` (415), ``key_in_use`` (409),
``room_full`` and ``unavailable`` (503).
"""

from __future__ import annotations

import base64
import binascii
import logging
import math
from collections.abc import Callable

from flask import request

from room_directory import ROOM_ID_PATTERN, Room
from stream_server.ingest_replies import IngestRefused
from stream_server.ingest_state import IngestState
from stream_server.publisher import PublisherSession, input_format
from stream_server.publisher_keys import Publisher, identify
from stream_server.publisher_registry import Connection, KeyInUse, RoomFull
from stream_server.services import current_services
from stream_server.stage import StageUnavailable

log = logging.getLogger(__name__)

CODECS_HINT = ("Content-Type must name the codec: audio/mpeg, audio/aac, audio/ogg, audio/opus, "
               "audio/webm, audio/flac or audio/wav")


def presented_key(authorization: str | None) -> str | None:
    """The stream key in an Authorization header (Basic with any user, or Bearer)."""
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() == "bearer":
        return value.strip() or None
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        _, sep, password = decoded.partition(":")
        return password if sep and password else None
    return None


def client_address() -> str:
    """The connecting address (proxies are not trusted to name another one)."""
    return request.remote_addr or "?"


def refuse_if_throttled(state: IngestState, address: str) -> None:
    """429 with Retry-After while ``address`` is slowed down after wrong keys."""
    wait = state.attempts.retry_after(address)
    if wait > 0:
        raise IngestRefused(429, "throttled", "too many wrong keys from this address; wait and retry",
                            headers={"Retry-After": str(math.ceil(wait))},
                            retry_after=math.ceil(wait))


def authenticate(state: IngestState, room_id: str) -> tuple[Room, Publisher]:
    """The room and the publisher of the presented key; a wrong key counts against the address."""
    address = client_address()
    refuse_if_throttled(state, address)
    directory = current_services().directory
    room = directory.get(room_id) if ROOM_ID_PATTERN.match(room_id) else None
    key = presented_key(request.headers.get("Authorization"))
    publisher = identify(directory, room, key) if room is not None and key else None
    if room is None or publisher is None:
        state.attempts.failed(address)
        raise IngestRefused(401, "auth", "unknown room or wrong stream key",
                            headers={"WWW-Authenticate": 'Basic realm="Live Stage ingest"'})
    return room, publisher


def codec_of(content_type: str | None) -> str:
    """The decoder's input format for the request's Content-Type (415 when not taken)."""
    fmt = input_format(content_type)
    if fmt is None:
        raise IngestRefused(415, "codec", CODECS_HINT)
    return fmt


def open_connection(state: IngestState, room: Room, publisher: Publisher, fmt: str, kind: str,
                    interrupt: Callable[[], None] = lambda: None) -> Connection:
    """Claim the key's one connection, put the room on air and start the decoder session."""
    services = current_services()
    conn = Connection(publisher, kind, client_address(), interrupt)
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
        bus_input = services.stage.open_publisher(room, label)
        bus_input.muted = publisher.muted
        conn.session = PublisherSession(services.settings.ffmpeg, fmt, services.settings.sample_rate,
                                        bus_input, label,
                                        flood_seconds=services.settings.ingest_flood_seconds)
    except (StageUnavailable, OSError) as exc:
        if bus_input is not None:
            bus_input.drop()
        state.registry.release(conn, "unavailable")
        raise IngestRefused(503, "unavailable", str(exc)) from exc
    log.info("room %s: %s publisher %s connected over %s (%s)", room.id, publisher.role.value,
             publisher.key_id, kind, fmt)
    return conn
