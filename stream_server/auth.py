"""Who is calling: the one place that reads credentials, checks them and slows down guessing.

Credentials come in the ``Authorization`` header only: ``Bearer <token>`` on every route, and
``Basic <any user>:<stream key>`` where Icecast tools publish. A token is the admin token, a
room's host key, one of its co-host keys, or a guest key (a listener brought on stage, valid
only while its show is the room's live show); keys are compared in constant time against their
stored hashes and never logged. Guests may join the stage and nothing else: every route names
the callers it allows, and none but the stage's allows ``Caller.GUEST``. The client is the
connecting address or, when that is a proxy listed in ``LIVESTAGE_TRUSTED_PROXIES``, the
address it reports (``ops.forwarded``). A token that opens nothing counts against the pair
(client, room) in ``FailedAttempts``; past five in a minute that pair's wrong keys answer 429.
A right key is checked first and always passes: refusing it while an address is slowed would
let anyone sharing that address (a NAT, the proxy) lock every performer out with five guesses,
and would buy nothing, since keys and the generated admin token carry 192 random bits (at a
million guesses a second the search outlasts the universe). The throttle caps the noise one
client can cause per room and tells a broken tool to stop; a hand-chosen admin token needs 32
random characters or more. Short secrets that are not keys (hand tokens, call-in codes) go
through ``proves_secret``, which refuses a throttled pair before looking, so a code cannot be
found through the throttle.

Every refusal is an ``AuthError`` carrying its status, a reason for the JSON body and metrics,
and the headers the answer needs::

    AuthError            status, reason, message, headers
    ├── Throttled        429 "throttled", with ``retry_after`` (seconds)
    ├── Unauthorized     401 "auth": no credential, or one that opens nothing here
    ├── Forbidden        403 "forbidden": a valid key whose role may not do this
    └── Hidden           404 as for a missing room: a private room's refusals (``hide_private``)
"""

from __future__ import annotations

import base64
import binascii
import collections
import hmac
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from flask import Flask, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from room_directory import ROOM_ID_PATTERN, KeyRole, Room
from stream_server.ingest.keys import Publisher, identify
from stream_server.ops.forwarded import forwarded_client
from stream_server.ops.services import current_services

#: throttle defaults: 5 failures in 60 s, then 5 s, 10 s, 20 s … at most 5 minutes; 4,096 clients
MAX_FAILURES = 5
WINDOW_SECONDS = 60.0
BASE_DELAY_SECONDS = 5.0
MAX_DELAY_SECONDS = 300.0
CAPACITY = 4096

log = logging.getLogger(__name__)

_EXTENSION = "livestage_auth"
_EVENTS = "livestage_key_events"
_create_lock = threading.Lock()


class Caller(StrEnum):
    """The role a presented token gives its bearer for one room."""

    ADMIN = "admin"
    HOST = "host"
    COHOST = "cohost"
    #: a listener whose hand was accepted: may join the stage, only during that show
    GUEST = "guest"


