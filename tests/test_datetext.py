"""Days of the week named in an article's lead, across languages and scripts."""

from __future__ import annotations

from datetime import date

import pytest

from briefer.datetext import lead_date, lead_weekday, weekdays
from briefer.types import Article

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def lead(title: str, body: str = "Body.") -> int | None:
    return lead_weekday(Article(id="a", title=title, body=body, language="xx", path="a.txt"))


@pytest.mark.parametrize(("text", "day"), [
    ("The rocket exploded on Thursday morning", THU),
    ("La fusée a explosé ce jeudi au Texas", THU),
    ("El cohete explotó la madrugada del jueves", THU),
    ("Il razzo è esploso sabato", SAT),
    ("Die EZB senkte am Donnerstag die Zinsen", THU),
    ("O Real Madrid venceu no sábado", SAT),
    ("Menteri bertemu di Teheran, Selasa (19/7)", TUE),
    ("Министр прибыл в Москву в среду", WED),
    ("وزیر روز سه‌شنبه وارد مسکو شد", TUE),
    ("وزیر روز یکشنبه وارد مسکو شد", SUN),  # not the شنبه (Saturday) inside یکشنبه
    ("وزیر روز شنبه وارد مسکو شد", SAT),
    ("وصل الوزير يوم الخميس إلى موسكو", THU),
    ("Frankfurt, 5 June 2025 (dpa) - The bank cut rates", THU),  # a full date gives the day
    ("Wembley, Minggu (2/6/2024) dini hari", SUN),
    ("Posted 2023-04-20", THU),
    ("June 5, 2025: rates cut", THU),
    ("۱۴۰۴ rates: 2025-06-05", THU),
])
def test_weekday_named_in_the_lead(text: str, day: int) -> None:
    assert lead(text) == day


@pytest.mark.parametrize("text", [
    "Rapat digelar minggu lalu di Jakarta",  # Indonesian "minggu" (lower case) is "week"
    "The Mayday parade and the Sundayers band",  # names inside longer words
    "Rates were cut on 31/02/2024",  # no such day
    "No day is named here",
])
def test_no_weekday(text: str) -> None:
    assert lead(text) is None


def test_the_first_day_named_wins_and_only_the_lead_counts() -> None:
    assert lead("On Saturday the second flight flew", "It did better than on Thursday.") == SAT
    body = "First paragraph.\n\nSecond paragraph.\n\nOn Monday the first flight had failed."
    assert lead("A flight", body) is None  # the third paragraph is background


def test_every_day_a_text_names_in_any_language() -> None:
    assert weekdays("Launched on Thursday, it exploded on Friday.") == {3, 4}
    assert weekdays("La fusée a décollé ce jeudi.") == {3}
    assert weekdays("روز یکشنبه") == {6}  # not also شنبه, Saturday, inside it
    assert weekdays("Pertemuan pada hari Selasa (19/7).") == {1}
    assert weekdays("No day here, only 19 July 2022.") == frozenset()


@pytest.mark.parametrize(("title", "body", "expected"), [
    # the dateline parser's month names in every language it reads, and its numeric dates
    ("Землетрясение в Ване", "ВАН, 15 августа 2016 – Толчки ощутили жители.", date(2016, 8, 15)),
    ("Van'da deprem", "Van, 3 Ekim 2022 - Deprem korkuttu.", date(2022, 10, 3)),
    ("Gempa Palu", "Palu, Senin (21/11/2022) - Gempa mengguncang.", date(2022, 11, 21)),
    # the second paragraph is still the lead, however long the first
    ("Rocket explodes", "x " * 200 + "\n\nThe launch on 20 April 2023 failed.", date(2023, 4, 20)),
    # a year alone, or a day and month without one, is no date
    ("Final in 2024", "The final is on 1 June at Wembley.", None),
])
def test_lead_date_reads_the_lead_with_the_dateline_parser(title, body, expected):
    article = Article(id="a", title=title, body=body, language="xx", path="a.txt")
    assert lead_date(article) == expected
