"""Dates written in an article's text, as a same-event signal for grouping.

Many scraped articles carry no publication date, but news style names the day of the event in
the lead: "on Thursday", "ce jeudi", "la madrugada del jueves", "Selasa (19/7)", "5 June
2025". Two reports of one event name the same day; two launches of one rocket, seven months
apart, rarely do. Only the lead is read (headline and first paragraphs), where the event's own
day is named; later paragraphs name the background's days.
"""

from __future__ import annotations

import re
from datetime import date

from .types import Article

LEAD_PARAGRAPHS = 2

# Monday = 0 … Sunday = 6, as ``date.weekday``. Lower-case names are matched case-insensitively;
# capitalised ones only as written (Indonesian "minggu" is also "week", Turkish "pazar" "market").
_WEEKDAY_NAMES: dict[int, tuple[str, ...]] = {
    0: ("monday", "lundi", "lunes", "lunedì", "lunedi", "montag", "segunda-feira", "Senin",
        "maandag", "понедельник", "Pazartesi", "الاثنين", "الإثنين", "دوشنبه"),
    1: ("tuesday", "mardi", "martes", "martedì", "martedi", "dienstag", "terça-feira", "Selasa",
        "dinsdag", "вторник", "Salı", "الثلاثاء", "سه‌شنبه", "سه شنبه", "سهشنبه"),
    2: ("wednesday", "mercredi", "miércoles", "miercoles", "mercoledì", "mercoledi", "mittwoch",
        "quarta-feira", "Rabu", "woensdag", "среду", "среда", "Çarşamba", "الأربعاء",
        "الاربعاء", "چهارشنبه"),
    3: ("thursday", "jeudi", "jueves", "giovedì", "giovedi", "donnerstag", "quinta-feira",
        "Kamis", "donderdag", "четверг", "Perşembe", "الخميس", "پنجشنبه", "پنج‌شنبه",
        "پنج شنبه"),
    4: ("friday", "vendredi", "viernes", "venerdì", "venerdi", "freitag", "sexta-feira",
        "Jumat", "Jum'at", "vrijdag", "пятницу", "пятница", "Cuma", "الجمعة", "جمعه"),
    5: ("saturday", "samedi", "sábado", "sabato", "samstag", "sonnabend", "Sabtu", "zaterdag",
        "субботу", "суббота", "Cumartesi", "السبت", "شنبه"),
    6: ("sunday", "dimanche", "domingo", "domenica", "sonntag", "Minggu", "zondag",
        "воскресенье", "Pazar", "الأحد", "الاحد", "یکشنبه", "یک‌شنبه"),
}

_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("january", "janvier", "enero", "gennaio", "januar", "janeiro", "januari", "jan"),
    2: ("february", "février", "fevrier", "febrero", "febbraio", "februar", "fevereiro",
        "februari", "feb"),
    3: ("march", "mars", "marzo", "märz", "março", "maret", "maart", "mar"),
    4: ("april", "avril", "abril", "aprile", "apr"),
    5: ("may", "mai", "mayo", "maggio", "maio", "mei"),
    6: ("june", "juin", "junio", "giugno", "juni", "junho", "jun"),
    7: ("july", "juillet", "julio", "luglio", "juli", "julho", "jul"),
    8: ("august", "août", "aout", "agosto", "agustus", "augustus", "aug"),
    9: ("september", "septembre", "septiembre", "settembre", "setembro", "sept", "sep"),
    10: ("october", "octobre", "octubre", "ottobre", "oktober", "outubro", "oct", "okt"),
    11: ("november", "novembre", "noviembre", "novembro", "nopember", "nov"),
    12: ("december", "décembre", "decembre", "diciembre", "dicembre", "dezember", "dezembro",
         "desember", "dec", "dez", "des"),
}

_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


def _alternation(names: dict[int, tuple[str, ...]], group: str) -> str:
    parts = []
    for key, words in names.items():
        longest_first = sorted(words, key=len, reverse=True)
        folded = "|".join(re.escape(w) for w in longest_first if not w[0].isupper())
        exact = "|".join(re.escape(w) for w in longest_first if w[0].isupper())
        if folded:
            parts.append(f"(?P<{group}{key}>(?i:{folded}))")
        if exact:
            parts.append(f"(?P<{group}{key}c>{exact})")
    return "|".join(parts)


