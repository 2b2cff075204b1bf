"""The CloudFront function run under node through a stand-in of its runtime (``cloudfront_runtime.js``)."""

from __future__ import annotations

import json
import shutil
import subprocess
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
