"""Presentation: importance ranking, front page / also today / index, reader language, names."""

from __future__ import annotations

import json

from briefer.labels import Labels
from briefer.present import PresentOptions, present, rank_events, source_name
from briefer.render import render_html, render_txt
from briefer.types import Article, Brief, Claim, Event, SummarySentence


def art(i: str, lang: str = "en", outlet: str | None = None, **kw: object) -> Article:
    return Article(id=i, title=kw.pop("title", f"Title {i} of a report"), body="", language=lang,
                   outlet=outlet, **kw)  # type: ignore[arg-type]  # fmt: skip


def event(eid: str, articles: list[Article], **kw: object) -> Event:
    return Event(id=eid, articles=articles, headline=articles[0].title,
                 language=articles[0].language, **kw)  # type: ignore[arg-type]  # fmt: skip


def test_importance_counts_independent_outlets_not_articles() -> None:
    # six copies of one agency's report from one outlet...
    big = event("big", [art(f"b{i}", outlet="Wire Daily", relays="AFP") for i in range(6)])
    # ...rank under three outlets in two languages and two countries
    wide = event("wide", [art("w1", outlet="Le Matin", outlet_country="FR", lang="fr"),
                          art("w2", outlet="The Post", outlet_country="US"),
                          art("w3", outlet="Daily Star", outlet_country="US")])  # fmt: skip
    ranked = rank_events([big, wide])
    assert [e.id for e in ranked] == ["wide", "big"]
    assert big.importance["independent_outlets"] == 1
    parts = wide.importance["parts"]
    assert wide.importance["independent_outlets"] == 3 and wide.importance["countries"] == 2
    assert abs(sum(parts.values()) - wide.importance["score"]) < 0.01
    assert "importance" in json.dumps(wide.to_dict())


def test_recency_ranks_the_newer_of_two_equal_events_first() -> None:
    old = event("old", [art("o1", outlet="A", published="2025-03-01T06:00:00+00:00"),
                        art("o2", outlet="B", published="2025-03-01T07:00:00+00:00")])
    new = event("new", [art("n1", outlet="C", published="2025-03-02T06:00:00+00:00"),
                        art("n2", outlet="D", published="2025-03-02T09:00:00+00:00")])
    assert [e.id for e in rank_events([old, new])] == ["new", "old"]
    assert new.importance["hours_behind_latest"] == 0


def test_front_page_also_today_and_index_split_the_events() -> None:
    events = [event(f"e{i}", [art(f"a{i}", outlet=f"Outlet {i}")]) for i in range(12)]
    brief = Brief("T", "2025-03-02T10:00:00+00:00", "extractive", None, events)
    page = present(brief, PresentOptions(top=3, also=4))
    assert [i.number for i in page.front] == [1, 2, 3]
    assert [i.number for i in page.also] == [4, 5, 6, 7]
    assert [i.number for i in page.index] == list(range(8, 13))
    assert [n for n, _ in page.appendix] == [1, 2, 3]
    full = present(brief, PresentOptions(top=3, also=4, detail="full"))
    assert len(full.appendix) == 12
    html = render_html(brief, presentation=PresentOptions(top=3, also=4))
    assert html.count('class="story"') == 3 and html.count('<details class="event"') == 3


def test_headline_comes_from_a_reader_language_article_without_wire_prefix() -> None:
    ev = event("e", [art("x", "id", "Kompas", title="Menteri bertemu di Moskow"),
                     art("y", "en", "Wire", title="ROUNDUP 3: Ministers meet in Moscow | Wire")])
    brief = Brief("T", "2025-03-02T10:00:00+00:00", "extractive", None, [ev])
    assert present(brief).front[0].headline.text == "Ministers meet in Moscow"
    assert present(brief).front[0].headline.tag == ""
    fr = present(brief, PresentOptions(lang="fr")).front[0].headline
    assert fr.text == "Menteri bertemu di Moskow" and fr.tag == "indonésien"


def test_gist_is_at_most_60_words_without_bylines_or_repeats() -> None:
    a = art("a", outlet="Herald")
    long = " ".join(["word"] * 25) + "."
    summary = [SummarySentence("By Jane Doe", ["a"]),
               SummarySentence("The council approved the new budget on Monday.", ["a"]),
               SummarySentence("The council approved the new budget on Monday evening.", ["a"]),
               SummarySentence(long, ["a"]), SummarySentence(long.replace("word", "more"), ["a"]),
               SummarySentence(long.replace("word", "again"), ["a"])]  # fmt: skip
    ev = event("e", [a], summary=summary)
    item = present(Brief("T", "2025-03-02", "extractive", None, [ev])).front[0]
    texts = [s.text.text for s in item.gist]
    assert texts[0] == "The council approved the new budget on Monday."
    assert not any(t.startswith("By ") for t in texts)
    assert sum(len(t.split()) for t in texts) <= 60 and len(texts) == 3


