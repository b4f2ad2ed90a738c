"""Feeds, pages and JSON Lines, from files and from a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefer.cli import app
from briefer.sources import (
    FetchError,
    SourceOptions,
    collect,
    drop_duplicates,
    fetch,
    html_to_text,
    normalize_url,
)
from briefer.types import Article
from tests.servers import rss_feed, seed_item, web_server

SEEDS = Path(__file__).parents[1] / "seeds"
SEED = {p.name[:3]: p for p in SEEDS.glob("*.txt")}
# The test servers listen on 127.0.0.1, which the fetch guard refuses unless allowed.
LOOPBACK = ("127.0.0.1",)
FAST = SourceOptions(timeout_s=2.0, attempts=1, allow=LOOPBACK)

ARTICLE_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Syrian ministers discuss military, economic cooperation with Putin | MNTV</title></head>
<body><nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/sport">Sport</a></nav>
<article><h1>Syrian ministers discuss military, economic cooperation with Putin</h1>
{paragraphs}
</article>
<footer><p>© 2025 MNTV. All rights reserved. Subscribe to our newsletter.</p></footer>
</body></html>"""


def _page(seed: str = "003") -> str:
    body = SEED[seed].read_text(encoding="utf-8").split("\n")[2:]
    return ARTICLE_PAGE.format(paragraphs="".join(f"<p>{p}</p>" for p in body if p.strip()))


@pytest.fixture
def web():
    with web_server() as server:
        yield server


def test_rss_feed_over_http_with_content_and_link_only_items(web):
    page_url = web.add("/story/003.html", _page("003"))
    now = datetime.now(UTC)
    feed = rss_feed("Example News", [
        seed_item(SEED["004"], link=web.url("/story/004.html"), date=now),
        {"title": "Syrian ministers discuss military, economic cooperation with Putin",
         "link": page_url, "date": now},  # no text: the page is fetched and extracted
    ], language="fr-FR")  # fmt: skip
    url = web.add("/feed.xml", feed, "application/rss+xml; charset=utf-8")

    found = collect([url], options=FAST)

    assert found.skipped == []
    first, second = found.articles
    assert first.url == web.url("/story/004.html") and first.language == "fr"
    # A feed's title is not a publication's name ("Home | Mail Online", "新闻国内"): with no
    # registry entry and no part of the title that the domain spells, the domain names it.
    assert first.outlet == "127.0.0.1"
    assert first.published == now.isoformat(timespec="seconds")
    assert "al‑Chaibani" in first.body
    assert second.url == page_url
    assert second.title == "Syrian ministers discuss military, economic cooperation with Putin"
    assert "Putin met Tuesday" in second.body
    assert "All rights reserved" not in second.body and "Home" not in second.body
    assert {p for p, _ in web.requests} == {"/feed.xml", "/story/003.html"}
    assert all(ua.startswith("briefer/") for _, ua in web.requests)
    # ids are stable: the same feed read again gives the same ids (the state relies on it)
    assert [a.id for a in collect([url], options=FAST).articles] == [first.id, second.id]
    assert first.id.startswith("127-0-0-1_")


