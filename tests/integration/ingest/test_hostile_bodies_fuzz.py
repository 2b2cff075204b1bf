"""A second fuzz target: hostile bodies and headers on /alexa, Icecast ingest and browser chunks.

A real ``livestage serve`` on loopback takes generated requests (random bytes, deep or
broken JSON, lone surrogates, odd Content-Types, the right key with garbage audio, wild
session ids and sequence numbers): no answer may be a 5xx and the log must hold no traceback.
"""

from __future__ import annotations

import http.client
import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stream_server.api.openapi_streams import AUDIO_TYPES
from tests.conftest import start_live_server
from tests.support import LiveServer

pytestmark = pytest.mark.e2e

TOKEN = "hostile-admin-token"
EXAMPLES = 40
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str, str]]:
    data: Path = tmp_path_factory.mktemp("hostile") / "data"
    server = start_live_server(data, "--no-demo", token=TOKEN, LIVESTAGE_INGEST_IDLE_SECONDS="2")
    try:
        status, room = server.request("POST", "/api/rooms", {"title": "Target"}, admin=True)
        assert status == 201
        yield server, room["id"], room["stream_key"]
        assert "Traceback" not in server.log(), server.log()[-3000:]
    finally:
        server.stop()


def send(server: LiveServer, method: str, path: str, body: bytes, headers: dict[str, str]) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    except (ConnectionError, http.client.HTTPException):
        return 0  # the server may close on a request it will not read: not a 5xx
    finally:
        conn.close()


deep = st.sampled_from([40, 1200, 2000, 5000]).flatmap(  # past the parser's recursion limit too
    lambda n: st.sampled_from([("[" * n + "]" * n).encode(), ('{"a":' * n + "1" + "}" * n).encode()]))
surrogate = st.sampled_from(['{"request": {"type": "LaunchRequest", "x": "\\ud800"}}',
                             '{"\\udfff": 1}', '"\\udc00"']).map(str.encode)
envelope_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["version", "session", "context", "request", "type", "System", "user",
                         "application", "applicationId", "requestId", "timestamp", "locale",
                         "intent", "slots", "name", "value", "token", "offsetInMilliseconds"]),
        inner, max_size=6),
    max_leaves=30).map(lambda value: json.dumps(value).encode())
bodies = deep | surrogate | envelope_like | st.binary(max_size=4096)
header_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=60)


@given(body=bodies, chain=header_text, signature=header_text)
@FUZZ
def test_alexa_takes_any_body(target: tuple[LiveServer, str, str], body: bytes, chain: str,
                              signature: str) -> None:
    server, _, _ = target
    status = send(server, "POST", "/alexa", body, {
        "Content-Type": "application/json", "SignatureCertChainUrl": chain, "Signature-256": signature})
    assert status < 500


@given(body=st.binary(max_size=8192), right_key=st.booleans(), key=header_text,
       content_type=st.sampled_from(AUDIO_TYPES) | header_text, method=st.sampled_from(["PUT", "POST"]))
@FUZZ
def test_icecast_ingest_takes_any_body(target: tuple[LiveServer, str, str], body: bytes, right_key: bool,
                                       key: str, content_type: str, method: str) -> None:
    server, room_id, stream_key = target
    status = send(server, method, f"/ingest/{room_id}", body, {
        "Authorization": f"Bearer {stream_key if right_key else key}", "Content-Type": content_type})
    assert status < 500


@given(body=st.binary(max_size=8192), session=header_text, seq=header_text | st.integers().map(str),
       content_type=st.sampled_from(AUDIO_TYPES) | header_text, method=st.sampled_from(["POST", "DELETE"]))
@FUZZ
def test_the_chunk_path_takes_any_body(target: tuple[LiveServer, str, str], body: bytes, session: str,
                                       seq: str, content_type: str, method: str) -> None:
    server, room_id, stream_key = target
    query = urllib.parse.urlencode({"session": session, "seq": seq})
    status = send(server, method, f"/ingest/{room_id}/chunks?{query}", body, {
        "Authorization": f"Bearer {stream_key}", "Content-Type": content_type})
    assert status < 500
