"""The checks a request to ``POST /alexa`` must pass before the skill sees it.

``verify_alexa_request`` is the single seam. It refuses signed-request checking while
that is not built (a later issue: the ``SignatureCertChainUrl`` rules, the certificate
chain and the ``Signature-256`` over the raw body, on ``cryptography``), then applies the
pure checks: the request timestamp within ``MAX_CLOCK_SKEW_SECONDS`` of ``now`` and, when
configured, the skill id. Every failure raises ``RequestRejected`` with a short reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

#: Amazon's rule: a request older or newer than this (seconds) is refused.
MAX_CLOCK_SKEW_SECONDS = 150.0


class RequestRejected(Exception):
    """The request failed a check; ``reason`` says which, in a few words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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


def verify_alexa_request(
    envelope: Mapping[str, Any],
    *,
    headers: Mapping[str, str],
    body: bytes,
    now: float,
    skill_id: str,
    verify_signatures: bool,
) -> None:
    """Run every check in order; raise ``RequestRejected`` at the first failure."""
    if verify_signatures:
        # The seam for the signature checks over ``headers`` and ``body``.
        raise RequestRejected("signature verification not available yet")
    check_timestamp(envelope, now=now)
    check_skill_id(envelope, skill_id=skill_id)
