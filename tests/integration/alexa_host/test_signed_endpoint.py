"""``POST /alexa`` with signature verification on: signed requests over a test CA's chain."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from room_directory import InMemoryRoomDirectory
from stream_server.alexa_host.certs import SigningCertificates
from stream_server.alexa_host.fetch import UrllibChainFetcher
from stream_server.alexa_host.view import CERTIFICATES_KEY
from stream_server.ops.app import create_app
from stream_server.ops.config import Settings
from tests.support.alexa_fixtures import APPLICATION_ID, alexa_timestamp, launch_request, seed_rooms
from tests.support.alexa_loopback import loopback_server
from tests.support.alexa_pki import CHAIN_URL, FakeFetcher, Pki, build_pki

S3 = "https://s3.amazonaws.com"


@pytest.fixture
def pki() -> Pki:
    return build_pki(datetime.now(UTC))


def make_app(tmp_path: Path, pki: Pki, **settings: Any) -> Flask:
    bundle = tmp_path / "roots.pem"
    bundle.write_bytes(pki.root_pem())
    options: dict[str, Any] = {
        "data_dir": tmp_path, "verify_signatures": True, "skill_id": APPLICATION_ID,
        "public_url": "https://live.example.test", "alexa_ca_bundle": str(bundle),
    } | settings
    directory = InMemoryRoomDirectory()
    seed_rooms(directory)
    return create_app(Settings(**options), directory=directory, run_encoders=False)


def with_fetcher(app: Flask, fetcher: Any) -> Flask:
    app.extensions[CERTIFICATES_KEY] = SigningCertificates(
        fetcher=fetcher, ca_bundle=app.extensions["livestage"].settings.alexa_ca_bundle)
    return app


def signed_post(app: Flask, pki: Pki, body: bytes, **headers: str) -> Any:
    sent = {"SignatureCertChainUrl": CHAIN_URL, "Signature-256": pki.sign(body)} | headers
    return app.test_client().post("/alexa", data=body, headers=sent, content_type="application/json")


def launch_body() -> bytes:
    """A LaunchRequest with whitespace no serialiser would write: the signature is over these bytes."""
    return json.dumps(launch_request(), indent=3).encode()


def assert_launch_answer(reply: Any) -> None:
    assert reply.status_code == 200, reply.get_data(as_text=True)
    assert "Late Night Jazz Concert" in reply.get_json()["response"]["outputSpeech"]["ssml"]


def test_a_signed_launch_request_reaches_the_skill(tmp_path: Path, pki: Pki) -> None:
    fetcher = FakeFetcher({CHAIN_URL: pki.chain_pem()})
    app = with_fetcher(make_app(tmp_path, pki), fetcher)
    assert_launch_answer(signed_post(app, pki, launch_body()))
    assert_launch_answer(signed_post(app, pki, launch_body()))
    assert fetcher.calls == [CHAIN_URL]


def test_a_pre_provisioned_chain_serves_with_settings_alone(tmp_path: Path, pki: Pki) -> None:
    cache = tmp_path / "chains"
    cache.mkdir()
    (cache / hashlib.sha256(CHAIN_URL.encode()).hexdigest()).write_bytes(pki.chain_pem())
    app = make_app(tmp_path, pki, alexa_cert_cache_dir=str(cache))
    assert_launch_answer(signed_post(app, pki, launch_body()))


class LoopbackFetcher:
    """The real urllib fetcher, with Amazon's host mapped to a loopback server."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.inner = UrllibChainFetcher()

    def fetch(self, url: str) -> bytes:
        assert url.startswith(S3 + "/echo.api/")
        return self.inner.fetch(self.base + url.removeprefix(S3))


@pytest.fixture
def served_chain(pki: Pki) -> Iterator[str]:
    with loopback_server({"/echo.api/echo-api-cert.pem": (pki.chain_pem(), 0.0, 0.0)}) as base:
        yield base


def test_a_chain_fetched_over_http_verifies_the_request(tmp_path: Path, pki: Pki,
                                                        served_chain: str) -> None:
    app = with_fetcher(make_app(tmp_path, pki), LoopbackFetcher(served_chain))
    assert_launch_answer(signed_post(app, pki, launch_body()))


#: What one refused request sends and what the chain URL serves, given the trusted PKI.
Attempt = Callable[[Pki], tuple[bytes, dict[str, str], bytes]]


def _body_with(request: dict[str, Any] | None = None, **system: Any) -> Attempt:
    def build(pki: Pki) -> tuple[bytes, dict[str, str], bytes]:
        envelope = launch_request()
        envelope["request"].update(request or {})
        envelope["context"]["System"].update(system)
        return json.dumps(envelope).encode(), {}, pki.chain_pem()
    return build


def _headers(**headers: str) -> Attempt:
    return lambda pki: (launch_body(), headers, pki.chain_pem())


def _reserialised(pki: Pki) -> tuple[bytes, dict[str, str], bytes]:
    body = launch_body()
    return json.dumps(json.loads(body)).encode(), {"Signature-256": pki.sign(body)}, pki.chain_pem()


def _untrusted(pki: Pki) -> tuple[bytes, dict[str, str], bytes]:
    other = build_pki(datetime.now(UTC), ca="Some Other CA")
    body = launch_body()
    return body, {"Signature-256": other.sign(body)}, other.chain_pem()


REFUSALS: list[tuple[str, Attempt, str]] = [
    ("http-chain-url", _headers(SignatureCertChainUrl=CHAIN_URL.replace("https", "http")), "not https"),
    ("other-host", _headers(SignatureCertChainUrl="https://example.com/echo.api/c.pem"), "host"),
    ("path-case", _headers(SignatureCertChainUrl=S3 + "/EcHo.aPi/echo-api-cert.pem"), "path"),
    ("port-563", _headers(SignatureCertChainUrl="https://s3.amazonaws.com:563/echo.api/c.pem"), "port"),
    ("no-chain-url", _headers(SignatureCertChainUrl=""), "SignatureCertChainUrl header missing"),
    ("no-signature", _headers(**{"Signature-256": ""}), "Signature-256 header missing"),
    ("bad-signature", _headers(**{"Signature-256": "AAAA"}), "does not match the body"),
    ("reserialised-body", _reserialised, "does not match the body"),
    ("untrusted-root", _untrusted, "not trusted"),
    ("stale-timestamp", _body_with(request={"timestamp": alexa_timestamp(
        datetime.now(UTC) - timedelta(seconds=200))}), "timestamp"),
    ("other-skill", _body_with(application={"applicationId": "amzn1.ask.skill.other"}),
     "another skill"),
]


@pytest.mark.parametrize(("attempt", "reason"), [(a, r) for _, a, r in REFUSALS],
                         ids=[i for i, _, _ in REFUSALS])
def test_a_request_failing_a_check_gets_400_and_one_log_line(
    tmp_path: Path, pki: Pki, caplog: pytest.LogCaptureFixture,
    attempt: Attempt, reason: str,
) -> None:
    body, headers, served = attempt(pki)
    app = with_fetcher(make_app(tmp_path, pki), FakeFetcher({CHAIN_URL: served}))
    with caplog.at_level(logging.WARNING, logger="stream_server.alexa_host.view"):
        reply = signed_post(app, pki, body, **headers)
    assert reply.status_code == 400
    assert reason in reply.get_json()["error"]
    assert "response" not in reply.get_json()
    refusals = [r for r in caplog.records if r.name == "stream_server.alexa_host.view"]
    assert len(refusals) == 1 and reason in refusals[0].getMessage()
