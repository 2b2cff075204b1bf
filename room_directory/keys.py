"""Stream keys: 128+ random bits handed out once, stored only as a hash."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_stream_key() -> str:
    """A new stream key: 24 random bytes (192 bits), URL-safe text."""
    return secrets.token_urlsafe(24)


def hash_stream_key(key: str) -> str:
    """The stored form of a key (SHA-256 hex; the key is high-entropy, so no salt is needed)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def stream_key_matches(key: str, stored_hash: str) -> bool:
    """Whether ``key`` hashes to ``stored_hash``, compared in constant time."""
    return hmac.compare_digest(hash_stream_key(key), stored_hash)
