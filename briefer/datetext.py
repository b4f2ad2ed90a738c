"""Dates written in an article's text, as a same-event signal for grouping.

Many scraped articles carry no publication date, but news style names the day of the event in
the lead: "on Thursday", "ce jeudi", "la madrugada del jueves", "Selasa (19/7)", "5 June
2025". Two reports of one event name the same day; two launches of one rocket, seven months
apart, rarely do. Only the lead is read (headline and first paragraphs), where the event's own
day is named; later paragraphs name the background's days.
"""

from __future__ import annotations

import re
from datetime import date, datetime

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


# --- dates written out: feed dates in any language, and the date of a text's dateline --------

# Month names and abbreviations as feeds and datelines write them (nominative and genitive,
# with and without accents), wider than _MONTH_NAMES: only read where a day and a year stand
# beside the name, so "set" or "out" cannot be taken for a month in running text.
_MONTHS_WIDE: dict[int, tuple[str, ...]] = {
    1: ("janv", "ene", "gen", "genn", "jänner", "jän", "januar", "janeiro", "enero", "gennaio",
        "janvier", "january", "januari", "jan", "ocak", "января", "январь", "янв", "ιαν",
        "sty", "stycznia", "leden", "ledna", "tammikuuta", "janvāris", "janvārī"),
    2: ("févr", "fevr", "fév", "fev", "feb", "febr", "february", "février", "fevrier", "febrero",
        "febbraio", "februar", "fevereiro", "februari", "şubat", "subat", "февраля", "февраль",
        "фев", "lut", "lutego", "února", "helmikuuta", "februāris", "februārī"),
    3: ("mar", "mär", "mrz", "märz", "march", "mars", "marzo", "março", "marco", "maret",
        "maart", "mart", "марта", "март", "мар", "marca", "března", "maaliskuuta", "martā"),
    4: ("apr", "avr", "abr", "april", "avril", "abril", "aprile", "nisan", "апреля", "апрель",
        "kwi", "kwietnia", "dubna", "huhtikuuta", "aprīlī", "aprīlis"),
    5: ("may", "mai", "mayo", "maggio", "maio", "mei", "mag", "mayıs", "mayis", "мая", "май",
        "maj", "maja", "května", "toukokuuta", "maijā", "maijs"),
    6: ("jun", "juin", "june", "junio", "giugno", "juni", "junho", "giu", "haziran", "июня",
        "июнь", "июн", "cze", "czerwca", "června", "kesäkuuta", "jūnijā", "jūnijs"),
    7: ("jul", "juil", "july", "juillet", "julio", "luglio", "juli", "julho", "lug",
        "temmuz", "июля", "июль", "июл", "lip", "lipca", "července", "heinäkuuta", "jūlijā",
        "jūlijs"),
    8: ("aug", "ago", "août", "aout", "august", "agosto", "agustus", "augustus", "ağustos",
        "agu", "agt", "августа", "август", "авг", "sie", "sierpnia", "srpna", "elokuuta",
        "augustā", "augusts"),
    9: ("sep", "sept", "set", "september", "septembre", "septiembre", "settembre", "setembro",
        "eylül", "eylul", "сентября", "сентябрь", "сен", "wrz", "września", "září",
        "syyskuuta", "septembrī", "septembris"),
    10: ("oct", "okt", "out", "ott", "october", "octobre", "octubre", "ottobre", "oktober",
         "outubro", "ekim", "октября", "октябрь", "окт", "paź", "października", "října",
         "lokakuuta", "oktobrī", "oktobris"),
    11: ("nov", "nop", "november", "novembre", "noviembre", "novembro", "nopember", "kasım",
         "kasim", "ноября", "ноябрь", "ноя", "lis", "listopada", "listopadu", "marraskuuta",
         "novembrī", "novembris"),
    12: ("dec", "dez", "dic", "déc", "des", "december", "décembre", "decembre", "diciembre",
         "dicembre", "dezember", "dezembro", "desember", "aralık", "aralik", "декабря",
         "декабрь", "дек", "gru", "grudnia", "prosince", "joulukuuta", "decembrī",
         "decembris"),
}
_MONTH_KEY = {w: n for n, words in _MONTHS_WIDE.items() for w in words}
_MONTH_WORD = "|".join(sorted((re.escape(w) for w in _MONTH_KEY), key=len, reverse=True))
_ZONES = {"gmt": 0, "ut": 0, "utc": 0, "z": 0, "est": -5, "edt": -4, "cst": -6, "cdt": -5,
          "mst": -7, "mdt": -6, "pst": -8, "pdt": -7, "cet": 1, "cest": 2, "bst": 1,
          "ist": 5.5, "jst": 9, "kst": 9, "msk": 3, "aest": 10, "aedt": 11, "brt": -3}
