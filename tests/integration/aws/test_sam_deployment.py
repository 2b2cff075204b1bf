"""The SAM template and the built skill function, checked offline.

cfn-lint and ``sam validate --lint`` must be clean; ``sam build`` (SAM's CLI lives in
its own virtualenv, .venv-sam) must produce an artifact whose handler, imported from the
build folder by the function's own Python (3.12), answers real Alexa envelopes against
DynamoDB tables on moto_server.
"""

from __future__ import annotations

import glob
import gzip
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from room_directory.dynamodb import TABLE_DEFINITION, DynamoDbRoomDirectory
from tests.support import ROOT
from tests.support.alexa_fixtures import join_room, launch_request, seed_rooms, split_listen_url
from tests.support.aws import AWS_ENV, MotoServer, unique_name

SAM_VENV = ROOT / ".venv-sam" / "bin"
PUBLIC_URL = "https://live.example.test"


def _tool_env() -> dict[str, str]:
    return {**os.environ, **AWS_ENV, "SAM_CLI_TELEMETRY": "0"}


def _run(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, cwd=ROOT, env=kwargs.pop("env", _tool_env()),
                          timeout=kwargs.pop("timeout", 300), **kwargs)


def python312() -> Path:
    """The function's runtime, python3.12, on PATH or among pyenv's versions; its absence fails."""
    candidates = [shutil.which("python3.12") or ""]
    pyenv = shutil.which("pyenv")
    if pyenv:
        root = subprocess.run([pyenv, "root"], capture_output=True, text=True).stdout.strip()
        candidates += sorted(glob.glob(f"{root}/versions/3.12*/bin/python3.12"), reverse=True)
    for candidate in filter(None, candidates):
        if subprocess.run([candidate, "-c", "import sys"], capture_output=True).returncode == 0:
            return Path(candidate)
    raise AssertionError("sam build needs python3.12 (the function's runtime) on PATH")


def test_sam_tools_live_in_their_own_virtualenv_pinned_by_pyproject() -> None:
    pins = _run([sys.executable, "scripts/lambda_requirements.py", "--extra", "deploy"]).stdout.split()
    frozen = _run([str(SAM_VENV / "python"), "-m", "pip", "freeze"]).stdout.lower().split()
    assert pins and all(pin.lower() in frozen for pin in pins), (pins, frozen)
    assert not any(line.startswith("livestage") for line in frozen)  # the project is not in it


def test_the_function_requirements_are_generated_from_pyproject() -> None:
    result = _run([sys.executable, "scripts/lambda_requirements.py", "--check"])
    assert result.returncode == 0, result.stdout + result.stderr


def test_cfn_lint_is_clean() -> None:
    result = _run([str(SAM_VENV / "cfn-lint"), "template.yaml"])
    assert result.returncode == 0, result.stdout + result.stderr


