"""Sources beyond plain files: RSS/Atom feeds, HTML pages, JSON Lines, from disk or http(s).

:func:`collect` reads every kind of source into :class:`Article` objects, then drops what
should not reach grouping: articles outside the time window and duplicates (the same URL,
the same text, or a syndicated copy with small edits). Plain ``.txt``/``.md`` files go through
:func:`briefer.ingest.ingest` as before; everything else is turned into the same front-matter
text and cleaned by :func:`briefer.ingest.parse_article`, so one set of rules applies to all.

A source that cannot be read (unreachable, too large, not a feed, no article text) is skipped
with one warning and listed in ``brief.json`` ``skipped``; the run goes on. Network reads have
a timeout per attempt and an overall deadline, a user agent, a size limit and a bounded number
of attempts (5xx, 429 and connection failures are retried with backoff; other 4xx are not).
Only http and https are fetched, redirects included, and never an internal address unless
the allow-list names it: the network code and its guard live in :mod:`briefer.fetch`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from . import __version__
from .datetext import parse_date
from .fetch import FetchError, FetchRefused, HostUnreachable, fetch
from .files import file_id, shown, walk
from .ingest import SUFFIXES as TEXT_SUFFIXES
from .ingest import IngestResult, ingest, parse_article, resolve_outlet
from .outlets import Registry, load_registry
from .pages import registrable_domain
from .text import fold, normalize_space, one_line
from .types import Article, Skipped

log = logging.getLogger(__name__)

__all__ = [
    "SUFFIXES",
    "Collected",
    "Duplicate",
    "FetchError",
    "FetchRefused",
    "SourceOptions",
    "collect",
    "drop_duplicates",
    "fetch",
]

FEED_SUFFIXES = (".xml", ".rss", ".atom")
PAGE_SUFFIXES = (".html", ".htm")
JSONL_SUFFIXES = (".jsonl",)
SUFFIXES = TEXT_SUFFIXES + FEED_SUFFIXES + PAGE_SUFFIXES + JSONL_SUFFIXES
JSONL_KEYS = frozenset({"id", "title", "text", "url", "outlet", "published", "language"})
# What `briefer read --jsonl` adds, so that its output builds the same brief as its sources.
JSONL_READ_KEYS = frozenset({"path", "published_from", "via"})
# Two texts whose character 5-gram sets overlap this much (Jaccard) are one story: a wire copy
# with a changed headline, a dropped sentence or a different byline. Reports of one event in
# the same language written separately overlap far less (< 0.4 on the grouping set).
NEAR_DUPLICATE_JACCARD = 0.8
_SHINGLE = 5
_NUM_PERM = 128
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|ocid|cmpid)$", re.I)


@dataclass(frozen=True)
class SourceOptions:
    """How sources are read; the ``[fetch]`` table and ``window_hours`` of ``briefer.toml``."""

    timeout_s: float = 20.0  # per network attempt; a whole download gets at most 3x this
    attempts: int = 3  # per URL; 4xx other than 429 is not retried
    retry_wait_s: float = 1.0  # first wait between attempts, doubled each time (at most 8 s)
    max_bytes: int = 10 * 1024 * 1024  # per download or file
    max_items: int = 200  # per feed (newest first, as the feed lists them)
    user_agent: str = f"briefer/{__version__} (daily news brief)"
    window_hours: float = 0.0  # keep articles published in the last N hours; 0: all
    dedupe: bool = True
    # Internal hosts and networks that may be fetched (see briefer.fetch): "feeds.corp",
    # "10.0.0.0/8", "127.0.0.1". Everything else that resolves to an internal address is refused.
    allow: tuple[str, ...] = ()


@dataclass(frozen=True)
class Duplicate:
    """An article dropped before grouping because another one says the same."""

    id: str
    kept: str
    reason: str  # "same URL" | "same text" | "near-duplicate (92% shared)"


@dataclass
class Collected(IngestResult):
    duplicates: list[Duplicate] = field(default_factory=list)
    outside_window: list[str] = field(default_factory=list)  # ids of articles too old


def collect(
    sources: Iterable[str | Path],
    registry: Registry | None = None,
    options: SourceOptions | None = None,
    now: datetime | None = None,
) -> Collected:
    """Every article in ``sources`` (files, directories, feed/page URLs), deduplicated.

    Never raises for a bad source: it is skipped, logged once and listed in ``skipped``.
    """
    reader = _Reader(registry or load_registry(), options or SourceOptions())
    for src in sources:
        reader.read_source(str(src) if _is_url(str(src)) else Path(src))
    result = reader.result
    result.articles = _unique_ids(result.articles)
    if reader.options.window_hours > 0:
        cutoff = (now or datetime.now(UTC)) - timedelta(hours=reader.options.window_hours)
        kept = []
        for article in result.articles:
            when = published_at(article.published)
            if when is not None and when[0] < (cutoff.date() if when[1] else cutoff):
                result.outside_window.append(article.id)
                result.skipped.append(Skipped(
                    _where(article), f"published {article.published}, more than "
                    f"{reader.options.window_hours:g} h ago (id {article.id})"))
            else:
                kept.append(article)
        if result.outside_window:
            log.info("%d articles published more than %g h ago left out",
                     len(result.outside_window), reader.options.window_hours)
        result.articles = kept
    if reader.options.dedupe:
        by_id = {a.id: a for a in result.articles}
        result.articles, result.duplicates = drop_duplicates(result.articles)
        for d in result.duplicates:  # every dropped article is listed, with the copy kept
            result.skipped.append(Skipped(_where(by_id[d.id]), f"{d.reason} of {d.kept} "
                                          f"(id {d.id})", kept=d.kept))
    return result


def _where(article: Article) -> str:
    return article.url or article.path or article.id


def published_at(value: str | None) -> tuple[Any, bool] | None:
    """(datetime in UTC, False) or (date, True) for an ISO-8601 or RFC 2822 value; else None."""
    if not value:
        return None
    value = value.strip()
    try:
        if len(value) == 10:
            return datetime.fromisoformat(value).date(), True
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC), False


# --- reading each kind of source ----------------------------------------------------------------


class _Reader:
    def __init__(self, registry: Registry, options: SourceOptions) -> None:
        self.registry = registry
        self.options = options
        self.result = Collected()
        self.unreachable: dict[str, str] = {}  # host -> why it could not be reached

    def skip(self, where: str, reason: str) -> None:
        where, reason = one_line(where), one_line(reason)  # both may come from a remote
        log.warning("skipped %s: %s", where, reason)
        self.result.skipped.append(Skipped(where, reason))

    def read_source(self, src: str | Path) -> None:
        if isinstance(src, str):
            self.read_url(src)
        elif src.is_dir():
            for path in walk(src, SUFFIXES, self.result.skipped):
                self.read_file(path)
        elif src.is_file():
            self.read_file(src)
        else:
            self.skip(str(src), "no such file or directory")

    def read_file(self, path: Path) -> None:
        suffix = path.suffix.lower()
        if suffix not in FEED_SUFFIXES + PAGE_SUFFIXES + JSONL_SUFFIXES:
            found = ingest([path], self.registry)  # logs its own warnings
            self.result.articles += found.articles
            self.result.skipped += found.skipped
            self.result.repaired += found.repaired
            return
        try:
            if path.stat().st_size > self.options.max_bytes:
                raise FetchError(f"larger than {_size(self.options.max_bytes)}")
            data = path.read_bytes()
        except OSError as exc:
            self.skip(shown(path), exc.strerror or str(exc))
            return
        except FetchError as exc:
            self.skip(shown(path), str(exc))
            return
        if suffix in FEED_SUFFIXES:
            self.read_feed(data, shown(path), base_url=None, content_type="application/xml")
        elif suffix in JSONL_SUFFIXES:
            self.read_jsonl(data, shown(path))
        else:
            self.read_page(data, where=shown(path), url=None, article_id=file_id(path),
                           path=shown(path))

    def fetch(self, url: str) -> Any:
        """:func:`briefer.fetch.fetch`, except that a host that could not be reached is not
        tried again in this run (a feed of 50 links to one dead host costs one wait, not 50)."""
        host = (urlsplit(url).hostname or "").lower()
        if host in self.unreachable:
            raise HostUnreachable(f"{self.unreachable[host]} (earlier in this run)")
        try:
            return fetch(url, self.options)
        except HostUnreachable as exc:
            self.unreachable[host] = str(exc)
            raise

    def read_url(self, url: str) -> None:
        try:
            got = self.fetch(url)
        except FetchError as exc:
            self.skip(url, str(exc))
            return
        kind = _kind(got.url, got.content_type, got.data)
        if kind == "feed":
            self.read_feed(got.data, url, base_url=got.url, content_type=got.content_type)
        elif kind == "jsonl":
            self.read_jsonl(got.data, url)
        elif kind == "text":
            text = got.data.decode(_charset(got.content_type) or "utf-8", errors="replace")
            self.add(url, lambda: self.make(_url_id(got.url), {"url": got.url}, text, None))
        else:
            self.read_page(got.data, where=url, url=got.url, article_id=_url_id(got.url),
                           path=None)

    def add(self, where: str, make: Any) -> None:
        try:
            self.result.articles.append(make())
        except (ValueError, FetchError) as exc:
            self.skip(where, str(exc))

    def make(self, article_id: str, meta: dict[str, str | None], text: str,
             path: str | None, published_from: str | None = None,
             language_hint: str | None = None, via: str | None = None) -> Article:
        """An Article from text and known metadata, cleaned by the same rules as files.

        ``published_from`` says where a given ``published`` came from ("page", "feed", …);
        without one, the text's own dateline may date it ("text").
        """
        meta = {k: _one_line(v) for k, v in meta.items() if v and _one_line(v)}
        head = "".join(f"{k}: {v}\n" for k, v in meta.items())
        article = parse_article(f"---\n{head}---\n{text}", article_id, path,
                                language_hint=language_hint)
        if meta.get("title"):  # front matter strips quotes at both ends; keep the exact title
            article = replace(article, title=meta["title"])
        if meta.get("published") and published_from:
            article = replace(article, published_from=published_from)
        if via:
            article = replace(article, via=via)
        return resolve_outlet(article, self.registry)

    # --- pages ---

    def read_page(self, data: bytes, *, where: str, url: str | None, article_id: str,
                  path: str | None) -> None:
        def make() -> Article:
            page = extract_page(data, url)
            page_url = page.get("url") or url
            return self.make(article_id, {
                "title": page.get("title"), "url": page_url,
                "outlet": self.outlet_for(page_url, page.get("outlet")),
                "published": page.get("published"),
            }, page["text"], path, published_from=page.get("published_from"))

        self.add(where, make)

    def outlet_for(self, url: str | None, named: str | None) -> str | None:
        """The publication: the registry's entry for the URL's domain, else the name the
        source gives, else the registrable domain."""
        known = self.registry.by_host(url)
        if known is not None:
            return known.name
        return named or registrable_domain(url)

    # --- JSON Lines ---

    def read_jsonl(self, data: bytes, where: str) -> None:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            self.skip(where, "not UTF-8 text")
            return
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            spot = f"{where}:{number}"
            try:
                record = json.loads(line)
                if not isinstance(record, dict):
                    raise ValueError("not a JSON object")
                unknown = sorted(set(record) - JSONL_KEYS - JSONL_READ_KEYS)
                if unknown:
                    log.warning("%s: key %s is not used (known: %s)", spot, unknown[0],
                                ", ".join(sorted(JSONL_KEYS)))
                values = {k: record.get(k) for k in JSONL_KEYS | JSONL_READ_KEYS}
                bad = [k for k, v in values.items() if v is not None and not isinstance(v, str)]
                if bad:
                    raise ValueError(f"{bad[0]!r} must be a string")
                if not (values["text"] or "").strip():
                    raise ValueError("no text")
            except ValueError as exc:  # json.JSONDecodeError is a ValueError
                self.skip(spot, f"bad JSON Lines record ({exc})")
                continue
            key = values["url"] or (values["title"] or "") + "\n" + values["text"]
            article_id = _safe_id(values["id"]) if values["id"] else _hash_id(key, values["url"])
            meta = {k: values[k] for k in ("title", "url", "outlet", "published")}
            meta["language"] = _primary_language(values["language"])  # "fr-FR" → "fr"
            extra = {k: values[k] for k in JSONL_READ_KEYS if values[k]}
            self.add(spot, lambda a=article_id, m=meta, t=values["text"], x=extra: self.make(
                a, m, t, x.get("path", where), x.get("published_from", "front-matter"),
                via=x.get("via")))

    # --- feeds ---

    def read_feed(self, data: bytes, where: str, *, base_url: str | None,
                  content_type: str) -> None:
        import feedparser

        headers = {"content-type": content_type or "application/xml"}
        if base_url:
            headers["content-location"] = base_url
        parsed = feedparser.parse(data, response_headers=headers, sanitize_html=True,
                                  resolve_relative_uris=True)
        if not parsed.entries and (parsed.bozo or not parsed.get("version")):
            reason = parsed.get("bozo_exception")
            self.skip(where, "not an RSS or Atom feed" + (f" ({reason})" if reason else ""))
            return
        feed = parsed.feed
        channel_link = feed.get("link") or base_url or None
        channel_title = _plain(feed.get("title", ""))
        language = _primary_language(feed.get("language"))
        entries = parsed.entries[: self.options.max_items]
        if len(parsed.entries) > len(entries):
            log.warning("%s: only the first %d of %d items read (fetch.max_items)", where,
                        len(entries), len(parsed.entries))
        log.info("%s: %d items", where, len(entries))
        links = []
        for entry in entries:
            link = entry.get("link") or None
            links.append(urljoin(base_url, link) if link and base_url else link)
        series = template_series([_plain(e.get("title", "")) for e in entries])
        # Who the feed says publishes it (Atom <author>, RSS <managingEditor>, dc:publisher),
        # and the name its logo carries: names, when a domain spells them.
        publishers = [_plain(str(v)) for v in (
            (feed.get("author_detail") or {}).get("name"), feed.get("publisher"),
            (feed.get("image") or {}).get("title")) if v]
        for number, (entry, link) in enumerate(zip(entries, links, strict=True), 1):
            spot = f"{where} item {number}" + (f" ({link})" if link else "")
            if (why := advertisement(_plain(entry.get("title", "")), link)) or (
                why := series.get(number - 1)
            ):
                self.skip(spot, why)
                continue
            outlet = self.feed_outlet(link, channel_link, channel_title, publishers,
                                      _asset_domains(entry))
            self.add(spot, lambda e=entry, u=link, o=outlet: self.feed_item(e, u, where, o,
                                                                            language))

    def feed_outlet(self, link: str | None, channel_link: str | None,
                    channel_title: str, publishers: list[str] | None = None,
                    assets: frozenset[str] = frozenset()) -> str | None:
        """An item's publication: the registry's entry for its link's domain or the feed's;
        else the name the feed's publisher or title gives that its domain spells, without a
        section the feed's address names or a feed's own words ("heise developer neueste
        Meldungen" is heise's; "Home | Mail Online" is a page title, "LA NACION" a name), under
        the registry's spelling when it knows the name; else the registrable domain. An item
        linking to another site (a sister title) is that site's; so is one a portal hosts
        under its own domain for a partner whose domain the item's pictures and links name
        (tnonline.uol.com.br with pictures from tnonline.com.br)."""
        from .pages import _SEPARATORS

        known = self.registry.by_host(link)
        partner = _partner_domain(link, assets)
        # a registry entry for the very host (folha.uol.com.br) stands over a partner guess
        if partner is not None and known is self.registry.by_host(registrable_domain(link)):
            found = self.registry.by_host(partner)
            return found.name if found is not None else partner
        if known is not None:
            return known.name
        parts = [p.strip() for n in (*(publishers or ()), channel_title)
                 for p in _SEPARATORS.split(n) if p.strip()]

        def named(url: str | None) -> str | None:
            for part in parts:
                if len(part.split()) > 6 or re.search(r"@|(?:^|\s)(?:www\.|https?:)|\.\w{2,3}\s",
                                                      part):
                    continue
                name = publication_name(part, url, channel_link)
                if name:
                    found = self.registry.resolve(name)
                    return found.name if found is not None else name
            return None

        if link and registrable_domain(link) != registrable_domain(channel_link):
            return named(link) or registrable_domain(link)  # a sister site's item
        known = self.registry.by_host(channel_link)
        if known is not None:
            return known.name
        home = channel_link or link
        return named(home) or registrable_domain(home)

    def feed_item(self, entry: Any, link: str | None, where: str, outlet: str | None,
                  language: str | None) -> Article:
        title = _plain(entry.get("title", ""))
        text = _entry_text(entry)
        key = entry.get("id") or link or title + "\n" + text
        article_id = _hash_id(key, link or (where if _is_url(where) else None))
        published = _feed_date(entry)
        published_from = "feed" if published else None
        from .pages import word_count

        words = word_count(re.sub(r"[^\w\s]+", " ", text))  # "Removed for overview ..." is 3
        if words < MIN_ITEM_WORDS or len(text.strip()) < 4 * MIN_ITEM_WORDS:
            # no text, or a placeholder ("Removed for overview ..."): the page is the article
            if not link or not _is_url(link):
                raise ValueError("the item has no text and no link to fetch")
            page = extract_page(self.fetch(link).data, link)
            text = page["text"]
            title = title or page.get("title") or ""
            if not published and page.get("published"):
                published, published_from = page["published"], page.get("published_from")
        meta = {"title": title, "url": link, "outlet": outlet, "published": published}
        hint = _primary_language(entry.get("language")) or language
        return self.make(article_id, meta, text, None if _is_url(where) else where,
                         published_from=published_from, language_hint=hint)


# Words a feed's title adds to its publication's name: "neueste Meldungen", "Latest news",
# "Últimas notícias", "Top Stories", "RSS" (a trailing "News" stays: "BBC News" is a name).
_FEED_WORDS = re.compile(
    r"(?:\s+(?:-\s+)?(?:(?:neueste|aktuelle|latest|top|últimas|ultime|dernières|derniers|"
    r"son|последние|terbaru)\s+\w+|rss|feed|schlagzeilen|meldungen|headlines|home\s*page|"
    r"startseite|portada|titulares|à la une|en direct|berita terkini))+$", re.I)


def publication_name(part: str, url: str | None, home: str | None = None) -> str | None:
    """``part`` of a feed's title or publisher as a publication's name, when ``url``'s domain
    spells it: without a feed's own words at its end, and without trailing words that name a
    section of the feed's address ("heise developer" for heise.de/developer/ is heise)."""
    from .pages import matches_domain

    name = _FEED_WORDS.sub("", part).strip() or part
    if not matches_domain(name, url):
        return None
    sections = {fold(seg) for seg in re.split(r"[/_.-]+", urlsplit(home or url or "").path)
                if seg}
    words = name.split()
    while len(words) > 1 and fold(words[-1]) in sections and matches_domain(
            " ".join(words[:-1]), url):
        words.pop()
    return " ".join(words) if len(words) <= 4 else None


def _with_drop_caps(text: str, tree: Any) -> str:
    """Paragraphs whose first letter the page sets apart as a drop cap (``<span>T</span>urkey``)
    and the extractor lost ("urkey, Poland and …") get it back from the page's own text."""
    lines = text.split("\n")
    body = next(tree.iter("body"), None)
    if body is None or not any(line[:1].islower() for line in lines[:5]):
        return text
    shown = " ".join(body.text_content().split())
    for i, line in enumerate(lines[:5]):
        if not line[:1].islower() or len(line) < 30:
            continue
        at = shown.find(line[:30])
        if at >= 1 and shown[at - 1].isupper() and (at == 1 or not shown[at - 2].isupper()):
            lines[i] = shown[at - 1] + line
    return "\n".join(lines)


def extract_page(data: bytes, url: str | None) -> dict[str, Any]:
    """The main text and metadata of an HTML page; ValueError when there is no text.

    The body comes from trafilatura; headline, publication, canonical URL and original
    publication date from :mod:`briefer.pages`, which reads every place a page states them.
    """
    import trafilatura
    from trafilatura.utils import load_html

    from .pages import choose_outlet, choose_title, published_date, read_meta, with_lead

    out = trafilatura.extract(data, url=url, output_format="json", with_metadata=True,
                              include_comments=False, include_tables=False, include_images=False,
                              deduplicate=False)  # its cache spans calls: a 2nd read is empty
    page = json.loads(out) if out else {}
    if not (page.get("text") or "").strip():
        raise ValueError("no article text found on the page")
    tree = load_html(data)
    if tree is None:
        return page
    meta = read_meta(tree, url)
    outlet = choose_outlet(meta, meta.url)
    if outlet is None and not meta.url and page.get("sitename"):
        outlet = page["sitename"]
    published, published_from = published_date(meta, data, outlet)
    return {
        "text": with_lead(_with_drop_caps(page["text"], tree), meta.lead),
        "title": choose_title(meta, outlet, meta.url, page.get("title")) or page.get("title"),
        "url": meta.url or url,
        "outlet": outlet,
        "published": published,
        "published_from": published_from,
    }


# --- duplicates --------------------------------------------------------------------------------


def drop_duplicates(
    articles: list[Article], threshold: float = NEAR_DUPLICATE_JACCARD
) -> tuple[list[Article], list[Duplicate]]:
    """Keep the first of each set of articles with the same URL, the same text, or nearly.

    Near duplicates are found with MinHash LSH over character 5-grams (any script, no
    tokeniser) and confirmed with the exact Jaccard similarity of the two sets.
    """
    kept: list[Article] = []
    dropped: list[Duplicate] = []
    by_url: dict[str, str] = {}
    by_text: dict[str, str] = {}
    shingles: dict[str, set[str]] = {}
    lsh = None
    for article in articles:
        url = normalize_url(article.url) if article.url else None
        text_key = hashlib.sha256(fold(article.body).encode("utf-8", "surrogatepass")).hexdigest()
        if url and url in by_url:
            dropped.append(Duplicate(article.id, by_url[url], "same URL"))
            continue
        if text_key in by_text:
            dropped.append(Duplicate(article.id, by_text[text_key], "same text"))
            continue
        grams = _shingles(article.body)
        near = None
        if grams:
            if lsh is None:
                from datasketch import MinHashLSH

                lsh = MinHashLSH(threshold=threshold * 0.8, num_perm=_NUM_PERM)
            signature = _minhash(grams)
            best = 0.0
            for other in sorted(lsh.query(signature)):
                score = len(grams & shingles[other]) / len(grams | shingles[other])
                if score >= threshold and score > best:
                    near, best = other, score
            if near is None:
                lsh.insert(article.id, signature)
                shingles[article.id] = grams
        if near is not None:
            dropped.append(Duplicate(article.id, near, f"near-duplicate ({best:.0%} shared)"))
            continue
        if url:
            by_url[url] = article.id
        by_text[text_key] = article.id
        kept.append(article)
    for d in dropped:
        log.info("dropped %s: %s of %s", d.id, d.reason, d.kept)
    return kept, dropped


def normalize_url(url: str) -> str:
    """The URL with scheme and host lower-cased, no fragment, no tracking parameters."""
    try:
        parts = urlsplit(url.strip())
        query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                           if not _TRACKING.match(k)])
        host = (parts.hostname or "").lower()
        if parts.port and (parts.scheme, parts.port) not in (("http", 80), ("https", 443)):
            host += f":{parts.port}"
        path = parts.path.rstrip("/") or "/"
        return urlunsplit((parts.scheme.lower(), host, path, query, ""))
    except ValueError:
        return url.strip()


