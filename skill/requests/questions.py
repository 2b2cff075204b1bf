"""The question the skill asked on the previous turn, kept in the session.

"Would you like to join?" and "Would you like a reminder?" are answered with "yes" or
"no" on the next turn only (and "Which room's host should get your message?" with a
room's name): a question not asked again in the current request is
dropped when the response leaves (``ForgetUnaskedQuestion``), so a "yes" three turns
later never acts on a stale offer.
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

from ask_sdk_core.dispatch_components import AbstractResponseInterceptor
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from room_directory import Room
from skill.requests.envelope import session_attributes

#: Session attribute holding the standing question: ``{"kind": …, "roomIds": […]}``.
QUESTION_KEY = "yesNoQuestion"
#: Request attribute marking that this request asked (or kept) a question.
ASKED_NOW_KEY = "yesNoAskedNow"

#: "Would you like to join?": yes joins the first room.
JOIN = "join"
#: "Would you like a reminder?": yes reminds about the show (or asks which one).
REMIND = "remind"
#: "Which room's host should get your message?": a room's name delivers the message.
MESSAGE = "message"


@dataclass(frozen=True)
class Question:
    """What was asked and about which rooms, in the order spoken."""

    kind: str
    room_ids: tuple[str, ...]
    #: the listener's words waiting for a room (kind ``message``)
    message: str = ""


def ask_yes_no(handler_input: HandlerInput, kind: str, rooms: Sequence[Room], *,
               message: str = "") -> None:
    """Record that this answer asks a question about ``rooms`` (with a waiting ``message``)."""
    question: dict[str, Any] = {"kind": kind, "roomIds": [room.id for room in rooms]}
    if message:
        question["message"] = message
    session_attributes(handler_input)[QUESTION_KEY] = question
    handler_input.attributes_manager.request_attributes[ASKED_NOW_KEY] = True


def standing_question(attributes: MutableMapping[str, Any]) -> Question | None:
    """The question asked on the previous turn, if any."""
    value = attributes.get(QUESTION_KEY)
    if not isinstance(value, dict) or value.get("kind") not in (JOIN, REMIND, MESSAGE):
        return None
    ids = value.get("roomIds")
    return Question(str(value["kind"]), tuple(str(i) for i in ids) if isinstance(ids, list) else (),
                    str(value.get("message") or ""))


def forget_question(attributes: MutableMapping[str, Any]) -> None:
    """Drop the standing question once it was answered."""
    attributes.pop(QUESTION_KEY, None)


class ForgetUnaskedQuestion(AbstractResponseInterceptor):
    """A question lives for one turn: drop it unless this request asked it."""

    def process(self, handler_input: HandlerInput, response: Response) -> None:
        """Remove the stored question when the handler did not ask one now."""
        if handler_input.request_envelope.session is None:
            return
        if not handler_input.attributes_manager.request_attributes.get(ASKED_NOW_KEY):
            forget_question(session_attributes(handler_input))
