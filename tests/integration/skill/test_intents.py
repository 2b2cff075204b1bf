"""Every listener intent through the AWS Lambda entry: real envelopes, real SQLite.

Directory and listener state are SQLite files; the Reminders API is a local HTTPS
server standing in for the request's ``apiEndpoint``.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import pytest

from room_directory import Room, RoomStatus, Show, SqliteRoomDirectory
from room_directory.access import signature_valid
from tests.support.alexa_api_server import alexa_api_server
from tests.support.alexa_fixtures import (
    apl_touch,
    audio_player_event,
    checked_listen_path,
    consent_answer,
    intent_request,
    join_room,
    launch_request,
    playback_controller_event,
)
from tests.support.lambda_entry import PUBLIC_URL, SECRET

HOUR = 3600.0


def call(entry: ModuleType, event: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = entry.handler(event, None)
    return result


def speech(result: dict[str, Any]) -> str:
    return str(result["response"].get("outputSpeech", {}).get("ssml", ""))


def of_type(result: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [d for d in result["response"].get("directives", []) if d["type"] == kind]


def only_play(result: dict[str, Any]) -> dict[str, Any]:
    (play,) = of_type(result, "AudioPlayer.Play")
    return play


def play_path(result: dict[str, Any]) -> str:
    return checked_listen_path(only_play(result)["audioItem"]["stream"]["url"], PUBLIC_URL, SECRET)


def go_live(directory: SqliteRoomDirectory, room: Room) -> Room:
    created = directory.create(room)
    return directory.update(dataclasses.replace(created, status=RoomStatus.LIVE, show_id="s1",
                                                live_since=time.time()))


# -- what's live, in pages of three ---------------------------------------------------------

def test_whats_live_reads_three_then_more_then_says_that_was_all(
    entry: ModuleType, directory: SqliteRoomDirectory
) -> None:
    for n in range(4):
        go_live(directory, Room(f"extra-{n}", f"Extra Room {n}", "x", genre="folk"))
    first = call(entry, intent_request("WhatsLiveIntent"))
    assert "7 rooms are live" in speech(first) and "say more" in speech(first)
    assert first["response"]["shouldEndSession"] is False
    heard = [speech(first)]
    attributes = first["sessionAttributes"]
    for _ in range(2):
        more = call(entry, intent_request("MoreIntent", attributes=attributes))
        heard.append(speech(more))
        attributes = more["sessionAttributes"]
    titles = ["Late Night Jazz Concert", "Morning Talk with Sam", "Indie Rock Hour",
              *(f"Extra Room {n}" for n in range(4))]
    for title in titles:
        assert sum(title in said for said in heard) == 1, title
    last = call(entry, intent_request("AMAZON.MoreIntent", attributes=attributes))
    assert "everything" in speech(last)


def test_the_second_one_after_a_page_joins_the_second_room_read(entry: ModuleType) -> None:
    first = call(entry, intent_request("WhatsLiveIntent"))
    offered = first["sessionAttributes"]["offeredRoomIds"]
    result = call(entry, join_room("the second one", attributes=first["sessionAttributes"]))
    assert play_path(result) == f"/hls/{offered[1]}/live.m3u8"


def test_what_jazz_is_on_lists_only_jazz(entry: ModuleType) -> None:
    result = call(entry, intent_request("WhatsLiveIntent", {"genre": "jazz"}))
    assert "Late Night Jazz Concert" in speech(result)
    assert "Morning Talk" not in speech(result)


def test_private_rooms_are_never_listed(entry: ModuleType, directory: SqliteRoomDirectory) -> None:
    go_live(directory, Room("secret-set", "Secret Set", "x", private=True, join_code="4719"))
    said = speech(call(entry, intent_request("WhatsLiveIntent")))
    assert "Secret Set" not in said
    assert "Secret Set" not in speech(call(entry, launch_request()))


def test_launch_and_lists_teach_live_titles_as_dynamic_entities(entry: ModuleType) -> None:
    (update,) = of_type(call(entry, launch_request()), "Dialog.UpdateDynamicEntities")
    assert update["updateBehavior"] == "REPLACE"
    (room_type,) = update["types"]
    assert room_type["name"] == "ROOM_NAME"
    assert {v["id"] for v in room_type["values"]} == {"jazz-night", "morning-talk", "indie-hour"}


def test_a_dynamic_entity_resolution_joins_its_room_by_id(entry: ModuleType) -> None:
    event = join_room("late night")
    event["request"]["intent"]["slots"]["room"]["resolutions"] = {"resolutionsPerAuthority": [{
        "authority": "amzn1.er-authority.echo-sdk.dynamic.amzn1.ask.skill.x.ROOM_NAME",
        "status": {"code": "ER_SUCCESS_MATCH"},
        "values": [{"value": {"name": "Indie Rock Hour", "id": "indie-hour"}}],
    }]}
    assert play_path(call(entry, event)) == "/hls/indie-hour/live.m3u8"


# -- screens --------------------------------------------------------------------------------

def test_a_screen_gets_the_rooms_list_and_a_touch_joins(entry: ModuleType,
                                                        directory: SqliteRoomDirectory) -> None:
    room = directory.get("jazz-night")
    assert room is not None
    directory.update(dataclasses.replace(room, art_url="https://img.example.test/jazz.png"))
    result = call(entry, intent_request("WhatsLiveIntent", supports_apl=True))
    (render,) = of_type(result, "Alexa.Presentation.APL.RenderDocument")
    items = render["datasources"]["rooms"]["items"]
    assert {item["id"] for item in items} == {"jazz-night", "morning-talk", "indie-hour"}
    jazz = next(item for item in items if item["id"] == "jazz-night")
    assert jazz["art"] == "https://img.example.test/jazz.png"
    assert "listeners" in jazz  # None in Lambda: the tracker lives in the stream server
    touched = call(entry, apl_touch("jazz-night"))
    assert play_path(touched) == "/hls/jazz-night/live.m3u8"
    art = only_play(touched)["audioItem"]["metadata"]["art"]["sources"][0]["url"]
    assert art == "https://img.example.test/jazz.png"


def test_a_device_without_a_screen_gets_no_apl(entry: ModuleType) -> None:
    result = call(entry, intent_request("WhatsLiveIntent"))
    assert of_type(result, "Alexa.Presentation.APL.RenderDocument") == []


# -- now playing, next and previous ---------------------------------------------------------

def test_now_playing_names_room_and_host_and_no_listeners_in_lambda(entry: ModuleType) -> None:
    token = only_play(call(entry, join_room("jazz")))["audioItem"]["stream"]["token"]
    said = speech(call(entry, intent_request("NowPlayingIntent", audio_token=token)))
    assert "Late Night Jazz Concert" in said and "Mia Santos" in said
    assert "people are listening" not in said and "only listener" not in said


def test_next_and_previous_move_through_the_live_rooms(entry: ModuleType) -> None:
    live_ids = {"jazz-night", "morning-talk", "indie-hour"}
    token = only_play(call(entry, join_room("jazz")))["audioItem"]["stream"]["token"]
    nxt = call(entry, intent_request("AMAZON.NextIntent", audio_token=token,
                                     player_activity="PLAYING"))
    next_room = play_path(nxt).split("/")[2]
    assert next_room in live_ids - {"jazz-night"}
    back = call(entry, intent_request("AMAZON.PreviousIntent",
                                      audio_token=only_play(nxt)["audioItem"]["stream"]["token"]))
    assert play_path(back) == "/hls/jazz-night/live.m3u8"


def test_next_button_switches_rooms_silently(entry: ModuleType) -> None:
    result = call(entry, playback_controller_event("NextCommandIssued", "jazz-night:abc"))
    assert "outputSpeech" not in result["response"]
    assert play_path(result) != "/hls/jazz-night/live.m3u8"


# -- schedule and reminders -----------------------------------------------------------------

def schedule(directory: SqliteRoomDirectory, room_id: str, title: str, start: float) -> None:
    directory.create(Room(room_id, title, "x", host="Ada", genre="concert", scheduled_start=start))


def test_whats_on_tomorrow_names_the_scheduled_show(entry: ModuleType,
                                                    directory: SqliteRoomDirectory) -> None:
    tomorrow = time.time() + 24 * HOUR
    schedule(directory, "friday-concert", "Friday Concert", tomorrow)
    day = time.strftime("%Y-%m-%d", time.gmtime(tomorrow))
    said = speech(call(entry, intent_request("ScheduleIntent", {"date": day})))
    assert "Friday Concert" in said and "tomorrow at" in said
    empty = speech(call(entry, intent_request("ScheduleIntent", {"date": "2001-01-01"})))
    assert "Friday Concert" not in empty


def test_remind_without_permission_asks_for_consent_by_voice_and_card(
    entry: ModuleType, directory: SqliteRoomDirectory
) -> None:
    schedule(directory, "friday-concert", "Friday Concert", time.time() + 30 * HOUR)
    result = call(entry, intent_request("RemindIntent", {"room": "friday concert"}))
    (ask,) = of_type(result, "Connections.SendRequest")
    assert ask["name"] == "AskFor" and ask["token"] == "friday-concert"
    assert ask["payload"]["permissionScope"] == "alexa::alerts:reminders:skill:readwrite"
    assert result["response"]["card"]["type"] == "AskForPermissionsConsent"
    assert "permission" in speech(result)


def test_remind_creates_a_reminder_through_the_api_endpoint(
    entry: ModuleType, directory: SqliteRoomDirectory, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    start = time.time() + 30 * HOUR
    schedule(directory, "friday-concert", "Friday Concert", start)
    with alexa_api_server(tmp_path) as api:
        monkeypatch.setenv("SSL_CERT_FILE", str(api.ca_file))
        result = call(entry, intent_request("RemindIntent", {"room": "friday concert"},
                                            api_endpoint=api.url, consent_token="consent"))
    assert "I'll remind you when Friday Concert starts" in speech(result)
    zone_lookup, sent = api.requests
    assert zone_lookup.path.endswith("/settings/System.timeZone")
    assert (sent.method, sent.path) == ("POST", "/v1/alerts/reminders")
    assert sent.headers["Authorization"].startswith("Bearer eyJ")
    trigger = sent.body["trigger"]
    assert trigger["type"] == "SCHEDULED_ABSOLUTE" and trigger["timeZoneId"] == "UTC"
    assert trigger["scheduledTime"].startswith(time.strftime("%Y-%m-%dT%H:%M", time.gmtime(start)))
    (spoken,) = sent.body["alertInfo"]["spokenInfo"]["content"]
    assert spoken["locale"] == "en-US" and "Friday Concert" in spoken["text"]
    assert sent.body["pushNotification"]["status"] == "ENABLED"


def test_a_refused_reminder_asks_for_permission_and_an_accepted_consent_creates_it(
    entry: ModuleType, directory: SqliteRoomDirectory, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    schedule(directory, "friday-concert", "Friday Concert", time.time() + 30 * HOUR)
    with alexa_api_server(tmp_path) as api:
        monkeypatch.setenv("SSL_CERT_FILE", str(api.ca_file))
        api.statuses.append(401)
        refused = call(entry, intent_request("RemindIntent", {"room": "friday concert"},
                                             api_endpoint=api.url, consent_token="stale"))
        assert of_type(refused, "Connections.SendRequest")
        declined = call(entry, consent_answer("DENIED", "friday-concert", api_endpoint=api.url))
        assert "no reminder" in speech(declined)
        accepted = call(entry, consent_answer("ACCEPTED", "friday-concert", api_endpoint=api.url))
    assert "I'll remind you" in speech(accepted)
    assert [r.path for r in api.requests if "alerts" in r.path] == ["/v1/alerts/reminders"] * 2


def test_a_failing_api_endpoint_is_reported_not_raised(
    entry: ModuleType, directory: SqliteRoomDirectory, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    schedule(directory, "friday-concert", "Friday Concert", time.time() + 30 * HOUR)
    with alexa_api_server(tmp_path) as api:
        monkeypatch.setenv("SSL_CERT_FILE", str(api.ca_file))
        api.statuses.append(500)
        result = call(entry, intent_request("RemindIntent", {"room": "friday concert"},
                                            api_endpoint=api.url, consent_token="consent"))
    assert "couldn't set a reminder" in speech(result)


# -- replays --------------------------------------------------------------------------------

def test_replay_plays_the_last_show_and_resumes_where_this_listener_stopped(
    entry: ModuleType, directory: SqliteRoomDirectory
) -> None:
    now = time.time()
    directory.save_show(Show("jazz-night", "old", now - 9 * HOUR, now - 8 * HOUR, title="Jazz I"))
    directory.save_show(Show("jazz-night", "new1", now - 3 * HOUR, now - 2 * HOUR,
                             title="Late Night Jazz Concert", genre="jazz", host="Mia Santos"))
    first = call(entry, intent_request("ReplayIntent", {"room": "jazz"}))
    assert play_path(first) == "/hls/jazz-night/new1.m3u8"
    stream = only_play(first)["audioItem"]["stream"]
    assert stream["offsetInMilliseconds"] == 0 and ":show=new1" in stream["token"]
    stopped = call(entry, audio_player_event("PlaybackStopped", stream["token"], offset_ms=754000))
    assert "outputSpeech" not in stopped["response"]
    again = call(entry, intent_request("ReplayIntent", {"room": "jazz"}))
    assert only_play(again)["audioItem"]["stream"]["offsetInMilliseconds"] == 754000
    assert "Resuming" in speech(again)
    other = call(entry, intent_request("ReplayIntent", {"room": "jazz"}, user_id="amzn1.ask.account.OTHER"))
    assert only_play(other)["audioItem"]["stream"]["offsetInMilliseconds"] == 0


def test_pause_of_a_replay_saves_and_resume_returns_to_the_offset(
    entry: ModuleType, directory: SqliteRoomDirectory
) -> None:
    now = time.time()
    directory.save_show(Show("open-mic", "c1", now - 3 * HOUR, now - 2 * HOUR, title="Open Mic"))
    token = only_play(call(entry, intent_request("ReplayIntent", {"room": "comedy"})))[
        "audioItem"]["stream"]["token"]
    paused = call(entry, intent_request("AMAZON.PauseIntent", audio_token=token, offset_ms=61000))
    assert of_type(paused, "AudioPlayer.Stop")
    resumed = call(entry, intent_request("AMAZON.ResumeIntent", audio_token=token))
    stream = only_play(resumed)["audioItem"]["stream"]
    assert stream["offsetInMilliseconds"] == 61000
    assert checked_listen_path(stream["url"], PUBLIC_URL, SECRET) == "/hls/open-mic/c1.m3u8"
    over = call(entry, intent_request("AMAZON.StartOverIntent", audio_token=token))
    assert only_play(over)["audioItem"]["stream"]["offsetInMilliseconds"] == 0


def test_a_failed_replay_is_retried_once_at_its_offset(entry: ModuleType,
                                                       directory: SqliteRoomDirectory) -> None:
    now = time.time()
    directory.save_show(Show("open-mic", "c1", now - 3 * HOUR, now - 2 * HOUR, title="Open Mic"))
    retry = only_play(call(entry, audio_player_event("PlaybackFailed", "open-mic:abc:show=c1")))
    assert retry["audioItem"]["stream"]["offsetInMilliseconds"] == 52000
    assert retry["audioItem"]["stream"]["token"].endswith(":show=c1:retry")


def test_nearly_finished_of_a_replay_enqueues_nothing(entry: ModuleType) -> None:
    result = call(entry, audio_player_event("PlaybackNearlyFinished", "jazz-night:abc:show=s1"))
    assert of_type(result, "AudioPlayer.Play") == []


# -- private rooms by code ------------------------------------------------------------------

def test_join_code_plays_a_private_room_under_a_signed_path(
    entry: ModuleType, directory: SqliteRoomDirectory
) -> None:
    go_live(directory, Room("secret-set", "Secret Set", "x", private=True, join_code="4719"))
    result = call(entry, intent_request("JoinCodeIntent", {"code": "4719"}))
    path = play_path(result)
    _, hls, room, s, expires, signature, playlist = path.split("/")
    assert (hls, room, s, playlist) == ("hls", "secret-set", "s", "live.m3u8")
    assert signature_valid("secret-set", int(expires), signature, SECRET, now=time.time())
    assert int(expires) > time.time() + 3600


def test_a_wrong_code_plays_nothing_and_names_no_room(entry: ModuleType,
                                                      directory: SqliteRoomDirectory) -> None:
    go_live(directory, Room("secret-set", "Secret Set", "x", private=True, join_code="4719"))
    result = call(entry, intent_request("JoinCodeIntent", {"code": "1234"}))
    assert of_type(result, "AudioPlayer.Play") == []
    assert "Secret Set" not in speech(result) and "1 2 3 4" in speech(result)


def test_a_private_room_is_not_joined_by_its_title(entry: ModuleType,
                                                   directory: SqliteRoomDirectory) -> None:
    go_live(directory, Room("secret-set", "Secret Set", "x", private=True, join_code="4719"))
    result = call(entry, join_room("secret set"))
    assert of_type(result, "AudioPlayer.Play") == []


# -- follows and messages -------------------------------------------------------------------

def test_follow_then_launch_offers_the_followed_host_first(entry: ModuleType) -> None:
    followed = call(entry, intent_request("FollowIntent", {"host": "sam"}))
    assert "following Sam Okafor" in speech(followed)
    launch = call(entry, launch_request())
    assert "Sam Okafor" in speech(launch) and "Morning Talk with Sam" in speech(launch)
    assert launch["sessionAttributes"]["offeredRoomIds"][0] == "morning-talk"
    joined = call(entry, join_room("the first one", attributes=launch["sessionAttributes"]))
    assert play_path(joined) == "/hls/morning-talk/live.m3u8"


def test_follow_survives_a_new_skill_instance(entry: ModuleType) -> None:
    call(entry, intent_request("FollowIntent", {"host": "mia"}))
    entry.reset_skill()
    assert "Mia Santos" in speech(call(entry, launch_request()))


def test_a_message_to_the_host_is_stored_for_the_room_playing(
    entry: ModuleType, directory: SqliteRoomDirectory
) -> None:
    token = only_play(call(entry, join_room("jazz")))["audioItem"]["stream"]["token"]
    result = call(entry, intent_request("MessageHostIntent", {"message": "play Blue in Green"},
                                        audio_token=token, player_activity="PLAYING"))
    assert "Mia Santos will see your message" in speech(result)
    (message,) = directory.list_messages("jazz-night")
    assert message.text == "play Blue in Green"
    assert message.sender.startswith("listener-") and "TESTUSER" not in message.sender


def test_a_message_without_a_room_is_not_stored(entry: ModuleType,
                                                directory: SqliteRoomDirectory) -> None:
    result = call(entry, intent_request("MessageHostIntent", {"message": "hello"},
                                        user_id="amzn1.ask.account.NEW"))
    assert "Which room's host should get your message?" in speech(result)
    assert all(not directory.list_messages(r.id) for r in directory.list_rooms())


def test_a_scheduled_room_asked_for_by_name_says_when_it_starts(
    entry: ModuleType, directory: SqliteRoomDirectory
) -> None:
    schedule(directory, "friday-concert", "Friday Concert", time.time() + 30 * HOUR)
    result = call(entry, join_room("friday concert"))
    assert of_type(result, "AudioPlayer.Play") == []
    assert "Friday Concert starts" in speech(result)


def test_urls_are_https_on_the_public_base(entry: ModuleType) -> None:
    url = only_play(call(entry, join_room("jazz")))["audioItem"]["stream"]["url"]
    assert urlsplit(url).scheme == "https"


def test_two_close_replays_are_asked_about_and_the_answer_plays_a_replay(
    entry: ModuleType, directory: SqliteRoomDirectory
) -> None:
    now = time.time()
    directory.create(Room("jazz-brunch", "Sunday Jazz Brunch", "x", genre="jazz"))
    directory.save_show(Show("jazz-night", "n1", now - 9 * HOUR, now - 8 * HOUR,
                             title="Late Night Jazz Concert", genre="jazz"))
    directory.save_show(Show("jazz-brunch", "b1", now - 5 * HOUR, now - 4 * HOUR,
                             title="Sunday Jazz Brunch", genre="jazz"))
    asked = call(entry, intent_request("ReplayIntent", {"room": "jazz"}))
    assert of_type(asked, "AudioPlayer.Play") == [] and "Did you mean" in speech(asked)
    answered = call(entry, join_room("brunch", attributes=asked["sessionAttributes"]))
    assert play_path(answered) == "/hls/jazz-brunch/b1.m3u8"


def test_reminders_and_schedules_use_the_device_time_zone(
    entry: ModuleType, directory: SqliteRoomDirectory, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from skill.core.schedule_words import date_range

    start = time.time() + 30 * HOUR
    schedule(directory, "friday-concert", "Friday Concert", start)
    # a show inside "tonight" in Tokyo but not in UTC, or the other way round
    tokyo_night = date_range(None, time.time(), "Asia/Tokyo")
    utc_night = date_range(None, time.time(), "UTC")
    assert tokyo_night is not None and utc_night is not None
    ends = sorted((tokyo_night[1], utc_night[1]))
    tonight_in_tokyo = tokyo_night[1] > utc_night[1]
    schedule(directory, "late-set", "Late Set", (ends[0] + ends[1]) / 2)
    with alexa_api_server(tmp_path) as api:
        monkeypatch.setenv("SSL_CERT_FILE", str(api.ca_file))
        api.time_zone = "Asia/Tokyo"
        call(entry, intent_request("RemindIntent", {"room": "friday concert"},
                                   api_endpoint=api.url, consent_token="consent"))
        said = speech(call(entry, intent_request("ScheduleIntent", api_endpoint=api.url)))
    (sent,) = [r for r in api.requests if "alerts" in r.path]
    tokyo = datetime.fromtimestamp(start, ZoneInfo("Asia/Tokyo"))
    assert sent.body["trigger"]["timeZoneId"] == "Asia/Tokyo"
    assert sent.body["trigger"]["scheduledTime"].startswith(tokyo.strftime("%Y-%m-%dT%H:%M"))
    assert ("Late Set" in said) is tonight_in_tokyo, said
