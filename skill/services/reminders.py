"""The Alexa Reminders API, through ask-sdk's ``ReminderManagementServiceClient``.

``create_show_reminder`` asks Alexa (at the request's ``apiEndpoint``, with its
``apiAccessToken``) to remind the listener when a scheduled room starts. The outcome is
one of ``ReminderOutcome``; a missing permission is not an error but a reason to ask.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model.interfaces.connections import SendRequestDirective
from ask_sdk_model.services import ServiceException
from ask_sdk_model.services.reminder_management import (
    AlertInfo,
    PushNotification,
    PushNotificationStatus,
    ReminderRequest,
    SpokenInfo,
    SpokenText,
    Trigger,
    TriggerType,
)

from room_directory import Room
from skill.core.schedule_words import zone

log = logging.getLogger(__name__)

#: The permission scope reminders need.
REMINDERS_SCOPE = "alexa::alerts:reminders:skill:readwrite"
#: The name of the Connections.SendRequest that asks for a permission by voice.
ASK_FOR = "AskFor"


class ReminderOutcome(StrEnum):
    """What happened to a reminder request."""

    CREATED = "created"
    NO_PERMISSION = "no_permission"
    FAILED = "failed"


def has_reminder_permission(handler_input: HandlerInput) -> bool:
    """Whether the request carries a consent token (the listener granted a permission)."""
    context = handler_input.request_envelope.context
    system = context.system if context is not None else None
    user = system.user if system is not None else None
    permissions = getattr(user, "permissions", None)
    return bool(permissions is not None and permissions.consent_token)


def reminder_request(room: Room, text: str, locale: str, tz_name: str, now: float) -> ReminderRequest:
    """A SCHEDULED_ABSOLUTE reminder at the room's start, in the listener's time zone."""
    tz = zone(tz_name)
    start = datetime.fromtimestamp(room.scheduled_start or now, tz).replace(tzinfo=None)
    return ReminderRequest(
        request_time=datetime.fromtimestamp(now, UTC).replace(tzinfo=None, microsecond=0),
        trigger=Trigger(object_type=TriggerType.SCHEDULED_ABSOLUTE,
                        scheduled_time=start.replace(microsecond=0),
                        time_zone_id=tz.key),
        alert_info=AlertInfo(spoken_info=SpokenInfo(content=[SpokenText(locale=locale, text=text)])),
        push_notification=PushNotification(status=PushNotificationStatus.ENABLED),
    )


def create_show_reminder(handler_input: HandlerInput, request: ReminderRequest) -> ReminderOutcome:
    """Create the reminder through the Reminders API; never raises."""
    try:
        client = handler_input.service_client_factory.get_reminder_management_service()
        client.create_reminder(reminder_request=request)
    except ServiceException as exc:
        if exc.status_code in (401, 403):
            return ReminderOutcome.NO_PERMISSION
        log.warning("reminder not created: %s %s", exc.status_code, exc)
        return ReminderOutcome.FAILED
    except Exception as exc:  # noqa: BLE001 - a network failure must become a sentence
        log.warning("reminder not created: %s", exc)
        return ReminderOutcome.FAILED
    return ReminderOutcome.CREATED


def ask_for_reminders_permission(room_id: str) -> SendRequestDirective:
    """Ask for the reminders permission by voice; the answer names ``room_id`` as token."""
    payload: dict[str, Any] = {
        "@type": "AskForPermissionsConsentRequest",
        "@version": "1",
        "permissionScope": REMINDERS_SCOPE,
    }
    return SendRequestDirective(name=ASK_FOR, payload=payload, token=room_id)
