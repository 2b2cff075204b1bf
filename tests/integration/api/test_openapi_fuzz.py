"""schemathesis against a live server on loopback: no 5xx for any input, answers as documented.

The server is a real ``livestage serve`` (real HTTP, SQLite, the admin token); every
operation of /api/openapi.json gets a bounded number of generated requests, with and
without the admin token.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from stream_server.ops.app import create_app
from stream_server.ops.config import Settings
from tests.conftest import start_live_server
from tests.support import LiveServer

pytestmark = pytest.mark.e2e

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

        fuzz()


def test_every_api_route_is_in_the_document(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path), run_encoders=False)
    documented = {
        (path, method.upper())
        for path, item in app.test_client().get("/api/openapi.json").get_json()["paths"].items()
        for method in item if method != "parameters"
    }
    served = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method)
        for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")
        for method in rule.methods or () if method not in ("HEAD", "OPTIONS")
    }
    assert served == documented