def _shingles(text: str) -> set[str]:
    flat = fold(text)
    if len(flat) < 200:  # too short to call two texts the same story by overlap alone
        return set()
    return {flat[i : i + _SHINGLE] for i in range(len(flat) - _SHINGLE + 1)}


def _minhash(grams: set[str]) -> Any:
    from datasketch import MinHash

    signature = MinHash(num_perm=_NUM_PERM)
    signature.update_batch([g.encode("utf-8", "surrogatepass") for g in sorted(grams)])
    return signature


# --- small helpers -----------------------------------------------------------------------------


def _is_url(value: str) -> bool:
    return value.lower().startswith(("http://", "https://"))


def _kind(url: str, content_type: str, data: bytes) -> str:
    """feed, page, jsonl or text, from the media type, the URL's suffix and the first bytes."""
    media = content_type.split(";")[0].strip().lower()
    head = data[:1024].lstrip().lower()
    suffix = Path(urlsplit(url).path).suffix.lower()
    if media in ("application/jsonl", "application/x-ndjson", "application/x-jsonlines") or (
        suffix in JSONL_SUFFIXES
    ):
        return "jsonl"
    if any(t in media for t in ("rss", "atom", "xml")) or head.startswith(b"<?xml") or (
        b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head
    ):
        return "feed"
    if media in ("text/plain", "text/markdown") or suffix in TEXT_SUFFIXES:
        return "text"
    return "page"


