"""Built-in slot values the way Alexa resolves them, for the offline simulator.

Alexa sends what a listener said in a built-in slot already resolved: "tomorrow" in an
``AMAZON.DATE`` slot arrives as ``2026-12-07``, "zero four five four" in an
``AMAZON.FOUR_DIGIT_NUMBER`` slot as ``0454``. ``resolve_slot`` does the same for the
date, time, number and duration types in every language the skill speaks, so what works
in ``livestage say`` works on a speaker. A value it cannot read is passed on as said,
as Alexa passes unresolvable words. Pure: the day is an argument.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

#: Words for the relative days and spans of AMAZON.DATE, per language.
DATE_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {"today": ("today",), "tonight": ("tonight", "this evening"),
           "tomorrow": ("tomorrow",), "after": ("the day after tomorrow",),
           "week": ("this week",), "next_week": ("next week",),
           "weekend": ("this weekend", "the weekend"), "now": ("now", "right now")},
    "de": {"today": ("heute",), "tonight": ("heute abend",), "tomorrow": ("morgen",),
           "after": ("übermorgen",), "week": ("diese woche",), "next_week": ("nächste woche",),
           "weekend": ("dieses wochenende", "am wochenende"), "now": ("jetzt", "gerade")},
    "es": {"today": ("hoy",), "tonight": ("esta noche",), "tomorrow": ("mañana",),
           "after": ("pasado mañana",), "week": ("esta semana",),
           "next_week": ("la próxima semana", "la semana que viene"),
           "weekend": ("este fin de semana", "el fin de semana"), "now": ("ahora",)},
    "fr": {"today": ("aujourd'hui",), "tonight": ("ce soir",), "tomorrow": ("demain",),
           "after": ("après demain",), "week": ("cette semaine",),
           "next_week": ("la semaine prochaine",), "weekend": ("ce week end",),
           "now": ("maintenant",)},
    "it": {"today": ("oggi",), "tonight": ("stasera", "stanotte"), "tomorrow": ("domani",),
           "after": ("dopodomani",), "week": ("questa settimana",),
           "next_week": ("la prossima settimana",), "weekend": ("questo fine settimana",),
           "now": ("adesso", "ora")},
    "nl": {"today": ("vandaag",), "tonight": ("vanavond",), "tomorrow": ("morgen",),
           "after": ("overmorgen",), "week": ("deze week",), "next_week": ("volgende week",),
           "weekend": ("dit weekend",), "now": ("nu",)},
    "pt": {"today": ("hoje",), "tonight": ("hoje à noite", "esta noite"),
           "tomorrow": ("amanhã",), "after": ("depois de amanhã",),
           "week": ("esta semana", "essa semana"), "next_week": ("semana que vem",),
           "weekend": ("este fim de semana",), "now": ("agora",)},
    "ja": {"today": ("今日",), "tonight": ("今夜", "今晩"), "tomorrow": ("明日",),
           "after": ("明後日",), "week": ("今週",), "next_week": ("来週",),
           "weekend": ("今週末", "週末"), "now": ("今",)},
    "hi": {"today": ("आज",), "tonight": ("आज रात",), "tomorrow": ("कल",),
           "after": ("परसों",), "week": ("इस हफ्ते",), "next_week": ("अगले हफ्ते",),
           "weekend": ("इस वीकेंड",), "now": ("अभी",)},
    "ar": {"today": ("اليوم",), "tonight": ("الليلة",), "tomorrow": ("غدا", "غداً", "بكرة"),
           "after": ("بعد غد",), "week": ("هذا الأسبوع",), "next_week": ("الأسبوع القادم",),
           "weekend": ("نهاية الأسبوع",), "now": ("الآن",)},
}

#: Weekday names, Monday first, per language.
WEEKDAYS: dict[str, tuple[str, ...]] = {
    "en": ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
    "de": ("montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag"),
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "it": ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica"),
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    "pt": ("segunda", "terça", "quarta", "quinta", "sexta", "sábado", "domingo"),
    "ja": ("月曜日", "火曜日", "水曜日", "木曜日", "金曜日", "土曜日", "日曜日"),
    "hi": ("सोमवार", "मंगलवार", "बुधवार", "गुरुवार", "शुक्रवार", "शनिवार", "रविवार"),
    "ar": ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"),
}

#: Digit words 0–9 per language (the first of each tuple is the usual one).
DIGITS: dict[str, tuple[tuple[str, ...], ...]] = {
    "en": (("zero", "oh", "o"), ("one",), ("two",), ("three",), ("four",), ("five",), ("six",),
           ("seven",), ("eight",), ("nine",)),
    "de": (("null",), ("eins", "ein"), ("zwei", "zwo"), ("drei",), ("vier",), ("fünf",),
           ("sechs",), ("sieben",), ("acht",), ("neun",)),
    "es": (("cero",), ("uno", "un"), ("dos",), ("tres",), ("cuatro",), ("cinco",), ("seis",),
           ("siete",), ("ocho",), ("nueve",)),
    "fr": (("zéro",), ("un", "une"), ("deux",), ("trois",), ("quatre",), ("cinq",), ("six",),
           ("sept",), ("huit",), ("neuf",)),
    "it": (("zero",), ("uno", "un"), ("due",), ("tre",), ("quattro",), ("cinque",), ("sei",),
           ("sette",), ("otto",), ("nove",)),
    "nl": (("nul",), ("een", "één"), ("twee",), ("drie",), ("vier",), ("vijf",), ("zes",),
           ("zeven",), ("acht",), ("negen",)),
    "pt": (("zero",), ("um", "uma"), ("dois", "duas"), ("três",), ("quatro",), ("cinco",),
           ("seis", "meia"), ("sete",), ("oito",), ("nove",)),
    "ja": (("ゼロ", "零", "〇", "れい"), ("一", "いち"), ("二", "に"), ("三", "さん"),
           ("四", "よん"), ("五", "ご"), ("六", "ろく"), ("七", "なな"), ("八", "はち"),
           ("九", "きゅう")),
    "hi": (("शून्य",), ("एक",), ("दो",), ("तीन",), ("चार",), ("पांच", "पाँच"), ("छह", "छः"),
           ("सात",), ("आठ",), ("नौ",)),
    "ar": (("صفر",), ("واحد",), ("اثنان", "اثنين"), ("ثلاثة",), ("أربعة", "اربعة"),
           ("خمسة",), ("ستة",), ("سبعة",), ("ثمانية",), ("تسعة",)),
}

#: English numbers beyond the digits, for "forty seven nineteen" and "twenty five".
EN_TEENS = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
            "seventeen", "eighteen", "nineteen")
EN_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")

#: Duration units per language → the ISO 8601 designator (time units after ``T``).
DURATION_UNITS: dict[str, dict[str, str]] = {
    "en": {"second": "S", "minute": "M", "hour": "H", "day": "D", "week": "W"},
    "de": {"sekunde": "S", "minute": "M", "stunde": "H", "tag": "D", "woche": "W"},
    "es": {"segundo": "S", "minuto": "M", "hora": "H", "día": "D", "semana": "W"},
    "fr": {"seconde": "S", "minute": "M", "heure": "H", "jour": "D", "semaine": "W"},
    "it": {"secondo": "S", "minuto": "M", "ora": "H", "ore": "H", "giorno": "D",
           "settimana": "W"},
    "nl": {"seconde": "S", "minuut": "M", "minuten": "M", "uur": "H", "dag": "D", "week": "W"},
    "pt": {"segundo": "S", "minuto": "M", "hora": "H", "dia": "D", "semana": "W"},
    "ja": {"秒": "S", "分": "M", "時間": "H", "日": "D", "週間": "W"},
    "hi": {"सेकंड": "S", "मिनट": "M", "घंटे": "H", "घंटा": "H", "दिन": "D", "हफ्ते": "W"},
    "ar": {"ثانية": "S", "دقيقة": "M", "دقائق": "M", "ساعة": "H", "ساعات": "H", "يوم": "D",
           "أيام": "D", "أسبوع": "W"},
}

#: Parts of the day AMAZON.TIME names with two letters.
TIME_PARTS = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI",
              "noon": "12:00", "midday": "12:00", "midnight": "00:00"}

#: Leading words that only introduce a date ("on Friday", "am Freitag", "le vendredi").
DATE_LEAD_WORDS = frozenset({"on", "for", "this", "coming", "am", "an", "diesen", "el", "este",
                             "le", "ce", "il", "questo", "op", "deze", "na", "no", "nesta",
                             "neste", "para", "a", "la", "de", "next"})


def language(locale: str) -> str:
    """``de-DE`` → ``de``; unknown languages read as English."""
    lang = locale.split("-", 1)[0]
    return lang if lang in DIGITS else "en"


def _clean(text: str) -> str:
    return " ".join(text.casefold().replace("-", " ").split())


def resolve_date(text: str, lang: str, today: date) -> str | None:
    """An AMAZON.DATE value: ``2026-12-07``, ``2026-W49``, ``2026-W49-WE`` or ``PRESENT_REF``."""
    said = _clean(text)
    if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?|-W\d{2}(-WE)?)?", text.strip()):
        return text.strip()
    words = said.split()
    candidates = [said] + [" ".join(words[i:]) for i in (1, 2)
                           if len(words) > i and set(words[:i]) <= DATE_LEAD_WORDS]
    table = DATE_WORDS.get(lang, DATE_WORDS["en"])

    def week(day: date, weekend: bool = False) -> str:
        year, number, _ = day.isocalendar()
        return f"{year}-W{number:02d}" + ("-WE" if weekend else "")

    spans = {"today": today.isoformat(), "tonight": today.isoformat(),
             "tomorrow": (today + timedelta(days=1)).isoformat(),
             "after": (today + timedelta(days=2)).isoformat(), "week": week(today),
             "next_week": week(today + timedelta(days=7)), "weekend": week(today, True),
             "now": "PRESENT_REF"}
    for candidate in candidates:
        for key, phrases in table.items():
            if candidate in phrases:
                return spans[key]
        for index, name in enumerate(WEEKDAYS.get(lang, WEEKDAYS["en"])):
            if candidate in (name, name + "s") or candidate.startswith(name + " "):
                ahead = (index - today.weekday()) % 7
                return (today + timedelta(days=ahead)).isoformat()
    return None


def _digit(word: str, lang: str) -> int | None:
    if word.isdigit() and len(word) == 1:
        return int(word)
    for value, names in enumerate(DIGITS[lang]):
        if word in names:
            return value
    return None


def number_groups(text: str, lang: str) -> list[str] | None:
    """The numbers said, in order, each as digits ("forty seven nineteen" → 47, 19)."""
    said = _clean(text)
    if lang == "ja" and " " not in said:
        said = " ".join(said)  # Japanese digits come without spaces
    groups: list[str] = []
    words = said.split()
    index = 0
    while index < len(words):
        word = words[index]
        if word.isdigit():
            groups.append(word)
        elif lang == "en" and word in EN_TEENS:
            groups.append(str(10 + EN_TEENS.index(word)))
        elif lang == "en" and word in EN_TENS[2:]:
            tens = 10 * EN_TENS.index(word)
            unit = _digit(words[index + 1], lang) if index + 1 < len(words) else None
            if unit:
                index += 1
            groups.append(str(tens + (unit or 0)))
        elif lang == "en" and word == "hundred" and groups:
            groups[-1] = str(int(groups[-1]) * 100)
        elif lang == "en" and word == "and":
            pass
        elif (digit := _digit(word, lang)) is not None:
            groups.append(str(digit))
        else:
            return None
        index += 1
    return groups or None


def resolve_number(text: str, lang: str) -> str | None:
    """An AMAZON.NUMBER value: "forty two" → ``42``, "four seven" → ``47``."""
    groups = number_groups(text, lang)
    if groups is None:
        return None
    if len(groups) == 2 and len(groups[1]) == 1 and groups[0].endswith("00"):
        return str(int(groups[0]) + int(groups[1]))
    return "".join(groups)


def resolve_four_digits(text: str, lang: str) -> str | None:
    """An AMAZON.FOUR_DIGIT_NUMBER value: "zero four five four" → ``0454``."""
    groups = number_groups(text, lang)
    joined = "".join(groups) if groups else ""
    return joined if re.fullmatch(r"\d{4}", joined) else None


def resolve_time(text: str, lang: str) -> str | None:
    """An AMAZON.TIME value: ``20:00``, ``08:30``, or ``MO``/``AF``/``EV``/``NI``."""
    said = _clean(text).replace(".", "")
    for word, value in TIME_PARTS.items():
        if said in (word, f"the {word}", f"this {word}", f"at {word}", f"in the {word}"):
            return value
    said = re.sub(r"^(at|um|a las|à|alle|om|às)\s+", "", said)
    found = re.fullmatch(r"(\d{1,2})(?:[:h ](\d{2}))?\s*(am|pm|uhr|h)?", said)
    if found is None:
        words = said.split()
        ampm = words[-1] if words and words[-1] in ("am", "pm") else None
        groups = number_groups(" ".join(words[:-1] if ampm else words), lang)
        if not groups or len(groups) > 2:
            return None
        hour, minute = int(groups[0]), int(groups[1]) if len(groups) == 2 else 0
    else:
        hour, minute, ampm = int(found[1]), int(found[2] or 0), found[3]
    if ampm == "pm" and hour < 12:
        hour += 12
    if ampm == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


def resolve_duration(text: str, lang: str) -> str | None:
    """An AMAZON.DURATION value: "ten minutes" → ``PT10M``, "two days" → ``P2D``."""
    said = _clean(text)
    if said in ("half an hour", "a half hour", "eine halbe stunde", "media hora",
                "une demi heure", "mezz'ora", "een half uur", "meia hora"):
        return "PT30M"
    units = DURATION_UNITS.get(lang, DURATION_UNITS["en"])
    for name, designator in sorted(units.items(), key=lambda item: -len(item[0])):
        found = re.fullmatch(rf"(.*?)\s*{re.escape(name)}(e|en|es|n|s|i|a)?", said)
        if found is None:
            continue
        amount_text = found[1].strip()
        if amount_text in ("", "a", "an", "one", "ein", "eine", "einen", "un", "une", "uno",
                           "una", "um", "uma", "een"):
            amount = "1"
        else:
            amount = resolve_number(amount_text, lang) or ""
        if not amount.isdigit():
            return None
        time_part = designator in "HMS"
        return f"P{'T' if time_part else ''}{int(amount)}{designator}"
    return None


def resolve_slot(slot_type: str, text: str, *, locale: str, today: date) -> str:
    """What Alexa would send for ``text`` said in a slot of ``slot_type`` (unresolved: as said)."""
    lang = language(locale)
    resolved: str | None = None
    if slot_type == "AMAZON.DATE":
        resolved = resolve_date(text, lang, today)
    elif slot_type == "AMAZON.TIME":
        resolved = resolve_time(text, lang)
    elif slot_type == "AMAZON.NUMBER":
        resolved = resolve_number(text, lang)
    elif slot_type == "AMAZON.FOUR_DIGIT_NUMBER":
        resolved = resolve_four_digits(text, lang)
    elif slot_type == "AMAZON.DURATION":
        resolved = resolve_duration(text, lang)
    return resolved if resolved is not None else text
