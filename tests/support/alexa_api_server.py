"""A local HTTPS server standing in for the Alexa API endpoint (``apiEndpoint``).

It records every request (method, path, headers, JSON or form body) and answers from a
small script of status codes; the settings API answers the device's time zone, Login with
Amazon (``/auth/o2/token``) a skill-level token, and the Proactive Events API 202. HTTPS because
the skill's API client (like ask-sdk's) refuses plain HTTP; its certificate (SAN
127.0.0.1) comes from a throwaway CA that tests trust through ``SSL_CERT_FILE``. Binds
127.0.0.1 only.
"""

from __future__ import annotations

import json
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass
class Recorded:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class AlexaApiServer:
    """The running server: its URL, what it received, and the statuses it will answer."""

    url: str
    ca_file: Path
    requests: list[Recorded] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    #: the device's time zone, answered to the settings API (None: 404 there)
    time_zone: str | None = None
    #: seconds every answer waits (a slow Amazon)
    delay: float = 0.0


def _certificates(directory: Path) -> tuple[Path, Path, Path]:
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Alexa API CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - timedelta(hours=1)).not_valid_after(now + timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                         critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(hours=1)).not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(IPv4Address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    ca_file, cert_file, key_file = (directory / n for n in ("ca.pem", "cert.pem", "key.pem"))
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return ca_file, cert_file, key_file


@contextmanager
def alexa_api_server(directory: Path) -> Iterator[AlexaApiServer]:
    """Run the server on a free loopback port until the block ends."""
    ca_file, cert_file, key_file = _certificates(directory)
    state = AlexaApiServer(url="", ca_file=ca_file)

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            form = self.headers.get("Content-Type", "").startswith("application/x-www-form")
            body = (dict(parse_qsl(raw.decode())) if form else json.loads(raw)) if raw else None
            state.requests.append(Recorded(self.command, self.path, dict(self.headers), body))
            time.sleep(state.delay)
            if self.path == "/auth/o2/token":  # Login with Amazon: a skill-level token
                status = 200
                reply = json.dumps({"access_token": "Atc|skill-token", "expires_in": 3600,
                                    "token_type": "bearer"})
            elif self.path.startswith("/v1/proactiveEvents"):
                status = state.statuses.pop(0) if state.statuses else 202
                reply = "" if status < 300 else json.dumps({"message": "refused"})
            elif self.path.endswith("/settings/System.timeZone"):
                status = 200 if state.time_zone else 404
                reply = json.dumps(state.time_zone) if state.time_zone else "{}"
            else:
                status = state.statuses.pop(0) if state.statuses else 201
                reply = (json.dumps({"alertToken": "token-1", "status": "ON"}) if status < 300
                         else json.dumps({"code": "UNAUTHORIZED", "message": "no permission"}))
            data = reply.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_POST = do_GET = do_PUT = do_DELETE = _answer  # noqa: N815 - http.server's names

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - base signature
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    state.url = f"https://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
