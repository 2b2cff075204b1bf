"""The skill's HTTP client for Alexa APIs (Reminders), on the standard library.

ask-sdk's ``DefaultApiClient`` imports ``requests`` (and urllib3, charset detection,
cookies): about half of a Lambda cold start. This client does the same job with
``urllib.request``: HTTPS only, JSON bodies, every failure an ``ApiClientException``,
certificates checked against the default trust store (``SSL_CERT_FILE`` can point
elsewhere, as the tests do for their local stand-in of the API endpoint).
"""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from ask_sdk_core.exceptions import ApiClientException
from ask_sdk_model.services import ApiClient, ApiClientRequest, ApiClientResponse

#: Seconds an Alexa API call may take before the skill gives up (the skill has 8 s in all).
TIMEOUT = 4.0


class UrllibApiClient(ApiClient):
    """``ApiClient`` over ``urllib.request``."""

    def __init__(self, timeout: float = TIMEOUT) -> None:
        self._timeout = timeout
        self._context: ssl.SSLContext | None = None

    def invoke(self, request: ApiClientRequest) -> ApiClientResponse:
        """Send ``request``; any status is returned, transport failures raise."""
        if urlsplit(request.url or "").scheme != "https":
            raise ApiClientException("Requests against non-HTTPS endpoints are not allowed.")
        headers = dict(request.headers or [])
        data: bytes | None = None
        if request.body is not None:
            content_type = headers.get("Content-type") or headers.get("Content-Type") or ""
            raw = json.dumps(request.body) if "json" in content_type else str(request.body)
            data = raw.encode("utf-8")
        prepared = urllib.request.Request(request.url, data=data, headers=headers,
                                          method=str(request.method or "GET"))
        if self._context is None:
            self._context = ssl.create_default_context()
        try:
            with urllib.request.urlopen(prepared, timeout=self._timeout,
                                        context=self._context) as reply:
                status, body, reply_headers = reply.status, reply.read(), reply.headers.items()
        except urllib.error.HTTPError as failed:
            status, body, reply_headers = failed.code, failed.read(), failed.headers.items()
        except (OSError, ValueError) as exc:
            raise ApiClientException(f"Error executing the request: {exc}") from exc
        return ApiClientResponse(headers=list(reply_headers), status_code=status,
                                 body=body.decode("utf-8", errors="replace"))
