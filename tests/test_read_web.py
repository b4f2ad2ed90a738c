"""Reading pages and feeds right: publications, dates, headlines, furniture, `briefer read`.

Fixtures here are written by us. The real third-party pages and feeds live in
../shared/data/real-web and are read from there (those tests skip when it is absent).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefer.cli import app
from briefer.datetext import dates_in, parse_date, text_date
from briefer.ingest import clean_lines, parse_article, resolve_outlet
from briefer.outlets import Outlet, Registry, load_registry
from briefer.pages import (
    PageMeta,
    matches_domain,
    published_date,
    read_meta,
    registrable_domain,
    strip_affixes,
    with_lead,
)
from briefer.sources import SourceOptions, collect, template_series

SEEDS = Path(__file__).parents[1] / "seeds"
REAL_WEB = Path(__file__).resolve().parents[2] / "shared" / "data" / "real-web"
runner = CliRunner()

PAGE = """<html lang="en"><head>
<title>Storm floods the harbour district | Politics | Harbour Gazette</title>
<meta property="og:site_name" content="Politics">
<meta property="og:title" content="Storm floods the harbour district">
<meta property="article:published_time" content="2024-03-05T08:10:00+01:00">
<meta property="article:modified_time" content="2024-03-09T10:00:00+01:00">
<link rel="canonical" href="/news/storm-floods-harbour">
<meta property="og:url" content="https://www.harbourgazette.example/news/storm-floods-harbour?x=1">
</head><body>
<h1 class="site-logo">Harbour Gazette</h1>
<article><h1><span class="kicker">Weather</span> Storm floods the harbour district</h1>
<p>Storm floods the harbour district</p>
<p>A storm flooded the harbour district on Tuesday night, the city said, and hundreds of
residents spent the night in schools while pumps worked to clear the streets of water.</p>
<p>Firefighters rescued twelve people from cars trapped in the water near the old port, and
the mayor asked residents to stay away from the waterfront until the tide turned again.</p>
<p>The weather service expects more rain on Thursday and has kept its warning in place for the
whole coast, while engineers inspect the sea wall that gave way in two places.</p>
<p>Related: Sea wall repairs were delayed for years</p>
<p>Sign up here.</p>
<p>941 comments</p>
</article></body></html>"""


def test_a_page_names_its_publication_headline_canonical_url_and_first_date(tmp_path):
    (tmp_path / "storm.html").write_text(PAGE, encoding="utf-8")
    found = collect([tmp_path], options=SourceOptions(dedupe=False))
    assert not found.skipped
    article = found.articles[0]
    assert article.title == "Storm floods the harbour district"  # no logo, kicker or affixes
    assert article.outlet == "Harbour Gazette"  # the <title> affix its domain spells
    assert article.url == "https://www.harbourgazette.example/news/storm-floods-harbour"
    assert article.published == "2024-03-05T08:10:00+01:00"  # not the modified date
    assert article.published_from == "page"
    assert article.paragraphs[0].startswith("A storm flooded")  # near-copy of the title gone
    for furniture in ("Related:", "Sign up", "941 comments"):
        assert furniture not in article.body


def test_a_page_with_no_name_gets_its_registrable_domain(tmp_path):
    page = PAGE.replace("| Politics | Harbour Gazette", "").replace(
        '<h1 class="site-logo">Harbour Gazette</h1>', "")
    (tmp_path / "storm.html").write_text(page, encoding="utf-8")
    article = collect([tmp_path]).articles[0]
    assert article.outlet == "harbourgazette.example"


@pytest.mark.parametrize(("value", "iso"), [
    ("Seg, 24 Set 2018 19:42:40 -0300", "2018-09-24T19:42:40-03:00"),  # Portuguese
    ("Mo, 05 Okt 2020 08:00:00 +0200", "2020-10-05T08:00:00+02:00"),  # German
    ("Tue, 31 Jan 2018 22:09:55 GMT", "2018-01-31T22:09:55+00:00"),
    ("15 августа 2016, 13:43", "2016-08-15T13:43:00"),
    ("2016年10月14日07:17", "2016-10-14T07:17:00"),
    ("2016-02-01T17:22:00+01:00", "2016-02-01T17:22:00+01:00"),
    ("not a date", None),
])
def test_dates_in_any_language_keep_their_own_offset(value, iso):
    assert parse_date(value) == iso


def test_undated_text_is_dated_from_its_dateline(tmp_path):
    assert text_date("Jakarta, Senin (21/11/2022) - Menteri luar negeri tiba.") == "2022-11-21"
    assert text_date("Title\nLead without a date.\nMore.\nMore.\n(13/11/2018)") is None
    (tmp_path / "a.txt").write_text(
        "Menteri tiba di Teheran\n\nTeheran (13/11/2018) - Menteri luar negeri Iran bertemu "
        "dengan mitranya untuk membahas kerja sama kedua negara.\n", encoding="utf-8")
    article = collect([tmp_path]).articles[0]
    assert (article.published, article.published_from) == ("2018-11-13", "text")


def test_front_matter_date_says_so():
    article = parse_article("---\npublished: 2025-01-02\n---\nHeadline here\nSome text.", "x")
    assert (article.published, article.published_from) == ("2025-01-02", "front-matter")


def test_dates_in_reads_each_written_date_once():
    text = "Managua 26, Abril, 2022 7:43 p.m. · Brasília 03/05/2022 21:44 · 5. Mai 2020"
    assert [iso for _, iso in dates_in(text)] == [
        "2022-04-26T19:43:00", "2022-05-03T21:44:00", "2020-05-05"]


def _meta(html: str, url: str | None = None) -> PageMeta:
    from trafilatura.utils import load_html

    return read_meta(load_html(html.encode("utf-8")), url)


_HEADED = """<html><head><title>Port reopens after the storm - Diario Ejemplo</title></head>
<body>{above}<h1>Port reopens after the storm</h1><p class="byline">By A. Writer {below}</p>
<p>The port reopened on Tuesday after three days of repairs to the quay and the cranes.</p>
<aside><h2>More news</h2><p>Council meets again <small>22 Apr, 2022</small></p></aside>
</body></html>"""


def test_a_page_without_date_metadata_is_dated_from_its_header_not_its_sidebar():
    below = _meta(_HEADED.format(above="", below="· Updated 29/04/2022 · 26/04/2022 10:00"))
    assert below.header_dates[0] == "2022-04-26T10:00:00"  # the update stamp is not read
    assert published_date(below, b"", None) == ("2022-04-26T10:00:00", "page")
    above = _meta(_HEADED.format(above="<p>Managua 26, Abril, 2022 7:43 p.m.</p>", below=""))
    assert published_date(above, b"", None)[0] == "2022-04-26T19:43:00"


def test_a_utc_stamp_is_dated_on_the_clock_the_page_shows():
    page = _HEADED.format(above="", below="Brasília 03/05/2022 21:44").replace(
        "</head>", '<meta property="article:published_time" content="2022-05-04T00:44:52Z">'
                   "</head>")
    assert published_date(_meta(page), b"", None) == ("2022-05-03", "page")
    # a time on the page that is not the same instant on another clock changes nothing
    other = page.replace("21:44", "21:10")
    assert published_date(_meta(other), b"", None)[0] == "2022-05-04T00:44:52+00:00"


def test_a_date_in_the_url_may_have_a_section_between_year_and_day():
    meta = PageMeta(url="https://arabic.news.example/2013/middle_east/8/3/clashes/index.html")
    assert published_date(meta, b"<html><body><p>No date here.</p></body></html>", None) == (
        "2013-08-03", "url")


def test_a_standfirst_is_kept_unless_the_text_has_all_of_it():
    text = ("Seasons change the mood of about ninety percent of adults, a survey found.\n"
            "Dark months bring worse sleep and less time with friends.")
    lead = "Seasons change the mood of nearly everyone in the country, researchers say."
    assert with_lead(text, lead).startswith(lead)
    assert with_lead(text, "Seasons change the mood of about ninety percent of adults, a survey "
                           "found.") == text
    assert with_lead(text, "Seasons change the mood of about ninety percent of adults, a su...") \
        == text


def test_a_deck_goes_only_when_the_lead_under_it_repeats_it():
    deck = "Fines for those who refuse to isolate rise to ten thousand pounds for repeat offenders"
    story = [f"Paragraph {n} of the story adds one more fact about travel corridors and rules."
             for n in range(1, 7)]
    late = [deck, *story, "He added that fines for people who refuse to isolate rise to ten "
                          "thousand pounds for repeat offenders."]
    assert clean_lines(late, "Quarantine list grows")[0][0] == deck
    near = [deck, "Fines for those who refuse to isolate rise to ten thousand pounds for repeat "
                  "offenders, the minister said on Thursday.", *story]
    assert deck not in clean_lines(near, "Quarantine list grows")[0]


def test_a_drop_cap_the_extractor_loses_is_put_back(tmp_path):
    (tmp_path / "bridge.html").write_text(
        '<html lang="en"><head><title>Bridge closes for repairs</title></head><body><article>'
        '<h1>Bridge closes for repairs</h1><div class="dropcap" aria-hidden="true">T</div>'
        "<p>he council closed the old bridge on Monday after engineers found cracks in two of "
        "its piers, and traffic was sent through the town centre.</p><p>Repairs will take at "
        "least three months, the council said, and a ferry will run every half hour.</p>"
        "</article></body></html>", encoding="utf-8")
    article = collect([tmp_path]).articles[0]
    assert article.paragraphs[0].startswith("The council closed")


def _atom(title: str, home: str, author: str = "") -> str:
    who = f"<author><name>{author}</name></author>" if author else ""
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f'<title>{title}</title><link rel="alternate" href="{home}"/>{who}'
            f'<entry><title>Compiler 10 released</title><link rel="alternate" '
            f'href="{home}story-1.html"/><published>2016-02-01T17:22:00+01:00</published>'
            f"<summary>The compiler's tenth version is out, with faster builds and a new "
            f"debugger that the project had promised for two years.</summary></entry></feed>")


@pytest.mark.parametrize(("title", "author", "outlet"), [
    # the feed's own words and the section its address names are not the publication
    ("harbourgazette developer neueste Meldungen", "", "harbourgazette"),
    ("Harbour Gazette Developer - Latest news", "", "Harbour Gazette"),
    # the publisher the feed names comes before its title
    ("harbourgazette developer neueste Meldungen", "Harbour Gazette Online",
     "Harbour Gazette Online"),
    # a title the domain does not spell: the domain
    ("Developer | Home", "", "harbourgazette.example"),
])
def test_a_feed_item_is_its_publications_not_its_feeds(tmp_path, title, author, outlet):
    (tmp_path / "f.atom").write_text(
        _atom(title, "https://www.harbourgazette.example/developer/", author), encoding="utf-8")
    found = collect([tmp_path], registry=Registry())
    assert [a.outlet for a in found.articles] == [outlet]


def test_a_partner_a_portal_hosts_is_the_partners(tmp_path):
    registry = Registry()
    registry.add(Outlet("Portal", domains=("portal.com.br",)))
    registry.add(Outlet("Folha do Portal", domains=("folha.portal.com.br",)))
    text = ("O programa de aprendizes da cidade vai continuar no ano que vem, com mais vagas "
            "para jovens de todos os bairros, disse a prefeitura nesta segunda-feira.")

    titles = ["", "Programa de aprendizes continua", "Bolsa fecha em baixa de 0,68%",
              "Promotoria abre inquérito sobre a feira"]

    def item(n: int, host: str, picture_host: str) -> str:
        return (f"<item><title>{titles[n]}</title><link>https://"
                f"{host}/noticia-{n}</link><description>&lt;img src=\"https://{picture_host}/"
                f"{n}.jpg\"/&gt; {text} ({n})</description></item>")

    items = (item(1, "gazetadovale.portal.com.br", "m1.gazetadovale.com.br")
             + item(2, "economia.portal.com.br", "conteudo.imgportal.com.br")
             + item(3, "folha.portal.com.br", "img.folha.com.br"))
    (tmp_path / "f.rss").write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Portal Notícias</title>'
        f"<link>https://noticias.portal.com.br/</link>{items}</channel></rss>", encoding="utf-8")
    found = collect([tmp_path], registry=registry, options=SourceOptions(dedupe=False))
    assert [a.outlet for a in found.articles] == [
        "gazetadovale.com.br", "Portal", "Folha do Portal"]


def test_a_feed_title_names_a_registered_outlet_in_any_accents(tmp_path):
    registry = Registry()
    registry.add(Outlet("Notícias do Porto", aliases=("NdP",)))
    (tmp_path / "f.atom").write_text(
        _atom("Noticias do Porto - Últimas notícias", "https://noticiasdoporto.example/"),
        encoding="utf-8")
    assert [a.outlet for a in collect([tmp_path], registry=registry).articles] == [
        "Notícias do Porto"]


@pytest.mark.parametrize(("title", "clean"), [
    ("Storm hits the coast | CNN Politics", "Storm hits the coast"),
    ("Storm hits the coast - Gala", "Storm hits the coast"),
    ("海外留学生看两会：出国前后关注点大不同_教育频道_中国青年网",
     "海外留学生看两会：出国前后关注点大不同"),
    ("Storm hits the coast | DW | 23.05.2011", "Storm hits the coast"),
    ("NEWS WEB EASY|子どもへの体罰を禁止する法律ができる", "子どもへの体罰を禁止する法律ができる"),
    ("Kim Jong Un: Der Diktator ist zurück", "Kim Jong Un: Der Diktator ist zurück"),
])
def test_titles_lose_site_and_section_affixes(title, clean):
    assert strip_affixes(title, ["CNN", "Gala", "DW"], None)[0] == clean


def test_names_match_their_domains():
    assert matches_domain("CBS News", "https://www.cbsnews.com/x")
    assert matches_domain("Frankfurter Rundschau", "fr.de")
    assert matches_domain("The New York Times", "nytimes.com")
    assert not matches_domain("Política", "correiobraziliense.com.br")
    assert registrable_domain("https://news.bbc.co.uk/a") == "bbc.co.uk"
    assert registrable_domain("tnonline.uol.com.br") == "uol.com.br"


@pytest.mark.parametrize("line", [
    "Continue reading...", "Read full article >>", "Lea también: Otra noticia",
    "Lesen Sie auch: Noch ein Artikel", "Baca juga: Berita lain", "Читайте также: другое",
    "5 Kommentare", "Wir verwenden Cookies. Mit Klick auf Akzeptieren stimmen Sie zu.",
    "Stand: 12.03.2024, 10:00 Uhr", "Aktualisiert am 12.03.2024", "Bild: dpa",
    "Editing by Mark Heinrich and Some Other Editor of the Desk", "اقرأ أيضا: خبر آخر",
    "ادامه مطلب", "相关阅读：另一条新闻", "Devamını oku", "Leggi anche: un altro articolo",
    "Leia também: outra notícia", "Lire aussi : un autre article", "この記事は会員限定です。",
    "pic.twitter.com/abc123",
])
def test_furniture_in_any_language_is_dropped(line):
    body = ["The council voted on Monday to close the old bridge to traffic for repairs.",
            "Engineers had warned for years that the structure could not carry heavy lorries.",
            line]
    kept, _ = clean_lines(body, "Bridge closed")
    assert line not in kept and len(kept) == 2


def test_an_embedded_post_and_a_closing_call_to_visit_are_not_the_story():
    body = ["The railway opened sales of long-distance tickets for May on Tuesday morning.",
            "Tickets are ten percent cheaper online, the transport ministry said in a statement.",
            "Buy your tickets now https://t.co/abc pic.twitter.com/XyZ123",
            "— Example Railways (@ExampleRail) April 5, 2022",
            "Trains to the coast leave twice a day from the central station, the ministry said.",
            "The company has dealers in 28 cities. For more information on the company, please "
            "visit - www.example.in, www.example.com/dealers"]
    kept, _ = clean_lines(body, "Railway opens ticket sales for May")
    assert [k[:20] for k in kept] == [b[:20] for b in body[:2] + body[4:]]
    assert kept[-1] == "The company has dealers in 28 cities."


def test_relays_come_from_credit_lines_not_from_mentions():
    registry = load_registry()
    quoted = parse_article(
        "---\ntitle: Antarctica warms\noutlet: El Diario\n---\nThe scientist told AFP that "
        "the record was real.\n\nShe said more data would come in March.", "a")
    assert resolve_outlet(quoted, registry).relays is None  # a quote given to AFP
    credited = parse_article(
        "---\ntitle: Nordkorea\noutlet: Frankfurter Rundschau\n---\nKim Jong Un ist "
        "wieder aufgetaucht, berichten Staatsmedien.\n\nReuters hatte zuvor anders "
        "berichtet.\n\n(FR mit dpa)", "b")
    credited = resolve_outlet(credited, registry)
    assert (credited.via, credited.relays) == ("dpa", "dpa")
    assert "(FR mit dpa)" not in credited.body


def test_ads_and_template_series_are_listed_not_read(tmp_path):
    items = "".join(
        f"<item><title>Clima en {city} hoy: cuál es el pronóstico del tiempo para el 7 de "
        f"abril</title><link>https://diario.example/clima-{k}</link><description>El "
        f"pronóstico para {city}: nubes y sol durante la tarde con vientos.</description></item>"
        for k, city in enumerate(["Rosario", "Bariloche", "Ciudad de Salta"]))
    items += ("<item><title>Featured Advertiser</title><link>http://ads.adserver.example/c?1"
              "</link><description></description></item>")
    items += ("<item><title>Council closes the old bridge</title><link>https://diario.example/"
              "puente</link><description>The council voted on Monday to close the old bridge "
              "for repairs after engineers warned it was unsafe.</description></item>")
    feed = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Portada | DIARIO</title>'
            f"<link>https://diario.example/</link><language>kn</language>{items}"
            f"</channel></rss>")
    (tmp_path / "f.rss").write_text(feed, encoding="utf-8")
    found = collect([tmp_path])
    assert [a.title for a in found.articles] == ["Council closes the old bridge"]
    article = found.articles[0]
    assert article.outlet == "DIARIO" and article.language == "en"  # text over <language>
    reasons = [s.reason for s in found.skipped]
    assert sum("template" in r for r in reasons) == 3
    assert sum("advertisement" in r for r in reasons) == 1


def test_a_placeholder_item_is_read_from_its_page_not_kept(tmp_path):
    (tmp_path / "f.rss").write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Diario</title><link>'
        "https://diario.example/</link><item><title>Council closes the old bridge</title>"
        "<link>http://127.0.0.1:9/bridge</link><description>Removed for overview ..."
        "</description></item></channel></rss>", encoding="utf-8")
    found = collect([tmp_path], options=SourceOptions(attempts=1, timeout_s=0.5))
    assert found.articles == []  # its page could not be read: the placeholder is no article
    assert [s.path.endswith("(http://127.0.0.1:9/bridge)") for s in found.skipped] == [True]


def test_template_series_needs_a_shared_wording():
    titles = ["Fairfax wellness calendar, Aug. 23-30", "D.C. wellness calendar, Aug. 23-30",
              "Loudoun County wellness calendar, Aug. 23-30", "Council closes the bridge",
              "Council opens the bridge again"]
    assert sorted(template_series(titles)) == [0, 1, 2]


def test_every_duplicate_is_listed_with_the_copy_kept(tmp_path):
    text = (SEEDS / next(p.name for p in SEEDS.glob("003_*.txt"))).read_text(encoding="utf-8")
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    (tmp_path / "b.txt").write_text(text, encoding="utf-8")
    found = collect([tmp_path])
    assert [a.id for a in found.articles] == ["a"]
    assert [(s.kept, "same text" in s.reason) for s in found.skipped] == [("a", True)]


def test_read_jsonl_builds_the_same_brief(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for path in SEEDS.glob("*.txt"):
        (src / path.name).write_bytes(path.read_bytes())
    (src / "storm.html").write_text(PAGE, encoding="utf-8")
    read = runner.invoke(app, ["read", str(src), "--jsonl", "-q"], catch_exceptions=False)
    assert read.exit_code == 0, read.output
    records = [json.loads(line) for line in read.stdout.splitlines()]
    assert {"id", "text", "language", "path"} <= set(records[0])
    assert any(r.get("published_from") == "page" for r in records)
    (tmp_path / "a.jsonl").write_text(read.stdout, encoding="utf-8")
    briefs = []
    for name, source in (("direct", src), ("via-jsonl", tmp_path / "a.jsonl")):
        out = tmp_path / name
        result = runner.invoke(app, ["build", str(source), "--out", str(out), "--format", "json",
                                     "--summarizer", "extractive", "--no-cache", "-q"],
                               catch_exceptions=False)
        assert result.exit_code == 0, result.output
        brief = json.loads((out / "brief.json").read_text(encoding="utf-8"))
        for event in brief["events"]:
            event.pop("first_seen")  # the run's own time
        briefs.append({k: v for k, v in brief.items() if k not in ("generated_at", "inputs")})
    assert briefs[0]["events"] and briefs[0] == briefs[1]


# --- the real pages and feeds in ../shared ------------------------------------------------------

real = pytest.mark.skipif(not (REAL_WEB / "pages.tsv").is_file(),
                          reason="../shared/data/real-web is not here")


def _rows(name: str) -> list[dict[str, str]]:
    with (REAL_WEB / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


@real
def test_real_pages_get_their_labelled_date_and_language():
    rows = _rows("pages.tsv")
    found = collect([REAL_WEB / "pages" / r["file"] for r in rows],
                    options=SourceOptions(dedupe=False))
    by_id = {a.path: a for a in found.articles}
    dates = langs = 0
    for row in rows:
        article = by_id.get(str(REAL_WEB / "pages" / row["file"]))
        dates += bool(article and (article.published or "")[:10] == row["published"])
        langs += bool(article and article.language == row["language"])
    assert dates / len(rows) >= 0.9 and langs / len(rows) >= 0.98


@real
def test_real_feed_items_are_dated_in_their_own_time_zone():
    found = collect([REAL_WEB / "feeds" / "uol-noticias.rss"], options=SourceOptions(
        attempts=1, timeout_s=0.5))
    dated = [a for a in found.articles if a.published]
    assert dated and all(a.published.endswith("-03:00") for a in dated)
    assert all(a.published_from == "feed" for a in dated)
