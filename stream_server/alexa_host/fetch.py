"""Fetching Alexa's signing-certificate chains: the port and its urllib adapter.

Tests satisfy ``ChainFetcher`` with fakes; ``UrllibChainFetcher`` is the real one.
"""

from __future__ import annotations

import http.client
import time
import urllib.request
from typing import Protocol

from stream_server.alexa_host.signing import RequestRejected

#: Seconds a chain fetch may take, in all.
FETCH_TIMEOUT_SECONDS = 5.0
#: Largest chain accepted, in bytes (Amazon's is about 6 KiB).
MAX_CHAIN_BYTES = 64 * 1024


class ChainFetcher(Protocol):
    """Fetches a PEM chain; raises ``RequestRejected`` when it cannot."""

    def fetch(self, url: str) -> bytes:
        """The bytes at ``url``."""
        ...


class UrllibChainFetcher:
    """Fetches with urllib within ``timeout`` seconds in all and at most ``max_bytes``."""

    def __init__(self, *, timeout: float = FETCH_TIMEOUT_SECONDS, max_bytes: int = MAX_CHAIN_BYTES) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes

    def fetch(self, url: str) -> bytes:
        """The body at ``url``; ``RequestRejected`` on a timeout, an error or too many bytes."""
        deadline = time.monotonic() + self.timeout
        chunks: list[bytes] = []
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as reply:
                while chunk := reply.read1(16384):
                    chunks.append(chunk)
                    if sum(map(len, chunks)) > self.max_bytes:
                        raise RequestRejected("certificate chain too large")
                    if time.monotonic() > deadline:
                        raise TimeoutError
        except (OSError, http.client.HTTPException, ValueError) as exc:
            if isinstance(exc, TimeoutError) or isinstance(getattr(exc, "reason", None), TimeoutError):
                raise RequestRejected("certificate chain fetch timed out") from exc
            raise RequestRejected("certificate chain fetch failed") from exc
        return b"".join(chunks)
