"""Ingest on real pages and feeds: titles, outlets, dates, languages, bodies, boilerplate.

Usage: .venv/bin/python benchmarks/ingest.py [--data DIR] [--verbose]

Reads every page and feed of ``../shared/data/real-web`` (third-party material, never copied
into the repository) with briefer's own readers and compares what they make with the labels of
``pages.tsv`` and ``feeds.tsv`` (see that directory's README). Nothing is fetched: a feed item
with no text of its own, whose page would be downloaded, counts as not read.

Scores (share correct, 0-1):

- title: the headline, compared after Unicode NFKC, collapsing whitespace, case folding and
  straightening typographic quotes;
- outlet: the publication's name, compared after ``text.fold``, without spaces, punctuation,
  a leading "The" or a trailing top-level domain ("24Horas.cl" = "24 Horas");
- date: the first 10 characters of ``published`` equal the labelled original publication date;
- lang / item_lang: the ISO 639-1 code;
- body: the labelled must-have fragment is in the cleaned body (whitespace collapsed);
- boilerplate_leaked: pages whose labelled must-not fragment is still in the title or body;
- items: labelled feed items that are articles (``is_article=yes``); the item scores are over
  them, an item briefer did not read counts as wrong.

``--verbose`` prints every miss. Also printed: the same scores with an outlet registry that
knows no domain (how far the page's own metadata gets without the registry), the URL score,
and how many labelled non-articles (ads, templates, placeholders) were kept.

Last line: ``ingest pages=N title=A outlet=A date=A lang=A body=A boilerplate_leaked=N
items=N item_lang=A item_outlet=A item_date=A``.
"""

from __future__ import annotations

import argparse
import csv
import logging
import os
import re
import sys
import time
import unicodedata
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from briefer import sources  # noqa: E402
from briefer.outlets import Registry, load_registry  # noqa: E402
from briefer.sources import FetchError, SourceOptions, collect, normalize_url  # noqa: E402
from briefer.text import fold  # noqa: E402
from briefer.types import Article  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "real-web"
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'",
                         "‚": "'"})


def norm_title(value: str | None) -> str:
    text = unicodedata.normalize("NFKC", value or "").translate(_QUOTES)
    return " ".join(text.split()).casefold()


def norm_outlet(value: str | None) -> str:
    """A name as spelled, whatever the spacing, case, accents, punctuation, a leading "The"
    or a trailing top-level domain: "24Horas.cl" = "24 Horas", "LA NACION" = "La Nación"."""
    # the top-level domain goes before folding, which turns its dot into a space
    key = re.sub(r"(?:\.[a-z]{2,3})+$", "", (value or "").strip(), flags=re.I)
    key = unicodedata.normalize("NFKD", fold(key))
    key = "".join(c for c in key if not unicodedata.combining(c))
    key = re.sub(r"^the\s+", "", key)
    return re.sub(r"[\W_]+", "", key)


def collapse(value: str | None) -> str:
    return " ".join((value or "").replace("\u00a0", " ").split())


def _offline(url: str, options: object = None) -> object:
    raise FetchError("not fetched in the benchmark")


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def read_one(path: Path, registry: Registry) -> list[Article]:
    options = SourceOptions(dedupe=False, attempts=1, timeout_s=1.0)
    return collect([path], registry, options).articles


def score_pages(data: Path, registry: Registry, verbose: bool) -> dict[str, float | int]:
    rows = read_rows(data / "pages.tsv")
    hits = {k: 0 for k in ("title", "outlet", "date", "lang", "body", "url")}
    leaked = 0
    for row in rows:
        found = read_one(data / "pages" / row["file"], registry)
        article = found[0] if found else None
        got = {
            "title": article and norm_title(article.title) == norm_title(row["title"]),
            "outlet": article and norm_outlet(article.outlet) == norm_outlet(row["outlet"]),
            "date": article and (article.published or "")[:10] == row["published"],
            "lang": article and article.language == row["language"],
            "body": article and collapse(row["must_have"]) in collapse(article.body),
            "url": article and normalize_url(article.url or "") == normalize_url(row["url"]),
        }
        for key, ok in got.items():
            hits[key] += bool(ok)
            if verbose and not ok:
                mine = {"title": article and article.title, "outlet": article and article.outlet,
                        "date": article and article.published,
                        "lang": article and article.language, "url": article and article.url,
                        "body": article and collapse(article.body)[:160]}[key]
                want = {"body": row["must_have"]}.get(key, row.get(
                    {"lang": "language", "date": "published"}.get(key, key)))
                print(f"  page {row['file'][:40]:<40} {key:<6} got {mine!r} want {want!r}")
        bad = collapse(row["must_not"])
        if bad and article and bad in collapse(article.title + "\n" + article.body):
            leaked += 1
            if verbose:
                print(f"  page {row['file'][:40]:<40} leaked {row['must_not']!r}")
    n = len(rows)
    return {"pages": n, **{k: v / n for k, v in hits.items()}, "leaked": leaked}


