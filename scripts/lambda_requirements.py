#!/usr/bin/env python3
"""Write lambda/requirements.txt (what `sam build` installs) from pyproject.toml's pins.

Versions are pinned in pyproject.toml only; this picks the runtime dependencies the skill
function imports and copies their pins. `--check` fails when the file is out of date
(the test suite runs it), `--extra NAME` prints one optional-dependency list instead
(scripts/bootstrap installs the `deploy` extra into .venv-sam that way).
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "lambda" / "requirements.txt"
#: The distributions the skill function imports (the server-only ones stay out).
LAMBDA_PACKAGES = (
    "ask-sdk-core",
    "ask-sdk-model",
    "ask-sdk-dynamodb-persistence-adapter",
    "boto3",
    "jellyfish",
    "rapidfuzz",
)
HEADER = "# Generated from pyproject.toml by scripts/lambda_requirements.py; do not edit.\n"


def _name(requirement: str) -> str:
    return re.split(r"[\s\[=<>~!;]", requirement, maxsplit=1)[0].lower()


def project() -> dict[str, object]:
    """The ``[project]`` table of pyproject.toml."""
    with open(ROOT / "pyproject.toml", "rb") as handle:
        return dict(tomllib.load(handle)["project"])


def lambda_requirements() -> str:
    """The requirements file's text: the pinned lines of ``LAMBDA_PACKAGES``."""
    pins = {_name(r): r for r in project()["dependencies"]}  # type: ignore[attr-defined]
    missing = [p for p in LAMBDA_PACKAGES if p not in pins]
    if missing:
        raise SystemExit(f"pyproject.toml has no pin for {', '.join(missing)}")
    return HEADER + "".join(f"{pins[p]}\n" for p in LAMBDA_PACKAGES)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--extra"]:
        print("\n".join(project()["optional-dependencies"][argv[1]]))  # type: ignore[index]
        return 0
    text = lambda_requirements()
    if argv[:1] == ["--check"]:
        current = TARGET.read_text() if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET.relative_to(ROOT)} is out of date: run scripts/lambda_requirements.py")
            return 1
        return 0
    TARGET.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
