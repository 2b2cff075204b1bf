"""Where Alexa's signing certificates come from: a memory cache, a disk cache, a fetch.

``SigningCertificates.leaf_for(url, at=...)`` answers with the verified leaf of the chain
at ``url``: from memory; else from ``cache_dir/<sha256 hex of url>`` while that file's
leaf has not expired (a pre-provisioned file means no fetch at all); else fetched by a
``ChainFetcher``. Only chains that pass every rule of ``alexa_signing`` are cached.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
import warnings
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.utils import CryptographyDeprecationWarning

from stream_server.alexa_host.fetch import MAX_CHAIN_BYTES, ChainFetcher, UrllibChainFetcher
from stream_server.alexa_host.signing import (
    RequestRejected,
    check_cert_chain_url,
    check_signing_chain,
    load_chain,
)

log = logging.getLogger(__name__)

#: Debian's system roots, used when certifi is not installed.
SYSTEM_CA_FILE = "/etc/ssl/certs/ca-certificates.crt"


def cache_file_name(url: str) -> str:
    """The disk-cache file name of the chain at ``url``: the SHA-256 hex of the URL."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


def system_ca_file() -> str:
    """certifi's bundle when installed, else Debian's system bundle ("" when neither)."""
    try:
        import certifi
    except ImportError:
        return SYSTEM_CA_FILE if os.path.exists(SYSTEM_CA_FILE) else ""
    return str(certifi.where())


def load_trusted_roots(ca_bundle: str = "", *, system: bool = True) -> list[x509.Certificate]:
    """The system's roots (when ``system``) plus the PEM roots in ``ca_bundle``."""
    paths = [system_ca_file() if system else "", ca_bundle]
    roots: list[x509.Certificate] = []
    for path in filter(None, paths):
        with warnings.catch_warnings():  # a few public roots carry non-positive serials
            warnings.simplefilter("ignore", CryptographyDeprecationWarning)
            roots += x509.load_pem_x509_certificates(Path(path).read_bytes())
    return roots


class SigningCertificates:
    """Verified signing certificates by chain URL; one per app, safe across threads."""

    def __init__(self, *, fetcher: ChainFetcher | None = None, ca_bundle: str = "",
                 cache_dir: str = "", system_roots: bool = True) -> None:
        self._fetcher = fetcher or UrllibChainFetcher()
        self._ca_bundle, self._system_roots = ca_bundle, system_roots
        self._cache_dir = Path(cache_dir) if cache_dir else None
        self._roots: list[x509.Certificate] | None = None
        self._leaves: dict[str, x509.Certificate] = {}
        self._lock = threading.Lock()

    def leaf_for(self, url: str, *, at: datetime) -> x509.Certificate:
        """The verified leaf of the chain at ``url`` (which must pass the URL rules) at ``at``."""
        source = check_cert_chain_url(url)
        with self._lock:
            leaf = self._leaves.get(url)
        if leaf is not None and leaf.not_valid_before_utc <= at <= leaf.not_valid_after_utc:
            return leaf
        cached = self._read_cache(url, at)
        pem = cached if cached is not None else self._fetch(source)
        leaf = check_signing_chain(load_chain(pem), roots=self._trusted_roots(), at=at)
        if cached is None:
            self._write_cache(url, pem)
        with self._lock:
            self._leaves[url] = leaf
        return leaf

    def _trusted_roots(self) -> list[x509.Certificate]:
        with self._lock:
            if self._roots is None:
                try:
                    self._roots = load_trusted_roots(self._ca_bundle, system=self._system_roots)
                except (OSError, ValueError) as exc:
                    log.error("cannot load trusted roots (%s): %s", self._ca_bundle, exc)
                    raise RequestRejected("trusted roots unreadable") from exc
            return self._roots

    def _fetch(self, url: str) -> bytes:
        try:
            pem = self._fetcher.fetch(url)
        except RequestRejected:
            raise
        except Exception as exc:  # noqa: BLE001 - a fetcher's failure must never become a 500
            raise RequestRejected("certificate chain fetch failed") from exc
        if len(pem) > MAX_CHAIN_BYTES:
            raise RequestRejected("certificate chain too large")
        return pem

    def _read_cache(self, url: str, at: datetime) -> bytes | None:
        if self._cache_dir is None:
            return None
        try:
            pem = (self._cache_dir / cache_file_name(url)).read_bytes()
            leaf = load_chain(pem)[0]
        except (OSError, RequestRejected):
            return None
        return pem if at <= leaf.not_valid_after_utc else None

    def _write_cache(self, url: str, pem: bytes) -> None:
        if self._cache_dir is None:
            return
        try:
            self._cache_dir.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self._cache_dir, delete=False) as tmp:
                tmp.write(pem)
            os.replace(tmp.name, self._cache_dir / cache_file_name(url))
        except OSError as exc:
            log.warning("cannot cache certificate chain in %s: %s", self._cache_dir, exc)
