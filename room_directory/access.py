"""Who may hear a room: listener tokens and signed URLs for private rooms.

Both the skill (which hands out Play URLs) and the stream server (which checks them) use
this module, with one shared secret (``LIVESTAGE_URL_SECRET``).

* **Private rooms** are served only under a signed path prefix::

      /hls/<room>/s/<expires>/<signature>/<file>

  ``signature`` is base64url (no padding) of HMAC-SHA256(secret, ``"/hls/<room>/<expires>"``).
  Because the signature sits in the path, the relative URIs inside the playlists (variant
  playlists and segments) inherit it, and nginx can check it with njs without Python.
* **Listener tokens** ride in the path too, after the room's prefix::

      /hls/<room>/t/<token>/<file>
      /hls/<room>/s/<expires>/<signature>/t/<token>/<file>

  so every playlist a player polls carries it, whichever server or CDN serves the files
  (none has to rewrite a playlist). A token is ``<random>.<tag>`` where ``tag`` is the first
  16 base64url characters of HMAC-SHA256(secret, ``"lt:" + random``), so counts cannot be
  inflated with made-up tokens. The older ``?lt=<token>`` query still counts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

#: How long a signed private-room URL stays valid by default (seconds): a long show plus
#: margin. The skill signs Play URLs and the server signs page links with it.
PRIVATE_URL_TTL = 12 * 3600

#: The path segment that introduces a listener token: ``…/t/<token>/<file>``.
TOKEN_SEGMENT = "t"

#: listener tokens: random part length (characters) and tag length
_TOKEN_RANDOM_BYTES = 12
_TAG_LENGTH = 16


def _mac(secret: str, message: str) -> str:
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def new_listener_token(secret: str) -> str:
    """A fresh listener token, minted for one Play directive or one page load."""
    random_part = secrets.token_urlsafe(_TOKEN_RANDOM_BYTES)
    return f"{random_part}.{_mac(secret, 'lt:' + random_part)[:_TAG_LENGTH]}"


def listener_token_valid(token: str, secret: str) -> bool:
    """Whether ``token`` was minted with ``secret`` (constant-time comparison)."""
    random_part, dot, tag = token.partition(".")
    if not dot or not random_part or len(token) > 64:
        return False
    return hmac.compare_digest(tag, _mac(secret, "lt:" + random_part)[:_TAG_LENGTH])


def room_signature(room_id: str, expires: int, secret: str) -> str:
    """The signature that opens ``/hls/<room_id>/…`` until ``expires`` (epoch seconds)."""
    return _mac(secret, f"/hls/{room_id}/{expires}")


def signature_valid(room_id: str, expires: int, signature: str, secret: str, *, now: float) -> bool:
    """Whether a signed prefix is genuine and not yet expired."""
    if expires < now:
        return False
    return hmac.compare_digest(signature, room_signature(room_id, expires, secret))


def room_path_prefix(room_id: str, *, private: bool, secret: str, now: float, ttl: float) -> str:
    """The path under which a room's HLS files are served to a listener.

    Public rooms: ``/hls/<room>``. Private rooms: a signed prefix valid for ``ttl`` seconds.
    """
    if not private:
        return f"/hls/{room_id}"
    expires = int(now + ttl)
    return f"/hls/{room_id}/s/{expires}/{room_signature(room_id, expires, secret)}"


def listener_path(prefix: str, token: str) -> str:
    """The path under ``prefix`` (``room_path_prefix``) that carries one listener's token."""
    return f"{prefix}/{TOKEN_SEGMENT}/{token}"


def listen_url(
    base_url: str,
    room_id: str,
    *,
    private: bool,
    secret: str,
    now: float,
    ttl: float = PRIVATE_URL_TTL,
    playlist: str = "live.m3u8",
) -> str:
    """The URL a listener is handed: the room's playlist under a fresh listener token."""
    prefix = room_path_prefix(room_id, private=private, secret=secret, now=now, ttl=ttl)
    return f"{base_url}{listener_path(prefix, new_listener_token(secret))}/{playlist}"
