"""Render stage, "who reported what": the claims × sources table, coverage picture, outlet data."""

from __future__ import annotations

import http.server
import re
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefer import render
from briefer.present import APPENDIX, PresentOptions
from briefer.render import render_html, render_pdf, render_txt
from briefer.types import Article, Brief, Claim, Event, SummarySentence
from tests.test_render import CountingHandler, Page, squash, tool

# --- a brief with one widely covered event, one small event and one single-source event -----
# Sentences come from the seeds (seeds/*.txt); outlets beyond the seeds' own are made up.

EN_MET = (
    "Syria’s foreign and defense ministers met Russian President Vladimir Putin in Moscow to "
    "discuss expanding cooperation in military industries and other strategic areas."
)
ID_MET = (
    "Menteri luar negeri dan pertahanan Damaskus bertemu dengan Presiden Rusia Vladimir Putin "
    "pada hari Selasa selama kunjungan ke Moskow di mana mereka membahas kerja sama militer."
)
FA_MET = (
    "وزیر خارجه و وزیر دفاع دولت موقت سوریه در مسکو با ولادیمیر پوتین دیدار کردند تا راههای "
    "تقویت همکاریهای نظامی و فنی میان دو کشور را بررسی کنند."
)
FR_MET = (
    "Le ministre syrien des Affaires étrangères et des Expatriés, Assaad Hassan al‑Chaibani, ainsi "
    "que le ministre de la Défense ont rencontré à Moscou le président russe Vladimir Poutine."
)
EN_TALKS = (
    "The talks included discussions on strengthening the Syrian army’s capabilities, modernizing "
    "military equipment, transferring expertise, and expanding cooperation in research."
)
FR_TALKS = (
    "Les deux parties ont examiné les moyens de développer le partenariat militaire et technique "
    "afin de renforcer les capacités défensives de l’armée syrienne."
)
FA_CLAIM = (
    "آنها بر لزوم احترام به اصول حقوق بینالملل و رد هرگونه مداخله خارجی در امور داخلی کشورها "
    "نیز تأکید کردند."
)
FR_LAW = (
    "Elles ont souligné la nécessité de respecter les principes du droit international et de "
    "rejeter toute ingérence étrangère dans les affaires intérieures des pays."
)
EN_WAR = (
    "Russia had been a key supporter of Assad during Syria’s nearly 14-year civil war, providing "
    "military assistance."
)
ID_WAR = (
    "Rusia adalah sekutu utama Assad selama perang saudara Suriah yang berlangsung hampir 13 "
    "tahun, memberikan dukungan militer."
)
FA_WAR = "روسیه در جریان جنگ داخلی نزدیک به ۱۳ ساله سوریه، حامی اصلی اسد بود."  # 13, not 14
HOSTILE = '" onmouseover="alert(1)" x="<script>alert(1)</script>'


FULL = PresentOptions(detail="full")  # every claim kind up to its full-detail cap


def _article(
    n: int, outlet: str, language: str, published: str | None = None, **extra: str
) -> Article:
    return Article(
        id=f"a{n:02d}",
        title=f"{outlet}: Syrian ministers meet Putin in Moscow",
        body=EN_MET,
        language=language,
        path=f"seeds/a{n:02d}.txt",
        outlet=outlet,
        published=published,
        **extra,
    )