_TIME = r"(?P<hh>\d{1,2})[:h.](?P<mi>\d\d)(?::(?P<ss>\d\d))?(?:\s*(?P<ampm>[ap]\.?m\.?))?"
_ZONE = r"(?P<zone>[+-]\d\d:?\d\d|[A-Za-z]{1,5}(?![\w]))"
# "24 Set 2018 19:42:40 -0300", "26, Abril, 2022", "15 августа 2016, 13:43", "5. Mai 2020"
_DAY_MONTH_YEAR = re.compile(
    rf"(?<![\w])(?P<d>\d{{1,2}})(?:\.|º|er|st|nd|rd|th)?,?\s+(?:de\s+)?(?P<mon>{_MONTH_WORD})"
    rf"\.?,?\s+(?:de\s+)?(?P<y>(?:19|20)\d\d)(?!\d)(?:,?\s*(?:à|a las|um|at|в|às|-)?\s*{_TIME})?"
    rf"(?:\s*{_ZONE})?", re.I)
# "March 13, 2015 9:00PM", "Fri Mar 13 21:30:09 EST 2015"
_MONTH_DAY_YEAR = re.compile(
    rf"(?<![\w])(?P<mon>{_MONTH_WORD})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+"
    rf"(?:(?P<y>(?:19|20)\d\d)(?!\d)(?:,?\s*(?:at\s+)?{_TIME})?(?:\s*{_ZONE})?"
    rf"|{_TIME.replace('?P<', '?P<c')}\s+(?P<czone>[A-Za-z]{{2,5}}\s+)?(?P<cy>(?:19|20)\d\d))",
    re.I)
# "24.09.2018 19:42", "21/11/2022", "2016年10月14日07:17", "2017-03-10 08:42:00"
_NUMERIC = re.compile(
    r"(?<![\d/.-])(?:(?P<iy>(?:19|20)\d\d)[-/.](?P<im>\d{1,2})[-/.](?P<id>\d{1,2})(?!\d)"
    r"|(?P<cy>(?:19|20)\d\d)\s*年\s*(?P<cm>\d{1,2})\s*月\s*(?P<cd>\d{1,2})\s*日"
    r"|(?P<nd>\d{1,2})[./](?P<nm>\d{1,2})[./](?P<ny>(?:19|20)\d\d)(?!\d))"
    rf"(?:[T\s,]*(?:-\s*)?{_TIME})?", re.I)


def _offset(zone: str | None) -> str:
    if not zone:
        return ""
    zone = zone.strip()
    if re.fullmatch(r"[+-]\d\d:?\d\d", zone):
        return zone[:3] + ":" + zone[-2:]
    hours = _ZONES.get(zone.lower())
    if hours is None:
        return ""
    sign = "-" if hours < 0 else "+"
    minutes = int(abs(hours) * 60)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _assemble(y: str, mo: int, d: str, g: dict[str, str | None], prefix: str = "",
              zone: str | None = None) -> str | None:
    try:
        day = date(int(y), mo, int(d))
    except ValueError:
        return None
    hh, mi = g.get(prefix + "hh"), g.get(prefix + "mi")
    if hh is None or mi is None:
        return day.isoformat()
    hour = int(hh)
    ampm = (g.get(prefix + "ampm") or "").replace(".", "").lower()
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    if hour > 23 or int(mi) > 59:
        return day.isoformat()
    return f"{day.isoformat()}T{hour:02d}:{int(mi):02d}:{int(g.get(prefix + 'ss') or 0):02d}" \
        + _offset(zone)


def _date_in(text: str, numeric_first: bool = False) -> tuple[int, str] | None:
    """The first written date in ``text``: (position, ISO date or datetime)."""
    text = text.translate(_DIGITS)
    found: list[tuple[int, str]] = []
    for m in _DAY_MONTH_YEAR.finditer(text):
        iso = _assemble(m["y"], _MONTH_KEY[m["mon"].lower()], m["d"], m.groupdict(),
                        zone=m["zone"])
        if iso:
            found.append((m.start(), iso))
            break
    for m in _MONTH_DAY_YEAR.finditer(text):
        g = m.groupdict()
        mon = _MONTH_KEY[m["mon"].lower()]
        iso = (_assemble(g["y"], mon, g["d"], g, zone=g["zone"]) if g["y"]
               else _assemble(g["cy"], mon, g["d"], g, prefix="c", zone=g["czone"]))
        if iso:
            found.append((m.start(), iso))
            break
    for m in _NUMERIC.finditer(text):
        g = m.groupdict()
        if g["iy"]:
            iso = _assemble(g["iy"], int(g["im"]), g["id"], g)
        elif g["cy"]:
            iso = _assemble(g["cy"], int(g["cm"]), g["cd"], g)
        else:
            day, month = int(g["nd"]), int(g["nm"])
            if month > 12 >= day:  # 3/25/2020: month first
                day, month = month, day
            iso = _assemble(g["ny"], month, str(day), g)
        if iso:
            found.append((m.start(), iso))
            break
    return min(found) if found else None


