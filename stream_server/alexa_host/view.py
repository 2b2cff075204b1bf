"""``POST /alexa``: the skill hosted as a web service.

Checks, in order, each failure a 400 with a short JSON reason (never a 500, never a
handler): the body is a JSON request envelope; ``verify_alexa_request`` (the
``SignatureCertChainUrl`` rules, the signing chain, the ``Signature-256`` over the raw
body, the timestamp window, the skill id). Then the skill answers.

The app's ``SigningCertificates`` (its memory cache of verified chains) is built on the
first signed request and kept in ``app.extensions[CERTIFICATES_KEY]``; tests may put one
there beforehand to inject a fetcher.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope
from flask import Blueprint, Response, current_app, jsonify, request

from stream_server.alexa_host.certs import SigningCertificates
from stream_server.alexa_host.verification import RequestRejected, verify_alexa_request
from stream_server.auth import client_address
from stream_server.ops.json_input import loads_client_json
from stream_server.ops.services import current_services

log = logging.getLogger(__name__)

bp = Blueprint("alexa", __name__)

#: Where the app keeps its ``SigningCertificates``.
CERTIFICATES_KEY = "livestage.alexa_certificates"


def _refuse(reason: str) -> tuple[Response, int]:
    log.warning("refused /alexa request from %s: %s", client_address(), reason)
    return jsonify(error=reason), 400


def parse_envelope(body: bytes) -> tuple[dict[str, Any], RequestEnvelope]:
    """The body as JSON and as a request envelope; raise ``RequestRejected`` otherwise."""
    try:
        raw = loads_client_json(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise RequestRejected("body is not JSON") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("request"), dict):
        raise RequestRejected("body is not an Alexa request envelope")
    try:
        envelope = DefaultSerializer().deserialize(body.decode("utf-8"), RequestEnvelope)
    except Exception as exc:  # noqa: BLE001 - any deserializer failure means a bad envelope
        raise RequestRejected("body is not an Alexa request envelope") from exc
    if envelope.request is None or envelope.context is None or envelope.context.system is None:
        raise RequestRejected("body is not an Alexa request envelope")
    return raw, envelope


def signing_certificates() -> SigningCertificates:
    """The app's signing-certificate source, built on first use from its settings."""
    certificates: SigningCertificates | None = current_app.extensions.get(CERTIFICATES_KEY)
    if certificates is None:
        settings = current_services().settings
        built = SigningCertificates(
            ca_bundle=settings.alexa_ca_bundle, cache_dir=settings.alexa_cert_cache_dir
        )
        certificates = current_app.extensions.setdefault(CERTIFICATES_KEY, built)
    return certificates


@bp.post("/alexa")
def alexa() -> Any:
    """Check the request, then let the skill answer it."""
    services = current_services()
    settings = services.settings
    body = request.get_data(cache=True)
    try:
        raw, envelope = parse_envelope(body)
        verify_alexa_request(
            raw,
            headers=dict(request.headers),
            body=body,
            now=time.time(),
            skill_id=settings.skill_id,
            verify_signatures=settings.verify_signatures,
            certificates=signing_certificates() if settings.verify_signatures else None,
        )
    except RequestRejected as rejected:
        return _refuse(rejected.reason)
    response = services.skill.invoke(request_envelope=envelope, context=None)
    return jsonify(DefaultSerializer().serialize(response))
