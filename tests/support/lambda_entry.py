"""The skill's AWS Lambda entry (``lambda/app.py``), imported by path as Lambda would run it."""

from __future__ import annotations

import importlib.util
from types import ModuleType

from tests.support import ROOT

PUBLIC_URL = "https://live.example.test"
SECRET = "test-url-secret"
LAMBDA_APP = ROOT / "lambda" / "app.py"


def load_lambda_module() -> ModuleType:
    """Import ``lambda/app.py`` by path (``lambda`` is a Python keyword)."""
    spec = importlib.util.spec_from_file_location("livestage_lambda_app", LAMBDA_APP)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
