"""The AWS Lambda entry counting listeners: CloudFront's standard log files in, room directory out.

S3 calls ``handler`` once for each log file CloudFront delivers to the log bucket (``Records``
of ``s3:ObjectCreated:*`` events). Each file is read as it streams (gzip), counted by the
stream servers' rules (``stream_server.serving.cloudfront_log``) and added to the directory as
set unions, so a redelivered event or a file read twice counts nobody twice.

==========================  ================================================
``LIVESTAGE_DIRECTORY``     room directory URL (``room_directory.open_directory``)
``LIVESTAGE_URL_SECRET``    the secret listener tokens are checked with
==========================  ================================================
"""

from __future__ import annotations

import gzip
import io
import os
import threading
from typing import Any
from urllib.parse import unquote_plus

from room_directory import RoomDirectory, open_directory
from stream_server.serving.cloudfront_log import record_log

_lock = threading.Lock()
_directory: RoomDirectory | None = None
_s3: Any = None


def _services() -> tuple[RoomDirectory, Any]:
    """The container's directory and S3 client, made on first use."""
    global _directory, _s3
    with _lock:
        if _directory is None:
            import boto3

            _directory = open_directory(os.environ["LIVESTAGE_DIRECTORY"])
            _s3 = boto3.session.Session().client("s3")
        return _directory, _s3


def reset() -> None:
    """Forget the cached directory and client (the next call makes new ones from the environment)."""
    global _directory, _s3
    with _lock:
        _directory, _s3 = None, None


def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    """Count the listeners of every log file named in the event; how many files and room-minutes."""
    secret = os.environ.get("LIVESTAGE_URL_SECRET", "")
    if not secret:
        raise RuntimeError("LIVESTAGE_URL_SECRET is not set: no listener token could be checked")
    directory, s3 = _services()
    files = minutes = 0
    for record in event.get("Records", []):
        bucket = record["s3"]["bucket"]["name"]
        key = unquote_plus(record["s3"]["object"]["key"])  # S3 events URL-encode keys
        body = s3.get_object(Bucket=bucket, Key=key)["Body"]
        raw: Any = gzip.GzipFile(fileobj=body) if key.endswith(".gz") else body
        with io.TextIOWrapper(raw, encoding="utf-8", errors="replace") as lines:
            minutes += record_log(directory, lines, secret)
        files += 1
    return {"files": files, "room_minutes": minutes}
