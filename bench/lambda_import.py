"""Lambda cold import: how long a fresh interpreter takes to import ``lambda/app.py``.

Each sample is a new ``python`` process that times the import of the Lambda entry (by
path: ``lambda`` is a keyword) with ``time.perf_counter`` around it, so interpreter
start-up is excluded, as in a Lambda INIT phase after the runtime has started. Peer: the
same measured for ``ask_sdk_core.skill_builder`` + ``ask_sdk_model`` alone (the SDK floor
any Python skill pays). The skill itself (handlers, matching) loads on the first request,
so "import + first request" (a JoinRoomIntent over an empty memory directory) is the
whole cold start. The median of the samples is reported.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

from bench.results import BenchOptions, Result

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = 7

_EVENT = {
    "version": "1.0",
    "session": {"new": True, "sessionId": "s", "application": {"applicationId": "a"},
                "attributes": {}, "user": {"userId": "u"}},
    "context": {"System": {"application": {"applicationId": "a"}, "user": {"userId": "u"},
                           "device": {"deviceId": "d", "supportedInterfaces": {"AudioPlayer": {}}},
                           "apiEndpoint": "https://api.amazonalexa.com", "apiAccessToken": "t"}},
    "request": {"type": "IntentRequest", "requestId": "r", "timestamp": "2026-11-21T10:00:00Z",
                "locale": "en-US", "intent": {"name": "JoinRoomIntent",
                                              "slots": {"room": {"name": "room", "value": "jazz"}}}},
}

_LAMBDA = f"""
import importlib.util, os, time
os.environ.update(LIVESTAGE_DIRECTORY="memory:", LIVESTAGE_PUBLIC_URL="https://l.example",
                  LIVESTAGE_SKILL_STATE="memory:")
EVENT = {_EVENT!r}
started = time.perf_counter()
spec = importlib.util.spec_from_file_location("livestage_lambda_app", {str(ROOT / "lambda" / "app.py")!r})
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
imported = time.perf_counter()
module.handler(EVENT, None)
print((imported - started) * 1000, (time.perf_counter() - imported) * 1000)
"""

_SDK = """
import time
started = time.perf_counter()
import ask_sdk_core.skill_builder, ask_sdk_model
print((time.perf_counter() - started) * 1000)
"""


def sample(code: str) -> list[float]:
    """The milliseconds one fresh interpreter prints for ``code``."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=True, cwd=ROOT)
    return [float(v) for v in done.stdout.strip().splitlines()[-1].split()]


def run(options: BenchOptions) -> list[Result]:
    """Median import time of the Lambda entry (and its first request) and of the bare SDK."""
    ours = [sample(_LAMBDA) for _ in range(SAMPLES)]
    sdk = statistics.median(sample(_SDK)[0] for _ in range(SAMPLES))
    imported = statistics.median(s[0] for s in ours)
    first = statistics.median(s[0] + s[1] for s in ours)
    return [
        Result("lambda_import", f"import lambda/app.py (median of {SAMPLES})", imported, "ms",
               sdk, "ask-sdk-core + ask-sdk-model alone"),
        Result("lambda_import", "import + first request (skill built)", first, "ms",
               sdk, "ask-sdk-core + ask-sdk-model alone"),
    ]
