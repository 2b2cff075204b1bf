"""Which room "join ..." means: one pure decision over what the request and directory told us.

The sources are tried in order, each only when the ones before it gave no room:

1. the rooms offered on the previous turn ("the first one", "late night"), matched
   against the offer only; an offer of replays plays the chosen room's replay;
2. the dynamic entity Alexa resolved the slot to (a public room);
3. the room index: a match is joined only in its current state (the index may be a few
   seconds old), two close candidates are asked back;
4. live rooms younger than the index (started since its last build).

Nothing found: the live rooms are offered instead, or there is nothing on air.

The decision never reads the directory itself. When it needs more than it was given it
answers ``Gather.SEARCH`` (search the index) or ``Gather.LIVE`` (list the live rooms);
the handler fetches that, adds it to the facts and asks again. So the directory is only
read as far as the decision goes, and every branch is testable with plain values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from room_directory.models import Room
from skill.core.matching import MatchKind, MatchResult, match_room
from skill.core.normalise import ordinal_choice


class Gather(StrEnum):
    """What the decision needs fetched before it can go on."""

    #: the index's match for what was said, with the matched room's current state
    SEARCH = "search"
    #: the public rooms live now
    LIVE = "live"


class JoinAction(StrEnum):
    """What the handler answers."""

    #: play the room (or, when not live, say when it is on / that it ended)
    JOIN = "join"
    #: play the room's latest replay (joining it when it has none)
    REPLAY = "replay"
    #: set a reminder for the scheduled room chosen from an offer of shows
    REMIND = "remind"
    #: "Did you mean A or B?"
    ASK_BETWEEN = "ask_between"
    #: nothing was said: offer the live rooms
    ASK_WHICH = "ask_which"
    #: nothing fits what was said: offer the live rooms
    NOT_FOUND = "not_found"
    #: nothing was said (``spoken`` empty) or nothing fits, and nothing is live
    NOTHING_LIVE = "nothing_live"


@dataclass(frozen=True)
class JoinFacts:
    """What is known so far about one JoinRoomIntent."""

    #: the raw slot value ("" when the slot was empty)
    spoken: str
    #: the rooms offered on the previous turn that still exist, in the order spoken
    offered: Sequence[Room] = ()
    #: what the offer plays: ``live``, ``replay`` or ``remind`` (a reminder for a show)
    offer_kind: str = "live"
    #: the room the dynamic entity resolved the slot to, if any
    entity: Room | None = None
    #: the clock, for the schedule tier of late-room matching
    now: float | None = None
    #: ``Gather.SEARCH``: the index's answer (None until searched)
    search: MatchResult | None = None
    #: ``Gather.SEARCH``: the matched room as the directory holds it now
    matched_now: Room | None = None
    #: ``Gather.SEARCH``: the ids of the rooms the index holds
    indexed_ids: frozenset[str] = field(default_factory=frozenset)
    #: ``Gather.LIVE``: the public live rooms, newest first (None until listed)
    live: Sequence[Room] | None = None


@dataclass(frozen=True)
class JoinDecision:
    """The answer: an action and the rooms it is about."""

    action: JoinAction
    #: JOIN, REPLAY: the room; ASK_BETWEEN: the two candidates; others: empty
    rooms: tuple[Room, ...] = ()
    #: ASK_WHICH, NOT_FOUND: the live rooms to offer
    live: tuple[Room, ...] = ()

    @property
    def room(self) -> Room:
        """The room of a JOIN or REPLAY."""
        return self.rooms[0]


#: What choosing from an offer does, by the offer's kind (``live`` joins).
OFFER_ACTIONS = {"replay": JoinAction.REPLAY, "remind": JoinAction.REMIND}


def _from_offer(spoken: str, offered: Sequence[Room]) -> Room | None:
    if not offered:
        return None
    position = ordinal_choice(spoken, len(offered))
    if position is not None:
        return offered[position]
    return match_room(spoken, offered).room


def decide_join(facts: JoinFacts) -> JoinDecision | Gather:
    """The answer to "join <spoken>", or what must be gathered first (see the module doc)."""
    if not facts.spoken:
        if facts.live is None:
            return Gather.LIVE
        if not facts.live:
            return JoinDecision(JoinAction.NOTHING_LIVE)
        return JoinDecision(JoinAction.ASK_WHICH, live=tuple(facts.live))
    chosen = _from_offer(facts.spoken, facts.offered)
    if chosen is not None:
        action = OFFER_ACTIONS.get(facts.offer_kind, JoinAction.JOIN)
        return JoinDecision(action, (chosen,))
    if facts.entity is not None and not facts.entity.private:
        return JoinDecision(JoinAction.JOIN, (facts.entity,))
    if facts.search is None:
        return Gather.SEARCH
    current = facts.matched_now
    if facts.search.kind is MatchKind.MATCH and current is not None and not current.private:
        return JoinDecision(JoinAction.JOIN, (current,))
    if facts.search.kind is MatchKind.AMBIGUOUS:
        return JoinDecision(JoinAction.ASK_BETWEEN, facts.search.candidates)
    if facts.live is None:
        return Gather.LIVE
    newer = [room for room in facts.live if room.id not in facts.indexed_ids]
    if newer:
        late = match_room(facts.spoken, newer, now=facts.now)
        if late.kind is MatchKind.MATCH and late.room is not None:
            return JoinDecision(JoinAction.JOIN, (late.room,))
    if not facts.live:
        return JoinDecision(JoinAction.NOTHING_LIVE)
    return JoinDecision(JoinAction.NOT_FOUND, live=tuple(facts.live))
