"""WHIP (RFC 9725): ``POST /whip/<room>`` with a room key and an SDP offer puts its sender on stage.

* ``POST /whip/<room>``, ``Authorization: Bearer <host, co-host or guest key>``, ``Content-Type:
  application/sdp``: ``201 Created`` with the SDP answer, ``Location: /whip/<room>/<session>``,
  an ``ETag`` and one ``Link: <url>; rel="ice-server"`` per STUN/TURN server. An audio offer
  that is ``sendrecv`` joins the stage and hears everyone else on it plus the room's other
  inputs; ``sendonly`` only publishes. Video sections are declined (``inactive``).
* ``PATCH /whip/<room>/<session>``, ``application/trickle-ice-sdpfrag``: more candidates (204);
  a new ICE ufrag (an ICE restart) is 422, the client leaves and joins again.
* ``DELETE /whip/<room>/<session>``: leave (200).
* ``OPTIONS``: CORS preflight for pages on other origins (keys travel as Bearer, no cookies);
  with a key that may join, the ``Link`` headers too, so a page has its ICE servers before
  it makes its offer.

Refusals are the ingest's, JSON ``{"error", "reason"}`` counted by reason: 401 ``auth``, 403
``forbidden`` (another member's session), 429 ``throttled`` (Retry-After), 415 ``codec`` (not
``application/sdp``), 400 ``sdp`` (no Opus audio that sends, unreadable), 404 ``not_found``,
412 ``precondition`` (``If-Match`` names another session), 422 ``ice_restart``, 503
``stage_full`` or ``unavailable`` (the room cannot go on air here).
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, request
from flask.typing import ResponseReturnValue

from room_directory import Room
from stream_server import auth
from stream_server.auth import Caller
from stream_server.ingest.admission import identify_caller
from stream_server.ingest.refusals import IngestRefused
from stream_server.ops.services import current_services
from stream_server.pipeline.on_air import OnAirUnavailable
from stream_server.stage.bus_link import ProgramBus
from stream_server.stage.engine import TrickleRefused
from stream_server.stage.ice import link_headers
from stream_server.stage.offer import OfferRefused
from stream_server.stage.registry import StageFull, StageSeat
from stream_server.stage.state import stage_state

log = logging.getLogger(__name__)

bp = Blueprint("whip", __name__)

#: who may put themselves on stage: a guest key opens it only during its own live show (``auth``)
STAGE_ROLES: tuple[Caller, ...] = (Caller.HOST, Caller.COHOST, Caller.GUEST)
_CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "Location, Link, ETag",
}


@bp.errorhandler(IngestRefused)
def refused(exc: IngestRefused) -> ResponseReturnValue:
    """JSON answer with the reason, counted in the ingest error metric."""
    body, status = exc.response()
    body.headers.update(_CORS)
    return body, status


@bp.after_request
def cors(response: Response) -> Response:
    """Every WHIP answer may be read by a page of another origin (Bearer keys, no cookies)."""
    response.headers.update(_CORS)
    return response


@bp.route("/whip/<room_id>", methods=["OPTIONS"])
@bp.route("/whip/<room_id>/<session_id>", methods=["OPTIONS"])
def preflight(room_id: str, session_id: str | None = None) -> ResponseReturnValue:
    """CORS preflight and what the endpoint accepts; with a stage key, the ICE servers too.

    A page needs its STUN/TURN servers before it makes its offer, so an ``OPTIONS`` that
    carries a key that may join (a preflight never does) gets the ``Link`` headers a ``POST``
    would; any other gets none. A wrong key counts against the address as everywhere.
    """
    methods = "PATCH, DELETE, OPTIONS" if session_id else "POST, OPTIONS"
    response = Response(status=204, headers={
        "Access-Control-Allow-Methods": methods,
        "Access-Control-Allow-Headers": "Authorization, Content-Type, If-Match",
        "Access-Control-Max-Age": "600",
        "Allow": methods,
        **({} if session_id else {"Accept-Post": "application/sdp"}),
    })
    if session_id is None and request.headers.get("Authorization"):
        identity = auth.caller(auth.room_or_none(room_id), count=True, admin=False)
        if identity is not None and identity.caller in STAGE_ROLES:
            for link in link_headers(stage_state().ice):
                response.headers.add("Link", link)
    return response


def _whip_caller(room_id: str, *allowed: Caller) -> tuple[Room, auth.Identity]:
    return identify_caller(room_id, *allowed, basic=False, challenge="Bearer",
                           message="unknown room or wrong key")


@bp.post("/whip/<room_id>")
def join(room_id: str) -> ResponseReturnValue:
    """Answer a WHIP offer and put its sender on the room's stage."""
    room, identity = _whip_caller(room_id, *STAGE_ROLES)
    publisher = identity.publisher
    assert publisher is not None
    if request.mimetype != "application/sdp":
        raise IngestRefused(415, "codec", "Content-Type must be application/sdp (a WHIP offer)")
    services = current_services()
    state = stage_state()

    def room_bus() -> ProgramBus:
        return services.on_air.go_live(room).bus  # on air from the first member, as with ingest

    try:
        joined = state.registry.admit(
            room.id, publisher.key_id, publisher.name, publisher.role.value,
            request.get_data(as_text=True), room_bus,
            address=auth.client_address(), muted=publisher.muted)
    except OfferRefused as exc:
        raise IngestRefused(400, "sdp", str(exc)) from exc
    except StageFull as exc:
        raise IngestRefused(503, "stage_full", str(exc)) from exc
    except OnAirUnavailable as exc:
        raise IngestRefused(503, "unavailable", str(exc)) from exc
    response = Response(joined.answer_sdp, status=201, content_type="application/sdp")
    response.headers["Location"] = f"/whip/{room.id}/{joined.session_id}"
    response.headers["ETag"] = f'"{joined.session_id}"'
    for link in link_headers(state.ice):
        response.headers.add("Link", link)
    return response