def _charset(content_type: str) -> str | None:
    m = re.search(r"charset=[\"']?([\w.:-]+)", content_type, re.I)
    return m.group(1) if m else None


_HOST_IN_HTML = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//([\w.-]+)""", re.I)


def _asset_domains(entry: Any) -> frozenset[str]:
    """Registrable domains the item's own HTML (pictures, links) points to."""
    html = " ".join([c.get("value", "") for c in entry.get("content", [])]
                    + [entry.get("summary", "")])
    return frozenset(d for h in _HOST_IN_HTML.findall(html) if (d := registrable_domain(h)))


def _partner_domain(link: str | None, assets: frozenset[str]) -> str | None:
    """The partner's own domain of an item a portal hosts for it: the link's host names a
    label under the portal's domain ("tnonline" in tnonline.uol.com.br) that is the name of
    another domain the item's pictures or links come from (tnonline.com.br); else None."""
    domain = registrable_domain(link)
    host = (urlsplit(link or "").hostname or "").lower()
    if not domain or not host.endswith("." + domain):
        return None
    labels = set(host[: -len(domain) - 1].split("."))
    return next((d for d in sorted(assets) if d != domain and d.split(".")[0] in labels
                 and len(d.split(".")[0]) >= 3), None)


def _entry_text(entry: Any) -> str:
    """The item's longest text: full content when the feed has it, else the summary."""
    candidates = [c.get("value", "") for c in entry.get("content", [])]
    candidates.append(entry.get("summary", ""))
    texts = [html_to_text(c) for c in candidates if c]
    return max(texts, key=len, default="")


