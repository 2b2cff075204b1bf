"""Hands: listeners ask to speak, the host answers, an accepted listener collects a guest key.

* ``POST /api/rooms/<id>/hands`` ``{"name", "line"?}`` (anyone; a few per address) → 201 the
  hand with its ``hand_token``, which the listener's page keeps to poll it
* ``GET /api/rooms/<id>/hands/<hand id>?token=…`` (the hand's listener) → its state and place
  in the queue; once accepted, the first answer carries ``guest_key`` (never again)
* ``POST /api/rooms/<id>/hands/claim`` ``{"code"}`` (anyone) → takes over a hand raised by
  voice: the answer carries the ``hand_token`` from then on
* ``GET /api/rooms/<id>/hands`` (host or admin) → the show's hands, oldest first
* ``POST /api/rooms/<id>/hands/<hand id>/accept`` | ``/decline`` | ``/remove`` (host or admin);
  removal revokes the guest key and cuts the guest's live sessions through ``auth.key_events``

A wrong hand token or call-in code counts against the address like a wrong key. The rules
(states, codes, the key handed out once) are ``room_directory.hands``, shared with the skill.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from room_directory import Hand, HandState, Room, RoomDirectory
from room_directory.hands import (
    CODE_DIGITS,
    LINE_LIMIT,
    NAME_LIMIT,
    HandRefused,
    answer,
    claim_by_code,
    clean_text,
    close_show,
    collect_guest_key,
    effective_state,
    raise_hand,
    token_matches,
)
from stream_server import auth
from stream_server.api.keys import room_owner
from stream_server.api.rate_limit import rate_limit
from stream_server.auth import KeyEvents, room_or_none
from stream_server.ops.services import current_services

log = logging.getLogger(__name__)

bp = Blueprint("api_hands", __name__, url_prefix="/api/rooms/<room_id>/hands")

#: hands one address may raise per window (default 5 in 10 minutes)
RAISES_PER_WINDOW = 5
RAISE_WINDOW_SECONDS = 600.0
#: HTTP status of each refusal reason of ``room_directory.hands``
_STATUS = {"not_found": 404, "conflict": 409, "not_live": 409, "queue_full": 409,
           "busy": 503, "unavailable": 503}


def _error(status: int, message: str, **headers: str) -> ResponseReturnValue:
    response = jsonify(error=message)
    response.headers.update(headers)
    return response, status


def _refused(exc: HandRefused) -> ResponseReturnValue:
    return _error(_STATUS.get(exc.reason, 409), str(exc))


def _json_object() -> dict[str, Any]:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


def _position(directory: RoomDirectory, room: Room, hand: Hand) -> int | None:
    """The hand's place in its show's queue (1 is next), or None when it is not waiting."""
    if effective_state(hand, room) is not HandState.QUEUED:
        return None
    queued = [h.hand_id for h in directory.list_hands(room.id, show_id=hand.show_id)
              if effective_state(h, room) is HandState.QUEUED]
    return queued.index(hand.hand_id) + 1 if hand.hand_id in queued else None


def hand_view(room: Room, hand: Hand, position: int | None = None) -> dict[str, Any]:
    """A hand as the API shows it, its state as of now."""
    return hand.public_view() | {"state": effective_state(hand, room).value, "room_id": room.id,
                                 "position": position}


def _listener_view(directory: RoomDirectory, room: Room, hand: Hand) -> dict[str, Any]:
    base = current_services().settings.base_url
    return hand_view(room, hand, _position(directory, room, hand)) | {
        "stage_url": f"{base}/whip/{room.id}"}


@bp.post("")
def raise_a_hand(room_id: str) -> ResponseReturnValue:
    """Ask to speak in the room's live show; the answer carries the hand token, once."""
    room = room_or_none(room_id)
    if room is None:
        return _error(404, "no such room")
    body = _json_object()
    name = clean_text(body.get("name"), NAME_LIMIT, required=True)
    line = clean_text(body.get("line"), LINE_LIMIT, required=False)
    if name is None or line is None:
        return _error(400, f"name is required (1-{NAME_LIMIT} characters) and line is optional "
                           f"(at most {LINE_LIMIT}); no control characters")
    if not room.is_live:
        return _error(409, "the room is not on air; hands open when the show starts")
    wait = rate_limit("hands", RAISES_PER_WINDOW, RAISE_WINDOW_SECONDS).spend(auth.client_address())
    if wait:
        return _error(429, "too many hands from this address; wait and retry", **{"Retry-After": str(wait)})
    directory = current_services().directory
    try:
        hand, token = raise_hand(directory, room, name, line)
    except HandRefused as exc:
        return _refused(exc)
    log.info("room %s: hand %s raised (show %s)", room.id, hand.hand_id, hand.show_id)
    return jsonify(_listener_view(directory, room, hand) | {"hand_token": token}), 201


