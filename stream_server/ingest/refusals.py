"""How ingest says no: one exception carrying status, reason and message, counted by reason.

Every refused or ended publisher gets JSON ``{"error": <message>, "reason": <reason>}``
(plus fields such as ``expected_seq``), and ``livestage_ingest_errors{reason}`` counts it.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from stream_server.ops.metrics import INGEST_ERRORS

#: HTTP status of each way this server ends a publisher's session
CUT_STATUS: dict[str, int] = {
    "flood": 429,
    "stall": 408,
    "revoked": 410,
    "rotated": 410,
    "replaced": 409,
    "room_ended": 410,
    "decode": 400,
}


class IngestRefused(Exception):
    """Ends an ingest request with ``status`` and a JSON body naming the reason."""

    def __init__(self, status: int, reason: str, message: str, *,
                 headers: dict[str, str] | None = None, counted: bool = True, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.headers = headers or {}
        #: False for Basic auth's challenge to a request that carried no credential at all
        self.counted = counted
        self.extra = extra

    def response(self) -> tuple[Response, int]:
        """The JSON answer; the refusal is counted in the ingest error metric (unless not ``counted``)."""
        if self.counted:
            INGEST_ERRORS.labels(reason=self.reason).inc()
        body = jsonify(error=str(self), reason=self.reason, **self.extra)
        for name, value in self.headers.items():
            body.headers[name] = value
        return body, self.status
