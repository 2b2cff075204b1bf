"""Built-in slot values resolved as Alexa resolves them, in every language the skill speaks."""

from __future__ import annotations

import json
from datetime import date

import pytest

from livestage.voice.interaction_models import LOCALES, MODELS_DIR
from livestage.voice.simulator import resolve_utterance
from livestage.voice.slot_values import DIGITS, resolve_slot

SUNDAY = date(2026, 12, 6)  # ISO week 49

DATES = [
    ("en-US", "tomorrow", "2026-12-07"), ("en-US", "tonight", "2026-12-06"),
    ("en-US", "on friday", "2026-12-11"), ("en-US", "sunday", "2026-12-06"),
    ("en-US", "this week", "2026-W49"), ("en-US", "next week", "2026-W50"),
    ("en-US", "this weekend", "2026-W49-WE"), ("en-US", "right now", "PRESENT_REF"),
    ("en-GB", "the day after tomorrow", "2026-12-08"), ("en-US", "2026-12-24", "2026-12-24"),
    ("de-DE", "morgen", "2026-12-07"), ("de-DE", "am Freitag", "2026-12-11"),
    ("de-DE", "heute abend", "2026-12-06"), ("es-MX", "mañana", "2026-12-07"),
    ("es-ES", "el viernes", "2026-12-11"), ("fr-CA", "demain", "2026-12-07"),
    ("fr-FR", "ce soir", "2026-12-06"), ("it-IT", "domani", "2026-12-07"),
    ("nl-NL", "overmorgen", "2026-12-08"), ("pt-BR", "amanhã", "2026-12-07"),
    ("ja-JP", "明日", "2026-12-07"), ("ja-JP", "金曜日", "2026-12-11"),
    ("hi-IN", "कल", "2026-12-07"), ("ar-SA", "غدا", "2026-12-07"),
    ("ar-SA", "الجمعة", "2026-12-11"),
]


@pytest.mark.parametrize(("locale", "said", "value"), DATES, ids=[f"{d[0]}-{d[1]}" for d in DATES])
def test_dates(locale: str, said: str, value: str) -> None:
    assert resolve_slot("AMAZON.DATE", said, locale=locale, today=SUNDAY) == value


NUMBERS = [
    ("AMAZON.FOUR_DIGIT_NUMBER", "en-US", "zero four five four", "0454"),
    ("AMAZON.FOUR_DIGIT_NUMBER", "en-US", "forty seven nineteen", "4719"),
    ("AMAZON.FOUR_DIGIT_NUMBER", "en-US", "4 7 1 9", "4719"),
    ("AMAZON.FOUR_DIGIT_NUMBER", "de-DE", "null vier fünf vier", "0454"),
    ("AMAZON.FOUR_DIGIT_NUMBER", "ja-JP", "四七一九", "4719"),
    ("AMAZON.FOUR_DIGIT_NUMBER", "hi-IN", "चार सात एक नौ", "4719"),
    ("AMAZON.FOUR_DIGIT_NUMBER", "ar-SA", "أربعة سبعة واحد تسعة", "4719"),
    ("AMAZON.FOUR_DIGIT_NUMBER", "en-US", "four seven", "four seven"),
    ("AMAZON.NUMBER", "en-US", "forty two", "42"), ("AMAZON.NUMBER", "en-US", "nineteen", "19"),
    ("AMAZON.NUMBER", "en-US", "three hundred and five", "305"),
    ("AMAZON.NUMBER", "fr-FR", "sept", "7"), ("AMAZON.NUMBER", "es-US", "dos", "2"),
    ("AMAZON.TIME", "en-US", "8 pm", "20:00"), ("AMAZON.TIME", "en-US", "eight thirty am", "08:30"),
    ("AMAZON.TIME", "en-US", "noon", "12:00"), ("AMAZON.TIME", "en-US", "tonight's night", None),
    ("AMAZON.TIME", "en-US", "the evening", "EV"), ("AMAZON.TIME", "de-DE", "20 uhr", "20:00"),
    ("AMAZON.TIME", "fr-FR", "20h30", "20:30"), ("AMAZON.TIME", "en-US", "12 am", "00:00"),
    ("AMAZON.DURATION", "en-US", "ten minutes", "PT10M"),
    ("AMAZON.DURATION", "en-US", "an hour", "PT1H"),
    ("AMAZON.DURATION", "en-US", "half an hour", "PT30M"),
    ("AMAZON.DURATION", "en-US", "two days", "P2D"),
    ("AMAZON.DURATION", "de-DE", "zwei stunden", "PT2H"),
    ("AMAZON.DURATION", "it-IT", "due ore", "PT2H"),
    ("AMAZON.DURATION", "ja-JP", "10分", "PT10M"),
]


@pytest.mark.parametrize(("slot_type", "locale", "said", "value"), NUMBERS,
                         ids=[f"{n[0].split('.')[1]}-{n[1]}-{n[2]}" for n in NUMBERS])
def test_numbers_times_and_durations(slot_type: str, locale: str, said: str,
                                     value: str | None) -> None:
    # an unresolvable value goes on as said, as Alexa passes words it cannot read
    assert resolve_slot(slot_type, said, locale=locale, today=SUNDAY) == (value or said)


def test_custom_slot_types_are_left_as_said() -> None:
    assert resolve_slot("ROOM_NAME", "tomorrow", locale="en-US", today=SUNDAY) == "tomorrow"


def test_every_language_of_every_locale_has_digits() -> None:
    assert {locale.split("-")[0] for locale in LOCALES} <= DIGITS.keys()


def model(locale: str) -> dict[str, object]:
    data: dict[str, object] = json.loads((MODELS_DIR / f"{locale}.json").read_text("utf-8"))
    return data


@pytest.mark.parametrize(("text", "intent", "slots"), [
    ("what's on tomorrow", "ScheduleIntent", {"date": "2026-12-07"}),
    ("what's on tonight", "ScheduleIntent", {"date": "2026-12-06"}),
    ("what's coming up", "ScheduleIntent", {}),
    ("join room zero four five four", "JoinCodeIntent", {"code": "0454"}),
    ("join the jazz room", "JoinRoomIntent", {"room": "jazz"}),
], ids=["tomorrow", "tonight", "coming-up", "code", "custom-slot"])
def test_the_simulator_sends_resolved_values(text: str, intent: str, slots: dict[str, str]) -> None:
    heard = resolve_utterance(text, model("en-US"), locale="en-US", today=SUNDAY)
    assert (heard.intent_name, heard.slots) == (intent, slots)


@pytest.mark.parametrize(("locale", "text", "value"), [
    ("de-DE", "was läuft morgen", "2026-12-07"),
    ("fr-FR", "qu'est-ce qu'il y a ce soir", "2026-12-06"),
    ("es-ES", "qué hay esta noche", "2026-12-06"),
    ("ja-JP", "明日は何がある", "2026-12-07"),
])
def test_the_simulator_resolves_dates_in_other_locales(locale: str, text: str, value: str) -> None:
    heard = resolve_utterance(text, model(locale), locale=locale, today=SUNDAY)
    assert (heard.intent_name, heard.slots) == ("ScheduleIntent", {"date": value})
