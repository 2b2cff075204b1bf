"""'Alexa, tell Live Stage I want to speak' through the Lambda entry, on a real SQLite directory."""

from __future__ import annotations

import dataclasses
import re
from types import ModuleType
from typing import Any

from room_directory import RoomStatus, SqliteRoomDirectory
from tests.support.alexa_fixtures import intent_request, join_room


def call(entry: ModuleType, event: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = entry.handler(event, None)
    return result


def speech(result: dict[str, Any]) -> str:
    return str(result["response"].get("outputSpeech", {}).get("ssml", ""))


def spoken_code(result: dict[str, Any]) -> str:
    """The call-in code as the answer speaks it: digit by digit."""
    found = re.search(r'<say-as interpret-as="digits">(\d+)</say-as>', speech(result))
    assert found, speech(result)
    return found.group(1)


def test_the_room_playing_gets_a_voice_hand_and_the_code_is_spoken_and_on_the_card(
        entry: ModuleType, directory: SqliteRoomDirectory) -> None:
    token = call(entry, join_room("jazz"))["response"]["directives"][0]["audioItem"]["stream"]["token"]
    result = call(entry, intent_request("RaiseHandIntent", {"room": None}, audio_token=token))
    code = spoken_code(result)
    assert "Your hand is up in Late Night Jazz Concert" in speech(result)
    card = result["response"]["card"]
    assert card["type"] == "Simple" and code in card["content"]
    assert "Late Night Jazz Concert" in card["content"] and "<" not in card["content"]
    assert result["response"]["shouldEndSession"] is True
    (hand,) = directory.list_hands("jazz-night")
    assert (hand.via, hand.call_in_code, hand.show_id, hand.token_hash) == ("voice", code, "s1", "")
    assert directory.find_hand_by_code("jazz-night", code) == hand


def test_a_room_named_in_the_sentence_is_the_room(entry: ModuleType, directory: SqliteRoomDirectory) -> None:
    result = call(entry, intent_request("RaiseHandIntent", {"room": "morning talk"},
                                        user_id="amzn1.ask.account.FRESH"))
    assert "Morning Talk with Sam" in speech(result)
    assert directory.list_hands("morning-talk")[0].call_in_code == spoken_code(result)


def test_without_a_room_the_skill_asks_which(entry: ModuleType, directory: SqliteRoomDirectory) -> None:
    result = call(entry, intent_request("RaiseHandIntent", {"room": None}, user_id="amzn1.ask.account.NEW"))
    assert "Which room would you like to speak in" in speech(result)
    assert result["response"]["shouldEndSession"] is False
    unknown = call(entry, intent_request("RaiseHandIntent", {"room": "polka marathon"},
                                         user_id="amzn1.ask.account.NEW"))
    assert "couldn't find a live room called polka marathon" in speech(unknown)
    assert all(not directory.list_hands(r.id) for r in directory.list_rooms())


def test_with_nothing_on_air_there_is_no_stage(entry: ModuleType, directory: SqliteRoomDirectory) -> None:
    for room in directory.list_rooms(live_only=True):
        directory.update(dataclasses.replace(room, status=RoomStatus.ENDED))
    result = call(entry, intent_request("RaiseHandIntent", {"room": None}))
    assert "Nobody is on air right now" in speech(result)
    assert "card" not in result["response"]


def test_german_speaks_the_code_in_german(entry: ModuleType, directory: SqliteRoomDirectory) -> None:
    result = call(entry, intent_request("RaiseHandIntent", {"room": "jazz"}, locale="de-DE",
                                        user_id="amzn1.ask.account.DE"))
    assert "Dein Anrufcode ist" in speech(result)
    assert directory.list_hands("jazz-night")[0].call_in_code == spoken_code(result)
