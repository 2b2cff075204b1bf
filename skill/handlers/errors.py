"""The catch-all exception handler: log, apologise where speech is allowed, never raise."""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractExceptionHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.requests.envelope import must_stay_silent, speech_for

log = logging.getLogger(__name__)


class CatchAllExceptionHandler(AbstractExceptionHandler):
    """Any exception a handler (or the dispatcher) raised."""

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        """Every exception."""
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        """Log with the traceback; say sorry unless the request must get no speech."""
        log.error("skill failed on %s", type(handler_input.request_envelope.request).__name__,
                  exc_info=exception)
        builder = handler_input.response_builder
        try:
            if must_stay_silent(handler_input):
                return builder.response
            sorry = speech_for(handler_input).say("error")
        except Exception:  # noqa: BLE001 - the last line of defence must not raise
            log.exception("the catch-all handler could not build its answer")
            return builder.response
        return builder.speak(sorry).set_should_end_session(True).response
