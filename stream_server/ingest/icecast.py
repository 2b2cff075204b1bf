"""Ingest: performers publish with the Icecast source protocol (PUT or SOURCE) or Bearer.

``PUT /ingest/<room id>`` with ``Authorization: Basic source:<stream key>`` (what
ffmpeg's ``icecast://``, BUTT and Mixxx send) or ``Bearer <stream key>``, and a
Content-Type naming the codec.  The body is the live stream, as long as the show:
with a length, chunked, or (Icecast) neither. The key is the room's host key or a
co-host key; each key publishes over one connection at a time.

Answers, each JSON ``{"error", "reason"}`` when not 200: 401 ``auth``, 429
``throttled`` (with Retry-After), 415 ``codec``, 409 ``key_in_use``, 503
``room_full``/``unavailable``; once streaming: 400 ``decode`` (not the named codec),
408 ``stall`` (nothing for ``LIVESTAGE_INGEST_IDLE_SECONDS``), 429 ``flood``, 410
``revoked``/``rotated``/``room_ended``, 409 ``replaced``.

The legacy ``SOURCE`` method gets Icecast's early ``HTTP/1.0 200 OK`` as soon as it is
admitted (libshout and BUTT wait for it before sending audio) and no other answer: a later
error only closes the connection (it is logged and counted all the same). ``PUT`` clients
that wait for a go-ahead send ``Expect: 100-continue`` (ffmpeg, libshout's PUT) and get
``100 Continue``, so their final status stays meaningful.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import IO, Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import ClientDisconnected

from stream_server.ingest.admission import (
    authenticate,
    codec_of,
    open_connection,
)
from stream_server.ingest.ice_metadata import metadata_updates
from stream_server.ingest.keys import Publisher
from stream_server.ingest.publisher import DecoderFailed, PublisherCut
from stream_server.ingest.refusals import CUT_STATUS, IngestRefused
from stream_server.ingest.state import ingest_state
from stream_server.ops.services import current_services

__all__ = ["bp"]

log = logging.getLogger(__name__)

bp = Blueprint("ingest", __name__)

#: Most bytes taken from a publisher's connection at once (100 ms of WAV at 48 kHz is 19 KB).
CHUNK = 65536
#: A source that is not behind is read at most this often. Tools send each MP3 or AAC frame
#: (about 26 ms) on its own; taking them 100 ms at a time wakes this thread, the decoder and
#: the PCM pump a quarter as often, for at most 100 ms more latency. A read that fills the
#: whole ``CHUNK`` (a backlog) is followed at once.
READ_INTERVAL_SECONDS = 0.1


@bp.errorhandler(IngestRefused)
def refused(exc: IngestRefused) -> ResponseReturnValue:
    """JSON answer with the reason, counted in the ingest error metric."""
    return exc.response()


class BodyReader:
    """The request body in pieces as they arrive; a read timeout (a stalled source) calls ``on_timeout``."""

    def __init__(self, stream: IO[bytes], on_timeout: Callable[[], None]) -> None:
        self._read = getattr(stream, "read1", None) or stream.read
        self._on_timeout = on_timeout

    def __iter__(self) -> Iterator[bytes]:
        next_read = 0.0
        while True:
            wait = next_read - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                chunk = self._read(CHUNK)
            except TimeoutError:
                self._on_timeout()
                return
            except (OSError, ValueError, ClientDisconnected):  # connection dropped
                return
            if not chunk:
                return
            next_read = 0.0 if len(chunk) >= CHUNK else time.monotonic() + READ_INTERVAL_SECONDS
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


def _connection_socket(idle_seconds: float) -> Any:
    """The client socket (werkzeug's server), its read timeout set to the idle limit; or None."""
    sock = request.environ.get("werkzeug.socket")
    if sock is not None and idle_seconds > 0:
        try:
            sock.settimeout(idle_seconds)
        except OSError:
            return None
    return sock


def _interrupter(sock: Any) -> Any:
    def interrupt() -> None:
        if sock is not None:
            sock.shutdown(socket.SHUT_RD)  # the blocked body read returns: the view ends

    return interrupt


def _send_early_ok(sock: Any) -> None:
    """Icecast's early ``200 OK``: legacy sources (libshout's SOURCE, BUTT) wait for it to send audio.

    The server's request handler sends it and drops whatever this view answers later, so
    the connection carries one response; without that handler, it goes straight to the socket.
    """
    early_ok = request.environ.get("livestage.early_ok")
    if early_ok is not None:
        early_ok()
    elif sock is not None:
        sock.sendall(b"HTTP/1.0 200 OK\r\n\r\n")


def _take_ice_metadata(room_id: str, publisher: Publisher) -> None:
    """Fill the room's empty title, description and genre from the host's ice-* headers."""
    if not publisher.is_host:
        return
    directory = current_services().directory
    room = directory.get(room_id)
    if room is None:
        return
    updates = metadata_updates(
        {"title": room.title, "description": room.description, "genre": room.genre},
        dict(request.headers),
    )
    if updates:
        directory.update(replace(room, title=updates.get("title", room.title),
                                 description=updates.get("description", room.description),
                                 genre=updates.get("genre", room.genre)))
        log.info("room %s: took %s from the source's ice-* headers", room_id, ", ".join(updates))


@bp.route("/ingest/<room_id>", methods=["PUT", "POST", "SOURCE"])
def ingest(room_id: str) -> ResponseReturnValue:
    """Take a performer's live stream into the room's audio bus until it ends."""
    state = ingest_state()
    room, publisher = authenticate(room_id)
    fmt = codec_of(request.headers.get("Content-Type"))
    idle = state.settings.ingest_idle_seconds
    sock = _connection_socket(idle)
    conn = open_connection(state, room, publisher, fmt, "icecast", _interrupter(sock))
    session = conn.session
    assert session is not None
    outcome = "ended"
    try:
        _take_ice_metadata(room_id, publisher)
        if request.method == "SOURCE":
            _send_early_ok(sock)
        session.feed(BodyReader(_body_stream(), on_timeout=lambda: session.cut("stall", keep_audio=True)))
        conn.client_gone = True  # a reconnecting performer may take the key while this plays out
        session.finish()
    except DecoderFailed as exc:
        session.abort()
        outcome = "decode"
        log.warning("room %s: publisher %s refused: %s", room_id, publisher.key_id, exc)
        raise IngestRefused(400, "decode", str(exc)) from exc
    except PublisherCut as exc:
        outcome = exc.reason
        log.warning("room %s: publisher %s %s", room_id, publisher.key_id, exc)
        raise IngestRefused(CUT_STATUS.get(exc.reason, 400), exc.reason, str(exc)) from exc
    except BaseException:
        session.abort()
        outcome = "error"
        raise
    finally:
        state.registry.release(conn, outcome)
        repairs = ", ".join(f"{kind} x{count}" for kind, count in sorted(session.recoveries.items()))
        log.info("room %s: publisher %s gone after %d bytes (%s%s)", room_id, publisher.key_id,
                 session.bytes_in, outcome, f"; repaired: {repairs}" if repairs else "")
    return jsonify(room=room_id, bytes=session.bytes_in)