def test_sam_validate_lint_is_clean() -> None:
    result = _run([str(SAM_VENV / "sam"), "validate", "--lint", "--region", "us-east-1"])
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_template_declares_the_table_the_adapter_uses() -> None:
    code = ("import json, sys; from cfnlint.decode import decode; t, errors = decode('template.yaml'); "
            "assert not errors, errors; print(json.dumps(t['Resources']['RoomsTable']['Properties']))")
    result = _run([str(SAM_VENV / "python"), "-c", code])
    assert result.returncode == 0, result.stderr
    declared = json.loads(result.stdout)

    def by_name(items: list[dict[str, Any]], key: str) -> dict[str, Any]:
        return {item[key]: item for item in items}

    assert declared["BillingMode"] == TABLE_DEFINITION["BillingMode"]
    assert declared["KeySchema"] == TABLE_DEFINITION["KeySchema"]
    assert by_name(declared["AttributeDefinitions"], "AttributeName") == by_name(
        TABLE_DEFINITION["AttributeDefinitions"], "AttributeName")
    assert by_name(declared["GlobalSecondaryIndexes"], "IndexName") == by_name(
        TABLE_DEFINITION["GlobalSecondaryIndexes"], "IndexName")
    assert declared["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


@pytest.fixture(scope="module")
def build_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """``sam build`` into a scratch folder (no container; pip reaches only the package registry)."""
    runtime = python312()
    build_dir = tmp_path_factory.mktemp("sam") / "build"
    env = {**_tool_env(), "PATH": f"{runtime.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = _run([str(SAM_VENV / "sam"), "build", "--build-dir", str(build_dir), "--region", "us-east-1",
                   "--cache-dir", str(ROOT / ".aws-sam" / "cache"), "--cached"], env=env, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    yield build_dir


@pytest.fixture(scope="module")
def built(build_root: Path) -> Path:
    """The skill function's artifact."""
    return build_root / "SkillFunction"


def invoke_built(
    function_dir: Path, events: list[dict[str, Any]], env: dict[str, str]
) -> list[dict[str, Any]]:
    """Import the built handler in the runtime's Python (only the build folder on its path) and call it."""
    code = (
        "import importlib, json, sys\n"
        "app = importlib.import_module('app')\n"
        "import room_directory, skill, ask_sdk_core, boto3\n"
        "for module in (app, room_directory, skill, ask_sdk_core, boto3):\n"
        "    assert module.__file__.startswith(sys.path[0]), f'{module} is not from the build'\n"
        "handler = app.handler\n"
        "for event in json.load(sys.stdin):\n"
        "    print(json.dumps(handler(event, None)))\n"
    )
    prelude = f"import sys; sys.path.insert(0, {str(function_dir)!r})\n"
    result = subprocess.run([str(python312()), "-I", "-c", prelude + code], input=json.dumps(events),
                            capture_output=True, text=True, env=env, cwd=function_dir, timeout=120)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_the_built_function_answers_launch_and_join_from_dynamodb(
    built: Path, moto_server: MotoServer
) -> None:
    handler = built / "app.py"
    assert handler.is_file() and (built / "room_directory" / "dynamodb.py").is_file()
    assert (built / "skill" / "catalogs").is_dir() and not (built / "room_directory").is_symlink()
    table = unique_name("rooms")
    directory = DynamoDbRoomDirectory(table, client=moto_server.client("dynamodb"))
    directory.create_table()
    seed_rooms(directory)
    env = {"PATH": "/usr/bin:/bin", **AWS_ENV, "LIVESTAGE_PUBLIC_URL": PUBLIC_URL,
           "LIVESTAGE_DIRECTORY": f"dynamodb://{table}?region=us-east-1&endpoint={moto_server.endpoint}"}
    launch, join = invoke_built(built, [launch_request(), join_room("jazz")], env)
    assert launch["response"]["outputSpeech"]["ssml"]
    assert launch["response"].get("shouldEndSession") is not True
    directives = join["response"]["directives"]
    assert [d["type"] for d in directives] == ["AudioPlayer.Play"]
    url = directives[0]["audioItem"]["stream"]["url"]
    assert split_listen_url(url)[0] == f"{PUBLIC_URL}/hls/jazz-night/live.m3u8"
    assert join["response"]["shouldEndSession"] is True


def test_the_built_listener_log_function_counts_a_log_file_without_the_server_around_it(
    build_root: Path, moto_server: MotoServer
) -> None:
    function_dir = build_root / "ListenerLogFunction"
    table, bucket = unique_name("rooms"), unique_name("logs")
    directory = DynamoDbRoomDirectory(table, client=moto_server.client("dynamodb"))
    directory.create_table()
    s3: Any = moto_server.client("s3")
    s3.create_bucket(Bucket=bucket)
    log = (ROOT / "tests" / "support" / "cloudfront_standard_log.txt").read_bytes()
    s3.put_object(Bucket=bucket, Key="cloudfront/E2EXAMPLE1.2026-12-06-05.a1b2.gz", Body=gzip.compress(log))
    code = (
        "import json, sys\n"
        "import listener_logs, stream_server.serving.cloudfront_log as reader\n"
        "assert reader.__file__.startswith(sys.path[0]), 'the reader is not from the build'\n"
        "assert 'flask' not in sys.modules, 'the function must not pull the web server in'\n"
        "print(json.dumps(listener_logs.handler(json.load(sys.stdin), None)))\n"
    )
    event = {"Records": [{"s3": {"bucket": {"name": bucket},
                                 "object": {"key": "cloudfront/E2EXAMPLE1.2026-12-06-05.a1b2.gz"}}}]}
    env = {"PATH": "/usr/bin:/bin", **AWS_ENV, "AWS_ENDPOINT_URL_S3": moto_server.endpoint,
           "LIVESTAGE_URL_SECRET": "unit-secret",
           "LIVESTAGE_DIRECTORY": f"dynamodb://{table}?region=us-east-1&endpoint={moto_server.endpoint}"}
    prelude = f"import sys; sys.path.insert(0, {str(function_dir)!r})\n"
    result = subprocess.run([str(python312()), "-I", "-c", prelude + code], input=json.dumps(event),
                            capture_output=True, text=True, env=env, cwd=function_dir, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"files": 1, "room_minutes": 3}
    minute = 29_942_221  # 2026-12-06 05:01 UTC, in minutes since the epoch
    assert directory.listener_minutes("jazz", minute, minute + 1) == {minute: 2, minute + 1: 2}
