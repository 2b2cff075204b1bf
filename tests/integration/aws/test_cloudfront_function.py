"""The CloudFront viewer-request function, run under node, against the stream servers' own table."""

from __future__ import annotations

import functools
import json
import subprocess
from typing import Any

import pytest

from tests.support import ROOT, private_paths
from tests.support.cloudfront import FUNCTION_PATH, run_viewer_requests

KVS = {"url-secret": private_paths.SECRET} | {
    f"private:{room}": "1" for room, private in private_paths.ROOMS.items() if private}


def _edge_outcome(expect: Any) -> dict[str, Any]:
    if isinstance(expect, int):
        return {"statusCode": expect}
    # a path's listener token goes into ?lt=, so the log line counts whichever URI it records
    query = {"lt": {"value": expect["token"]}} if expect.get("token") else {}
    return {"uri": f"/hls/{expect['room']}/{expect['file']}", "querystring": query}


@pytest.fixture(scope="module")
def outcomes() -> dict[str, dict[str, Any]]:
    requests = [{"uri": case["path"], "now": case["now"]} for case in private_paths.CASES]
    got = run_viewer_requests(KVS, requests)
    return {case["id"]: outcome for case, outcome in zip(private_paths.CASES, got, strict=True)}


@pytest.mark.parametrize("case", private_paths.CASES, ids=[case["id"] for case in private_paths.CASES])
def test_the_edge_answers_what_the_stream_servers_answer(case: dict[str, Any],
                                                         outcomes: dict[str, dict[str, Any]]) -> None:
    expected = case.get("edge", case["expect"])
    assert outcomes[case["id"]] == _edge_outcome(expected)


def test_edge_differences_are_few_and_explained() -> None:
    differing = [case for case in private_paths.CASES if "edge" in case]
    assert {case["id"] for case in differing} == {"unknown-room", "unknown-room-signed"}
    assert all(case.get("why") for case in differing)


def test_a_store_never_filled_closes_every_room_rather_than_open_private_ones() -> None:
    # no secret means no stream server has filled the store: private rooms are unknown too
    requests = [{"uri": case["path"], "now": case["now"]} for case in private_paths.CASES
                if case["id"] in ("signed", "public", "private-unsigned", "unknown-room")]
    assert run_viewer_requests({"private:jazz": "1"}, requests) == [{"statusCode": 503}] * 4
    assert run_viewer_requests({}, [{"uri": "/api/rooms", "now": 0}]) == [{"statusCode": 404}]


def test_a_rotated_secret_closes_old_signatures_and_opens_new_ones() -> None:
    signed = next(case for case in private_paths.CASES if case["id"] == "signed")
    request = {"uri": signed["path"], "now": signed["now"]}
    assert run_viewer_requests(KVS | {"url-secret": "a-new-secret"}, [request]) == [{"statusCode": 403}]


def test_a_room_turned_public_opens_its_plain_path() -> None:
    request = {"uri": "/hls/jazz/live.m3u8", "now": 0, "querystring": {"lt": {"value": "abc.def"}}}
    closed, opened = run_viewer_requests(KVS, [request])[0], run_viewer_requests(
        {"url-secret": private_paths.SECRET}, [request])[0]
    assert closed == {"statusCode": 403}
    # the listener token stays on the request: the access logs count listeners by it
    assert opened == {"uri": "/hls/jazz/live.m3u8", "querystring": {"lt": {"value": "abc.def"}}}


def test_a_path_token_replaces_a_query_token_and_other_fields_stay() -> None:
    token = next(case for case in private_paths.CASES if case["id"] == "token")
    request = {"uri": token["path"], "now": token["now"],
               "querystring": {"lt": {"value": "older.token"}, "x": {"value": "1"}}}
    assert run_viewer_requests(KVS, [request]) == [{
        "uri": "/hls/rock/live.m3u8",
        "querystring": {"lt": {"value": token["expect"]["token"]}, "x": {"value": "1"}}}]


@functools.cache
def _template() -> dict[str, Any]:
    # read the way CloudFormation reads it: cfn-lint's decoder, from SAM's own virtualenv
    code = ("import json; from cfnlint.decode import decode; t, errors = decode('template.yaml'); "
            "assert not errors, errors; print(json.dumps(t))")
    result = subprocess.run([str(ROOT / ".venv-sam" / "bin" / "python"), "-c", code], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def test_the_template_deploys_this_very_code_on_runtime_2_with_its_key_value_store() -> None:
    function = _template()["Resources"]["PrivateRoomsFunction"]
    assert function["Type"] == "AWS::CloudFront::Function"
    assert function["Properties"]["FunctionCode"] == FUNCTION_PATH.read_text()
    config = function["Properties"]["FunctionConfig"]
    assert config["Runtime"] == "cloudfront-js-2.0"
    assert len(config["KeyValueStoreAssociations"]) == 1


def test_every_cache_behaviour_runs_the_function_on_viewer_requests() -> None:
    distribution = _template()["Resources"]["Distribution"]["Properties"]["DistributionConfig"]
    behaviours = [distribution["DefaultCacheBehavior"], *distribution["CacheBehaviors"]]
    for behaviour in behaviours:
        associations = behaviour["FunctionAssociations"]
        assert [a["EventType"] for a in associations] == ["viewer-request"], behaviour.get("PathPattern")


def test_access_logs_land_where_the_listener_log_function_listens() -> None:
    resources = _template()["Resources"]
    logging = resources["Distribution"]["Properties"]["DistributionConfig"]["Logging"]
    assert logging["Bucket"] == {"Fn::GetAtt": ["AccessLogBucket", "DomainName"]}
    event = resources["ListenerLogFunction"]["Properties"]["Events"]["LogDelivered"]["Properties"]
    assert event["Bucket"] == {"Ref": "AccessLogBucket"}
    rules = event["Filter"]["S3Key"]["Rules"]
    assert rules == [{"Name": "prefix", "Value": logging["Prefix"]}]
    # standard logging writes through an ACL grant: the bucket must accept ACLs from CloudFront
    ownership = resources["AccessLogBucket"]["Properties"]["OwnershipControls"]["Rules"]
    assert ownership == [{"ObjectOwnership": "BucketOwnerPreferred"}]


def test_the_stream_tasks_keep_the_edge_keys_and_read_the_logged_listeners() -> None:
    resources = _template()["Resources"]
    container = resources["StreamTaskDefinition"]["Properties"]["ContainerDefinitions"][0]
    env = {item["Name"]: item["Value"] for item in container["Environment"]}
    assert env["LIVESTAGE_CLOUDFRONT_KVS"] == {"Fn::GetAtt": ["EdgeKeyValueStore", "Arn"]}
    assert env["LIVESTAGE_LISTENERS_FROM_LOGS"] == "1"
    statements = resources["StreamTaskRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    kvs = [s for s in statements if s["Resource"] == {"Fn::GetAtt": ["EdgeKeyValueStore", "Arn"]}]
    assert len(kvs) == 1 and "cloudfront-keyvaluestore:UpdateKeys" in kvs[0]["Action"]
