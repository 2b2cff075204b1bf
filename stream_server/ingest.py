"""Ingest: performers publish with the Icecast source protocol (PUT or SOURCE) or Bearer.

``PUT /ingest/<room id>`` with ``Authorization: Basic source:<stream key>`` (what
ffmpeg's ``icecast://``, BUTT and Mixxx send) or ``Bearer <stream key>``, and a
Content-Type naming the codec.  The body is the live stream, as long as the show.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Iterator
from typing import IO

from flask import Blueprint, Response, jsonify, request
from flask.typing import ResponseReturnValue

from room_directory import ROOM_ID_PATTERN, stream_key_matches
from stream_server.publisher import DecoderFailed, PublisherSession, input_format
from stream_server.services import current_services
from stream_server.stage import StageUnavailable

log = logging.getLogger(__name__)

bp = Blueprint("ingest", __name__)

CHUNK = 16384


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


def _error(status: int, reason: str) -> tuple[Response, int]:
    return jsonify(error=reason), status


def _body_chunks(stream: IO[bytes]) -> Iterator[bytes]:
    reader = getattr(stream, "read1", None) or stream.read
    while True:
        try:
            chunk = reader(CHUNK)
        except (OSError, ValueError):  # connection dropped or timed out
            return
        if not chunk:
            return
        yield chunk


def _body_stream() -> IO[bytes]:
    """The request body as it arrives: Icecast sources send neither length nor chunking."""
    if request.content_length is None and "chunked" not in request.headers.get(
        "Transfer-Encoding", ""
    ).lower():
        raw: IO[bytes] = request.environ["wsgi.input"]
        return raw
    # a chunked live stream lasts the show, not MAX_CONTENT_LENGTH (None would mean "use the config")
    request.max_content_length = 1 << 62
    return request.stream


@bp.route("/ingest/<room_id>", methods=["PUT", "POST", "SOURCE"])
def ingest(room_id: str) -> ResponseReturnValue:
    """Take a performer's live stream into the room's audio bus until it ends."""
    services = current_services()
    if not ROOM_ID_PATTERN.match(room_id):
        return _error(404, "no such room")
    room = services.directory.get(room_id)
    key = presented_key(request.headers.get("Authorization"))
    if room is None or key is None or not stream_key_matches(key, room.stream_key_hash):
        response = jsonify(error="unknown room or wrong stream key")
        response.headers["WWW-Authenticate"] = 'Basic realm="Live Stage ingest"'
        return response, 401
    fmt = input_format(request.headers.get("Content-Type"))
    if fmt is None:
        return _error(415, "Content-Type must name the codec: audio/mpeg, audio/aac, "
                      "audio/ogg, audio/webm, audio/flac or audio/wav")
    remote = request.remote_addr or "?"
    try:
        bus_input = services.stage.open_publisher(room, f"{room_id}/{remote}")
    except StageUnavailable as exc:
        return _error(503, str(exc))
    session = PublisherSession(services.settings.ffmpeg, fmt, services.settings.sample_rate,
                               bus_input, f"{room_id}/{remote}")
    log.info("room %s: publisher %s connected (%s)", room_id, remote, fmt)
    try:
        session.feed(_body_chunks(_body_stream()))
        session.finish()
    except DecoderFailed as exc:
        session.abort()
        log.warning("room %s: publisher %s refused: %s", room_id, remote, exc)
        return _error(400, str(exc))
    finally:
        log.info("room %s: publisher %s gone after %d bytes", room_id, remote, session.bytes_in)
    return jsonify(room=room_id, bytes=session.bytes_in)
