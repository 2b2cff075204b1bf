"""Per-listener skill state through the SDK's DynamoDB adapter, on moto_server."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from ask_sdk_model import Context, LaunchRequest, RequestEnvelope
from ask_sdk_model.interfaces.system import SystemState
from ask_sdk_model.user import User

from skill.storage.state_dynamodb import create_state_table, skill_state_adapter
from tests.support import ROOT
from tests.support.aws import MotoServer, unique_name


def envelope(user_id: str) -> RequestEnvelope:
    system = SystemState(user=User(user_id=user_id))
    return RequestEnvelope(context=Context(system=system), request=LaunchRequest(request_id="r1"))


def test_listener_state_is_saved_read_back_and_kept_apart(moto_server: MotoServer) -> None:
    table = unique_name("state")
    create_state_table(moto_server.client("dynamodb"), table)
    adapter = skill_state_adapter(f"dynamodb://{table}?region=us-east-1&endpoint={moto_server.endpoint}")
    adapter.save_attributes(envelope("amzn1.ask.account.A"), {"room": "jazz", "offset": 12345})
    adapter.save_attributes(envelope("amzn1.ask.account.B"), {"room": "rock"})
    again = skill_state_adapter(f"dynamodb://{table}?region=us-east-1&endpoint={moto_server.endpoint}")
    state: dict[str, Any] = again.get_attributes(envelope("amzn1.ask.account.A"))
    assert state == {"room": "jazz", "offset": 12345}  # numbers come back as Decimal
    assert again.get_attributes(envelope("amzn1.ask.account.C")) == {}
    again.delete_attributes(envelope("amzn1.ask.account.B"))
    assert again.get_attributes(envelope("amzn1.ask.account.B")) == {}


def test_bad_urls_are_clear_errors() -> None:
    with pytest.raises(ValueError):
        skill_state_adapter("sqlite:///x.db")
    with pytest.raises(ValueError):
        skill_state_adapter("dynamodb://")


def test_works_with_only_the_url_naming_the_region(moto_server: MotoServer) -> None:
    """The SDK module needs a region at import; the URL's is enough (no AWS_* region set)."""
    table = unique_name("state")
    create_state_table(moto_server.client("dynamodb"), table)
    code = (
        "import sys; from skill.storage.state_dynamodb import skill_state_adapter; "
        f"a = skill_state_adapter('dynamodb://{table}?region=us-east-1&endpoint={moto_server.endpoint}'); "
        "from tests.integration.aws.test_skill_state_dynamodb import envelope; "
        "a.save_attributes(envelope('u'), {'x': 'y'}); print(a.get_attributes(envelope('u')))"
    )
    env = {"PATH": "/usr/bin:/bin", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         cwd=ROOT, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "{'x': 'y'}"


def test_the_templates_url_reaches_the_table_through_the_skill_config(moto_server: MotoServer) -> None:
    """``LIVESTAGE_SKILL_STATE=dynamodb://TABLE?region=…`` as template.yaml sets it, read by the skill."""
    from skill.storage.persistence import persistence_from_url

    table = unique_name("state")
    create_state_table(moto_server.client("dynamodb"), table)
    adapter = persistence_from_url(f"dynamodb://{table}?region=us-east-1&endpoint={moto_server.endpoint}")
    adapter.save_attributes(envelope("amzn1.ask.account.A"), {"lastRoomId": "jazz"})
    stored = moto_server.client("dynamodb").scan(TableName=table)["Items"]
    assert [item["id"]["S"] for item in stored] == ["amzn1.ask.account.A"]
