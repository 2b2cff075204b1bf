"""The join decision: offered rooms, then the dynamic entity, then the index, then late rooms."""

from __future__ import annotations

import dataclasses

import pytest

from room_directory import Room, RoomStatus
from skill.core.join_decision import Gather, JoinAction, JoinDecision, JoinFacts, decide_join
from skill.core.matching import MatchKind, MatchResult

JAZZ = Room("jazz-night", "Late Night Jazz", "x", genre="jazz", status=RoomStatus.LIVE)
TALK = Room("morning-talk", "Morning Talk", "x", genre="talk", status=RoomStatus.LIVE)
POLKA = Room("polka-party", "Polka Party", "x", genre="polka", status=RoomStatus.LIVE)
SECRET = Room("secret-set", "Secret Set", "x", private=True, status=RoomStatus.LIVE)
JAZZ_ENDED = dataclasses.replace(JAZZ, status=RoomStatus.ENDED)
JAZZ_HIDDEN = dataclasses.replace(JAZZ, private=True)

MATCH_JAZZ = MatchResult(MatchKind.MATCH, "jazz", (JAZZ,), 100.0)
AMBIGUOUS = MatchResult(MatchKind.AMBIGUOUS, "late", (JAZZ, TALK), 90.0)
NO_MATCH = MatchResult(MatchKind.NONE, "polka party")
INDEXED = frozenset({JAZZ.id, TALK.id})

CASES = [
    (JoinFacts(""), Gather.LIVE),
    (JoinFacts("", live=()), JoinDecision(JoinAction.NOTHING_LIVE)),
    (JoinFacts("", live=(JAZZ, TALK)), JoinDecision(JoinAction.ASK_WHICH, live=(JAZZ, TALK))),
    (JoinFacts("the second one", offered=(JAZZ, TALK)), JoinDecision(JoinAction.JOIN, (TALK,))),
    (JoinFacts("morning talk", offered=(JAZZ, TALK)), JoinDecision(JoinAction.JOIN, (TALK,))),
    (JoinFacts("the first one", offered=(JAZZ, TALK), offer_kind="replay"),
     JoinDecision(JoinAction.REPLAY, (JAZZ,))),
    (JoinFacts("late night jazz", offered=(TALK,), entity=JAZZ),
     JoinDecision(JoinAction.JOIN, (JAZZ,))),
    (JoinFacts("the first one", offered=(TALK,), entity=JAZZ), JoinDecision(JoinAction.JOIN, (TALK,))),
    (JoinFacts("secret set", entity=SECRET), Gather.SEARCH),
    (JoinFacts("jazz"), Gather.SEARCH),
    (JoinFacts("jazz", search=MATCH_JAZZ, matched_now=JAZZ_ENDED, indexed_ids=INDEXED),
     JoinDecision(JoinAction.JOIN, (JAZZ_ENDED,))),
    (JoinFacts("jazz", search=MATCH_JAZZ, matched_now=None, indexed_ids=INDEXED), Gather.LIVE),
    (JoinFacts("jazz", search=MATCH_JAZZ, matched_now=JAZZ_HIDDEN, indexed_ids=INDEXED,
               live=(TALK,)), JoinDecision(JoinAction.NOT_FOUND, live=(TALK,))),
    (JoinFacts("late", search=AMBIGUOUS, indexed_ids=INDEXED),
     JoinDecision(JoinAction.ASK_BETWEEN, (JAZZ, TALK))),
    (JoinFacts("polka party", search=NO_MATCH, indexed_ids=INDEXED), Gather.LIVE),
    (JoinFacts("polka party", search=NO_MATCH, indexed_ids=INDEXED, live=(POLKA, JAZZ, TALK)),
     JoinDecision(JoinAction.JOIN, (POLKA,))),
    (JoinFacts("polka party", search=NO_MATCH, indexed_ids=INDEXED | {POLKA.id},
               live=(POLKA, JAZZ, TALK)),
     JoinDecision(JoinAction.NOT_FOUND, live=(POLKA, JAZZ, TALK))),
    (JoinFacts("polka party", search=NO_MATCH, indexed_ids=INDEXED, live=(JAZZ, TALK)),
     JoinDecision(JoinAction.NOT_FOUND, live=(JAZZ, TALK))),
    (JoinFacts("polka party", search=NO_MATCH, indexed_ids=INDEXED, live=()),
     JoinDecision(JoinAction.NOTHING_LIVE)),
]
IDS = [
    "nothing-said-lists-live-rooms-first",
    "nothing-said-nothing-live",
    "nothing-said-offers-what-is-live",
    "offer-by-ordinal",
    "offer-by-name",
    "offer-of-replays-plays-the-replay",
    "entity-when-the-offer-does-not-fit",
    "offer-wins-over-entity",
    "private-entity-is-ignored",
    "no-offer-no-entity-searches-the-index",
    "index-match-joined-as-it-is-now",
    "index-match-since-deleted-looks-further",
    "index-match-since-made-private-is-not-joined",
    "index-ambiguity-asks-back",
    "index-miss-lists-live-rooms",
    "live-room-younger-than-the-index-is-joined",
    "indexed-live-rooms-are-not-matched-twice",
    "no-fit-offers-what-is-live",
    "no-fit-nothing-live",
]


@pytest.mark.parametrize(("facts", "expected"), CASES, ids=IDS)
def test_decide_join(facts: JoinFacts, expected: JoinDecision | Gather) -> None:
    assert decide_join(facts) == expected


def test_the_decision_names_its_room() -> None:
    decision = decide_join(JoinFacts("the first one", offered=(JAZZ,)))
    assert isinstance(decision, JoinDecision) and decision.room is JAZZ