def test_gist_puts_the_readers_language_first_and_keeps_leaning_sentences_in_place() -> None:
    x, y = art("x", "tr", "Haber"), art("y", "en", "Wire")
    tr_1 = "Türkiye İstatistik Kurumu yıllık enflasyonun mayısta yüzde 23,8'e düştüğünü açıkladı."
    tr_2 = "Aylık bazda fiyatlar yüzde 1,6 arttı ve beklentilerin altında kaldı."
    en_3 = "Turkish consumer prices rose 1.4% month-on-month in May, official data showed."
    tr_3 = "Aylık enflasyon beklentinin altında geldi."
    summary = [SummarySentence(tr_1, ["x"], {"x": tr_1}), SummarySentence(tr_2, ["x"], {"x": tr_2}),
               SummarySentence(tr_3, ["x", "y"], {"x": tr_3, "y": en_3})]  # fmt: skip
    ev = event("e", [x, y], summary=summary)
    brief = Brief("T", "2025-03-02", "extractive", None, [ev])
    english = [s.text for s in present(brief).front[0].gist]
    assert [t.text for t in english] == [en_3, tr_1, tr_2]
    assert [t.tag for t in english] == ["", "Turkish", "Turkish"]
    turkish = [s.text.text for s in present(brief, PresentOptions(lang="tr")).front[0].gist]
    assert turkish[:2] == [tr_1, tr_2]  # the summary's own order
    # a sentence that leans on the one before it is never moved away from it
    added = "They added that rents rose the most of all prices."
    lean = event("l", [x, y], summary=[SummarySentence(tr_1, ["x"]),
                                       SummarySentence(added, ["y"], {"y": added})])  # fmt: skip
    shown = [s.text.text for s in present(Brief("T", "2025-03-02", "extractive", None,
                                                [lean])).front[0].gist]  # fmt: skip
    assert shown == [tr_1, added]


def test_key_points_are_claims_of_two_outlets_the_gist_does_not_say() -> None:
    arts = [art("a", outlet="A"), art("b", outlet="B"), art("c", outlet="C")]
    claims = [Claim("1", "The bridge reopened to traffic on Friday morning.", "en", ["a", "b"],
                    {}, "shared"),
              Claim("2", "Repairs cost about four million euros in total.", "en", ["a", "b", "c"],
                    {}, "shared"),
              Claim("3", "Only one outlet says the mayor attended the ceremony.", "en", ["c"], {},
                    "single-source"),
              Claim("4", "Officials gave 12 or 14 weeks for the works overall.", "en", ["a", "c"],
                    {"a": "12 weeks", "c": "14 weeks"}, "conflict")]  # fmt: skip
    summary = [SummarySentence("The bridge reopened to traffic on Friday morning.", ["a"])]
    ev = event("e", arts, summary=summary, claims=claims)
    item = present(Brief("T", "2025-03-02", "extractive", None, [ev])).front[0]
    assert [k.text.text for k in item.key_points] == [claims[1].text]
    assert item.key_points[0].outlets == 3
    assert item.disputed and item.disputed.startswith("Sources differ on:")
    # with the values the attribution recorded, the front page shows them with their outlets
    claims[3].differs = [{"quantity": "weeks", "values": [
        {"text": "12 weeks", "sources": ["a"], "outlets": ["A"]},
        {"text": "14 weeks", "sources": ["c", "x"], "outlets": ["c", "x"]}]}]  # fmt: skip
    ev.articles.append(art("x"))  # no outlet: never shown by its id
    item = present(Brief("T", "2025-03-02", "extractive", None, [ev])).front[0]
    assert item.disputed == "Sources differ: weeks: 12 weeks (A) · 14 weeks (C, 1 unnamed source)"


def test_sources_are_named_never_by_id_or_path() -> None:
    assert source_name(art("46d41c9e_ec-18", outlet="46d41c9e_ec-18")) == "unnamed source"
    assert source_name(art("x", outlet="/tmp/news/x.txt")) == "unnamed source"
    assert source_name(art("x", url="https://www.example.org/a")) == "example.org"
    assert source_name(art("x", outlet="Kompas")) == "Kompas"
    ev = event("e", [art("46d41c9e_ec-18", path="/very/long/path/46d41c9e_ec-18.txt",
                         title="Floods close the coast road"),
                     art("46d41c9e_ec-19", path="/very/long/path/46d41c9e_ec-19.txt",
                         title="Coast road shut by floods")])  # fmt: skip
    html = render_html(Brief("T", "2025-03-02", "extractive", None, [ev]))
    front = html.split("<!-- briefer:appendix -->")[0]
    assert "46d41c9e" not in front and "/very/long" not in front
    assert "unnamed source" in html
    # many unnamed articles are counted, not shown as one source called "unnamed source"
    arts = [art(f"u{i}", path=f"/day/u{i}.txt") for i in range(3)] + [art("k", outlet="Kompas")]
    brief = Brief("T", "2025-03-02", "extractive", None, [event("e", arts)])
    page = present(brief, PresentOptions(top=0))
    assert page.also[0].outlets == "Kompas, 3 unnamed sources"
    assert present(brief, PresentOptions(top=0, lang="fr")).also[0].outlets == (
        "Kompas, 3 sources sans nom")


def test_the_briefs_own_words_follow_the_reader_language() -> None:
    ev = event("e", [art("a", outlet="A", published="2025-07-29T06:10:00+00:00"),
                     art("b", outlet="B", published="2025-07-29T14:55:00+00:00", lang="fr")])
    brief = Brief("T", "2025-07-30T06:00:00+00:00", "extractive", None, [ev])
    line = present(brief).front[0].coverage
    assert line == "2 outlets · 2 languages · first report 06:10, latest 14:55 UTC"
    fr = present(brief, PresentOptions(lang="fr"))
    assert fr.front[0].coverage.startswith("2 médias · 2 langues")
    assert fr.date == "mercredi 30 juillet 2025"
    ar = render_html(brief, presentation=PresentOptions(lang="ar"))
    assert '<html lang="ar" dir="rtl">' in ar and "أهم الأخبار" in ar and "مصدران" in ar
    de = render_txt(brief, presentation=PresentOptions(lang="de"))
    assert "DAS WICHTIGSTE" in de
    assert Labels("fa").dir == "rtl" and Labels("id").count("outlet", 3) == "3 media"
