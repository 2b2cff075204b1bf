"""The pure request checks of ``POST /alexa``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from stream_server.alexa_host.certs import SigningCertificates
from stream_server.alexa_host.verification import (
    RequestRejected,
    application_id,
    request_time,
    verify_alexa_request,
)
from tests.support.alexa_pki import FakeFetcher

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC).timestamp()
SKILL = "amzn1.ask.skill.ours"


def envelope(timestamp: Any = "2026-03-01T12:00:00Z", app: str | None = SKILL,
             session_app: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"version": "1.0", "request": {"type": "LaunchRequest",
                                                          "timestamp": timestamp}}
    if app is not None:
        body["context"] = {"System": {"application": {"applicationId": app}}}
    if session_app is not None:
        body["session"] = {"application": {"applicationId": session_app}}
    return body


def verify(body: dict[str, Any], *, skill_id: str = SKILL) -> None:
    verify_alexa_request(body, headers={}, body=b"{}", now=NOW, skill_id=skill_id,
                         verify_signatures=False)


@pytest.mark.parametrize(
    "timestamp",
    ["2026-03-01T12:00:00Z", "2026-03-01T11:57:30Z", "2026-03-01T12:02:30Z",
     "2026-03-01T12:00:00.123Z", "2026-03-01T13:00:00+01:00", 1772366400000],
    ids=["now", "150s-old", "150s-ahead", "fractional", "offset", "epoch-millis"],
)
def test_timestamps_within_150_seconds_pass(timestamp: Any) -> None:
    assert abs(request_time(envelope(timestamp)) - NOW) <= 150
    assert verify(envelope(timestamp)) is None  # no RequestRejected


@pytest.mark.parametrize(
    "timestamp",
    ["2026-03-01T11:57:29Z", "2026-03-01T12:02:31Z", "yesterday", None, True],
    ids=["151s-old", "151s-ahead", "unreadable", "missing", "not-a-time"],
)
def test_other_timestamps_are_rejected(timestamp: Any) -> None:
    with pytest.raises(RequestRejected, match="timestamp"):
        verify(envelope(timestamp))


def test_signature_checks_run_before_the_timestamp_check() -> None:
    certificates = SigningCertificates(fetcher=FakeFetcher(), system_roots=False)
    with pytest.raises(RequestRejected, match="SignatureCertChainUrl header missing"):
        verify_alexa_request(envelope(timestamp="long ago"), headers={}, body=b"{}", now=NOW,
                             skill_id=SKILL, verify_signatures=True, certificates=certificates)


def test_a_request_for_another_skill_is_rejected() -> None:
    with pytest.raises(RequestRejected, match="another skill"):
        verify(envelope(app="amzn1.ask.skill.theirs"))


def test_no_configured_skill_id_accepts_any() -> None:
    theirs = envelope(app="amzn1.ask.skill.theirs")
    assert verify(theirs, skill_id="") is None
    with pytest.raises(RequestRejected):  # the same request, once a skill id is configured
        verify(theirs, skill_id=SKILL)


def test_the_session_application_is_the_fallback_skill_id() -> None:
    assert application_id(envelope(app=None, session_app=SKILL)) == SKILL
    assert application_id(envelope(app=None)) is None
    with pytest.raises(RequestRejected):
        verify(envelope(app=None))


def test_naive_timestamps_are_read_as_utc() -> None:
    assert request_time(envelope("2026-03-01T12:00:00")) == NOW