def _feed_date(entry: Any) -> str | None:
    """The item's own date as the feed writes it, in the feed's time zone and language
    ("Seg, 24 Set 2018 19:42:40 -0300"); the first publication date before an update."""
    for key in ("published", "created", "updated"):
        found = parse_date(entry.get(key))
        if found:
            return found
    for key in ("published_parsed", "created_parsed", "updated_parsed"):
        value = entry.get(key)
        if value:
            return datetime(*value[:6], tzinfo=UTC).isoformat(timespec="seconds")
    return None


# An item with fewer words than this is a teaser or a placeholder: its page is read instead.
MIN_ITEM_WORDS = 5
# Items that are advertisements, by their title (any language) or their link's host.
_AD_TITLES = frozenset(fold(t) for t in (
    "advertisement", "advertising", "featured advertiser", "sponsored", "sponsored content",
    "sponsored post", "paid content", "promoted", "anzeige", "werbung", "publicité",
    "contenu sponsorisé", "publicidad", "contenido patrocinado", "patrocinado", "publicidade",
    "conteúdo patrocinado", "pubblicità", "contenuto sponsorizzato", "iklan", "advertorial",
    "реклама", "reklam", "إعلان", "محتوى مدعوم", "تبلیغ", "آگهی", "广告", "推广", "広告",
))
_AD_HOST_LABELS = frozenset({"ads", "ad", "adserver", "adclick", "doubleclick", "pheedo"})