def build_claims_brief(port: int = 9) -> Brief:
    """Event 1: 11 sources (list layout), RTL ones, a conflict, 10 single-source claims.

    Event 2: three sources (matrix layout) with a conflict. Event 3: a single source.
    ``port`` goes into hostile strings so a local server can count any request they cause.
    """
    remote = f"http://127.0.0.1:{port}"
    big = [
        _article(1, "MNTV", "en", "2025-07-29", relays="SANA"),
        _article(2, "Suara Thailand", "id", "2025-07-29", outlet_type="private",
                 outlet_country="TH", relays="SANA", via="SANA"),
        _article(3, "Namaban", "fa", "2025-07-29", outlet_type="private", outlet_country="IR",
                 via="ISNA", relays="ISNA"),
        _article(4, "SANA", "fr", "2025-07-29T09:00:00+03:00", outlet_type="state agency",
                 outlet_country="SY"),
        _article(5, "Example Times", "en", "2025-07-30"),
        _article(6, "Harian Contoh", "id", "2025-07-30", via="Antara"),
        _article(7, "نمونه خبر", "fa", "2025-07-30", outlet_type="news agency",
                 outlet_country="IR"),
        _article(8, "Exemple Info", "fr", "2025-07-31"),
        _article(9, "Example Times", "en", "2025-07-31"),
        _article(10, "Sample Wire", "en", "2025-08-02", outlet_type="news agency"),
        _article(11, "Harian Contoh", "id"),
    ]  # fmt: skip
    ids = [a.id for a in big]
    met_words = {
        "en": EN_MET, "id": ID_MET, "fa": FA_MET, "fr": FR_MET,
    }  # fmt: skip
    met_sources = ids[:9]
    claims = [
        Claim("e1-c1", EN_MET, "en", met_sources,
              {a.id: met_words[a.language] for a in big if a.id in met_sources}, "shared"),
        Claim("e1-c2", EN_TALKS, "en", [ids[0], ids[3], ids[4], ids[9]],
              {ids[0]: EN_TALKS, ids[3]: FR_TALKS, ids[4]: EN_TALKS,
               ids[9]: f'{EN_TALKS} <img src="{remote}/x.png"> {HOSTILE}'}, "shared"),
        Claim("e1-c3", FA_CLAIM, "fa", [ids[2], ids[3], ids[6]],
              {ids[2]: FA_CLAIM, ids[3]: FR_LAW, ids[6]: FA_CLAIM}, "shared"),
        Claim("e1-c4", EN_WAR, "en", [ids[0], ids[1]],
              {ids[0]: EN_WAR, ids[1]: ID_WAR}, "conflict"),
    ]  # fmt: skip
    for k in range(10):
        article = big[k % 2 + 4]
        claims.insert(
            2 + k,  # interleaved with the others: the renderer groups them
            Claim(f"e1-s{k}", f"Single-source statement number {k} by {article.outlet}.", "en",
                  [article.id], {article.id: f"Single-source statement number {k}."},
                  "single-source"),
        )  # fmt: skip
    small = [
        _article(21, "MNTV", "en", relays="SANA"),
        _article(22, "Namaban", "fa", via="ISNA"),
        _article(23, "SANA", "fr", outlet_type="state agency", outlet_country="SY"),
    ]
    small_ids = [a.id for a in small]
    small_claims = [
        Claim("e2-c1", EN_MET, "en", small_ids,
              dict(zip(small_ids, (EN_MET, FA_MET, FR_MET), strict=True)), "shared"),
        Claim("e2-c2", FA_CLAIM, "fa", small_ids[1:],
              {small_ids[1]: FA_CLAIM, small_ids[2]: FR_LAW}, "shared"),
        Claim("e2-c3", EN_WAR, "en", small_ids[:2],
              {small_ids[0]: EN_WAR, small_ids[1]: FA_WAR}, "conflict"),
        Claim("e2-c4", "Only MNTV says this.", "en", [small_ids[0]],
              {small_ids[0]: "Only MNTV says this."}, "single-source"),
    ]  # fmt: skip
    lone = _article(31, "Aktual.com", "id", relays="Fars News Agency", via="Fars News Agency")
    events = [
        Event(id="e1", articles=big, headline="Syrian ministers meet Putin", language="en",
              summary=[SummarySentence(EN_MET, [ids[0]], {ids[0]: EN_MET})], claims=claims),
        Event(id="e2", articles=small, headline="Syria and Russia", language="en",
              summary=[SummarySentence(EN_MET, small_ids[:1], {small_ids[0]: EN_MET})],
              claims=small_claims),
        Event(id="e3", articles=[lone], headline="Putin dan Rayeesi", language="id",
              summary=[SummarySentence(ID_MET, [lone.id], {lone.id: ID_MET})],
              claims=[Claim("e3-c1", ID_MET, "id", [lone.id], {lone.id: ID_MET},
                            "single-source")]),
    ]  # fmt: skip
    return Brief(
        title="Claims brief",
        generated_at="2025-08-03T06:00:00+00:00",
        backend="extractive",
        model=None,
        events=events,
    )


# --- fixtures and helpers -------------------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[int, list[str]]]:
    """A local HTTP server that records every request; hostile strings point at it."""
    CountingHandler.requests = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), CountingHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1], CountingHandler.requests
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.fixture(scope="module")
def brief(server: tuple[int, list[str]]) -> Brief:
    return build_claims_brief(port=server[0])


@pytest.fixture(scope="module")
def html(brief: Brief) -> str:
    return render_html(brief, presentation=FULL)


@pytest.fixture(scope="module")
def page(html: str) -> Page:
    return Page(html)