class AuthError(Exception):
    """A refused caller: ``status``, a ``reason`` word and the headers the answer needs."""

    status = 401
    reason = "auth"

    def __init__(self, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.headers = headers or {}

    def response(self) -> ResponseReturnValue:
        """The JSON answer: ``{"error": message, "reason": reason}`` with the headers."""
        body = jsonify(error=str(self), reason=self.reason)
        body.headers.update(self.headers)
        return body, self.status


class Throttled(AuthError):
    """Too many wrong keys from this client for this room lately: wait ``retry_after`` seconds."""

    status = 429
    reason = "throttled"

    def __init__(self, retry_after: int) -> None:
        super().__init__("too many wrong keys from this client for this room; wait and retry",
                         headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after


class Unauthorized(AuthError):
    """No credential, or one that opens nothing here."""


class Forbidden(AuthError):
    """A valid key whose role may not do this."""

    status = 403
    reason = "forbidden"


class Hidden(AuthError):
    """A refusal about a room the caller may not know exists: the same answer as a missing room."""

    status = 404
    reason = "not_found"

    def response(self) -> ResponseReturnValue:
        """``{"error": "no such room"}`` and 404, byte for byte what a missing room gets."""
        return jsonify(error="no such room"), 404


_CALLER_OF_ROLE = {KeyRole.HOST: Caller.HOST, KeyRole.COHOST: Caller.COHOST, KeyRole.GUEST: Caller.GUEST}


@dataclass(frozen=True)
class Identity:
    """Who is calling about a room: their role, and for a key its publisher record."""

    caller: Caller
    publisher: Publisher | None = None


def presented_key(authorization: str | None, *, basic: bool = True) -> str | None:
    """The token in an Authorization header: Bearer, or (when ``basic``) a Basic password of any user."""
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() == "bearer":
        return value.strip() or None
    if basic and scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        _, sep, password = decoded.partition(":")
        return password if sep and password else None
    return None


def bearer_token() -> str | None:
    """The request's ``Authorization: Bearer`` token, if any."""
    return presented_key(request.headers.get("Authorization"), basic=False)


def client_address() -> str:
    """The calling client's address: the connecting one, or what a trusted proxy reports."""
    return forwarded_client(request.remote_addr or "?",
                            request.headers.get("X-Forwarded-For"),
                            request.headers.get("X-Real-IP"),
                            current_services().settings.trusted_networks)


def is_admin(token: str | None) -> bool:
    """Whether ``token`` is this server's admin token (constant-time comparison)."""
    admin = current_services().settings.admin_token
    return bool(admin and token) and hmac.compare_digest(str(token).encode(), admin.encode())


def room_or_none(room_id: str | None) -> Room | None:
    """The room with this id, or None when the id is malformed or unknown."""
    if not room_id or not ROOM_ID_PATTERN.match(room_id):
        return None
    return current_services().directory.get(room_id)


def resolve(room: Room | None, token: str | None, *, admin: bool = True) -> Identity | None:
    """Who ``token`` is for ``room`` (the admin only when ``admin``), or None."""
    if token is None:
        return None
    if admin and is_admin(token):
        return Identity(Caller.ADMIN)
    if room is None:
        return None
    publisher = identify(current_services().directory, room, token)
    if publisher is None:
        return None
    return Identity(_CALLER_OF_ROLE[publisher.role], publisher)


def caller(room: Room | None, *, basic: bool = False, admin: bool = True,
           count: bool = False, room_id: str = "") -> Identity | None:
    """Who the current request is for ``room``, or None (anonymous).

    A right key passes first, whatever the throttle says. A presented token that opens nothing
    raises ``Throttled`` while this client must wait for this room; otherwise, with ``count``
    (where a credential is required), it counts against the pair. Where a key is optional
    (a listing that shows more to its host) a miss is not counted. ``room_id`` names the room
    asked for when ``room`` is None (unknown), so guesses at it count just as at a real one.
    """
    token = presented_key(request.headers.get("Authorization"), basic=basic)
    identity = resolve(room, token, admin=admin)
    if identity is not None or token is None:
        return identity
    attempts = failed_attempts()
    who = throttle_key(client_address(), room.id if room is not None else room_id)
    wait = attempts.retry_after(who)
    if wait > 0:
        raise Throttled(math.ceil(wait))
    if count:
        attempts.failed(who)
    return None


def throttle_key(client: str, room_id: str) -> str:
    """The name wrong keys are counted under: one client guessing at one room (or at none)."""
    return f"{client} {room_id}"


def require(room: Room | None, *allowed: Caller, basic: bool = False, message: str = "",
            challenge: str = "Bearer", room_id: str = "", hide_private: bool = False) -> Identity:
    """The caller, who must be one of ``allowed``; ``AuthError`` otherwise (and counted).

    With ``hide_private``, a refusal about a private or unknown room (``room`` None, asked
    for as ``room_id``) is ``Hidden``: the 404 a missing room gets, so that nobody without
    the room's key can tell a private room from none. Wrong keys count the same way for both.
    """
    identity = caller(room, basic=basic, admin=Caller.ADMIN in allowed, count=True, room_id=room_id)
    hidden = hide_private and (room is None or room.private)
    if identity is None or identity.caller not in allowed:
        if hidden:
            raise Hidden("no such room")
        if identity is None:
            raise Unauthorized(message or _needs(allowed), headers={"WWW-Authenticate": challenge})
        raise Forbidden(f"a {identity.caller.value} key cannot do this; {_needs(allowed)}")
    return identity


def proves_secret(check: Callable[[], bool], room_id: str = "") -> bool:
    """Whether the request proves a secret that is not a key (a hand token, a call-in code).

    Raises ``Throttled`` while this client must wait for ``room_id``, before the secret is
    looked at (a short code must not be guessable through the throttle); a wrong secret counts
    against the pair like a wrong key, so guessing codes is as slow as guessing keys.
    """
    attempts = failed_attempts()
    address = throttle_key(client_address(), room_id)
    wait = attempts.retry_after(address)
    if wait > 0:
        raise Throttled(math.ceil(wait))
    if check():
        return True
    attempts.failed(address)
    return False


class KeyEvents:
    """Who must act at once when a key stops working or is muted: the one place to subscribe.

    A key is revoked when the host revokes a co-host, rotates the host key, removes a guest,
    or when a show ends (its guest keys). Whatever holds live sessions subscribes: the ingest
    registry (Icecast and browser-chunk publishers) does, and a real-time stage engine should
    append its own callbacks when it is built, e.g.::

        events = auth.key_events(app)
        events.on_revoked.append(lambda room_id, key_id, reason: engine.kick(room_id, key_id, reason))
        events.on_muted.append(lambda room_id, key_id, muted: engine.set_muted(room_id, key_id, muted))

    ``on_revoked`` callbacks get ``(room_id, key_id, reason)`` (reason: ``revoked``,
    ``rotated``, ``removed`` or ``show_ended``) and return whether they cut a live session;
    ``on_muted`` callbacks get ``(room_id, key_id, muted)``. They run on the thread that made
    the change (a request, or the show watcher), so they must return quickly and not raise;
    one that raises is logged and the others still run.
    """

    def __init__(self) -> None:
        self.on_revoked: list[Callable[[str, str, str], object]] = []
        self.on_muted: list[Callable[[str, str, bool], object]] = []

    def revoked(self, room_id: str, key_id: str, reason: str) -> bool:
        """Tell every subscriber the key stopped working; whether any of them cut a live session."""
        cut = False
        for callback in list(self.on_revoked):
            try:
                cut = bool(callback(room_id, key_id, reason)) or cut
            except Exception:
                log.exception("room %s: a key-revoked callback failed", room_id)
        return cut

    def muted(self, room_id: str, key_id: str, muted: bool) -> None:
        """Tell every subscriber the key was muted or unmuted."""
        for callback in list(self.on_muted):
            try:
                callback(room_id, key_id, muted)
            except Exception:
                log.exception("room %s: a key-muted callback failed", room_id)


def key_events(app: Flask | None = None) -> KeyEvents:
    """The key events of ``app`` (default: the app handling the current request), built on first use."""
    extensions = (app or current_app).extensions
    with _create_lock:
        events = extensions.get(_EVENTS)
        if events is None:
            events = extensions[_EVENTS] = KeyEvents()
    assert isinstance(events, KeyEvents)
    return events


def failed_attempts() -> FailedAttempts:
    """The wrong-key record of the app handling the current request (built on first use)."""
    extensions = current_app.extensions
    with _create_lock:
        attempts = extensions.get(_EXTENSION)
        if attempts is None:
            attempts = extensions[_EXTENSION] = FailedAttempts()
    assert isinstance(attempts, FailedAttempts)
    return attempts


def _needs(allowed: tuple[Caller, ...]) -> str:
    names = {Caller.ADMIN: "the admin token", Caller.HOST: "the room's host key",
             Caller.COHOST: "a co-host key", Caller.GUEST: "a guest key"}
    return " or ".join(names[c] for c in allowed) + " required"


@dataclass
class _Record:
    failures: int
    first_at: float
    last_at: float


class FailedAttempts:
    """Counts wrong keys per name (a client and a room) and says how long that name must wait.

    After ``max_failures`` wrong keys under one name within ``window`` seconds, that name is
    refused for ``base_delay`` seconds, doubling with every further failure up to
    ``max_delay``. A success does not wipe the record; records fade after the window.
    At most ``capacity`` names are remembered, least recently failed forgotten first.
    """

    def __init__(self, *, max_failures: int = MAX_FAILURES, window: float = WINDOW_SECONDS,
                 base_delay: float = BASE_DELAY_SECONDS, max_delay: float = MAX_DELAY_SECONDS,
                 capacity: int = CAPACITY, clock: Callable[[], float] = time.monotonic) -> None:
        self._max_failures = max_failures
        self._window = window
        self._base = base_delay
        self._max_delay = max_delay
        self._capacity = capacity
        self._clock = clock
        self._records: collections.OrderedDict[str, _Record] = collections.OrderedDict()
        self._lock = threading.Lock()

    def _delay(self, record: _Record) -> float:
        excess = record.failures - self._max_failures
        return 0.0 if excess < 0 else min(self._base * 2.0**excess, self._max_delay)

    def _current(self, name: str, now: float) -> _Record | None:
        record = self._records.get(name)
        if record is None:
            return None
        if now - record.last_at > max(self._window, self._delay(record)):
            del self._records[name]  # faded: a fresh start
            return None
        return record

    def retry_after(self, name: str) -> float:
        """Seconds ``name`` must still wait before its wrong keys are heard again (0: go ahead)."""
        now = self._clock()
        with self._lock:
            record = self._current(name, now)
            if record is None:
                return 0.0
            return max(0.0, record.last_at + self._delay(record) - now)

    def failed(self, name: str) -> None:
        """Record a wrong key under ``name``."""
        now = self._clock()
        with self._lock:
            record = self._current(name, now)
            stale = record is not None and record.failures < self._max_failures and (
                now - record.first_at > self._window)
            if record is None or stale:
                record = _Record(0, now, now)
            record.failures += 1
            record.last_at = now
            self._records[name] = record
            self._records.move_to_end(name)
            while len(self._records) > self._capacity:
                self._records.popitem(last=False)

    def __len__(self) -> int:
        return len(self._records)
