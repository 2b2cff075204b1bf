"""The listener-log function: CloudFront log files in S3 counted into a DynamoDB directory, on moto_server."""

from __future__ import annotations

import gzip
import importlib.util
from collections.abc import Iterator
from datetime import UTC, datetime
from types import ModuleType
from typing import Any
from urllib.parse import quote_plus

import pytest

from room_directory.dynamodb import DynamoDbRoomDirectory
from tests.support import ROOT
from tests.support.aws import AWS_ENV, MotoServer, unique_name

LOG = (ROOT / "tests" / "support" / "cloudfront_standard_log.txt").read_bytes()
LAMBDA_LOGS = ROOT / "lambda" / "listener_logs.py"
#: the function's module, the S3 client, the log bucket, the directory it writes to
Deployed = tuple[ModuleType, Any, str, DynamoDbRoomDirectory]
MINUTE = int(datetime(2026, 12, 6, 5, 1, tzinfo=UTC).timestamp() // 60)


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("livestage_listener_logs", LAMBDA_LOGS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def deployed(moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Deployed]:
    table, bucket = unique_name("rooms"), unique_name("logs")
    directory = DynamoDbRoomDirectory(table, client=moto_server.client("dynamodb"))
    directory.create_table()
    s3: Any = moto_server.client("s3")
    s3.create_bucket(Bucket=bucket)
    for name, value in AWS_ENV.items():
        monkeypatch.setenv(name, value)
    # boto3's own per-service endpoint variables: the function's code is the deployed code
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", moto_server.endpoint)
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", moto_server.endpoint)
    monkeypatch.setenv("LIVESTAGE_DIRECTORY", f"dynamodb://{table}?region=us-east-1")
    monkeypatch.setenv("LIVESTAGE_URL_SECRET", "unit-secret")
    module = _load()
    yield module, s3, bucket, directory
    module.reset()


def _event(bucket: str, *keys: str) -> dict[str, Any]:
    return {"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                         "s3": {"bucket": {"name": bucket}, "object": {"key": quote_plus(key)}}}
                        for key in keys]}


def test_a_delivered_log_file_is_counted_into_the_directory_once(
        deployed: Deployed) -> None:
    module, s3, bucket, directory = deployed
    key = "cloudfront/E2EXAMPLE1.2026-12-06-05.a1b2c3d4.gz"
    s3.put_object(Bucket=bucket, Key=key, Body=gzip.compress(LOG))
    assert module.handler(_event(bucket, key), None) == {"files": 1, "room_minutes": 3}
    assert module.handler(_event(bucket, key), None)["files"] == 1  # S3 events may arrive twice
    assert directory.listener_minutes("jazz", MINUTE - 5, MINUTE + 5) == {MINUTE: 2, MINUTE + 1: 2}
    assert directory.listener_minutes("rock", MINUTE - 5, MINUTE + 5) == {MINUTE + 1: 1}


def test_two_files_of_one_minute_add_up_to_distinct_listeners(
        deployed: Deployed) -> None:
    module, s3, bucket, directory = deployed
    lines = LOG.decode().splitlines(keepends=True)
    # A's master fetch in the first file; A's next poll and B in the second: two listeners, not three
    header, first, second = lines[:2], lines[2:3], lines[3:]
    keys = ["cloudfront/E2EXAMPLE1.2026-12-06-05.0001.gz", "cloudfront/E2EXAMPLE1.2026-12-06-05.0002.gz"]
    s3.put_object(Bucket=bucket, Key=keys[0], Body=gzip.compress("".join(header + first).encode()))
    s3.put_object(Bucket=bucket, Key=keys[1], Body=gzip.compress("".join(header + second).encode()))
    module.handler(_event(bucket, *keys), None)
    assert directory.listener_minutes("jazz", MINUTE, MINUTE) == {MINUTE: 2}


def test_without_the_secret_the_function_refuses_to_count(
        deployed: Deployed, monkeypatch: pytest.MonkeyPatch) -> None:
    module, _, bucket, _ = deployed
    monkeypatch.delenv("LIVESTAGE_URL_SECRET")
    with pytest.raises(RuntimeError, match="LIVESTAGE_URL_SECRET"):
        module.handler(_event(bucket, "any.gz"), None)
