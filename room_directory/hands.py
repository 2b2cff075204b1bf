"""Raised hands: the rules the stream server and the skill share, over the ``RoomDirectory`` port.

A listener raises a hand in a live room (on the listener page, or by voice with a call-in code
to type on the page later); the host accepts or declines it; an accepted listener collects a
guest key once, scoped to the room and the show; the host removes the guest, or the show ends,
and the key stops working. Every change re-reads the hand and writes it conditionally on its
version, so two writers (a host clicking twice, two tabs polling) never undo each other.

The guest key of a hand has the hand's id as its key id: storing it is conditional on that id
being free, which is what makes "the key is handed out once" hold across servers.
"""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import replace
from typing import Protocol

from room_directory.keys import hash_stream_key, new_stream_key, stream_key_matches
from room_directory.models import Hand, HandState, KeyRole, PublisherKey, Room, new_token_id
from room_directory.port import HandChanged, RoomDirectory, RoomExists

#: longest name and line a hand carries (characters)
NAME_LIMIT = 80
LINE_LIMIT = 200
#: hands waiting in one show at once; more are refused until the host answers some
MAX_QUEUED_PER_SHOW = 200
#: digits of a call-in code: 100,000 codes per room, so a guess is a long shot even with
#: many voice hands open, and ``auth``'s throttle slows guessing down further
CODE_DIGITS = 5
#: attempts at a free id or code before giving up
_ATTEMPTS = 20

#: the answers a host may give, by the state each one needs and the state it leads to
ANSWERS: dict[str, tuple[HandState, HandState]] = {
    "accept": (HandState.QUEUED, HandState.ACCEPTED),
    "decline": (HandState.QUEUED, HandState.DECLINED),
    "remove": (HandState.ACCEPTED, HandState.REMOVED),
}


class HandQueue(Protocol):
    """What raising a hand needs of a directory (the skill declares no more)."""

    def add_hand(self, hand: Hand) -> Hand: ...

    def list_hands(self, room_id: str, *, show_id: str | None = None) -> list[Hand]: ...


class HandRefused(Exception):
    """A hand operation that the rules refuse; ``reason`` is a word for the API and the skill."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def clean_text(value: object, limit: int, *, required: bool) -> str | None:
    """``value`` as stored text (NFC, trimmed, no control characters), or None when unfit."""
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFC", value).strip()
    if (required and not text) or len(text) > limit:
        return None
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text):
        return None
    return text


def new_call_in_code() -> str:
    """A fresh random call-in code of ``CODE_DIGITS`` digits."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def effective_state(hand: Hand, room: Room) -> HandState:
    """The hand's state as of now: an open hand of a show that is no longer on air has expired."""
    if hand.state.open and not (room.is_live and room.show_id == hand.show_id):
        return HandState.EXPIRED
    return hand.state


def raise_hand(directory: HandQueue, room: Room, name: str, line: str = "", *,
               via: str = "web") -> tuple[Hand, str]:
    """Queue a hand in the room's live show: the hand and its secret.

    The secret is the hand token for a web hand, the call-in code for a voice hand (whose
    token comes when the code is typed on the listener page).
    """
    if not room.is_live or not room.show_id:
        raise HandRefused("not_live", "the room is not on air; hands open when the show starts")
    queued = [h for h in directory.list_hands(room.id, show_id=room.show_id) if h.state is HandState.QUEUED]
    if len(queued) >= MAX_QUEUED_PER_SHOW:
        raise HandRefused("queue_full", "too many hands are waiting; try again later")
    for _ in range(_ATTEMPTS):
        token = new_stream_key()
        code = new_call_in_code() if via == "voice" else None
        hand = Hand(room_id=room.id, hand_id=new_token_id(), show_id=room.show_id, name=name,
                    line=line, via=via, call_in_code=code,
                    token_hash="" if code else hash_stream_key(token))
        try:
            return directory.add_hand(hand), code or token
        except RoomExists:
            continue
    raise HandRefused("unavailable", "no free hand id or call-in code; try again")


def token_matches(hand: Hand, token: str | None) -> bool:
    """Whether ``token`` is the hand's token (constant time; a hand without one matches nothing)."""
    return bool(token and hand.token_hash) and stream_key_matches(str(token), hand.token_hash)


