"""Following, whole: follow, unfollow, who do I follow, and the notice subscription event."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from livestage.voice.conversation import Conversation
from room_directory import InMemoryRoomDirectory, Room
from room_directory.follows import InMemoryFollowBook
from skill import SkillConfig, build_skill
from skill.handlers.follow import NOTIFICATIONS_SCOPE

MANIFEST = json.loads((Path(__file__).resolve().parents[3] / "interaction_models" / "skill.json")
                      .read_text("utf-8"))["manifest"]


def stage(user: str = "amzn1.ask.account.ada") -> tuple[InMemoryFollowBook, Conversation]:
    directory = InMemoryRoomDirectory()
    for room_id, title, host in [("jazz", "Late Night Jazz", "Mia Santos"),
                                 ("talk", "Morning Talk", "Sam Okafor"),
                                 ("folk", "Folk Hour", "Dana Lee")]:
        directory.create(Room(room_id, title, "x", host=host))
    book = InMemoryFollowBook()
    skill = build_skill(directory, SkillConfig(public_url="https://live.example.test",
                                               url_secret="s"), follows=book)
    return book, Conversation(skill, user_id=user)


def said(turn: Any) -> str:
    return str(turn.body.get("outputSpeech", {}).get("ssml", ""))


def test_follow_writes_the_follow_book_and_asks_for_notices_once() -> None:
    book, alexa = stage()
    turn = alexa.say("follow mia santos")
    assert "following Mia Santos" in said(turn) and "allow notifications" in said(turn)
    assert turn.body["card"]["permissions"] == [NOTIFICATIONS_SCOPE]
    assert [f.user_id for f in book.followers("mia santos")] == ["amzn1.ask.account.ada"]
    book.set_subscribed("amzn1.ask.account.ada", True)
    again = alexa.say("follow sam okafor")
    assert "allow notifications" not in said(again) and "card" not in again.body


def test_who_do_i_follow_and_unfollow() -> None:
    book, alexa = stage()
    assert "don't follow anyone" in said(alexa.say("who do i follow"))
    alexa.say("follow mia santos")
    alexa.say("follow dana lee")
    listed = alexa.say("who do i follow")
    assert listed.resolution.intent_name == "FollowsIntent"
    assert "You follow Mia Santos and Dana Lee." in said(listed)
    gone = alexa.say("unfollow mia")
    assert gone.resolution.intent_name == "UnfollowIntent"
    assert "You no longer follow Mia Santos." in said(gone)
    assert book.followers("Mia Santos") == [] and len(book.followers("Dana Lee")) == 1
    assert "You follow Dana Lee." in said(alexa.say("who do i follow"))


def test_unfollowing_someone_not_followed_names_who_is() -> None:
    _, alexa = stage()
    alexa.say("follow dana lee")
    turn = alexa.say("stop following sam okafor")
    assert "You don't follow sam okafor. You follow Dana Lee." in said(turn)
    assert turn.body["shouldEndSession"] is False


def test_the_subscription_event_records_the_listeners_choice() -> None:
    book, alexa = stage()
    for names, expected in ([["AMAZON.MediaContent.Available"], True], [[], False]):
        envelope_turn = alexa.event_request("AlexaSkillEvent.ProactiveSubscriptionChanged", {
            "body": {"subscriptions": [{"eventName": n} for n in names]}})
        assert "outputSpeech" not in envelope_turn.body
        assert book.is_subscribed("amzn1.ask.account.ada") is expected


def test_the_manifest_publishes_the_live_event_and_asks_for_the_permission() -> None:
    events = MANIFEST["events"]
    assert events["publications"] == [{"eventName": "AMAZON.MediaContent.Available"}]
    assert events["subscriptions"] == [{"eventName": "SKILL_PROACTIVE_SUBSCRIPTION_CHANGED"}]
    assert events["endpoint"] == MANIFEST["apis"]["custom"]["endpoint"]
    assert {"name": NOTIFICATIONS_SCOPE} in MANIFEST["permissions"]
