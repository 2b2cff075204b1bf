"""schemathesis against a live server on loopback: no 5xx for any input, answers as documented.

The server is a real ``livestage serve`` (real HTTP, SQLite, the admin token); every
operation of /api/openapi.json gets a bounded number of generated requests, with and
without the admin token.
"""

from __future__ import annotations

import collections
import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.transport.requests import binary_serializer

from stream_server.api.openapi_stage import SDP_TYPES
from stream_server.api.openapi_streams import AUDIO_TYPES
from stream_server.ops.app import create_app
from stream_server.ops.config import Settings
from tests.conftest import start_live_server
from tests.support import LiveServer

pytestmark = pytest.mark.e2e
schemathesis.serializer(*AUDIO_TYPES)(binary_serializer)  # audio bodies go out as raw bytes
schemathesis.serializer(*SDP_TYPES)(binary_serializer)  # so do WHIP's offers and trickled candidates

#: generated requests per operation and auth variant (keeps the whole module well under a minute)
MAX_EXAMPLES = 15
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data: Path = tmp_path_factory.mktemp("fuzz") / "data"
    server = start_live_server(data, "--no-demo", token="fuzz-admin-token")
    try:
        status, _ = server.request("POST", "/api/rooms", {"title": "Seed", "private": True}, admin=True)
        assert status == 201
        yield server
    finally:
        server.stop()


def test_api_never_fails_and_answers_as_documented(live_server: LiveServer) -> None:
    api_schema = schemathesis.openapi.from_url(f"{live_server.url}/api/openapi.json")
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 6, [op.label for op in operations]
    admin = {"Authorization": f"Bearer {live_server.admin_token}"}
    for operation, mode in itertools.product(operations, GenerationMode):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def fuzz(case: Any) -> None:
            for headers in (admin, {}):
                case.call_and_validate(base_url=live_server.url, headers=headers, checks=CHECKS,
                                       timeout=10)

        try:
            fuzz()
        except Unsatisfiable:
            # an operation with nothing to break (no parameters, no body) has no negative cases
            assert mode is GenerationMode.NEGATIVE, operation.label


def test_every_route_is_in_the_document(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path), run_encoders=False)
    documented = {
        (path, method.upper())
        for path, item in app.test_client().get("/api/openapi.json").get_json()["paths"].items()
        for method in item if method != "parameters"
    }
    served = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods or () if method not in ("HEAD", "OPTIONS", "SOURCE")
    }
    assert served == documented


def test_stateful_sequences_from_a_new_room_never_fail(live_server: LiveServer) -> None:
    api_schema = schemathesis.openapi.from_url(f"{live_server.url}/api/openapi.json")
    admin = {"Authorization": f"Bearer {live_server.admin_token}"}

    class Sequences(api_schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"base_url": live_server.url, "headers": admin, "timeout": 10}

        def validate_response(self, response: Any, case: Any, additional_checks: Any = None,
                              **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS)

    Sequences.run(settings=settings(max_examples=MAX_EXAMPLES, stateful_step_count=6, deadline=None,
                                    database=None, suppress_health_check=list(HealthCheck)))


def test_a_throttled_client_gets_only_documented_answers(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path, admin_token="fuzz-admin-token"), run_encoders=False)
    client = app.test_client()
    room = client.post("/api/rooms", json={"title": "Locked"},
                       headers={"Authorization": "Bearer fuzz-admin-token"}).get_json()
    wrong = {"Authorization": "Bearer wrong", "Content-Type": "application/json"}
    for _ in range(6):  # both the room's allowance and the one for calls about no room run out
        client.get(f"/api/rooms/{room['id']}/keys", headers=wrong)
        client.post("/api/rooms", json={"title": "x"}, headers=wrong)
    document = client.get("/api/openapi.json").get_json()
    seen = set()
    for template, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters" or not any(operation.get("security", [])):
                continue
            values = collections.defaultdict(lambda: "x", room_id=room["id"], key_id="host")
            path = template.format_map(values)
            status = client.open(path + "?session=abcdefgh&seq=0", method=method.upper(),
                                 headers=wrong, data=b"{}").status_code
            assert str(status) in operation["responses"], (method, template, status)
            seen.add(status)
    assert 429 in seen