def _change(directory: RoomDirectory, room: Room, hand_id: str,
            change: Callable[[Hand], Hand | None]) -> Hand:
    """Apply ``change`` to the freshest hand until it is stored (None: leave the hand as it is)."""
    for _ in range(_ATTEMPTS):
        hand = directory.get_hand(room.id, hand_id)
        if hand is None:
            raise HandRefused("not_found", "no such hand")
        changed = change(hand)
        if changed is None:
            return hand
        try:
            return directory.replace_hand(changed)
        except HandChanged:
            continue
    raise HandRefused("busy", "the hand keeps changing; try again")


def answer(directory: RoomDirectory, room: Room, hand_id: str, action: str) -> Hand:
    """The host's answer (``accept``, ``decline`` or ``remove``); removal revokes the guest key."""
    needs, leads_to = ANSWERS[action]

    def apply(hand: Hand) -> Hand | None:
        state = effective_state(hand, room)
        if state is leads_to:  # the same click twice: nothing to change
            return None
        if state is not needs:
            raise HandRefused("conflict", f"cannot {action} a hand that is {state.value}")
        return replace(hand, state=leads_to, call_in_code=hand.call_in_code if leads_to.open else None)

    hand = _change(directory, room, hand_id, apply)
    if leads_to is HandState.REMOVED:
        revoke_guest_key(directory, room.id, hand.hand_id)
    return hand


def collect_guest_key(directory: RoomDirectory, room: Room, hand: Hand) -> tuple[Hand, str | None]:
    """The guest key of an accepted hand, the first time it is asked for (None afterwards)."""
    if effective_state(hand, room) is not HandState.ACCEPTED or hand.key_id is not None:
        return hand, None
    key = new_stream_key()
    try:
        directory.add_key(PublisherKey(room_id=room.id, key_id=hand.hand_id, name=hand.name,
                                       key_hash=hash_stream_key(key), role=KeyRole.GUEST,
                                       show_id=hand.show_id))
    except RoomExists:  # another poll collected it first
        return directory.get_hand(room.id, hand.hand_id) or hand, None
    stored = _change(directory, room, hand.hand_id,
                     lambda h: None if h.key_id else replace(h, key_id=hand.hand_id))
    if not stored.state.open:  # removed meanwhile: the key must not outlive the hand
        revoke_guest_key(directory, room.id, hand.hand_id)
        return stored, None
    return stored, key


def claim_by_code(directory: RoomDirectory, room: Room, code: str) -> tuple[Hand, str] | None:
    """Take over the open hand holding ``code``: the hand and its new token, or None."""
    found = directory.find_hand_by_code(room.id, code)
    if found is None or not effective_state(found, room).open:
        return None
    token = new_stream_key()
    try:
        hand = _change(directory, room, found.hand_id, lambda h: replace(
            h, call_in_code=None, token_hash=hash_stream_key(token)) if h.call_in_code == code else None)
    except HandRefused:
        return None
    return (hand, token) if hand.call_in_code is None and token_matches(hand, token) else None


def revoke_guest_key(directory: RoomDirectory, room_id: str, key_id: str) -> PublisherKey | None:
    """Revoke a guest key for good; the stored record, or None when there is none to revoke."""
    record = next((k for k in directory.list_keys(room_id)
                   if k.key_id == key_id and k.role is KeyRole.GUEST), None)
    if record is None or record.revoked:
        return None
    return directory.update_key(replace(record, revoked=True))


def close_show(directory: RoomDirectory, room_id: str, show_id: str) -> list[str]:
    """Expire the show's open hands and revoke its guest keys: the key ids revoked."""
    for hand in directory.list_hands(room_id, show_id=show_id):
        if hand.state.open:
            try:
                directory.replace_hand(replace(hand, state=HandState.EXPIRED, call_in_code=None))
            except HandChanged:
                pass  # changed meanwhile; ``effective_state`` still reads it as expired
    revoked = []
    for key in directory.list_keys(room_id):
        if key.role is KeyRole.GUEST and key.show_id == show_id and not key.revoked:
            directory.update_key(replace(key, revoked=True))
            revoked.append(key.key_id)
    return revoked
