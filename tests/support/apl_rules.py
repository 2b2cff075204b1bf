"""An independent check of APL documents against Amazon's published rules, offline.

No APL validator is published on npm for offline use (the authoring tool's checks run in
the developer console), so this applies the rules a RenderDocument is rejected or
rendered wrong for, from the APL reference: a known document version; a style or
``@resource`` that the document does not define comes from an imported package
(``alexa-styles`` for Alexa's styles and resources, ``alexa-layouts`` for the
``Alexa*`` responsive components), which must be declared in ``import`` with a version;
every component type exists; and, evaluated against the datasources, every Image that
is inflated has a non-empty ``source``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

#: APL versions the reference lists.
APL_VERSIONS = {"1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "1.8", "1.9", "2022.1",
                "2022.2", "2023.1", "2023.2", "2023.3", "2024.1", "2024.2", "2024.3"}
#: APL's own component types.
COMPONENTS = {"Container", "EditText", "Frame", "GridSequence", "Image", "Pager", "ScrollView",
              "Sequence", "Text", "TouchWrapper", "VectorGraphic", "Video", "FlexSequence"}
#: Name shapes alexa-styles defines (styles and resources).
ALEXA_STYLES = re.compile(r"^(textStyle|spacing|color|fontSize|fontWeight|opacity|shadow|"
                          r"imageScale|backgroundColor|mixinBody|marginHorizontal|"
                          r"viewportProfile|touchable)")
_BINDING = re.compile(r"^\$\{(\w+)\.(\w+)\}$")


def _components(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if "type" in node and isinstance(node["type"], str):
            yield node
        for key in ("items", "item", "firstItem", "lastItem"):
            if key in node:
                yield from _components(node[key])
    elif isinstance(node, list):
        for child in node:
            yield from _components(child)


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def _bound(value: Any, data: Mapping[str, Any]) -> Any:
    """A ``${data.field}`` binding evaluated against one data item (other values as they are)."""
    if isinstance(value, str) and (found := _BINDING.match(value)) and found[1] == "data":
        return data.get(found[2], "")
    return value


def problems(document: Mapping[str, Any], datasources: Mapping[str, Any]) -> list[str]:
    """Every rule ``document`` breaks when rendered with ``datasources`` (empty: valid)."""
    found: list[str] = []
    if document.get("type") != "APL" or document.get("version") not in APL_VERSIONS:
        found.append(f"type/version: {document.get('type')} {document.get('version')}")
    imports = {i.get("name"): i.get("version") for i in document.get("import", [])}
    found += [f"import {name} has no version" for name, version in imports.items() if not version]
    local_styles = set(document.get("styles", {}))
    local_resources = {name for block in document.get("resources", [])
                       for group in block.values() if isinstance(group, dict) for name in group}
    main = document.get("mainTemplate", {})
    for component in _components(main.get("items", [])):
        kind = component["type"]
        if kind not in COMPONENTS and not (kind.startswith("Alexa") and "alexa-layouts" in imports):
            found.append(f"unknown component {kind}")
        style = component.get("style")
        if style and style not in local_styles and not (
                ALEXA_STYLES.match(style) and "alexa-styles" in imports):
            found.append(f"style {style} is neither defined nor imported")
    for text in _strings(main):
        for name in re.findall(r"^@(\w+)$", text):
            if name not in local_resources and not (
                    ALEXA_STYLES.match(name) and "alexa-styles" in imports):
                found.append(f"resource @{name} is neither defined nor imported")
    found += _image_sources(main, datasources)
    return found


def _image_sources(main: Mapping[str, Any], datasources: Mapping[str, Any]) -> list[str]:
    found: list[str] = []
    for sequence in _components(main.get("items", [])):
        binding = sequence.get("data")
        if not isinstance(binding, str):
            continue
        path = binding.removeprefix("${").removesuffix("}").split(".")[1:]  # payload.x.y → x.y
        rows: Any = datasources
        for part in path:
            rows = rows.get(part, []) if isinstance(rows, dict) else []
        for row in rows:
            for image in _components(sequence.get("items", [])):
                if image["type"] != "Image":
                    continue
                if "when" in image and not _bound(image["when"], row):
                    continue  # not inflated for this row
                if not _bound(image.get("source", ""), row):
                    found.append(f"Image with an empty source for {row.get('id', row)}")
    return found
