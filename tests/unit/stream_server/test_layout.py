"""The tree shows the flow: imports run forward only, pure cores do no I/O, modules stay small."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support import ROOT

PACKAGE = ROOT / "stream_server"
#: the audio path, in order: a step may import the steps after it, never those before
FLOW = ["ingest", "pipeline", "hls", "stores", "serving"]
#: surfaces beside the flow; no step of the flow imports one
SURFACES = ["api", "web", "alexa_host", "stage"]
#: what every package may import from ``ops``: its leaf modules, not the app or the runner
OPS_LEAVES = {"stream_server.ops.config", "stream_server.ops.metrics", "stream_server.ops.services"}
#: pure cores: values in, values out; no I/O module, no Flask, no clock of their own
PURE = ["hls/playlist.py", "hls/names.py", "hls/transport.py", "serving/rules.py", "web/listing.py",
        "alexa_host/signing.py", "stage/mix.py", "stage/offer.py"]
IO_MODULES = {"flask", "boto3", "botocore", "sqlite3", "subprocess", "socket", "urllib.request",
              "threading", "requests", "http.client"}
MAX_LINES = 400
MAX_TOP_ENTRIES = 12


def imports_of(path: Path) -> set[str]:
    """Every module a file imports (absolute names; ``from a import b`` gives ``a`` and ``a.b``)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def package_of(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "stream_server" else None


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "static" not in p.parts)


@pytest.mark.parametrize("step", FLOW)
def test_the_flow_never_imports_backwards_or_a_surface(step: str) -> None:
    earlier = set(FLOW[: FLOW.index(step)])
    wrong = []
    for path in (PACKAGE / step).rglob("*.py"):
        for name in imports_of(path):
            target = package_of(name)
            if target in earlier or target in SURFACES:
                wrong.append(f"{path.relative_to(ROOT)} imports {name}")
            if target == "ops" and name.count(".") >= 2 and ".".join(name.split(".")[:3]) not in OPS_LEAVES:
                wrong.append(f"{path.relative_to(ROOT)} imports {name} (only ops' leaves)")
    assert not wrong, "\n".join(sorted(wrong))


@pytest.mark.parametrize("core", PURE)
def test_pure_cores_import_no_io(core: str) -> None:
    used = {name for name in imports_of(PACKAGE / core)
            if name in IO_MODULES or name.split(".")[0] in IO_MODULES}
    assert not used, f"{core} imports {sorted(used)}"


def test_no_module_is_over_400_lines() -> None:
    long = [f"{p.relative_to(ROOT)}: {n}" for p in modules()
            if (n := len(p.read_text().splitlines())) > MAX_LINES]
    assert not long, long


def test_the_top_level_is_a_short_map() -> None:
    entries = [p.name for p in PACKAGE.iterdir() if p.name != "__pycache__" and not p.name.startswith(".")]
    assert len(entries) <= MAX_TOP_ENTRIES, sorted(entries)
    doc = ast.get_docstring(ast.parse((PACKAGE / "__init__.py").read_text())) or ""
    for folder in (p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()):
        assert f"{folder}/" in doc, f"the map in stream_server/__init__.py does not show {folder}/"


@pytest.mark.parametrize("package", sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()))
def test_every_subpackage_says_what_enters_and_what_leaves(package: str) -> None:
    doc = ast.get_docstring(ast.parse((PACKAGE / package / "__init__.py").read_text())) or ""
    assert len(doc.split()) >= 25, f"stream_server/{package}/__init__.py needs a paragraph: {doc!r}"
