"""The skill's layers import downward only, the cores import no I/O, and Lambda ships no tools."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SKILL = ROOT / "skill"

#: Modules that reach outside the process (files, sockets, databases, threads, requests).
IO_MODULES = ("sqlite3", "boto3", "botocore", "urllib", "http", "socket", "ssl", "subprocess",
              "threading", "importlib", "ask_sdk_core", "room_directory.sqlite",
              "room_directory.dynamodb", "room_directory.memory", "room_directory.factory")
#: What each layer may import of the skill, besides itself.
ALLOWED = {
    "core": ("skill.core", "skill.config"),
    "storage": ("skill.core", "skill.storage"),
    "services": ("skill.core", "skill.services"),
    "requests": ("skill.core", "skill.config", "skill.directory", "skill.requests",
                 "skill.storage"),
}


def imported(path: Path) -> set[str]:
    """Every module a file imports absolutely, at module level or inside functions."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def layer_files(layer: str) -> list[Path]:
    return sorted((SKILL / layer).glob("*.py"))


@pytest.mark.parametrize("path", layer_files("core"), ids=lambda p: p.stem)
def test_pure_cores_import_no_io(path: Path) -> None:
    reaching = sorted(n for n in imported(path)
                      if any(n == m or n.startswith(m + ".") for m in IO_MODULES))
    assert reaching == []
    assert "room_directory" not in imported(path)  # the package loads every adapter


def test_importing_the_cores_loads_no_storage_or_request_machinery() -> None:
    cores = ", ".join(f"skill.core.{p.stem}" for p in layer_files("core") if p.stem != "__init__")
    script = (f"import sys, {cores}; "
              "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
              "('sqlite3', 'boto3', 'botocore', 'ask_sdk_core') "
              "or m in ('room_directory.sqlite', 'room_directory.dynamodb', 'room_directory.memory', "
              "'room_directory.factory', 'skill.storage', 'skill.requests', 'skill.services'))))")
    loaded = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout.split()
    assert loaded == []


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layers_import_only_what_lies_below(layer: str) -> None:
    upward = sorted(
        f"{path.stem}: {name}" for path in layer_files(layer) for name in imported(path)
        if name.startswith("skill") and name != "skill"
        and not any(name == a or name.startswith(a + ".") for a in ALLOWED[layer])
    )
    assert upward == []


def test_the_lambda_bundle_carries_no_developer_tools() -> None:
    bundled = {p.stem for p in (ROOT / "lambda" / "skill").rglob("*.py")}
    assert {"simulator", "conversation", "interaction_models", "models"}.isdisjoint(bundled)
    assert "livestage" not in {p.name for p in (ROOT / "lambda").iterdir()}
    skill_imports = {n for path in SKILL.rglob("*.py") for n in imported(path)}
    assert not [n for n in skill_imports if n.startswith("livestage")]
