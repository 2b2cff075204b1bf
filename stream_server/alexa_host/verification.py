"""The checks a request to ``POST /alexa`` must pass before the skill sees it.

``verify_alexa_request`` is the single seam. When signatures are verified it checks, in
order: the ``SignatureCertChainUrl`` rules, the chain at that URL (leaf dates, SAN
``echo-api.amazon.com``, chain to a trusted root; ``alexa_signing`` holds the rules,
``alexa_certs`` the fetch and the caches) and the ``Signature-256`` over the raw body.
Then the pure checks: the request timestamp within ``MAX_CLOCK_SKEW_SECONDS`` of ``now``
and, when configured, the skill id. Every failure raises ``RequestRejected`` (defined in
``alexa_signing``) with a short reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from stream_server.alexa_host.certs import SigningCertificates
from stream_server.alexa_host.signing import RequestRejected, check_body_signature

__all__ = [
    "MAX_CLOCK_SKEW_SECONDS", "RequestRejected", "application_id", "check_signed_body",
    "check_skill_id", "check_timestamp", "request_time", "verify_alexa_request",
]

#: Amazon's rule: a request older or newer than this (seconds) is refused.
MAX_CLOCK_SKEW_SECONDS = 150.0
#: The headers Alexa signs a request with (compared case-insensitively).
CERT_CHAIN_URL_HEADER = "SignatureCertChainUrl"
SIGNATURE_HEADER = "Signature-256"


def request_time(envelope: Mapping[str, Any]) -> float:
    """The request's ``timestamp`` as epoch seconds (ISO 8601, or epoch milliseconds)."""
    request = envelope.get("request")
    raw = request.get("timestamp") if isinstance(request, Mapping) else None
    if isinstance(raw, bool) or raw is None:
        raise RequestRejected("request timestamp missing")
    if isinstance(raw, int | float):
        return float(raw) / 1000.0
    try:
        parsed = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError as exc:
        raise RequestRejected("request timestamp unreadable") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def application_id(envelope: Mapping[str, Any]) -> str | None:
    """The skill id the request is for: ``context.System.application``, else ``session``'s."""
    for path in (("context", "System", "application"), ("session", "application")):
        node: Any = envelope
        for key in path:
            node = node.get(key) if isinstance(node, Mapping) else None
        if isinstance(node, Mapping) and isinstance(node.get("applicationId"), str):
            return str(node["applicationId"])
    return None


def check_timestamp(envelope: Mapping[str, Any], *, now: float) -> None:
    """Refuse a request stamped more than ``MAX_CLOCK_SKEW_SECONDS`` away from ``now``."""
    if abs(now - request_time(envelope)) > MAX_CLOCK_SKEW_SECONDS:
        raise RequestRejected("request timestamp outside the 150 second window")


def check_skill_id(envelope: Mapping[str, Any], *, skill_id: str) -> None:
    """Refuse a request for another skill (no check when ``skill_id`` is empty)."""
    if skill_id and application_id(envelope) != skill_id:
        raise RequestRejected("request is for another skill")


def check_signed_body(
    headers: Mapping[str, str], body: bytes, *, now: float, certificates: SigningCertificates
) -> None:
    """Refuse ``body`` unless the chain named by its headers verifies its ``Signature-256``."""
    lowered = {name.lower(): value for name, value in headers.items()}
    url = lowered.get(CERT_CHAIN_URL_HEADER.lower())
    signature = lowered.get(SIGNATURE_HEADER.lower())
    if not url:
        raise RequestRejected(f"{CERT_CHAIN_URL_HEADER} header missing")
    if not signature:
        raise RequestRejected(f"{SIGNATURE_HEADER} header missing")
    leaf = certificates.leaf_for(url, at=datetime.fromtimestamp(now, UTC))
    check_body_signature(leaf, signature, body)


def verify_alexa_request(
    envelope: Mapping[str, Any],
    *,
    headers: Mapping[str, str],
    body: bytes,
    now: float,
    skill_id: str,
    verify_signatures: bool,
    certificates: SigningCertificates | None = None,
) -> None:
    """Run every check in order; raise ``RequestRejected`` at the first failure."""
    if verify_signatures:
        if certificates is None:
            raise RequestRejected("signature verification not configured")
        check_signed_body(headers, body, now=now, certificates=certificates)
    check_timestamp(envelope, now=now)
    check_skill_id(envelope, skill_id=skill_id)