def _own_seat(room_id: str, session_id: str) -> StageSeat:
    """The session's seat, if the caller may touch it (the admin, the host, or its own key)."""
    room, identity = _whip_caller(room_id, Caller.ADMIN, *STAGE_ROLES)
    seat = stage_state().registry.find(session_id)
    if seat is None or seat.room_id != room.id:
        raise IngestRefused(404, "not_found", "no such stage session (it may have ended)")
    mine = identity.publisher is not None and identity.publisher.key_id == seat.key_id
    if identity.caller not in (Caller.ADMIN, Caller.HOST) and not mine:
        raise IngestRefused(403, "forbidden", "this session belongs to another member")
    match = request.headers.get("If-Match")
    if match and match.strip() not in ("*", f'"{session_id}"'):
        raise IngestRefused(412, "precondition", "If-Match names another session")
    return seat


@bp.patch("/whip/<room_id>/<session_id>")
def trickle(room_id: str, session_id: str) -> ResponseReturnValue:
    """Take trickled ICE candidates for a session."""
    seat = _own_seat(room_id, session_id)
    if request.mimetype != "application/trickle-ice-sdpfrag":
        raise IngestRefused(415, "codec", "Content-Type must be application/trickle-ice-sdpfrag")
    try:
        taken = stage_state().registry.trickle(seat.session_id, request.get_data(as_text=True))
    except TrickleRefused as exc:
        raise IngestRefused(422, "ice_restart", str(exc)) from exc
    if not taken:
        raise IngestRefused(404, "not_found", "no such stage session (it may have ended)")
    return Response(status=204)


@bp.delete("/whip/<room_id>/<session_id>")
def leave(room_id: str, session_id: str) -> ResponseReturnValue:
    """Leave the stage."""
    seat = _own_seat(room_id, session_id)
    if not stage_state().registry.leave(seat.session_id):
        raise IngestRefused(404, "not_found", "no such stage session (it may have ended)")
    return Response(status=200)
