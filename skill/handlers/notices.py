"""AlexaSkillEvent.ProactiveSubscriptionChanged: a listener allowed or stopped live notices.

Alexa sends it when the listener grants or withdraws the notifications permission in the
Alexa app; the event lists the events they are subscribed to. The follow book keeps the
answer, and the stream server notifies only subscribed followers when a host goes live.
"""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_user_id, is_request_type
from ask_sdk_model import Response

from skill.directory import FollowIndex

#: The Proactive Events schema a live show is announced with (the manifest publishes it).
LIVE_EVENT = "AMAZON.MediaContent.Available"


class NoticeSubscriptionHandler(AbstractRequestHandler):
    """Record whether the listener is subscribed to the live notice event."""

    def __init__(self, follows: FollowIndex) -> None:
        self._follows = follows

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """An AlexaSkillEvent.ProactiveSubscriptionChanged."""
        return is_request_type("AlexaSkillEvent.ProactiveSubscriptionChanged")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Subscribed when the event's subscriptions name the live event; no speech."""
        request = handler_input.request_envelope.request
        body = getattr(request, "body", None)
        names = {str(getattr(s, "event_name", "")) for s in getattr(body, "subscriptions", None) or []}
        user_id = str(get_user_id(handler_input) or "")
        if user_id:
            self._follows.set_subscribed(user_id, LIVE_EVENT in names)
        return handler_input.response_builder.response
