"""The CloudFront function run under node through a stand-in of its runtime (``cloudfront_runtime.js``)."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.support import ROOT

FUNCTION_PATH = ROOT / "deploy" / "cloudfront" / "private_rooms.js"
RUNTIME_PATH = Path(__file__).with_name("cloudfront_runtime.js")


def run_viewer_requests(kvs: dict[str, str], requests: list[dict[str, Any]],
                        function: Path = FUNCTION_PATH) -> list[dict[str, Any]]:
    """What the function does with each request (``uri``, ``now``, optional ``querystring``)."""
    node = shutil.which("node")
    assert node, "node is needed to run the CloudFront function (scripts/bootstrap --test installs it)"
    result = subprocess.run([node, str(RUNTIME_PATH), str(function)], input=json.dumps(
        {"kvs": kvs, "requests": requests}), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return list(json.loads(result.stdout))


#: The real log in ``cloudfront_standard_log.txt``: its header and one of its lines as a template.
STANDARD_LOG = Path(__file__).with_name("cloudfront_standard_log.txt").read_text().splitlines(keepends=True)


def standard_log(fetches: list[tuple[float, str, str]], status: int = 200) -> list[str]:
    """A CloudFront standard log (its real header and columns) of GETs ``(at, uri stem, query)``."""
    header, template = STANDARD_LOG[:2], STANDARD_LOG[2].rstrip("\n").split("\t")
    names = header[1].removeprefix("#Fields:").split()
    lines = list(header)
    for at, stem, query in fetches:
        fields = list(template)
        stamp = datetime.fromtimestamp(at, UTC)
        for name, value in (("date", stamp.strftime("%Y-%m-%d")), ("time", stamp.strftime("%H:%M:%S")),
                            ("cs-uri-stem", stem), ("cs-uri-query", query or "-"),
                            ("sc-status", str(status))):
            fields[names.index(name)] = value
        lines.append("\t".join(fields) + "\n")
    return lines
