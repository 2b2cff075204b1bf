"""Who is calling: the one place that reads credentials, checks them and slows down guessing.

Credentials come in the ``Authorization`` header only: ``Bearer <token>`` on every route, and
``Basic <any user>:<stream key>`` where Icecast tools publish. A token is the admin token, a
room's host key or one of its co-host keys; keys are compared in constant time against their
stored hashes and never logged.

The client is the connecting address, unless that address is one of the proxies the operator
trusts (``LIVESTAGE_TRUSTED_PROXIES``): then it is the nearest address in ``X-Forwarded-For``
(read from the right, skipping trusted proxies) or, without one, ``X-Real-IP``. Headers from
anyone else are ignored, so a client cannot name itself somebody else.

A presented token that opens nothing counts against the pair (client, room) in
``FailedAttempts``: past five in a minute, that pair's wrong keys answer 429 until its wait
is over. A right key is checked first and always passes, throttled or not. The
choice: refusing right keys while an address is slowed would let anyone who shares it (a
NAT, a festival's Wi-Fi, the proxy) lock every performer out with five bad guesses, and it
buys nothing against guessing, because keys and the generated admin token carry 192 random
bits: at a million guesses a second the search outlasts the universe, throttled or not.
What the throttle does is cap the noise (directory look-ups, log lines) one client can
cause per room and tell a misconfigured tool to stop. Keying by room too means one wrong
tool in a room costs nobody elsewhere their console. An admin token an operator chooses
by hand is only as strong as its length; use 32 random characters or more.

Every refusal is an ``AuthError`` carrying its status, a reason for the JSON body and metrics,
and the headers the answer needs::

    AuthError            status, reason, message, headers
    ├── Throttled        429 "throttled", with ``retry_after`` (seconds)
    ├── Unauthorized     401 "auth": no credential, or one that opens nothing here
    ├── Forbidden        403 "forbidden": a valid key whose role may not do this
    └── Hidden           404, answered exactly as a missing room: a private room's refusals
                         where its existence is the secret (``require(..., hide_private=True)``)
"""

from __future__ import annotations

import base64
import binascii
import collections
import hmac
import ipaddress
import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from flask import current_app, jsonify, request
from flask.typing import ResponseReturnValue

from room_directory import ROOM_ID_PATTERN, KeyRole, Room
from stream_server.ingest.keys import Publisher, identify
from stream_server.ops.services import current_services

#: throttle defaults: 5 failures in 60 s, then 5 s, 10 s, 20 s … at most 5 minutes; 4,096 clients
MAX_FAILURES = 5
WINDOW_SECONDS = 60.0
BASE_DELAY_SECONDS = 5.0
MAX_DELAY_SECONDS = 300.0
CAPACITY = 4096

_EXTENSION = "livestage_auth"
_create_lock = threading.Lock()


class Caller(StrEnum):
    """The role a presented token gives its bearer for one room."""

    ADMIN = "admin"
    HOST = "host"
    COHOST = "cohost"


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


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def forwarded_client(remote: str, forwarded_for: str | None, real_ip: str | None,
                     trusted: Sequence[Network]) -> str:
    """The client behind ``remote``: ``X-Forwarded-For`` read from the right past trusted proxies."""

    def is_trusted(address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in trusted)

    if not is_trusted(remote):
        return remote
    hops = [hop.strip() for hop in (forwarded_for or "").split(",") if hop.strip()]
    if not hops and real_ip:
        hops = [real_ip.strip()]
    nearest = remote
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return nearest  # a hop nobody trusted could write: the last trusted one answers for it
        nearest = hop
        if not is_trusted(hop):
            return hop
    return nearest


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
    return Identity(Caller.HOST if publisher.role is KeyRole.HOST else Caller.COHOST, publisher)


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
             Caller.COHOST: "a co-host key"}
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
