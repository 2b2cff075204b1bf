"""A root CA, an intermediate and an Alexa-like signing leaf, built with ``cryptography``;
and a fake ``ChainFetcher`` that serves such chains.

Shared by the unit and integration tests of ``POST /alexa`` request verification. Keys
are generated on first use (RSA 2048, the web-PKI minimum) and reused by name.
"""

from __future__ import annotations

import base64
import functools
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CHAIN_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert.pem"
ECHO_NAME = "echo-api.amazon.com"
DAY = timedelta(days=1)


@functools.cache
def key(name: str) -> rsa.RSAPrivateKey:
    """The RSA key called ``name``, the same one for the whole test session."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _cert(subject: str, subject_key: rsa.RSAPrivateKey, issuer: str, issuer_key: rsa.RSAPrivateKey,
          *, not_before: datetime, not_after: datetime, ca: bool,
          san: str | None = None) -> x509.Certificate:
    public = subject_key.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject)).issuer_name(_name(issuer))
        .public_key(public).serial_number(x509.random_serial_number())
        .not_valid_before(not_before).not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                       critical=False)
        .add_extension(x509.KeyUsage(
            digital_signature=not ca, content_commitment=False, key_encipherment=not ca,
            data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
            encipher_only=False, decipher_only=False), critical=True)
    )
    if not ca:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    if san is not None:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(san)]),
                                        critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


@dataclass(frozen=True)
class Pki:
    """A root, an intermediate and a leaf with the leaf's key."""

    root: x509.Certificate
    intermediate: x509.Certificate
    leaf: x509.Certificate
    leaf_key: rsa.RSAPrivateKey

    def chain_pem(self, *, with_intermediate: bool = True) -> bytes:
        """The chain as Amazon serves it: leaf first, then the intermediate."""
        certs = [self.leaf, self.intermediate] if with_intermediate else [self.leaf]
        return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)

    def root_pem(self) -> bytes:
        """The root, to trust it through ``alexa_ca_bundle``."""
        return self.root.public_bytes(serialization.Encoding.PEM)

    def sign(self, body: bytes) -> str:
        """``Signature-256`` of ``body``: base64 RSA PKCS#1 v1.5 over SHA-256."""
        raw = self.leaf_key.sign(body, padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(raw).decode("ascii")


def build_pki(now: datetime, *, ca: str = "Test Root CA", leaf_from: timedelta = -DAY,
              leaf_until: timedelta = 30 * DAY, san: str | None = ECHO_NAME) -> Pki:
    """A chain valid around ``now``; the leaf's dates are offsets from ``now``."""
    root_key, mid_key, leaf_key = key(ca), key(ca + " intermediate"), key("leaf")
    long_ago, far_ahead = now - 365 * DAY, now + 3650 * DAY
    root = _cert(ca, root_key, ca, root_key, not_before=long_ago, not_after=far_ahead, ca=True)
    mid = _cert(ca + " Intermediate", mid_key, ca, root_key, not_before=long_ago,
                not_after=far_ahead, ca=True)
    leaf = _cert(ECHO_NAME, leaf_key, ca + " Intermediate", mid_key, not_before=now + leaf_from,
                 not_after=now + leaf_until, ca=False, san=san)
    return Pki(root, mid, leaf, leaf_key)


@dataclass
class FakeFetcher:
    """Serves chains from a dict (or raises ``error``) and records every URL asked for."""

    chains: dict[str, bytes] = field(default_factory=dict)
    error: Exception | None = None
    calls: list[str] = field(default_factory=list)

    def fetch(self, url: str) -> bytes:
        self.calls.append(url)
        if self.error is not None:
            raise self.error
        return self.chains[url]