def score_items(data: Path, registry: Registry, verbose: bool) -> dict[str, float | int]:
    import feedparser

    rows = read_rows(data / "feeds.tsv")
    by_feed: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_feed.setdefault(row["file"], []).append(row)
    hits = {"lang": 0, "outlet": 0, "date": 0}
    items = kept_non_articles = non_articles = leaked = 0
    for name, labelled in by_feed.items():
        path = data / "feeds" / name
        entries = feedparser.parse(path.read_bytes()).entries
        articles = read_one(path, registry)
        by_url = {normalize_url(a.url): a for a in articles if a.url}
        by_title = {norm_title(a.title): a for a in articles}
        for row in labelled:
            entry = entries[int(row["item_index"])]
            link = entry.get("link")
            article = by_url.get(normalize_url(link)) if link else None
            article = article or by_title.get(norm_title(row["item_title"]))
            if row["is_article"] != "yes":
                non_articles += 1
                kept_non_articles += article is not None
                if verbose and article is not None:
                    print(f"  item {name} #{row['item_index']} kept a non-article")
                continue
            items += 1
            got = {
                "lang": article and article.language == row["language"],
                "outlet": article and norm_outlet(article.outlet) == norm_outlet(row["outlet"]),
                "date": article and (article.published or "")[:10] == row["published"],
            }
            for key, ok in got.items():
                hits[key] += bool(ok)
                if verbose and not ok:
                    mine = article and {"lang": article.language, "outlet": article.outlet,
                                        "date": article.published}[key]
                    want = row[{"lang": "language", "date": "published"}.get(key, key)]
                    print(f"  item {name} #{row['item_index']} {key:<6} got {mine!r} "
                          f"want {want!r}")
            bad = collapse(row.get("must_not"))
            if bad and article and bad in collapse(article.title + "\n" + article.body):
                leaked += 1
                if verbose:
                    print(f"  item {name} #{row['item_index']} leaked {row['must_not']!r}")
    return {"items": items, **{k: v / max(items, 1) for k, v in hits.items()},
            "non_articles": non_articles, "kept_non_articles": kept_non_articles,
            "leaked": leaked}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    if not (args.data / "pages.tsv").is_file():
        print(f"no labelled material at {args.data} (pages.tsv); nothing to score")
        return 2
    logging.basicConfig(level=logging.ERROR)
    sources.fetch = _offline  # type: ignore[assignment]
    registry = load_registry()
    started = time.perf_counter()
    pages = score_pages(args.data, registry, args.verbose)
    items = score_items(args.data, registry, args.verbose)
    seconds = time.perf_counter() - started

    bare = Registry()  # the same outlets, but no domain: page metadata alone names them
    for outlet in registry.outlets:
        bare.add(replace(outlet, domains=()))
    pages_bare = score_pages(args.data, bare, False)
    items_bare = score_items(args.data, bare, False)
    print(f"without domains in the registry: outlet={pages_bare['outlet']:.3f} "
          f"item_outlet={items_bare['outlet']:.3f}")
    print(f"url={pages['url']:.3f}  item boilerplate leaked={items['leaked']}  "
          f"non-articles kept={items['kept_non_articles']}/{items['non_articles']}  "
          f"({seconds:.1f} s)")
    print(f"ingest pages={pages['pages']} title={pages['title']:.3f} "
          f"outlet={pages['outlet']:.3f} date={pages['date']:.3f} lang={pages['lang']:.3f} "
          f"body={pages['body']:.3f} boilerplate_leaked={pages['leaked']} "
          f"items={items['items']} item_lang={items['lang']:.3f} "
          f"item_outlet={items['outlet']:.3f} item_date={items['date']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
