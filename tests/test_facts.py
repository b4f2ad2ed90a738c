"""Facts that hold: sentences cut where they end, figures compared as values, copies counted
once, furniture never a fact. Cases are ours (tests/data/facts/, written for briefer)."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import pytest

from briefer.attribute import independent_origins
from briefer.ingest import ingest
from briefer.quantities import compatible, conflicts, parse_quantities
from briefer.text import cut_lead_furniture, fact_sentences, is_furniture, split_sentences
from briefer.types import Article

DATA = Path(__file__).parent / "data"


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / "facts" / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


SEGMENTATION = _rows("segmentation.tsv")
PAIRS = _rows("pairs.tsv")


def test_the_tables_cover_ten_languages():
    assert len({r["language"] for r in SEGMENTATION}) >= 10
    assert len({r["lang_a"] for r in PAIRS} | {r["lang_b"] for r in PAIRS}) >= 10


@pytest.mark.parametrize("row", SEGMENTATION, ids=lambda r: f"{r['language']}:{r['text'][:24]}")
def test_sentences_are_cut_where_they_end(row):
    assert split_sentences(row["text"], row["language"]) == row["sentences"].split(" || ")


@pytest.mark.parametrize("row", PAIRS, ids=lambda r: f"{r['label']}:{r['sentence_a'][:24]}")
def test_pairs_conflict_only_when_values_differ(row):
    a = parse_quantities(row["sentence_a"], row["lang_a"])
    b = parse_quantities(row["sentence_b"], row["lang_b"])
    assert bool(conflicts(a, b)) == (row["label"] == "conflict")


def _one(text: str, lang: str):
    (q,) = parse_quantities(text, lang)
    return q


@pytest.mark.parametrize(("text", "lang", "value", "kind", "unit"), [
    ("13.538.179 Einwohner", "de", 13538179, "count", None),
    ("13 538 179 habitants", "fr", 13538179, "count", None),
    ("13,538,179 residents", "en", 13538179, "count", None),
    ("4.200 millones de euros", "es", 4.2e9, "money", "EUR"),
    ("4,2 mil millones de euros", "es", 4.2e9, "money", "EUR"),
    ("Rp2,7 triliun", "id", 2.7e12, "money", "IDR"),
    ("un taux de 1,75 %", "fr", 1.75, "percent", None),
    ("نرخ ۳۸٫۶ درصد", "fa", 38.6, "percent", None),
    ("بقوة ٥٫٩ درجات على مقياس ريختر", "ar", 5.9, "magnitude", None),
    ("2 saat 41 dakika", "tr", 9660, "duration", None),
    ("2:41 Stunden", "de", 9660, "duration", None),
    ("pukul 05.42 WIB", "id", 22 * 60 + 42, "time", "UTC"),
    ("at 22:42 GMT", "en", 22 * 60 + 42, "time", "UTC"),
    ("at 2:32 p.m.", "en", 14 * 60 + 32, "time", "local"),
    ("a las 20.30 hora local", "es", 20 * 60 + 30, "time", "local"),
    ("ante el Dortmund (0-2)", "es", 2000, "score", None),
])

def test_figures_are_read_as_values(text, lang, value, kind, unit):
    q = _one(text, lang)
    assert (q.value, q.kind, q.unit) == (pytest.approx(value), kind, unit)


def test_a_minute_of_play_is_not_a_length_of_time():
    assert parse_quantities("abriu o marcador aos 34 minutos", "pt") == []


def test_bounds_and_rounding():
    assert compatible(_one("more than 15,000 killed", "en"), _one("15,383 killed", "en"))
    assert not compatible(_one("more than 15,000 killed", "en"), _one("12,400 killed", "en"))
    assert compatible(_one("about 1,500 homes", "en"), _one("1,480 homes", "en"))
    assert compatible(_one("15,400 dead", "en"), _one("15,383 dead", "en"))  # rounded
    assert not compatible(_one("41 dead", "en"), _one("45 dead", "en"))


def test_codes_and_years_are_not_counts():
    kinds = [q.kind for q in parse_quantities("COVID-19, the A320 and the S9 in 2024.", "en")]
    assert kinds == ["year"]


def test_a_derived_title_keeps_its_numbers():
    """The lead that once gave "laba bersih 2 7 triliun": asides are cut at commas that open
    an aside, never at a decimal comma."""
    (article,) = ingest([DATA / "grouping-train" / "articles" / "ec-19.txt"]).articles
    assert article.title_derived
    assert "2,1 miliar yuan" in article.title and "Rp4,7 triliun" in article.title
    lead = article.body.split("\n\n")[0]
    for q in parse_quantities(article.title, article.language):
        assert q.text in lead


@pytest.mark.parametrize(("sentence", "kept"), [
    ("(AP) — Rescuers pulled 12 survivors from the rubble on Monday.",
     "Rescuers pulled 12 survivors from the rubble on Monday."),
    ("(شبكة أجيال)- أعلنت الوزارة أن عدد الضحايا ارتفع إلى ٤٥ شخصا.",
     "أعلنت الوزارة أن عدد الضحايا ارتفع إلى ٤٥ شخصا."),
    ("MerahPutih.com - Pemerintah menaikkan harga BBM mulai hari ini.",
     "Pemerintah menaikkan harga BBM mulai hari ini."),
    ("Frankfurt, 5 June 2025 (dpa/MIA) - Die Bank senkte den Leitzins um 25 Basispunkte.",
     "Die Bank senkte den Leitzins um 25 Basispunkte."),
    ("The minister (right) said the plan would work well.",
     "The minister (right) said the plan would work well."),
])
def test_dateline_and_credit_openings_are_cut(sentence, kept):
    assert cut_lead_furniture(sentence) == kept


@pytest.mark.parametrize("line", ["Frankfurt.", "SERAMBINEWS.", "Editor: Rina Lestari",
                                  "Live | Politik | Ekonomi | Sport", "(Foto: ANTARA/Budi)",
                                  "By Jane Doe and Omar Haddad"])
def test_furniture_is_not_a_fact(line):
    assert is_furniture(line)
    assert fact_sentences(f"The toll rose to 45 on Monday, officials said.\n\n{line}") == [
        "The toll rose to 45 on Monday, officials said."]


def test_a_subhead_is_not_a_fact_but_a_short_sentence_is():
    body = ("Etxeberria in azzurro verso la crono\n\n"
            "Il corridore ha vinto la tappa con 12 secondi di vantaggio.\n\nPiove da ieri.")
    assert fact_sentences(body, "it") == [
        "Il corridore ha vinto la tappa con 12 secondi di vantaggio.", "Piove da ieri."]
    assert not is_furniture("By Monday, 45 people had died.")


def _article(id_: str, body: str, outlet: str, relays: str | None = None,
             published: str | None = None) -> Article:
    return Article(id=id_, title=id_, body=body, language="en", outlet=outlet, relays=relays,
                   published=published)


def test_copies_and_relays_count_with_their_origin():
    story = ("The port of Lattakia reopened on Tuesday after three days of repairs, the "
             "transport ministry said, and 14 ships entered it before noon.")
    articles = [
        _article("late", story + " Traffic is expected to return to normal.", "Daily X",
                 published="2025-07-02"),
        _article("early", story, "Agency A", published="2025-07-01"),
        _article("relay", "A different text entirely about the same reopening.", "Site B",
                 relays="Agency A"),
        _article("own", "Our reporter saw the first ships dock at dawn in Lattakia.", "Paper C"),
    ]
    origin = independent_origins(articles)
    assert origin == {"late": "Agency A", "early": "Agency A", "relay": "Agency A",
                      "own": "Paper C"}


def test_copies_of_the_same_text_disagreeing_are_not_a_conflict():
    a = _article("a", "The earthquake killed 41 people in the province of Aceh.", "Agency A")
    b = replace(a, id="b", outlet="Relay", relays="Agency A",
                body="The earthquake killed 45 people in the province of Aceh.")
    origin = independent_origins([a, b])
    assert origin["a"] == origin["b"]


def test_unnamed_independent_sources_are_counted_not_merged_into_one_name(tmp_path):
    from briefer.present import PresentOptions
    from briefer.render import render_txt
    from briefer.types import Brief, Claim, Event

    a = _article("a", "The bridge reopened on Friday after repairs.", "Agency A")
    x1 = _article("x1", "The bridge reopened on Friday after the repairs ended.", "")
    x2 = _article("x2", "Repairs done, the bridge reopened on Friday.", "")
    claim = Claim("ev-c1", a.body, "en", ["a", "x1", "x2"], {"a": a.body, "x1": x1.body},
                  "shared", independent_sources=["Agency A", "x1", "x2"])  # fmt: skip
    event = Event(id="ev", articles=[a, x1, x2], headline="Bridge", language="en",
                  claims=[claim], independent_outlets=["Agency A", "x1", "x2"])
    brief = Brief("Daily brief", "2025-01-01T00:00:00+00:00", "extractive", None, [event])
    text = " ".join(render_txt(brief).split())
    assert "3 reports, 3 independent sources (Agency A, 2 unnamed sources)" in text
    # a claim only an unnamed source makes is tagged with that source's shown name, not its id
    lone = Claim("ev-c2", x2.body, "en", ["x2"], {"x2": x2.body}, "single-source",
                 independent_sources=["x2"])  # fmt: skip
    event.claims.append(lone)
    text = " ".join(render_txt(brief, presentation=PresentOptions(detail="full")).split())
    assert "(only unnamed source)" in text and "only x2" not in text


def test_the_brief_says_what_differs_and_how_many_independent_sources(tmp_path):
    from briefer.render import write_outputs
    from briefer.types import Brief, Claim, Event

    a = _article("a", "The earthquake killed 41 people.", "Agency A")
    b = _article("b", "The earthquake killed 58 people.", "Agency B")
    c = _article("c", "The earthquake killed 58 people, Agency B said.", "Site C",
                 relays="Agency B")
    differs = [{"quantity": "deaths", "values": [
        {"text": "41", "sources": ["a"], "outlets": ["Agency A"]},
        {"text": "58", "sources": ["b", "c"], "outlets": ["Agency B", "Site C"]}]}]
    claim = Claim("ev-c1", "The earthquake killed 41 people.", "en", ["a", "b", "c"],
                  {"a": a.body, "b": b.body, "c": c.body}, "conflict",
                  independent_sources=["Agency A", "Agency B"], differs=differs)
    event = Event(id="ev", articles=[a, b, c], headline="Quake", language="en",
                  claims=[claim], independent_outlets=["Agency A", "Agency B"])
    brief = Brief("Daily brief", "2025-01-01T00:00:00+00:00", "extractive", None, [event])
    write_outputs(brief, tmp_path, ["txt", "html", "json"], None)
    text = " ".join((tmp_path / "brief.txt").read_text().split())
    assert "3 reports, 2 independent sources (Agency A, Agency B)" in text
    assert "deaths: 41 — Agency A · 58 — Agency B, Site C" in text
    assert "deaths: 41 — Agency A · 58 — Agency B, Site C" in (tmp_path / "brief.html").read_text()
    import json

    data = json.loads((tmp_path / "brief.json").read_text())
    assert data["events"][0]["independent_outlets"] == ["Agency A", "Agency B"]
    assert data["events"][0]["claims"][0]["differs"] == differs


@pytest.mark.parametrize(("text", "lang", "concepts"), [
    ("El Real Madrid ganó 3-1 en la ida.", "es", ["first leg"]),
    ("Nach dem 1:0 im Hinspiel gewann Bayern das Rückspiel 2:1.", "de",
     ["first leg", "second leg"]),
    ("Bayern won 2-1 on aggregate after a 1-0 win.", "en", ["aggregate", None]),
    ("Il Milan era avanti 1-0 all'intervallo e ha vinto 3-1.", "it", ["half-time", None]),
    ("The final ended 2-0.", "en", [None]),
])
def test_a_score_knows_which_result_it_is(text, lang, concepts):
    assert [q.concept for q in parse_quantities(text, lang)] == concepts


@pytest.mark.parametrize(("text", "lang", "low", "high"), [
    ("Between 20 and 30 people were killed.", "en", 19.5, 30.5),
    ("Le bilan est de 20 à 30 morts.", "fr", 19.5, 30.5),
    ("Sekitar 20-30 orang tewas.", "id", 19.5, 30.5),
    ("Die Kosten liegen bei 2 bis 3 Milliarden Euro.", "de", 1.5e9, 3.5e9),
])
def test_a_range_is_one_interval(text, lang, low, high):
    q = _one(text, lang)
    assert (q.low, q.high) == (pytest.approx(low), pytest.approx(high))


def test_a_score_written_with_a_hyphen_stays_a_score():
    assert _one("The final ended 2-0.", "en").kind == "score"
    assert len(parse_quantities("Inflation fell from 26.1% to 24.6%.", "en")) == 2  # a change


def test_figures_of_different_periods_are_different_quantities():
    march, april = _one("Prices rose 3.1% in March.", "en"), _one("Preise: 2,4 % im April.", "de")
    assert (march.period, april.period) == (("month", 3), ("month", 4))
    assert not conflicts([march], [april])
    both = parse_quantities("The rate fell to 1.6 percent in May, after 1.9 percent in April.")
    assert [q.period for q in both] == [("month", 5), ("month", 4)]
    # May against May still disagrees
    assert conflicts(both, parse_quantities("Inflation was 1.9 percent in May.", "en"))


def test_a_time_counted_from_an_unnamed_moment_is_compared_with_nothing():
    later = _one("Le contact a été perdu 34 secondes plus tard.", "fr")
    flight = _one("A los 3 minutos y 12 segundos de vuelo se perdió el contacto.", "es")
    assert later.concept == "later" and not conflicts([later], [flight])
    since = _one("The rocket blew apart 41 seconds after lift-off.", "en")
    assert not conflicts([since], [_one("The rescue took 3 hours.", "en")])
    assert conflicts([since], [_one("Die Rakete explodierte 20 Sekunden nach dem Start.", "de")])
