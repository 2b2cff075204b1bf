"""A stand-in for the CloudFront KeyValueStore API on loopback: the three calls the sync makes.

It speaks the service's REST-JSON wire format (DescribeKeyValueStore, ListKeys with pages,
UpdateKeys with ``If-Match`` and a new ``ETag`` per version, ``ConflictException`` on a
stale one) so boto3's real client, signing included, talks to it as to AWS. It keeps every
request's ``Authorization`` scheme for the tests to check.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

ARN = "arn:aws:cloudfront::123456789012:key-value-store/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


class KvsStandIn:
    """One store, served on 127.0.0.1 until ``close``."""

    def __init__(self, page_size: int = 2) -> None:
        self.data: dict[str, str] = {}
        self.version = 1
        self.auth_schemes: list[str] = []
        self.calls: list[str] = []
        self.page_size = page_size
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        store = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, status: int, body: dict[str, Any], error: str = "") -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("ETag", f"v{store.version}")
                if error:
                    self.send_header("x-amzn-ErrorType", error)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _route(self) -> tuple[str, dict[str, list[str]]] | None:
                parts = urlsplit(self.path)
                store.auth_schemes.append(self.headers.get("Authorization", "").split(" ")[0])
                path = unquote(parts.path)
                prefix = f"/key-value-stores/{ARN}"
                if not path.startswith(prefix):
                    self._answer(404, {"Message": "no such store"}, "ResourceNotFoundException")
                    return None
                return path.removeprefix(prefix), parse_qs(parts.query)

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                route = self._route()
                if route is None:
                    return
                rest, query = route
                with store._lock:
                    if rest == "":
                        store.calls.append("DescribeKeyValueStore")
                        self._answer(200, {"KvsARN": ARN, "ItemCount": len(store.data),
                                           "TotalSizeInBytes": 0, "Status": "READY"})
                        return
                    store.calls.append("ListKeys")
                    keys = sorted(store.data)
                    start = int(query.get("NextToken", ["0"])[0])
                    page = keys[start:start + store.page_size]
                    body: dict[str, Any] = {"Items": [{"Key": k, "Value": store.data[k]} for k in page]}
                    if start + store.page_size < len(keys):
                        body["NextToken"] = str(start + store.page_size)
                    self._answer(200, body)

            def do_POST(self) -> None:  # noqa: N802
                route = self._route()
                if route is None:
                    return
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
                with store._lock:
                    store.calls.append("UpdateKeys")
                    if self.headers.get("If-Match") != f"v{store.version}":
                        self._answer(409, {"Message": "the store changed"}, "ConflictException")
                        return
                    for put in body.get("Puts", []):
                        store.data[put["Key"]] = put["Value"]
                    for delete in body.get("Deletes", []):
                        store.data.pop(delete["Key"], None)
                    store.version += 1
                    self._answer(200, {"ItemCount": len(store.data), "TotalSizeInBytes": 0})

        return Handler
