"""The "what's live" APL document follows Amazon's rules: imports declared, no empty Image."""

from __future__ import annotations

import copy
from typing import Any

from room_directory import Room
from skill.core.screens import rooms_list
from skill.storage.catalogs import speech_for_locale
from tests.support.apl_rules import problems

ROOMS = [Room("jazz", "Late Night Jazz", "x", host="Mia", art_url="https://cdn.example/jazz.png"),
         Room("talk", "Morning Talk", "x", host="Sam")]


def rendered() -> tuple[dict[str, Any], dict[str, Any]]:
    directive = rooms_list(ROOMS, speech_for_locale("en-US"), lambda room_id: 3)
    return dict(directive.document), dict(directive.datasources)


def test_the_rooms_list_is_valid_with_and_without_art() -> None:
    document, datasources = rendered()
    assert problems(document, datasources) == []
    assert [item.get("art") for item in datasources["rooms"]["items"]] == [
        "https://cdn.example/jazz.png", None]


def test_the_checker_catches_a_missing_import() -> None:
    document, datasources = rendered()
    broken = copy.deepcopy(document)
    del broken["import"]
    found = problems(broken, datasources)
    assert "style textStyleBody is neither defined nor imported" in found
    assert "resource @spacingSmall is neither defined nor imported" in found


def test_the_checker_catches_an_image_with_an_empty_source() -> None:
    document, datasources = rendered()
    broken = copy.deepcopy(document)
    row = broken["mainTemplate"]["items"][0]["items"][1]["items"][0]["item"]
    del row["items"][0]["when"]
    assert problems(broken, datasources) == ["Image with an empty source for talk"]