def test_feed_files_pages_and_jsonl_from_disk(tmp_path):
    atom = tmp_path / "news.atom"
    atom.write_text(
        '<?xml version="1.0" encoding="utf-8"?>'
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom News</title>'
        '<id>urn:x</id><updated>2025-07-29T10:00:00Z</updated>'
        "<entry><title>Ministers in Moscow</title><id>urn:x:1</id>"
        "<link href='https://example.org/a/1'/><updated>2025-07-29T10:00:00Z</updated>"
        "<summary type='html'>&lt;p&gt;Syria's foreign and defense ministers met Russian "
        "President Vladimir Putin in Moscow on Tuesday.&lt;/p&gt;&lt;p&gt;They discussed "
        "military cooperation.&lt;/p&gt;</summary></entry></feed>",
        encoding="utf-8",
    )
    (tmp_path / "story.html").write_text(_page("003"), encoding="utf-8")
    lines = [
        {"title": "Putin receives Syrian ministers", "text": SEED["004"].read_text("utf-8"),
         "url": "https://example.org/jsonl/1", "outlet": "SANA", "published": "2025-07-29",
         "language": "fr"},
        {"title": "no text"},
        "not json",
    ]
    jsonl = tmp_path / "items.jsonl"
    jsonl.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n",
                     encoding="utf-8")

    found = collect([tmp_path], options=FAST)

    by_title = {a.title: a for a in found.articles}
    atom_item = by_title["Ministers in Moscow"]
    assert atom_item.outlet == "example.org" and atom_item.url == "https://example.org/a/1"
    assert atom_item.body.split("\n\n") == [
        "Syria's foreign and defense ministers met Russian President Vladimir Putin in Moscow on "
        "Tuesday.", "They discussed military cooperation."]  # fmt: skip
    assert atom_item.published == "2025-07-29T10:00:00+00:00"
    page = next(a for a in found.articles if a.path and a.path.endswith("story.html"))
    assert page.id == "story" and "Putin met Tuesday" in page.body
    record = by_title["Putin receives Syrian ministers"]
    assert (record.outlet, record.language, record.published) == ("SANA", "fr", "2025-07-29")
    reasons = {s.path.rsplit("/", 1)[-1]: s.reason for s in found.skipped}
    assert reasons == {"items.jsonl:2": "bad JSON Lines record (no text)",
                       "items.jsonl:3": reasons["items.jsonl:3"]}
    assert reasons["items.jsonl:3"].startswith("bad JSON Lines record")


def test_bad_sources_are_skipped_quickly_and_the_rest_is_read(web, tmp_path):
    good = web.add("/feed.xml", rss_feed("Example News", [seed_item(SEED["003"])]),
                   "application/rss+xml")
    missing = web.url("/nope.xml")
    slow = web.add("/slow.xml", "<rss/>", "application/rss+xml", delay_s=3.0)
    big = web.add("/big.html", "<p>" + "x" * 300_000 + "</p>")
    not_feed = tmp_path / "notes.xml"
    not_feed.write_text("<config><a>1</a></config>", encoding="utf-8")
    options = SourceOptions(timeout_s=0.5, attempts=1, max_bytes=100_000, allow=LOOPBACK)

    started = time.monotonic()
    found = collect([missing, slow, big, str(not_feed), good, str(tmp_path / "gone")],
                    options=options)

    assert time.monotonic() - started < 3.0
    assert len(found.articles) == 1
    reasons = {s.path: s.reason for s in found.skipped}
    assert reasons[missing] == "HTTP 404 Not Found"
    assert "no answer within 0.5 s" in reasons[slow]
    assert reasons[big] == "larger than 98 KB"
    assert reasons[str(not_feed)].startswith("not an RSS or Atom feed")
    assert reasons[str(tmp_path / "gone")] == "no such file or directory"


def test_fetch_retries_server_errors_but_not_client_errors(web):
    flaky = web.add("/flaky.xml", "<rss/>", "application/rss+xml", fail_first=2)
    gone = web.add("/gone", "x", status=410)
    options = SourceOptions(timeout_s=2.0, attempts=3, retry_wait_s=0.01, allow=LOOPBACK)
    assert fetch(flaky, options).data == b"<rss/>"
    assert web.routes["/flaky.xml"].hits == 3
    with pytest.raises(Exception, match="HTTP 410"):
        fetch(gone, options)
    assert web.routes["/gone"].hits == 1
    web.routes["/flaky.xml"].hits, web.routes["/flaky.xml"].fail_first = 0, 5
    with pytest.raises(Exception, match="HTTP 503 Service Unavailable after 3 attempts"):
        fetch(flaky, options)
    assert web.routes["/flaky.xml"].hits == 3


def test_fetch_follows_http_redirects_only(web):
    with pytest.raises(FetchError, match="not an http"):
        fetch("file:///etc/passwd")
    target = web.add("/feed.xml", "<rss/>", "application/rss+xml")
    moved = web.add("/old.xml", "", status=301, headers={"Location": target})
    assert fetch(moved, FAST).url == target
    sneaky = web.add("/sneaky", "", status=302, headers={"Location": "file:///etc/passwd"})
    ftp = web.add("/ftp", "", status=302, headers={"Location": "ftp://127.0.0.1/x"})
    with pytest.raises(FetchError, match=r"redirect to a non-http URL \(ftp:\)"):
        fetch(ftp, FAST)
    with pytest.raises(FetchError, match=r"redirect to a non-http URL \(file:\)"):
        fetch(sneaky, FAST)