# Whole words only: \w would let شنبه match inside یکشنبه, so the boundaries also refuse a
# zero-width non-joiner next to the name.
_WEEKDAY = re.compile(rf"(?<![\w\u200c-])(?:{_alternation(_WEEKDAY_NAMES, 'w')})(?![\w\u200c])")
_MONTH = _alternation(_MONTH_NAMES, "m")
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_FULL_DATE = re.compile(
    r"(?<!\d)(?:"
    rf"(?P<iy>(?:19|20)\d\d)-(?P<im>\d\d)-(?P<id>\d\d)"  # 2025-06-05
    rf"|(?P<nd>\d{{1,2}})[/.](?P<nm>\d{{1,2}})[/.](?P<ny>(?:19|20)\d\d)"  # 2/6/2024, 05.06.2025
    rf"|(?P<dd>\d{{1,2}})(?:\.|º|er)?\s+(?:de\s+)?(?:{_MONTH})\.?,?\s+(?:de\s+)?{_YEAR}"
    rf"|(?:{_MONTH.replace('?P<m', '?P<n')})\.?\s+(?P<md>\d{{1,2}})(?:st|nd|rd|th)?,?\s+"
    rf"(?P<my>(?:19|20)\d\d)"
    r")(?!\d)"
)


def _month_of(match: re.Match[str], prefix: str) -> int | None:
    for name, value in match.groupdict().items():
        if value and name.startswith(prefix) and name[len(prefix):].rstrip("c").isdigit():
            return int(name[len(prefix):].rstrip("c"))
    return None


def _full_date(match: re.Match[str]) -> date | None:
    g = match.groupdict()
    try:
        if g["iy"]:
            return date(int(g["iy"]), int(g["im"]), int(g["id"]))
        if g["ny"]:
            return date(int(g["ny"]), int(g["nm"]), int(g["nd"]))
        if g["dd"]:
            month = _month_of(match, "m")
            return date(int(g["year"]), month, int(g["dd"])) if month else None
        if g["my"]:
            month = _month_of(match, "n")
            return date(int(g["my"]), month, int(g["md"])) if month else None
    except ValueError:  # 31/02/2024, or day and month the other way round
        return None
    return None


def weekdays(text: str) -> frozenset[int]:
    """Every day of the week the text names (0 = Monday), in any of the languages above."""
    found = (_month_of(m, "w") for m in _WEEKDAY.finditer(text))
    return frozenset(day for day in found if day is not None)


def lead_weekday(article: Article) -> int | None:
    """The day of the week the lead names first (0 = Monday), from a weekday name or a full
    date; None when the lead names neither."""
    lead = article.title + "\n" + "\n".join(article.paragraphs[:LEAD_PARAGRAPHS])
    lead = lead.translate(_DIGITS)
    found: list[tuple[int, int]] = []
    if (m := _WEEKDAY.search(lead)) is not None:
        day = _month_of(m, "w")
        if day is not None:
            found.append((m.start(), day))
    for m in _FULL_DATE.finditer(lead):
        if (d := _full_date(m)) is not None:
            found.append((m.start(), d.weekday()))
            break
    return min(found)[1] if found else None


def lead_date(article: Article) -> date | None:
    """The first full date (day, month and year) the headline or lead names, else None.

    In a dateline or the first lines ("Senin (21/11/2022)", "5 June 2025", "(13/11/2018)")
    such a date is the event's own day far more often than background. Year-only mentions are
    not used: in our labelled leads they name the background ("ties broken off in 2018", "a
    moratorium to 2030", "since 2019") far more often than the event's year.
    """
    lead = (article.title + "\n" + "\n".join(article.paragraphs[:LEAD_PARAGRAPHS]))
    for m in _FULL_DATE.finditer(lead.translate(_DIGITS)):
        if (d := _full_date(m)) is not None:
            return d
    return None


def event_day(article: Article) -> tuple[int | None, str]:
    """The article's day as evidence for grouping: (date ordinal, where it came from).

    The publication date when known ("published"), else a full date its lead names
    ("text"), else (None, "").
    """
    if article.published:
        try:
            return date.fromisoformat(article.published[:10]).toordinal(), "published"
        except ValueError:
            pass
    found = lead_date(article)
    return (found.toordinal(), "text") if found is not None else (None, "")
