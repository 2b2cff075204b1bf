"""The shared table of private-room paths (``private_paths.json``): one source for Python and the edge."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

#: The table both the Python rules' tests and the CloudFront function's tests read.
TABLE_PATH = Path(__file__).with_name("private_paths.json")
TABLE: dict[str, Any] = json.loads(TABLE_PATH.read_text())
SECRET: str = TABLE["secret"]
#: room id -> private
ROOMS: dict[str, bool] = TABLE["rooms"]
CASES: list[dict[str, Any]] = TABLE["cases"]