def parse_date(value: str | None) -> str | None:
    """An ISO-8601 date or datetime from a date as a feed or page writes it, in any of the
    languages above: "Seg, 24 Set 2018 19:42:40 -0300" -> "2018-09-24T19:42:40-03:00".

    The offset the value states is kept (a feed's day is the day in its own time zone); a
    value with a time and no zone gives a naive datetime. None when no full date is found.
    """
    if not value or not value.strip():
        return None
    value = value.strip()
    try:  # ISO-8601 as it is
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return when.isoformat(timespec="seconds") if ("T" in value or " " in value) \
            else when.date().isoformat()
    except ValueError:
        pass
    found = _date_in(value)
    return found[1] if found else None


def dates_in(text: str, limit: int = 5) -> list[tuple[int, str]]:
    """The written dates of ``text`` in order, at most ``limit``: (position, ISO date or
    datetime), the way :func:`parse_date` reads each."""
    found: list[tuple[int, str]] = []
    start = 0
    while len(found) < limit and start < len(text):
        # the text before ``start`` masked with digits, so no date starts inside the last one
        hit = _date_in("0" * start + text[start:])
        if hit is None:
            break
        found.append(hit)
        start = hit[0] + 1
    return found


# How far into a text its dateline or opening date may sit.
TEXT_DATE_LINES = 3
TEXT_DATE_CHARS = 300


def text_date(text: str, title: str | None = None) -> str | None:
    """The date a text states for itself, from its dateline or first lines: "Jakarta, Senin
    (21/11/2022)", "(13/11/2018)", "Frankfurt, 5. Mai 2020 (dpa)", "2016年10月14日".

    Only the first few lines (at most ``TEXT_DATE_CHARS`` characters) are read: later
    paragraphs name the background's dates, not the report's. ISO date (or datetime when a
    time stands beside it); None when the opening names no full date.
    """
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    lead = "\n".join(([title] if title else []) + lines[:TEXT_DATE_LINES])[:TEXT_DATE_CHARS]
    found = _date_in(lead)
    return found[1] if found else None


def article_date(article: Article) -> str | None:
    """:func:`text_date` of an article: its dateline or lead paragraphs."""
    return text_date("\n".join(article.paragraphs[:TEXT_DATE_LINES]), article.title)


_MONTH_NAME_RE = re.compile(rf"(?:{_MONTH})\.?", re.I)


def is_month_name(word: str) -> bool:
    """True when ``word`` is a month's name (or its abbreviation) in one of the languages above."""
    return bool(_MONTH_NAME_RE.fullmatch(word.strip(".,;:")))


# casefolded name -> month, every name and abbreviation of the table, and the full names
# only (not "Jan"): read for every word of every sentence that quantities parses, so
# lookups, not scans of the table
MONTH_BY_ANY_NAME: dict[str, int] = {n.casefold(): m for m, names in _MONTH_NAMES.items()
                                     for n in names}  # fmt: skip
MONTH_BY_NAME: dict[str, int] = {
    n: m for n, m in MONTH_BY_ANY_NAME.items() if len(n) > 3 or n in ("may", "mai", "mei")
}


def is_full_month_name(word: str) -> bool:
    """True when ``word`` is a month's full name (not an abbreviation such as "Jan")."""
    return word.casefold() in MONTH_BY_NAME


def lead_date(article: Article) -> date | None:
    """The first full date (day, month and year) the headline or lead names, else None.

    In a dateline or the first lines ("Senin (21/11/2022)", "5 June 2025", "(13/11/2018)")
    such a date is the event's own day far more often than background. Year-only mentions are
    not used: in our labelled leads they name the background ("ties broken off in 2018", "a
    moratorium to 2030", "since 2019") far more often than the event's year.
    """
    lead = (article.title + "\n" + "\n".join(article.paragraphs[:LEAD_PARAGRAPHS]))
    found = _date_in(lead)  # the dateline parser of ``text_date``, over the whole lead
    return date.fromisoformat(found[1][:10]) if found else None


def event_day(article: Article) -> tuple[int | None, str]:
    """The article's day as evidence for grouping: (date ordinal, where it came from).

    The publication date when known ("published"; "text" when ingest read it from the
    text's dateline), else a full date its lead names ("text"), else (None, "").
    """
    if article.published:
        try:
            source = "text" if article.published_from == "text" else "published"
            return date.fromisoformat(article.published[:10]).toordinal(), source
        except ValueError:
            pass
    found = lead_date(article)
    return (found.toordinal(), "text") if found is not None else (None, "")
