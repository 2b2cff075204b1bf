"""Rooms and request envelopes shaped like the ones Alexa sends, for the skill's tests.

Shapes follow Amazon's request and response JSON reference: intent and launch requests
carry a ``session``; AudioPlayer and PlaybackController requests do not, and name the
stream in ``request.token`` and ``context.AudioPlayer``.
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from room_directory import Room, RoomDirectory, RoomStatus
from room_directory.access import listener_token_valid

APPLICATION_ID = "amzn1.ask.skill.11111111-2222-3333-4444-555555555555"
USER_ID = "amzn1.ask.account.TESTUSER"
DEVICE_ID = "amzn1.ask.device.TESTDEVICE"


#: The rooms of the tests: three live, one idle, one ended.
ROOMS = (
    Room("jazz-night", "Late Night Jazz Concert", "x", host="Mia Santos", genre="jazz",
         topics=("saxophone", "standards")),
    Room("morning-talk", "Morning Talk with Sam", "x", host="Sam Okafor", genre="talk",
         topics=("news", "politics")),
    Room("indie-hour", "Indie Rock Hour", "x", host="The Loud Kids", genre="indie rock"),
    Room("classical", "Classical Mornings", "x", host="Ines Duarte", genre="classical"),
    Room("open-mic", "Open Mic Comedy", "x", host="Rob Kane", genre="comedy"),
)
LIVE_ROOM_IDS = ("jazz-night", "morning-talk", "indie-hour")


def seed_rooms(directory: RoomDirectory, rooms: tuple[Room, ...] = ROOMS) -> None:
    """Create ``rooms``; those in ``LIVE_ROOM_IDS`` go live, ``open-mic`` has ended."""
    for room in rooms:
        created = directory.create(room)
        if room.id in LIVE_ROOM_IDS:
            created = dataclasses.replace(
                created, status=RoomStatus.LIVE, show_id="s1", live_since=time.time()
            )
            directory.update(created)
        elif room.id == "open-mic":
            directory.update(dataclasses.replace(created, status=RoomStatus.ENDED))


def split_listen_url(url: str) -> tuple[str, str]:
    """``(base + path without the listener token, token)`` of a stream URL (``…/t/<token>/<file>``)."""
    head, marker, rest = url.partition("/t/")
    token, _, name = rest.partition("/")
    assert marker and "?" not in url, url
    return f"{head}/{name}", token


def checked_listen_path(url: str, public_url: str, secret: str) -> str:
    """The path of a Play URL without its listener token, after checking its base and the token."""
    plain, token = split_listen_url(url)
    parts = urlsplit(plain)
    assert f"{parts.scheme}://{parts.netloc}" == public_url, url
    assert listener_token_valid(token, secret), url
    return parts.path


def alexa_timestamp(moment: datetime | None = None) -> str:
    """An ISO 8601 UTC timestamp the way Alexa writes it (default: now)."""
    return (moment or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _envelope(
    request: dict[str, Any],
    *,
    with_session: bool,
    application_id: str = APPLICATION_ID,
    audio_token: str | None = None,
    player_activity: str | None = None,
    attributes: dict[str, Any] | None = None,
    supports_audio: bool = True,
    supports_apl: bool = False,
    api_endpoint: str = "https://api.amazonalexa.com",
    consent_token: str | None = None,
    user_id: str = USER_ID,
    locale: str = "en-US",
    offset_ms: int = 52000,
) -> dict[str, Any]:
    application = {"applicationId": application_id}
    user: dict[str, Any] = {"userId": user_id}
    if consent_token:
        user["permissions"] = {"consentToken": consent_token}
    interfaces: dict[str, Any] = {"AudioPlayer": {}} if supports_audio else {}
    if supports_apl:
        interfaces["Alexa.Presentation.APL"] = {"runtime": {"maxVersion": "2023.3"}}
    player: dict[str, Any] = {"playerActivity": player_activity or "IDLE"}
    if audio_token:
        player = {
            "token": audio_token,
            "offsetInMilliseconds": offset_ms,
            "playerActivity": player_activity or "STOPPED",
        }
    envelope: dict[str, Any] = {
        "version": "1.0",
        "context": {
            "System": {
                "application": application,
                "user": user,
                "device": {
                    "deviceId": DEVICE_ID,
                    "supportedInterfaces": interfaces,
                },
                "apiEndpoint": api_endpoint,
                "apiAccessToken": "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.test",
            },
            "AudioPlayer": player,
        },
        "request": {
            "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
            "timestamp": alexa_timestamp(),
            "locale": locale,
            **request,
        },
    }
    if with_session:
        envelope["session"] = {
            "new": attributes is None,
            "sessionId": f"amzn1.echo-api.session.{uuid.uuid4()}",
            "application": application,
            "attributes": attributes or {},
            "user": user,
        }
    return envelope


def launch_request(**options: Any) -> dict[str, Any]:
    """"Alexa, open Live Stage"."""
    return _envelope({"type": "LaunchRequest"}, with_session=True, **options)


def intent_request(
    name: str, slots: dict[str, str | None] | None = None, **options: Any
) -> dict[str, Any]:
    """An IntentRequest for ``name``; slots with value None are sent without a value."""
    slot_objects = {
        slot: {"name": slot, "confirmationStatus": "NONE"}
        | ({"value": value, "source": "USER"} if value is not None else {})
        for slot, value in (slots or {}).items()
    }
    request = {
        "type": "IntentRequest",
        "dialogState": "COMPLETED",
        "intent": {"name": name, "confirmationStatus": "NONE", "slots": slot_objects},
    }
    return _envelope(request, with_session=True, **options)


def join_room(room: str | None, **options: Any) -> dict[str, Any]:
    """JoinRoomIntent with the slot ``room``."""
    return intent_request("JoinRoomIntent", {"room": room}, **options)


def audio_player_event(event: str, token: str, **options: Any) -> dict[str, Any]:
    """``AudioPlayer.<event>`` for the stream ``token`` (no session, as from a device)."""
    request: dict[str, Any] = {
        "type": f"AudioPlayer.{event}",
        "token": token,
        "offsetInMilliseconds": options.get("offset_ms", 52000),
    }
    if event == "PlaybackFailed":
        request["error"] = {"type": "MEDIA_ERROR_SERVICE_UNAVAILABLE", "message": "503"}
        request["currentPlaybackState"] = {
            "token": token, "offsetInMilliseconds": 52000, "playerActivity": "PLAYING"
        }
    activity = "PLAYING" if event in ("PlaybackStarted", "PlaybackNearlyFinished") else "STOPPED"
    return _envelope(
        request, with_session=False, audio_token=token, player_activity=activity, **options
    )


def playback_controller_event(command: str, token: str | None, **options: Any) -> dict[str, Any]:
    """``PlaybackController.<command>`` (a button press; no session)."""
    return _envelope(
        {"type": f"PlaybackController.{command}"},
        with_session=False,
        audio_token=token,
        **options,
    )


def session_ended_request(reason: str = "USER_INITIATED", **options: Any) -> dict[str, Any]:
    """The session closed."""
    return _envelope({"type": "SessionEndedRequest", "reason": reason}, with_session=True, **options)


def apl_touch(room_id: str, **options: Any) -> dict[str, Any]:
    """A touch on a room of the rooms list (``SendEvent ["join", room_id]``)."""
    request = {"type": "Alexa.Presentation.APL.UserEvent", "token": "livestage-rooms",
               "arguments": ["join", room_id], "source": {"type": "TouchWrapper"}}
    return _envelope(request, with_session=True, supports_apl=True, **options)


def consent_answer(status: str, room_id: str, **options: Any) -> dict[str, Any]:
    """The Connections.Response to the skill's AskFor (reminders permission)."""
    request = {"type": "Connections.Response", "name": "AskFor", "token": room_id,
               "status": {"code": "200", "message": "OK"},
               "payload": {"status": status, "permissionScope":
                           "alexa::alerts:reminders:skill:readwrite"}}
    return _envelope(request, with_session=True, **options)
