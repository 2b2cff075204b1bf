"""The browser path: MediaRecorder chunks posted in order over plain HTTP, resumable.

``POST /ingest/<room>/chunks?session=<id>&seq=<n>`` with ``Authorization: Bearer <key>``
(host or co-host key), ``Content-Type: audio/webm;codecs=opus`` (any ingest type; the
first chunk's type fixes the session's codec) and the n-th chunk as the body (chunk 0
carries the recorder's header). Answers (JSON):

* 200 ``{"session", "seq", "next_seq", "duplicate": false}``: appended;
* 200 ``{"duplicate": true, "next_seq": k}``: ``seq < k``, seen already, ignored (a retry);
* 409 ``{"reason": "gap", "expected_seq": k}``: ``seq > k``, send chunk ``k`` first;
* 409 ``{"reason": "key_in_use"}``: the key publishes elsewhere (a silent one is replaced);
* 410 ``{"reason": "session_ended" | "idle" | …}``: no such open session, start again
  at ``seq=0`` with a new session id and a fresh recorder (header);
* 400 ``decode``, 401 ``auth``, 413 (chunk over 1 MiB), 415 ``codec``, 429 ``throttled``
  or ``flood``, 503 ``unavailable``.

``DELETE /ingest/<room>/chunks?session=<id>`` ends the session cleanly (what was sent
plays out). A session with no chunk for ``LIVESTAGE_CHUNK_RESUME_SECONDS`` ends by itself.
"""

from __future__ import annotations

import logging

from flask import Blueprint, abort, jsonify, request
from flask.typing import ResponseReturnValue

from stream_server.ingest.admission import authenticate, codec_of, open_connection
from stream_server.ingest.chunk_sessions import SESSION_ID_PATTERN, ChunkSession, ChunkSessions
from stream_server.ingest.keys import Publisher
from stream_server.ingest.publisher import DecoderFailed, PublisherCut
from stream_server.ingest.refusals import CUT_STATUS, IngestRefused
from stream_server.ingest.state import ingest_state

log = logging.getLogger(__name__)

bp = Blueprint("browser_ingest", __name__)

#: sequence numbers above this are refused (a day of 1 s chunks is 86,400)
MAX_SEQ = 10_000_000
#: largest chunk taken (a MediaRecorder timeslice of seconds is tens of KiB)
MAX_CHUNK_BYTES = 1 << 20


@bp.errorhandler(IngestRefused)
def refused(exc: IngestRefused) -> ResponseReturnValue:
    """JSON answer with the reason, counted in the ingest error metric."""
    return exc.response()


@bp.errorhandler(413)
def too_large(_: Exception) -> ResponseReturnValue:
    """JSON 413 for a chunk over the request size limit."""
    return IngestRefused(413, "too_large", "a chunk may be at most 1 MiB; use a shorter timeslice").response()


def _session_id() -> str:
    session_id = request.args.get("session", "")
    if not SESSION_ID_PATTERN.match(session_id):
        raise IngestRefused(400, "bad_request", "session must be 8-64 characters of A-Z a-z 0-9 _ -")
    return session_id


def _seq() -> int:
    raw = request.args.get("seq", "")
    if not raw.isdigit() or int(raw) > MAX_SEQ:
        raise IngestRefused(400, "bad_request", f"seq must be a whole number from 0 to {MAX_SEQ}")
    return int(raw)


def _owned(sessions: ChunkSessions, session_id: str, publisher: Publisher) -> ChunkSession | None:
    """The open session, if it belongs to this room and key (403 otherwise)."""
    session = sessions.get(session_id)
    if session is None:
        return None
    owner = session.connection.publisher
    if (owner.room_id, owner.key_id) != (publisher.room_id, publisher.key_id):
        raise IngestRefused(403, "not_your_session", "this session belongs to another key or room")
    return session


def _gone(sessions: ChunkSessions, session_id: str) -> IngestRefused:
    why = sessions.ended_reason(session_id)
    message = ("no such open session" + (f" (it ended: {why})" if why else "")
               + "; start a new session at seq=0 with a fresh recorder header")
    return IngestRefused(410, "session_ended", message, ended=why, expected_seq=0)


@bp.post("/ingest/<room_id>/chunks")
def post_chunk(room_id: str) -> ResponseReturnValue:
    """Append one MediaRecorder chunk to the session, in order, exactly once."""
    state = ingest_state()
    room, publisher = authenticate(room_id)
    session_id, seq = _session_id(), _seq()
    body = request.get_data(cache=False)
    if len(body) > MAX_CHUNK_BYTES:  # the app lets one byte more through to tell
        abort(413)
    if request.content_length is not None and len(body) != request.content_length:
        raise IngestRefused(400, "bad_request", "the chunk arrived incomplete; send it again")
    session = _owned(state.chunks, session_id, publisher)
    if session is None:
        if seq != 0 or state.chunks.ended_reason(session_id):
            raise _gone(state.chunks, session_id)
        fmt = codec_of(request.headers.get("Content-Type"))
        conn = open_connection(state, room, publisher, fmt, "browser")
        session = ChunkSession(session_id, conn)
        conn.interrupt = state.chunks.interrupter(session)
        state.chunks.add(session)
    with session.lock:
        if session.ended:
            raise _gone(state.chunks, session_id)
        if seq < session.next_seq:
            return jsonify(session=session_id, seq=seq, next_seq=session.next_seq, duplicate=True)
        if seq > session.next_seq:
            raise IngestRefused(409, "gap", f"chunk {session.next_seq} is missing; send it first",
                                expected_seq=session.next_seq)
        pub = session.connection.session
        assert pub is not None
        try:
            pub.write(body)
        except DecoderFailed as exc:
            state.chunks.end(session, "decode", cut=True)
            raise IngestRefused(400, "decode", str(exc)) from exc
        except PublisherCut as exc:
            state.chunks.end(session, exc.reason, cut=True)
            raise IngestRefused(CUT_STATUS.get(exc.reason, 400), exc.reason, str(exc)) from exc
        session.next_seq += 1
        session.last_chunk_at = state.chunks.now()
    return jsonify(session=session_id, seq=seq, next_seq=session.next_seq, duplicate=False)


@bp.delete("/ingest/<room_id>/chunks")
def end_session(room_id: str) -> ResponseReturnValue:
    """End a browser session cleanly: what it sent plays out."""
    state = ingest_state()
    _, publisher = authenticate(room_id)
    session_id = _session_id()
    session = _owned(state.chunks, session_id, publisher)
    if session is None:
        raise _gone(state.chunks, session_id)
    with session.lock:
        chunks = session.next_seq
        state.chunks.end(session, "ended", cut=False)
    log.info("room %s: browser session of %s ended after %d chunks", room_id, publisher.key_id, chunks)
    return jsonify(session=session_id, ended=True, chunks=chunks)
