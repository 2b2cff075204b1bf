"""Dates and times in speech: AMAZON.DATE values to time ranges, start times to words.

Pure functions over values: the clock (``now``) and the time zone are arguments.

AMAZON.DATE resolves what was said to ``2026-11-21`` (a day), ``2026-W47`` (a week),
``2026-W47-WE`` (a weekend), ``2026-11`` (a month), ``2026`` (a year) or ``PRESENT_REF``
(now). "Tonight" arrives as today's date, and today lasts until 6 the next morning, so a
late set still counts. No date at all ("what's coming up") means the coming week: from now
until 6 in the morning seven days on.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from skill.core.speech import Speech

#: "Tonight" lasts until this hour of the next morning.
NIGHT_ENDS_HOUR = 6
#: "What's coming up" with no date looks this many nights ahead.
COMING_NIGHTS = 7
#: An evening starts at this hour: a show today after it is "tonight".
EVENING_HOUR = 17


def zone(name: str) -> ZoneInfo:
    """The time zone ``name``, or UTC when unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _start_of(day: date, tz: ZoneInfo) -> float:
    return datetime.combine(day, time(0), tz).timestamp()


def _morning_of(day: date, tz: ZoneInfo) -> float:
    return datetime.combine(day, time(NIGHT_ENDS_HOUR), tz).timestamp()


def date_range(value: str | None, now: float, tz_name: str = "UTC") -> tuple[float, float] | None:
    """``[start, end)`` in epoch seconds for an AMAZON.DATE value; None when not understood.

    Ranges never start before ``now``: "what's on today" means what is still to come.
    """
    tz = zone(tz_name)
    local_now = datetime.fromtimestamp(now, tz)
    if not value:
        last = local_now.date() + timedelta(days=COMING_NIGHTS)
        return now, _morning_of(last, tz)
    if value == "PRESENT_REF":
        return now, now + 3 * 3600
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value):
        day = date(int(m[1]), int(m[2]), int(m[3]))
        start, end = _start_of(day, tz), _morning_of(day + timedelta(days=1), tz)
    elif m := re.fullmatch(r"(\d{4})-W(\d{1,2})(-WE)?", value):
        monday = date.fromisocalendar(int(m[1]), int(m[2]), 1)
        first = monday + timedelta(days=5) if m[3] else monday
        start, end = _start_of(first, tz), _start_of(monday + timedelta(days=7), tz)
    elif m := re.fullmatch(r"(\d{4})-(\d{2})", value):
        year, month = int(m[1]), int(m[2])
        nxt = date(year + month // 12, month % 12 + 1, 1)
        start, end = _start_of(date(year, month, 1), tz), _start_of(nxt, tz)
    elif m := re.fullmatch(r"(\d{4})", value):
        year = int(m[1])
        start, end = _start_of(date(year, 1, 1), tz), _start_of(date(year + 1, 1, 1), tz)
    else:
        return None
    if end <= now:
        return None
    return max(start, now), end


def spoken_time(when: float, now: float, speech: Speech, tz_name: str = "UTC") -> str:
    """"tonight at 8 PM", "tomorrow at 9:30 AM", "on Friday at 8 PM", "on 3 December at 8 PM"."""
    tz = zone(tz_name)
    moment = datetime.fromtimestamp(when, tz)
    today = datetime.fromtimestamp(now, tz).date()
    key = "clock_hour" if moment.minute == 0 else "clock"
    clock = speech.template(key).format(
        h12=moment.hour % 12 or 12, h24=moment.hour, mm=f"{moment.minute:02d}",
        ampm=speech.template("am" if moment.hour < 12 else "pm"),
    )
    days = (moment.date() - today).days
    if days == 0:
        key = "when_tonight" if moment.hour >= EVENING_HOUR else "when_today"
        return speech.template(key).format(clock=clock)
    if days == 1:
        return speech.template("when_tomorrow").format(clock=clock)
    if 1 < days < 7:
        weekday = speech.template("weekdays").split(",")[moment.weekday()]
        return speech.template("when_weekday").format(weekday=weekday, clock=clock)
    month = speech.template("months").split(",")[moment.month - 1]
    return speech.template("when_date").format(day=moment.day, month=month, clock=clock)