def _article(aid: str, body: str, url: str | None = None) -> Article:
    return Article(id=aid, title=aid, body=body, language="en", url=url)


def test_duplicates_same_url_same_text_and_near_copies_are_dropped():
    text = SEED["003"].read_text(encoding="utf-8").split("\n", 2)[2]
    edited = text.replace("Tuesday", "on Tuesday").replace("the agency said.", "SANA said.")
    edited = edited.replace("MOSCOW (MNTV) — ", "MOSCOW (AP) — ")
    other = SEED["004"].read_text(encoding="utf-8")
    articles = [
        _article("a", text, "https://Example.org/story/1?utm_source=rss#top"),
        _article("b", text + " ", "https://example.org/story/1/"),  # same URL
        _article("c", "  " + text.upper(), "https://mirror.example/1"),  # same text
        _article("d", edited, "https://copy.example/x"),  # syndicated copy, small edits
        _article("e", other, "https://example.org/story/2"),
        _article("f", text[: len(text) // 3], "https://example.org/teaser"),  # a third: kept
    ]
    kept, dropped = drop_duplicates(articles)
    assert [a.id for a in kept] == ["a", "e", "f"]
    assert [(d.id, d.kept, d.reason.split(" (")[0]) for d in dropped] == [
        ("b", "a", "same URL"), ("c", "a", "same text"), ("d", "a", "near-duplicate")]


def test_normalize_url():
    assert normalize_url("HTTPS://Example.org:443/a/?utm_medium=x&id=3#frag") == \
        "https://example.org/a?id=3"


def test_time_window_keeps_recent_and_undated_articles(tmp_path):
    now = datetime.now(UTC)
    records = [
        {"id": "recent", "text": SEED["003"].read_text("utf-8"), "published": now.isoformat()},
        {"id": "old", "text": SEED["004"].read_text("utf-8"),
         "published": (now - timedelta(hours=30)).isoformat()},
        {"id": "old-day", "text": SEED["001"].read_text("utf-8"), "published": "2020-01-01"},
        {"id": "undated", "text": SEED["000"].read_text("utf-8")},
    ]
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    found = collect([path], options=SourceOptions(window_hours=24))
    assert [a.id for a in found.articles] == ["recent", "undated"]
    assert found.outside_window == ["old", "old-day"]


def test_html_to_text_keeps_paragraphs_and_drops_scripts():
    html = "<p>One &amp; two</p><script>alert(1)</script><div>Three<br>four</div>"
    assert html_to_text(html) == "One & two\n\nThree\n\nfour"


def test_build_accepts_urls_feeds_and_jsonl(web, tmp_path):
    url = web.add("/feed.xml", rss_feed("Example News", [seed_item(SEED[s]) for s in
                                                          ("000", "001", "003")]),
                  "application/rss+xml")
    jsonl = tmp_path / "more.jsonl"
    jsonl.write_text(json.dumps({"title": "Putin receives Syrian ministers",
                                 "text": SEED["004"].read_text("utf-8")}) + "\n", "utf-8")
    missing = web.url("/missing.xml")
    result = CliRunner().invoke(app, ["build", url, str(jsonl), missing, "--out",
                                      str(tmp_path / "out"), "--format", "json",
                                      "--summarizer", "extractive", "-q",
                                      "--allow-fetch", "127.0.0.1"])
    assert result.exit_code == 0, result.output
    brief = json.loads((tmp_path / "out" / "brief.json").read_text(encoding="utf-8"))
    assert brief["skipped"] == [{"path": missing, "reason": "HTTP 404 Not Found"}]
    (event,) = brief["events"]
    assert len(event["articles"]) == 4
    assert [line for line in result.stderr.splitlines() if "missing.xml" in line] == [
        f"warning: skipped {missing}: HTTP 404 Not Found"]
