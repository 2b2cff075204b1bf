"""Signed-request verification of ``POST /alexa``: every rule, over a test CA's chain."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from stream_server.alexa_host.certs import SigningCertificates
from stream_server.alexa_host.fetch import MAX_CHAIN_BYTES
from stream_server.alexa_host.signing import RequestRejected, check_cert_chain_url
from stream_server.alexa_host.verification import verify_alexa_request
from tests.support.alexa_pki import CHAIN_URL, DAY, FakeFetcher, Pki, build_pki, key

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
SKILL = "amzn1.ask.skill.ours"


@pytest.mark.parametrize(
    "url",
    ["https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
     "https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem",
     "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem",
     "HTTPS://s3.amazonaws.com/echo.api/echo-api-cert.pem",
     "https://S3.AMAZONAWS.COM/echo.api/echo-api-cert.pem"],
    ids=["plain", "port-443", "dot-dot", "scheme-case", "host-case"],
)
def test_amazons_valid_chain_urls_pass(url: str) -> None:
    assert check_cert_chain_url(url) == CHAIN_URL


BAD_URLS = [
    ("http://s3.amazonaws.com/echo.api/echo-api-cert.pem", "not https"),
    ("https://notamazon.com/echo.api/echo-api-cert.pem", "host"),
    ("https://s3.amazonaws.com.evil.test/echo.api/echo-api-cert.pem", "host"),
    ("https://user@s3.amazonaws.com/echo.api/echo-api-cert.pem", "host"),
    ("https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem", "path"),
    ("https://s3.amazonaws.com/invalid.path/echo-api-cert.pem", "path"),
    ("https://s3.amazonaws.com/echo.api/../other/echo-api-cert.pem", "path"),
    ("https://s3.amazonaws.com", "path"),
    ("https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem", "port"),
    ("https://s3.amazonaws.com:https/echo.api/echo-api-cert.pem", "unreadable"),
]
BAD_URL_IDS = ["http", "other-host", "suffix-host", "user-info", "path-case", "other-path",
               "dot-dot-out", "no-path", "port-563", "port-unreadable"]


@pytest.mark.parametrize(("url", "reason"), BAD_URLS, ids=BAD_URL_IDS)
def test_other_chain_urls_are_rejected(url: str, reason: str) -> None:
    with pytest.raises(RequestRejected, match=reason):
        check_cert_chain_url(url)


@pytest.fixture
def pki() -> Pki:
    return build_pki(NOW)


@pytest.fixture
def bundle(tmp_path: Path, pki: Pki) -> str:
    path = tmp_path / "roots.pem"
    path.write_bytes(pki.root_pem())
    return str(path)


def envelope(moment: datetime = NOW, app: str = SKILL) -> dict[str, Any]:
    return {"version": "1.0",
            "context": {"System": {"application": {"applicationId": app}}},
            "request": {"type": "LaunchRequest", "timestamp": moment.strftime("%Y-%m-%dT%H:%M:%SZ")}}


@dataclass
class Attempt:
    """One request: what is served at the chain URL, the headers, the body, the envelope."""

    served: bytes
    body: bytes
    headers: dict[str, str]
    raw: dict[str, Any]
    fetcher: FakeFetcher | None = None


def signed(pki: Pki, raw: dict[str, Any] | None = None, *, served: Pki | None = None) -> Attempt:
    raw = envelope() if raw is None else raw
    body = json.dumps(raw).encode()
    headers = {"SignatureCertChainUrl": CHAIN_URL, "Signature-256": pki.sign(body)}
    return Attempt((served or pki).chain_pem(), body, headers, raw)


def run(attempt: Attempt, bundle: str, **options: Any) -> FakeFetcher:
    fetcher = attempt.fetcher or FakeFetcher({CHAIN_URL: attempt.served})
    certificates = SigningCertificates(fetcher=fetcher, ca_bundle=bundle, system_roots=False,
                                       **options)
    verify_alexa_request(attempt.raw, headers=attempt.headers, body=attempt.body,
                         now=NOW.timestamp(), skill_id=SKILL, verify_signatures=True,
                         certificates=certificates)
    return fetcher


def test_a_correctly_signed_request_passes(pki: Pki, bundle: str) -> None:
    assert run(signed(pki), bundle).calls == [CHAIN_URL]


def test_header_names_are_case_insensitive(pki: Pki, bundle: str) -> None:
    attempt = signed(pki)
    attempt.headers = {name.lower(): value for name, value in attempt.headers.items()}
    assert run(attempt, bundle).calls == [CHAIN_URL]  # the lower-case chain URL header was read


def _with(**changes: Any) -> Callable[[Attempt], None]:
    def change(attempt: Attempt) -> None:
        for name, value in changes.items():
            setattr(attempt, name, value)
    return change


def _header(name: str, value: str | None) -> Callable[[Attempt], None]:
    def change(attempt: Attempt) -> None:
        if value is None:
            del attempt.headers[name]
        else:
            attempt.headers[name] = value
    return change


def _reserialised(attempt: Attempt) -> None:
    attempt.body = json.dumps(json.loads(attempt.body), separators=(",", ":")).encode()


def _signed_by_another_key(attempt: Attempt) -> None:
    intruder = dataclasses.replace(build_pki(NOW), leaf_key=key("intruder"))
    attempt.headers["Signature-256"] = intruder.sign(attempt.body)


def _served(*, with_intermediate: bool = True, padding: int = 0,
            **pki_options: Any) -> Callable[[Attempt], None]:
    def change(attempt: Attempt) -> None:
        chain = build_pki(NOW, **pki_options).chain_pem(with_intermediate=with_intermediate)
        attempt.served = chain + b"\n" * padding
    return change


def _fetch_raises(error: Exception) -> Callable[[Attempt], None]:
    def change(attempt: Attempt) -> None:
        attempt.fetcher = FakeFetcher(error=error)
    return change


FAILURES: list[tuple[str, Callable[[Attempt], None], str]] = [
    *[(f"url-{case_id}", _header("SignatureCertChainUrl", url), "SignatureCertChainUrl")
      for case_id, (url, _) in zip(BAD_URL_IDS, BAD_URLS, strict=True)],
    ("expired-leaf", _served(leaf_from=-60 * DAY, leaf_until=-DAY), "expired"),
    ("not-yet-valid-leaf", _served(leaf_from=DAY, leaf_until=30 * DAY), "not yet valid"),
    ("wrong-san", _served(san="www.example.com"), "not for echo-api.amazon.com"),
    ("no-san", _served(san=None), "not for echo-api.amazon.com"),
    ("untrusted-root", _served(ca="Self-signed Other CA"), "not trusted"),
    ("missing-intermediate", _served(with_intermediate=False), "not trusted"),
    ("unreadable-chain", _with(served=b"not a certificate"), "unreadable"),
    ("oversized-chain", _served(padding=MAX_CHAIN_BYTES), "too large"),
    ("fetch-timeout", _fetch_raises(TimeoutError()), "fetch failed"),
    ("fetch-crash", _fetch_raises(RuntimeError("boom")), "fetch failed"),
    ("bad-signature", _signed_by_another_key, "does not match the body"),
    ("signature-not-base64", _header("Signature-256", "not base64!"), "not base64"),
    ("body-reserialised", _reserialised, "does not match the body"),
    ("no-chain-url-header", _header("SignatureCertChainUrl", None), "SignatureCertChainUrl header missing"),
    ("empty-chain-url-header", _header("SignatureCertChainUrl", ""), "SignatureCertChainUrl header missing"),
    ("no-signature-header", _header("Signature-256", None), "Signature-256 header missing"),
]


@pytest.mark.parametrize(("change", "reason"), [(c, r) for _, c, r in FAILURES],
                         ids=[i for i, _, _ in FAILURES])
def test_every_broken_rule_rejects_the_request(
    pki: Pki, bundle: str, change: Callable[[Attempt], None], reason: str
) -> None:
    attempt = signed(pki)
    change(attempt)
    with pytest.raises(RequestRejected, match=reason):
        run(attempt, bundle)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [(envelope(moment=NOW - timedelta(seconds=151)), "timestamp"),
     (envelope(moment=NOW + timedelta(seconds=151)), "timestamp"),
     (envelope(app="amzn1.ask.skill.theirs"), "another skill")],
    ids=["stale-timestamp", "future-timestamp", "wrong-skill-id"],
)
def test_a_signed_request_still_passes_the_timestamp_and_skill_checks(
    pki: Pki, bundle: str, raw: dict[str, Any], reason: str
) -> None:
    with pytest.raises(RequestRejected, match=reason):
        run(signed(pki, raw), bundle)


def test_an_unreadable_ca_bundle_rejects_without_crashing(pki: Pki, tmp_path: Path) -> None:
    with pytest.raises(RequestRejected, match="trusted roots unreadable"):
        run(signed(pki), str(tmp_path / "missing.pem"))


def test_verifying_without_a_certificate_source_rejects() -> None:
    with pytest.raises(RequestRejected, match="not configured"):
        verify_alexa_request(envelope(), headers={}, body=b"{}", now=NOW.timestamp(),
                             skill_id=SKILL, verify_signatures=True)