@bp.get("")
@room_owner
def list_hands(room: Room) -> ResponseReturnValue:
    """The hands of the room's current (or last) show, oldest first, with queue places."""
    directory = current_services().directory
    hands = directory.list_hands(room.id, show_id=room.show_id) if room.show_id else []
    queued = [h for h in hands if effective_state(h, room) is HandState.QUEUED]
    places = {h.hand_id: n for n, h in enumerate(queued, start=1)}
    return jsonify(room_id=room.id, show_id=room.show_id, live=room.is_live,
                   hands=[hand_view(room, h, places.get(h.hand_id)) for h in hands])


@bp.get("/<hand_id>")
def poll_hand(room_id: str, hand_id: str) -> ResponseReturnValue:
    """The listener's own hand (proved by ``?token=``); an accepted one hands its guest key out once."""
    room = room_or_none(room_id)
    directory = current_services().directory
    hand = directory.get_hand(room.id, hand_id) if room is not None else None
    token = request.args.get("token")
    if not auth.proves_secret(lambda: hand is not None and token_matches(hand, token), room_id):
        return _error(404, "no such hand, or the token is not its own")
    assert room is not None and hand is not None
    hand, guest_key = collect_guest_key(directory, room, hand)
    view = _listener_view(directory, room, hand)
    if guest_key is not None:
        view["guest_key"] = guest_key
        log.info("room %s: hand %s collected its guest key", room.id, hand.hand_id)
    return jsonify(view)


@bp.post("/claim")
def claim(room_id: str) -> ResponseReturnValue:
    """Take over a hand raised by voice with its call-in code; the answer carries its new hand token."""
    room = room_or_none(room_id)
    if room is None:
        return _error(404, "no such room")
    code = _json_object().get("code")
    if not isinstance(code, str) or len(code) != CODE_DIGITS or not code.isdigit() or not code.isascii():
        return _error(400, f"code must be the {CODE_DIGITS} digits the speaker said")
    directory = current_services().directory
    claimed: list[tuple[Hand, str]] = []

    def check() -> bool:
        found = claim_by_code(directory, room, code)
        if found is not None:
            claimed.append(found)
        return found is not None

    if not auth.proves_secret(check, room_id):
        return _error(404, "no open hand in this room has that code")
    hand, token = claimed[0]
    log.info("room %s: hand %s taken over with its call-in code", room.id, hand.hand_id)
    return jsonify(_listener_view(directory, room, hand) | {"hand_token": token})


@bp.post("/<hand_id>/accept", defaults={"action": "accept"})
@bp.post("/<hand_id>/decline", defaults={"action": "decline"})
@bp.post("/<hand_id>/remove", defaults={"action": "remove"})
@room_owner
def answer_hand(room: Room, hand_id: str, action: str) -> ResponseReturnValue:
    """Accept, decline or remove a hand; removing cuts the guest off at once."""
    directory = current_services().directory
    try:
        hand = answer(directory, room, hand_id, action)
    except HandRefused as exc:
        return _refused(exc)
    view = hand_view(room, hand, _position(directory, room, hand))
    if action == "remove":
        view["disconnected"] = auth.key_events().revoked(room.id, hand.hand_id, "removed")
    log.info("room %s: hand %s is %s", room.id, hand.hand_id, view["state"])
    return jsonify(view)


def end_of_show(directory: RoomDirectory, events: KeyEvents, room_id: str, show_id: str) -> None:
    """A show ended: its open hands expire, its guest keys are revoked and their sessions cut."""
    revoked = close_show(directory, room_id, show_id)
    for key_id in revoked:
        events.revoked(room_id, key_id, "show_ended")
    if revoked:
        log.info("room %s: show %s ended, %d guest key(s) revoked", room_id, show_id, len(revoked))