def advertisement(title: str, link: str | None) -> str | None:
    """Why a feed item is an advertisement, or None."""
    if fold(title).strip(" :-") in _AD_TITLES:
        return f"advertisement ({title!r})"
    host = (urlsplit(link).hostname or "") if link else ""
    if _AD_HOST_LABELS & set(host.lower().split(".")):
        return f"advertisement (link to the ad server {host})"
    return None


def template_series(titles: list[str], least: int = 3) -> dict[int, str]:
    """Items made from one template ("Clima en X hoy: …", "X wellness calendar, Aug. 23-30"):
    index -> reason, for every group of at least ``least`` titles that share a wording of three
    or more words around one varying part covering most of each title."""
    words = [t.split() for t in titles]
    parent = list(range(len(titles)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def shared(a: list[str], b: list[str]) -> int:
        pre = 0
        while pre < min(len(a), len(b)) and a[pre] == b[pre]:
            pre += 1
        suf = 0
        while suf < min(len(a), len(b)) - pre and a[-1 - suf] == b[-1 - suf]:
            suf += 1
        return pre + suf

    for i in range(len(words)):
        for j in range(i + 1, len(words)):
            a, b = words[i], words[j]
            if a == b or not a or not b:
                continue
            n = shared(a, b)
            if n >= 3 and n >= 0.6 * max(len(a), len(b)):
                parent[root(j)] = root(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(titles)):
        groups.setdefault(root(i), []).append(i)
    out: dict[int, str] = {}
    for members in groups.values():
        if len(members) >= least:
            first = titles[members[0]]
            for i in members:
                out[i] = f"one of {len(members)} items made from one template (like {first!r})"
    return out


def _primary_language(value: str | None) -> str | None:
    if not value:
        return None
    primary = re.split(r"[-_]", value.strip())[0].lower()
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


def _url_id(url: str) -> str:
    return _hash_id(normalize_url(url), url)


def _hash_id(key: str, url: str | None) -> str:
    """A stable id: the site's host (if any) and a hash of what identifies the article."""
    host = (urlsplit(url).hostname or "") if url else ""
    prefix = re.sub(r"[^a-z0-9]+", "-", host.lower().removeprefix("www.")).strip("-")
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"{prefix}_{digest}" if prefix else digest


def _safe_id(value: str) -> str:
    """An id as given, less what could break a path or a line: separators, control
    characters, leading dots."""
    cleaned = re.sub(r"[/\\\x00-\x1f\x7f]+", "-", value.strip()).strip("-. ")
    return cleaned[:200] or hashlib.sha256(value.encode()).hexdigest()[:16]


def _unique_ids(articles: list[Article]) -> list[Article]:
    seen: Counter[str] = Counter()
    out = []
    for article in articles:
        seen[article.id] += 1
        if seen[article.id] > 1:
            article = replace(article, id=f"{article.id}-{seen[article.id]}")
        out.append(article)
    return out


def _one_line(value: str) -> str:
    """Metadata for one front-matter line: control characters and line breaks become spaces."""
    return " ".join("".join(c if c.isprintable() else " " for c in str(value)).split())


def _plain(html: str) -> str:
    return _one_line(html_to_text(html)) if "<" in html or "&" in html else _one_line(html)


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.3g} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


_BLOCK = frozenset({"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
                    "blockquote", "tr", "table", "section", "article", "header", "footer",
                    "figure", "figcaption", "pre", "hr", "dd", "dt"})  # fmt: skip
_SKIP = frozenset({"script", "style", "noscript", "template", "iframe", "svg", "head"})


class _TextOf(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag in _BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Paragraphs of an HTML fragment (a feed item's content), blank-line separated."""
    parser = _TextOf()
    parser.feed(html)
    parser.close()
    paragraphs = (" ".join(p.split()) for p in "".join(parser.parts).split("\n\n"))
    return normalize_space("\n\n".join(p for p in paragraphs if p))
