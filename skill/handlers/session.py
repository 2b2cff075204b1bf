"""SessionEndedRequest and System.ExceptionEncountered: log, answer nothing."""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response, SessionEndedRequest
from ask_sdk_model.interfaces.system import ExceptionEncounteredRequest

from skill.requests.envelope import request_as

log = logging.getLogger(__name__)


class SessionEndedHandler(AbstractRequestHandler):
    """The session closed (user silence, "exit", or an error on Alexa's side)."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """A SessionEndedRequest."""
        return is_request_type("SessionEndedRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Log the reason; the response must be empty."""
        request = request_as(handler_input, SessionEndedRequest)
        log.info("session ended: %s %s", request.reason, request.error or "")
        return handler_input.response_builder.response


class ExceptionEncounteredHandler(AbstractRequestHandler):
    """Alexa could not use a previous response (e.g. a bad directive): log it."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """A System.ExceptionEncountered request."""
        return is_request_type("System.ExceptionEncountered")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Log the error and its cause; the response must be empty."""
        request = request_as(handler_input, ExceptionEncounteredRequest)
        log.warning("Alexa reported an error: %s (cause %s)", request.error, request.cause)
        return handler_input.response_builder.response