@pytest.fixture(scope="module")
def pdf_text(brief: Brief, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("pdf") / "brief.pdf"
    path.write_bytes(render_pdf(brief, presentation=FULL))
    out = subprocess.run(
        [tool("pdftotext"), "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return squash(out.stdout)


def event_section(html: str, number: int) -> str:
    """The HTML of one event's details (up to the next event's, or the details' end)."""
    start = html.index(f'<details class="event" id="e{number}"')
    ends = [i for i in (html.find('<details class="event"', start + 1),
                        html.find("<!-- /briefer:appendix -->", start)) if i > 0]  # fmt: skip
    return html[start : min(ends)]


def claim_rows(section: str) -> list[str]:
    return re.findall(r'<tr class="claim-row [^"]*" id="[^"]*">.*?</tr>', section, flags=re.S)


def mark_targets(row: str) -> list[str]:
    return re.findall(r'<a class="claim-mark" href="#([^"]+)"', row)


# --- the table ------------------------------------------------------------------------------


def test_many_sources_list_each_claims_source_numbers(html: str, brief: Brief) -> None:
    section = event_section(html, 1)
    assert 'class="claims list"' in section  # 11 sources: too many columns for a matrix
    rows = claim_rows(section)
    event = brief.events[0]
    shown = [c for c in event.claims if c.kind != "single-source"]
    assert len(rows) == len(shown) + render.MAX_SINGLE_SOURCE_CLAIMS
    order = {a.id: f"e1-s{i}" for i, a in enumerate(event.articles, start=1)}
    by_text = {c.text: c for c in event.claims}
    for row in rows:
        text = Page(row).text
        claim = next(c for t, c in by_text.items() if t in "".join(text))
        assert mark_targets(row) == [order[i] for i in claim.sources], claim.id
        numbers = re.findall(r'<a class="claim-mark"[^>]*>(\d+)</a>', row)
        assert numbers == [order[i].split("-s")[1] for i in claim.sources]


def test_groups_are_shared_then_single_source_then_conflicts(html: str) -> None:
    section = event_section(html, 1)
    kinds = re.findall(r'<tr class="claim-row ([^"]+)"', section)
    single = render.MAX_SINGLE_SOURCE_CLAIMS
    assert kinds == ["shared"] * 3 + ["single-source"] * single + ["conflict"]
    numbers = re.findall(r'<tr class="claim-row [^"]+" id="e1-c(\d+)"', section)
    assert numbers == [str(n) for n in range(1, 5 + single)]
    assert "and 6 more (all in brief.json)" in squash(" ".join(Page(section).text))


def test_matrix_has_a_tick_exactly_where_a_source_supports(html: str, brief: Brief) -> None:
    section = event_section(html, 2)
    assert 'class="claims matrix"' in section
    event = brief.events[1]
    header = Page(section.split("</thead>")[0])
    assert [a.get("title", "").split(" · ")[0] for a in header.with_class("src")] == [
        "MNTV", "Namaban", "SANA",
    ]  # fmt: skip
    rows = claim_rows(section)
    assert len(rows) == len(event.claims)
    expected = {  # claim text -> the columns with a tick
        EN_MET: [True, True, True],
        FA_CLAIM: [False, True, True],
        "Only MNTV says this.": [True, False, False],
        EN_WAR: [True, True, False],
    }
    for row in rows:
        text = "".join(Page(row).text)
        ticks = next(v for t, v in expected.items() if t in text)
        cells = re.findall(r'<td class="mark( no)?">(.*?)</td>', row, flags=re.S)
        assert [("✓" in body) for _, body in cells] == ticks
        assert [not no for no, _ in cells] == ticks


def test_evidence_is_a_title_and_hostile_evidence_stays_inert(page: Page, html: str) -> None:
    marks = page.with_class("claim-mark")
    titles = [m["title"] for m in marks]
    assert f"Namaban: {FA_MET}" in titles
    assert f"SANA: {FR_LAW}" in titles
    hostile = [t for t in titles if HOSTILE in t]
    assert len(hostile) == 1 and hostile[0].startswith("Sample Wire: ")
    assert "<img src=" in hostile[0]  # kept as text inside the attribute
    assert not page.find("script") and not page.find("img")
    for _, attrs in page.elements:
        assert not any(name.startswith("on") for name in attrs)
    assert "&lt;script&gt;" in html and "<script>" not in html


def test_conflicts_show_every_version(html: str) -> None:
    for number, other in ((1, ID_WAR), (2, FA_WAR)):
        section = event_section(html, number)
        rows = [r for r in claim_rows(section) if 'class="claim-row conflict"' in r]
        assert len(rows) == 1
        text = squash(" ".join(Page(rows[0]).text))
        assert EN_WAR in text and other in text
        assert "sources differ" in text
    assert f'<span class="version-text" lang="fa" dir="rtl">{FA_WAR}</span>' in html


def test_single_source_claims_are_flagged(html: str) -> None:
    section = event_section(html, 2)
    row = next(r for r in claim_rows(section) if "Only MNTV says this." in r)
    assert "only MNTV" in squash(" ".join(Page(row).text))
    third = event_section(html, 3)
    assert "claims-note" in third and "claim-row" not in third  # nothing to compare
    assert "Only one source, <bdi>Aktual.com</bdi>, reports this event" in third


def test_claims_in_right_to_left_languages_carry_dir(page: Page) -> None:
    claim_texts = page.with_class("claim-text")
    fa = [a for a in claim_texts if a.get("lang") == "fa"]
    assert fa and all(a.get("dir") == "rtl" for a in fa)
    assert all(a.get("dir") != "rtl" for a in claim_texts if a.get("lang") != "fa")
    versions = [a for a in page.with_class("version-text") if a.get("lang") == "fa"]
    assert versions and all(a.get("dir") == "rtl" for a in versions)
    for tag, attrs in page.elements:
        if attrs.get("dir") == "rtl":
            assert attrs.get("lang") == "fa", (tag, attrs)


def test_sources_own_words_are_listed_under_the_table(html: str) -> None:
    section = event_section(html, 2)
    listing = section[section.index('<details class="evidence">') : section.index("</details>")]
    text = squash(" ".join(Page(listing).text))
    assert FA_MET in text and FR_MET in text and FR_LAW in text
    assert EN_MET not in text  # the claim's own sentence is not repeated


# --- coverage picture -----------------------------------------------------------------------


def test_coverage_is_inline_svg_with_nothing_remote(page: Page, html: str, brief: Brief) -> None:
    svgs = [a for t, a in page.elements if t == "svg"]
    assert len(svgs) == 3  # event 1: languages and days; event 2: languages; event 3: none
    assert 'href="http' not in html and "xlink:href" not in html
    assert not page.find("image") and not page.find("use")
    section = event_section(html, 1)
    bars = Page(section)
    labels = [t for t in bars.text if t.strip() in {"English", "Indonesian", "Persian", "French"}]
    assert labels[:4] == ["English", "Indonesian", "Persian", "French"]  # most articles first
    segments = bars.with_class("seg")
    assert len(segments) == 9  # one per language and outlet
    assert any("Example Times · English · 2 articles" in t for t in bars.text)
    legend = squash(" ".join(Page(section.split('<ul class="legend">')[1].split("</ul>")[0]).text))
    assert "5, 9 Example Times" in legend and "نمونه خبر" in legend


def test_timeline_counts_articles_per_day(html: str) -> None:
    section = event_section(html, 1)
    assert 'class="chart timeline"' in section
    days = re.findall(r"<title>(\d{4}-\d\d-\d\d): (\d+) articles?</title>", section)
    assert days == [("2025-07-29", "4"), ("2025-07-30", "3"), ("2025-07-31", "2"),
                    ("2025-08-02", "1")]  # fmt: skip
    assert "1 undated article not shown." in squash(" ".join(Page(section).text))
    assert 'class="chart timeline"' not in event_section(html, 2)  # no dates there


# --- sources table --------------------------------------------------------------------------


def test_sources_show_outlet_type_country_and_relays(html: str) -> None:
    section = event_section(html, 1)
    rows = re.findall(r'<tr id="e1-s\d+">.*?</tr>', section, flags=re.S)
    text = [squash(" ".join(Page(r).text)) for r in rows]
    assert "MNTV relays SANA —" in text[0]
    assert "Suara Thailand relays SANA private TH" in text[1]
    assert "via" not in text[1] and "relays ISNA" in text[2] and "via ISNA" not in text[2]
    assert "SANA state agency SY" in text[3]
    assert "Harian Contoh via Antara" in text[5]  # named as a source, not known to be relayed
    assert "Sample Wire news agency English" in text[9]


# --- text and PDF ---------------------------------------------------------------------------


def test_txt_has_a_claims_section(brief: Brief) -> None:
    text = render_txt(brief, presentation=FULL)
    flat = squash(text)
    assert text.count("\n   Who reported what\n") == 3
    assert "Syrian ministers meet Putin" in flat
    assert "[1][2][3][4][5][6][7][8][9]" in flat
    assert "only Example Times" in flat
    assert "and 6 more (all in brief.json)" in flat
    assert "Sources differ" in flat and EN_WAR[:40] in flat and ID_WAR[:40] in flat
    assert "Only one source, Aktual.com, reports this event" in flat
    for line in text.splitlines():
        assert len(line) <= render.TEXT_WIDTH or " " not in line.strip(), line


def test_pdf_has_the_claims_and_fetches_nothing(
    pdf_text: str, server: tuple[int, list[str]]
) -> None:
    assert "WHO REPORTED WHAT" in pdf_text.upper()  # the heading is set in capitals
    assert "Syria’s foreign and defense ministers met Russian President" in pdf_text
    assert "Les deux parties ont examiné les moyens" in pdf_text  # an evidence sentence
    assert "ولادیمیر پوتین" in pdf_text
    assert "SOURCES DIFFER" in pdf_text.upper()
    assert "2025-07-29" in pdf_text and "2025-08-02" in pdf_text  # the timeline's ends
    assert server[1] == []


def test_pdf_page_numbers_speak_the_readers_language(
    pdf_text: str, brief: Brief, tmp_path: Path
) -> None:
    path = tmp_path / "brief.pdf"
    path.write_bytes(render_pdf(brief, presentation=PresentOptions(lang="de", detail="full")))
    german = subprocess.run([tool("pdftotext"), "-enc", "UTF-8", str(path), "-"],
                            capture_output=True, text=True, check=True).stdout  # fmt: skip
    pages = german.count("\f")
    assert pages >= 2 and f"Seite 1 von {pages}" in german and "Page 1 of" not in german
    assert re.search(r"Page 1 of \d+", pdf_text)


def test_claim_citing_an_article_outside_the_event_is_dropped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    brief = build_claims_brief()
    brief.events[1].claims[0].sources.append("not-in-this-event")
    with caplog.at_level("WARNING", logger="briefer.render"):
        html = render_html(brief)
    assert "not-in-this-event" in caplog.text
    assert "not-in-this-event" not in html


def test_pdf_of_the_claims_brief_renders_without_weasyprint_warnings(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    with caplog.at_level("WARNING", logger="weasyprint"):
        render_pdf(build_claims_brief())
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")]
    assert [m for m in messages if "HarfBuzz-Subset" not in m] == []


@pytest.mark.parametrize("lang", ["fr", "fa"])
def test_details_speak_the_readers_language(brief: Brief, lang: str) -> None:
    """The details' own words (claim groups, "sources differ", "only", "and N more",
    headings, colophon) follow --lang like the front page does."""
    html = render_html(brief, presentation=PresentOptions(lang=lang, detail="full"))
    details = html.split("<!-- briefer:appendix -->")[1]
    text = squash(" ".join(Page(details).text))
    for english in ("sources differ", "only MNTV", "all in brief.json)", "Reported by",
                    "Who reported what", "Outlet", "Path or URL", "summarizer:",
                    "Bracketed numbers", "Only one source"):  # fmt: skip
        assert english not in text, english
    # the coverage charts' words too, drawn text and accessible names alike
    for english in ("undated article", "per day", "Articles by language", "Articles per day"):
        assert english not in details, english
    if lang == "fa":
        assert 'aria-label="Source ' not in details and 'aria-label="منبع ' in details
    if lang == "fr":
        assert "les sources divergent" in text and "seulement MNTV" in text
        assert "Une seule source," in text and "rapporte cet événement" in text
        assert "1 article non daté n’est pas montré." in text and ">par jour</text>" in details
        assert 'aria-label="Articles par langue et par média. anglais 4' in details
    txt = render_txt(brief, presentation=PresentOptions(lang=lang, detail="full"))
    assert "sources differ" not in txt and "(only MNTV)" not in txt


def test_brief_detail_lists_sources_compactly_and_keeps_every_anchor(brief: Brief) -> None:
    """--detail brief: a few sources with a line, the others named in one run; every citation
    still lands on its source (brief.json keeps every path and URL)."""
    rows = APPENDIX["brief"].source_rows
    html = render_html(brief)
    details = Page(html.split("<!-- briefer:appendix -->")[1])
    lines = [a for t, a in details.elements if t == "li" and a.get("id", "").startswith("e1-s")]
    run = [a for t, a in details.elements if a.get("class") == "run-source"]
    event = brief.events[0]
    assert rows and len(lines) == min(rows, len(event.articles)) < len(event.articles)
    assert len(lines) + len([a for a in run if a["id"].startswith("e1-s")]) == len(event.articles)
    ids = Page(html).ids
    for cite in Page(html).with_class("cite"):
        if cite.get("href"):
            assert cite["href"][1:] in ids, cite
    body = html.split("</style>")[1]
    assert '<table class="sources"' not in body and "evidence-table" not in body
