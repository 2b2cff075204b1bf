"""Per-listener skill state in DynamoDB (``LIVESTAGE_SKILL_STATE=dynamodb://TABLE?...``).

Wraps the SDK's ``ask_sdk_dynamodb`` adapter. That module builds a default boto3 resource
as a default argument when it is imported (and so fails without a region), so it is
imported here only when an adapter is asked for, after a region is known; the resource we
hand it is made for the URL's region and endpoint. The table has one string hash key
``id`` (the Alexa user id); the SAM template declares it, never ``auto_create_table``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

#: The table's hash key and the attribute that holds a listener's state.
PARTITION_KEY = "id"
ATTRIBUTE_NAME = "attributes"


def skill_state_adapter(url: str) -> Any:
    """An ``AbstractPersistenceAdapter`` on DynamoDB for ``dynamodb://TABLE[?region=R&endpoint=URL]``."""
    parts = urlsplit(url)
    if parts.scheme != "dynamodb" or not parts.netloc:
        raise ValueError(f"skill state {url!r}: use dynamodb://TABLE[?region=R&endpoint=URL]")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    import boto3

    session = boto3.session.Session(region_name=query.get("region") or None)
    region = session.region_name
    if region is None:
        raise ValueError(f"skill state {url!r}: no AWS region (add ?region= or set AWS_REGION)")
    if boto3.DEFAULT_SESSION is None:
        # the SDK module evaluates boto3.resource("dynamodb") at import: give it a region
        boto3.setup_default_session(region_name=region)
    from ask_sdk_dynamodb.adapter import DynamoDbAdapter

    resource = session.resource("dynamodb", endpoint_url=query.get("endpoint") or None)
    return DynamoDbAdapter(
        table_name=parts.netloc, partition_key_name=PARTITION_KEY, attribute_name=ATTRIBUTE_NAME,
        create_table=False, dynamodb_resource=resource,
    )


def create_state_table(client: Any, table: str) -> None:
    """Create the state table as the template does (tests and local runs)."""
    client.create_table(
        TableName=table, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": PARTITION_KEY, "AttributeType": "S"}],
        KeySchema=[{"AttributeName": PARTITION_KEY, "KeyType": "HASH"}],
    )
