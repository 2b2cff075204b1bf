"""Pure rules of Alexa's request signing: the chain URL, the signing certificate, the signature.

Every function takes values (no clock, no I/O). The one exception of request
verification lives here, the lowest module:

    RequestRejected          a check failed; ``reason`` says which (``POST /alexa`` -> 400)
"""

from __future__ import annotations

import base64
import binascii
import posixpath
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

#: The only host a ``SignatureCertChainUrl`` may name (compared case-insensitively).
CERT_CHAIN_HOST = "s3.amazonaws.com"
#: The only port it may name, when it names one.
CERT_CHAIN_PORT = 443
#: The path prefix, after ``..`` segments are resolved (case-sensitive).
CERT_CHAIN_PATH_PREFIX = "/echo.api/"
#: The DNS name Alexa's signing certificate must carry in its SAN.
SIGNING_CERT_NAME = "echo-api.amazon.com"


class RequestRejected(Exception):
    """The request failed a check; ``reason`` says which, in a few words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def check_cert_chain_url(url: str) -> str:
    """The normalised URL to fetch the chain from; ``RequestRejected`` if Amazon's rules refuse it."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise RequestRejected("SignatureCertChainUrl unreadable") from exc
    if parts.scheme.lower() != "https":
        raise RequestRejected("SignatureCertChainUrl is not https")
    if parts.hostname != CERT_CHAIN_HOST or parts.username is not None or parts.password is not None:
        raise RequestRejected("SignatureCertChainUrl host is not s3.amazonaws.com")
    if port not in (None, CERT_CHAIN_PORT):
        raise RequestRejected("SignatureCertChainUrl port is not 443")
    path = posixpath.normpath(parts.path) if parts.path else ""
    if not path.startswith(CERT_CHAIN_PATH_PREFIX):
        raise RequestRejected("SignatureCertChainUrl path is not under /echo.api/")
    return urlunsplit(("https", CERT_CHAIN_HOST, path, parts.query, ""))


def load_chain(pem: bytes) -> list[x509.Certificate]:
    """The certificates of a PEM chain, leaf first; ``RequestRejected`` if none can be read."""
    try:
        return x509.load_pem_x509_certificates(pem)
    except ValueError as exc:
        raise RequestRejected("certificate chain unreadable") from exc


def check_validity(cert: x509.Certificate, *, at: datetime) -> None:
    """Refuse a certificate that is not valid at ``at`` (an aware datetime)."""
    if at < cert.not_valid_before_utc:
        raise RequestRejected("signing certificate not yet valid")
    if at > cert.not_valid_after_utc:
        raise RequestRejected("signing certificate expired")


def check_san(cert: x509.Certificate, *, name: str = SIGNING_CERT_NAME) -> None:
    """Refuse a certificate whose subject alternative names do not include ``name``."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        names: list[str] = []
    else:
        names = [value.lower() for value in san.get_values_for_type(x509.DNSName)]
    if name not in names:
        raise RequestRejected(f"signing certificate is not for {name}")


def check_trusted(
    leaf: x509.Certificate,
    intermediates: Sequence[x509.Certificate],
    *,
    roots: Sequence[x509.Certificate],
    at: datetime,
) -> None:
    """Refuse a chain that web-PKI rules cannot build from ``leaf`` to one of ``roots``."""
    if not roots:
        raise RequestRejected("no trusted roots configured")
    verifier = (
        PolicyBuilder()
        .store(Store(list(roots)))
        .time(at)
        .build_server_verifier(x509.DNSName(SIGNING_CERT_NAME))
    )
    try:
        verifier.verify(leaf, list(intermediates))
    except (VerificationError, ValueError) as exc:
        raise RequestRejected("certificate chain not trusted") from exc


def check_signing_chain(
    chain: Sequence[x509.Certificate], *, roots: Sequence[x509.Certificate], at: datetime
) -> x509.Certificate:
    """The leaf of ``chain`` once its dates, its SAN and its chain to ``roots`` all pass."""
    if not chain:
        raise RequestRejected("certificate chain empty")
    leaf, intermediates = chain[0], chain[1:]
    check_validity(leaf, at=at)
    check_san(leaf)
    check_trusted(leaf, intermediates, roots=roots, at=at)
    return leaf


def check_body_signature(leaf: x509.Certificate, signature: str, body: bytes) -> None:
    """Refuse ``body`` unless ``signature`` (base64 RSA PKCS#1 v1.5, SHA-256) verifies it."""
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise RequestRejected("Signature-256 is not base64") from exc
    key = leaf.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise RequestRejected("signing certificate key is not RSA")
    try:
        key.verify(raw, body, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as exc:
        raise RequestRejected("Signature-256 does not match the body") from exc
