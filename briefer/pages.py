"""What an HTML page says about itself: headline, publication, canonical URL, dates, language.

Pages name their publication, headline and dates in several places that disagree: ``<title>``
carries site and section names, ``og:site_name`` is sometimes a section ("Política") or a URL,
``dateModified`` and "Updated" stamps sit beside the first publication date. Each field is
read from every place the page offers, then decided by rules that hold across sites:

- outlet: a name the page gives (``og:site_name``, JSON-LD ``publisher``, a ``<title>``
  affix) that matches the page's domain wins; otherwise the publisher's own name, unless it
  looks like a section or a URL; the caller then falls back to the registrable domain;
- headline: the visible ``<h1>`` when a title in the page's metadata agrees with it (so a
  logo or a breadcrumb in an ``<h1>`` is not taken), otherwise the metadata title without its
  site and section affixes;
- date: the original publication date (``datePublished``, ``article:published_time`` and
  kin) over modified and updated dates, on the local clock the page shows it by; then a date
  the page labels as published or shows nearest its headline; then htmldate's original-date
  search; then a date in the URL's path;
- URL: ``rel=canonical`` (made absolute), else ``og:url``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any
from urllib.parse import urljoin, urlsplit

from .text import fold

__all__ = ["PageMeta", "matches_domain", "read_meta", "registrable_domain", "strip_affixes"]


@dataclass
class PageMeta:
    titles: list[str] = field(default_factory=list)  # metadata titles, best first
    headings: list[str] = field(default_factory=list)  # visible <h1> texts, in page order
    site_names: list[str] = field(default_factory=list)  # og:site_name, publisher, ...
    url: str | None = None
    published: str | None = None
    published_from: str | None = None
    language: str | None = None
    html_title: str | None = None
    lead: str | None = None  # the page's description, when the page also shows it as text
    shown_date: str | None = None  # a date the page shows labelled as the publication date
    header_dates: list[str] = field(default_factory=list)  # dates shown under the headline


# Second-level labels under a country code that are not themselves a publication's name:
# bbc.co.uk, folha.uol.com.br, asahi.com.jp -> registrable domain keeps three labels.
_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "gov", "gob", "edu", "ac", "or", "ne",
                           "go", "nic", "web", "info", "biz", "news", "nom", "mil", "int",
                           "ltd", "plc", "sch", "in", "gv", "govt", "res", "tv"})


def registrable_domain(url_or_host: str | None) -> str | None:
    """The name a site registered ("bbc.co.uk" for news.bbc.co.uk), by the shape of the host."""
    if not url_or_host:
        return None
    host = urlsplit(url_or_host).hostname if "//" in url_or_host else url_or_host
    host = (host or "").lower().strip(".")
    if not host or re.fullmatch(r"[\d.]+|\[.*\]", host):
        return host or None
    labels = host.split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _compact(value: str) -> str:
    return re.sub(r"[\W_]+", "", fold(value))


def matches_domain(name: str, url_or_host: str | None) -> bool:
    """True when a publication name is spelled by its domain: "CBS News" ~ cbsnews.com,
    "Frankfurter Rundschau" ~ fr.de (initials), "ZEIT ONLINE" ~ zeit.de."""
    domain = registrable_domain(url_or_host)
    if not domain or not name:
        return False
    label = _compact(domain.split(".")[0])
    compact = _compact(name)
    if not label or not compact:
        return False
    if compact in (label, _compact(domain)) or (len(label) >= 3 and label in compact):
        return True
    if len(compact) >= 4 and compact in label:
        return True
    if len(label) >= 8 and _one_edit(compact, label):  # "Varthabharathi" ~ varthabharati.in
        return True
    words = [w for w in re.split(r"[\W_]+", fold(name)) if w]
    initials = "".join(w[0] for w in words)
    if len(initials) >= 2 and initials == label:
        return True
    # "The New York Times" ~ nytimes: initials of the first words, then the last word
    words = [w for w in words if w not in ("the", "die", "der", "le", "la", "el", "il")]
    return len(words) >= 2 and label == "".join(w[0] for w in words[:-1]) + words[-1]


def _one_edit(a: str, b: str) -> bool:
    """True when one insertion, deletion or substitution turns ``a`` into ``b``."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return a == b
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    return a[i + 1:] == b[i + 1:] or a[i:] == b[i + 1:] or a[i + 1:] == b[i:]


_SEPARATORS = re.compile(r"\s+[|–—·:•»/-]\s+|\s*[|_»•·]\s*|\s+-{1,2}\s+")


def strip_affixes(title: str, names: list[str], url: str | None) -> tuple[str, list[str]]:
    """``title`` without site and section affixes, and the affixes removed.

    An end segment goes when it is one of the site's names, matches its domain, is a date,
    or is short (at most 3 words) while the rest is much longer; a leading segment goes
    only when it is a site name or matches the domain ("NEWS WEB EASY|…").
    """
    parts = _SEPARATORS.split(title.strip())
    seps = _SEPARATORS.findall(title.strip())
    if len(parts) < 2:
        return title.strip(), []
    known = {fold(n) for n in names if n}
    removed: list[str] = []

    def is_site(seg: str) -> bool:
        key = fold(seg)
        return bool(key) and (key in known or matches_domain(seg, url)
                              or any(k and (k in key or key in k) and len(key) > 2
                                     for k in known))

    def is_label(seg: str) -> bool:
        return (is_site(seg) or _DATE_ONLY.fullmatch(seg.strip()) is not None
                or (0 < word_count(seg) <= 3 and len(seg) <= 30))

    # Trailing segments: site names, sections, dates.
    while len(parts) > 1 and is_label(parts[-1]):
        rest = "".join(p + s for p, s in zip(parts[:-1], seps, strict=False))
        if word_count(rest) < 2 and not is_site(parts[-1]):
            break
        removed.append(parts.pop().strip())
        seps = seps[: len(parts) - 1]
    # Leading segments: the site's name, or a short label in another script than the rest
    # ("NEWS WEB EASY|子どもへの…").
    while len(parts) > 1 and (is_site(parts[0]) or (
            word_count(parts[0]) <= 3 and _cjk_share(parts[0]) < 0.2 < _cjk_share(parts[1]))):
        removed.append(parts.pop(0).strip())
        seps = seps[1:]
    out = parts[0]
    for sep, part in zip(seps, parts[1:], strict=False):
        out += sep + part
    return out.strip(), removed


def word_count(text: str) -> int:
    """Words in ``text``; in scripts written without spaces, two characters count as one."""
    cjk = sum(1 for c in text if _is_cjk(c))
    return len(re.sub(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]", " ", text).split()) + (
        cjk + 1) // 2


def _cjk_share(text: str) -> float:
    letters = [c for c in text if c.isalnum()]
    return sum(1 for c in letters if _is_cjk(c)) / len(letters) if letters else 0.0


# A publication date the page shows with its label ("Publikacja: 04.05.2021", "Published
# 12 March 2020", "postado em 04/05/2022", "发稿时间：2017-03-10"); an update stamp beside it
# has another label and is not read.
_PUBLISHED_LABEL = re.compile(
    r"(?:^|[\s|•·])(?:published(?: on)?|first published|veröffentlicht(?: am)?|erschienen am|"
    r"publié le|publicado(?: el| em| en)?|postado em|pubblicato(?: il)?|publikacja|"
    r"diterbitkan|dipublikasikan|опубликовано|yayınlanma(?: tarihi)?|yayın tarihi|"
    r"发稿时间|发布时间|発行日|تاريخ النشر|تاریخ انتشار)\s*[:：]?\s*"
    r"(?P<when>[^|•·\n]{6,40})", re.I)


_DATE_ONLY = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}")

# Publication-date fields, strongest first. Values of modification stamps are never read.
_DATE_META = (
    "article:published_time", "article:published", "og:published_time", "datepublished",
    "article:publicationdate", "publishdate", "publish-date", "publish_date", "pubdate",
    "dc.date.issued", "dcterms.issued", "dc.date.created", "dcterms.created", "sailthru.date",
    "parsely-pub-date", "date", "dc.date", "og:article:published_time",
)
# "/2016/07/29/", and "/2013/middle_east/8/3/" (a section between the year and the day)
_URL_DATE = re.compile(
    r"/((?:19|20)\d\d)[/-](?:[a-z][a-z_-]{1,30}/)?(\d{1,2})[/-](\d{1,2})(?:/|$|[^\d])")
_URL_DATE_COMPACT = re.compile(r"[/_-]((?:19|20)\d\d)(\d\d)(\d\d)(?:\d{0,6})(?=[/_.-]|$)")


def read_meta(tree: Any, url: str | None) -> PageMeta:
    """Metadata of a parsed page (an lxml tree)."""
    meta = PageMeta()
    metas: dict[str, list[str]] = {}
    for el in tree.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop")
               or el.get("http-equiv") or "").strip().lower()
        value = (el.get("content") or "").strip()
        if key and value:
            metas.setdefault(key, []).append(value)
    ld = list(_json_ld(tree))

    # URL: canonical, else og:url; both made absolute against the page.
    base = url or (metas.get("og:url") or [None])[0]
    canonical = next((el.get("href") for el in tree.iter("link")
                      if "canonical" in (el.get("rel") or "").lower().split() and el.get("href")),
                     None)
    for candidate in (canonical, (metas.get("og:url") or [None])[0]):
        if candidate and not candidate.startswith(("javascript:", "#")):
            absolute = urljoin(base or "", candidate.strip())
            if absolute.startswith("//"):
                absolute = "https:" + absolute
            if urlsplit(absolute).scheme in ("http", "https") and urlsplit(absolute).hostname:
                meta.url = absolute
                break
    meta.url = meta.url or url

    # Titles.
    html_title = next((" ".join(el.text_content().split()) for el in tree.iter("title")
                       if el.getparent() is not None and el.getparent().tag == "head"), None)
    meta.html_title = html_title
    titles = [*metas.get("og:title", []), *(str(n.get("headline")) for n in ld
                                             if isinstance(n.get("headline"), str)),
              *metas.get("twitter:title", []), *([html_title] if html_title else [])]
    meta.titles = _unique(" ".join(t.split()) for t in titles)
    meta.headings = _unique(_heading_text(h) for h in tree.iter("h1"))

    # Publication names.
    names = [*metas.get("og:site_name", [])]
    for node in ld:
        publisher = node.get("publisher")
        if isinstance(publisher, list):
            publisher = publisher[0] if publisher else None
        if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
            names.append(publisher["name"])
        if str(node.get("@type")) in ("NewsMediaOrganization", "Organization") and isinstance(
            node.get("name"), str
        ):
            names.append(node["name"])
    names += metas.get("application-name", []) + metas.get("apple-mobile-web-app-title", [])
    meta.site_names = _unique(" ".join(n.split()) for n in names)

    # Language: the page's own declaration (the caller checks it against the text).
    root = tree.getroot() if hasattr(tree, "getroot") else tree
    lang = root.get("lang") or root.get("xml:lang") or next(iter(
        metas.get("content-language", []) + metas.get("og:locale", [])), None)
    if lang:
        primary = re.split(r"[-_]", lang.strip())[0].lower()
        meta.language = primary if re.fullmatch(r"[a-z]{2,3}", primary) else None

    meta.published, meta.published_from = _published(metas, ld, tree, meta.url)
    body_el = next(tree.iter("body"), None)
    if body_el is not None:
        shown = " ".join(body_el.text_content().split())[:200_000]
        m = _PUBLISHED_LABEL.search(shown)
        if m:
            from .datetext import parse_date

            meta.shown_date = parse_date(m.group("when"))
        meta.header_dates = _header_dates(shown, meta.headings)
    description = next(iter(metas.get("og:description", []) + metas.get("description", [])), "")
    description = " ".join(description.split())
    if len(description.split()) >= 8 or word_count(description) >= 15:
        body = next(tree.iter("body"), None)
        shown = " ".join(body.text_content().split()) if body is not None else ""
        if description[:80] in shown:
            meta.lead = description
    return meta


# How much text after the headline is its header (byline, place, date), and the words that
# make a date there an update stamp rather than the publication date.
HEADER_CHARS = 300
_UPDATE_WORDS = re.compile(
    r"(?:updated?|modified|actuali[sz]|aktualisiert|geändert|atualiza|mis à jour|modifié|"
    r"aggiornat|diperbarui|обновлен|изменен|güncelle|تحديث|به‌روز|更新|修改)\w*\W{0,3}"
    r"(?:\w+\W{1,3}){0,2}$|\bstand\s*:\s*$", re.I)


def _header_dates(shown: str, headings: list[str]) -> list[str]:
    """The dates the page shows in the few lines under its headline (where a byline and the
    publication date stand: "Brasília 03/05/2022 21:44"), then just above it ("Managua 26,
    Abril, 2022"); update stamps left out; a sidebar's or a teaser's dates further away are
    not read."""
    from .datetext import dates_in

    for heading in headings:
        at = shown.find(heading) if len(heading) >= 10 else -1
        if at < 0:
            continue
        after = shown[at + len(heading): at + len(heading) + HEADER_CHARS]
        before = shown[max(0, at - HEADER_CHARS // 3): at]
        # nearest first; a date above the headline ("Managua 26, Abril, 2022 7:43 p.m.") counts
        # twice as far as one below it, where bylines and dates stand on most pages
        found = [(pos, iso) for pos, iso in dates_in(after)
                 if not _UPDATE_WORDS.search(after[max(0, pos - 40):pos])]
        found += [(2 * (len(before) - pos), iso) for pos, iso in dates_in(before)
                  if not _UPDATE_WORDS.search(before[max(0, pos - 40):pos])]
        return [iso for _, iso in sorted(found, key=lambda f: f[0])]
    return []


def with_lead(text: str, lead: str | None) -> str:
    """The extracted text with the page's standfirst before it, when the extractor left the
    standfirst out (it sits outside the article's main block on many sites)."""
    if not lead:
        return text
    paragraphs = [p for p in text.split("\n") if p.strip()]
    # A description cut short ("…") is in the text when its start is; a whole one only when
    # all of it is: a first paragraph that opens alike and goes on otherwise is another text.
    core = lead.rstrip()
    cut = core.endswith(("...", "…"))
    core = " ".join(core.rstrip(".…").split())
    flat = " ".join(text.split())
    if any(agreement(lead, p) >= 0.8 for p in paragraphs[:4]) or (
            core[:60] if cut else core) in flat:
        return text
    return lead + "\n" + text


# Parts of an <h1> that are not the headline: kickers and overlines, screen-reader-only
# punctuation, ruby readings (furigana).
_NOT_HEADLINE_CLASS = re.compile(
    r"kicker|overline|dachzeile|eyebrow|supertitle|topline|visually-hidden|sr-only|"
    r"screen-reader", re.I)


def _heading_text(el: Any) -> str:
    parts: list[str] = []

    def walk(node: Any) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in ("rt", "rp", "script", "style") or _NOT_HEADLINE_CLASS.search(
            node.get("class") or ""
        ):
            if node.tail:
                parts.append(node.tail)
            return
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
        if node.tail and node is not el:
            parts.append(node.tail)

    walk(el)
    return " ".join("".join(parts).split())


def _unique(values: Any) -> list[str]:
    seen: dict[str, str] = {}
    for v in values:
        if v and fold(v) not in seen:
            seen[fold(v)] = v
    return list(seen.values())


def _json_ld(tree: Any) -> Any:
    for el in tree.iter("script"):
        if (el.get("type") or "").lower() != "application/ld+json":
            continue
        try:
            data = json.loads(el.text or "")
        except ValueError:
            continue
        stack = [data]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                yield node
                if isinstance(node.get("@graph"), list):
                    stack.extend(node["@graph"])


def _published(metas: dict[str, list[str]], ld: list[dict], tree: Any,
               url: str | None) -> tuple[str | None, str | None]:
    """The original publication date the page's metadata states, or (None, None).

    Of several publication dates (a page republished, a print edition) the earliest is the
    original; the same instant written in UTC and in local time is given in local time, the
    day its readers saw.
    """
    found: list[str] = []
    for node in ld:
        if isinstance(node.get("datePublished"), str):
            found.append(node["datePublished"])
    for key in _DATE_META:
        found += metas.get(key, [])
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        prop = (el.get("itemprop") or "").lower()
        if (el.tag == "time" and el.get("pubdate") is not None) or prop == "datepublished":
            found += [el.get("datetime") or el.get("content") or el.text_content() or ""]
    parsed = [p for p in (iso_date(v) for v in found) if p]
    if not parsed:
        return None, None
    earliest = min(parsed, key=_sort_key)
    local = [p for p in parsed if _same_instant(p, earliest) and not _is_utc(p)]
    return (local[0] if local and _is_utc(earliest) else earliest), "page"


def _sort_key(value: str) -> datetime:
    when = datetime.fromisoformat(value)
    return when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo else when


def published_date(meta: PageMeta, data: bytes, outlet: str | None
                   ) -> tuple[str | None, str | None]:
    """(ISO date, where from): the metadata's publication date; a date in a ``<title>``
    affix ("… - 07.12.2017 - LA NACION"); htmldate's search for the original date in the
    page; a date in the URL ("/2016/07/29/", "?a=20170309-…")."""
    if meta.published:
        local = _local_variant(meta.published, meta.header_dates)
        return (local[:10], "page") if local else (meta.published, meta.published_from)
    if meta.shown_date:
        return meta.shown_date, "page"
    if meta.header_dates:
        return meta.header_dates[0], "page"
    for title in meta.titles:
        for affix in strip_affixes(title, [*meta.site_names, outlet or ""], meta.url)[1]:
            if _DATE_ONLY.fullmatch(affix) and (found := iso_date_text(affix)):
                return found, "page"
    try:
        from htmldate import find_date

        found = find_date(data, url=meta.url, original_date=True, extensive_search=True,
                          outputformat="%Y-%m-%d")
    except Exception:  # htmldate is best effort: a page it cannot read has no date from it
        found = None
    if found and not found.endswith("-01-01"):  # 1 January: a CMS placeholder, not a date
        return found, "page"
    if meta.url:
        parts = urlsplit(meta.url)
        m = _URL_DATE.search(parts.path) or _URL_DATE_COMPACT.search(
            parts.path + "/" + parts.query.replace("=", "/"))
        if m:
            try:
                return datetime(int(m[1]), int(m[2]), int(m[3])).date().isoformat(), "url"
            except ValueError:
                pass
    return None, None


def _local_variant(published: str, shown: list[str]) -> str | None:
    """A date-time the page shows that is ``published`` (given in UTC) on a local clock: the
    same minutes, a whole or half number of hours off ("03/05/2022 21:44" in Brasília for
    2022-05-04T00:44Z). Its readers saw the local day."""
    if not _is_utc(published) or "T" not in published:
        return None
    utc = datetime.fromisoformat(published).replace(tzinfo=None, second=0, microsecond=0)
    for value in shown:
        if "T" not in value or value[19:]:  # a time, and no offset of its own
            continue
        offset = (datetime.fromisoformat(value) - utc).total_seconds()
        if offset and abs(offset) <= 14 * 3600 and offset % 1800 == 0:
            return value
    return None


def iso_date_text(value: str) -> str | None:
    from .datetext import parse_date

    found = parse_date(value)
    return found[:10] if found else None


def _is_utc(value: str) -> bool:
    return value.endswith(("Z", "+00:00"))


def _same_instant(a: str, b: str) -> bool:
    try:
        x, y = datetime.fromisoformat(a), datetime.fromisoformat(b)
        if (x.tzinfo is None) != (y.tzinfo is None):
            return False
        return abs((x - y).total_seconds()) < 120
    except (TypeError, ValueError):
        return False


_ISO_PREFIX = re.compile(r"^((?:19|20)\d\d)-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d))?"
                         r"(?:\.\d+)?\s*(Z|[+-]\d\d:?\d\d)?)?")


def iso_date(value: str) -> str | None:
    """An ISO-8601 date or datetime from a metadata value, as the page wrote it (its offset
    kept); epoch seconds and "2022-05-04-0305:…" shapes give at least the date."""
    value = (value or "").strip()
    if re.fullmatch(r"\d{9,10}", value):
        return datetime.fromtimestamp(int(value), UTC).isoformat(timespec="seconds")
    m = _ISO_PREFIX.match(value)
    if m:
        y, mo, d, hh, mm, ss, tz = m.groups()
        try:
            day = datetime(int(y), int(mo), int(d))
        except ValueError:
            return None
        if hh is None:
            return day.date().isoformat()
        zone = "" if tz is None else ("+00:00" if tz == "Z" else tz[:3] + ":" + tz[-2:])
        when = f"{day.date().isoformat()}T{hh}:{mm}:{ss or '00'}{zone}"
        try:
            datetime.fromisoformat(when)
        except ValueError:
            return day.date().isoformat()
        return when
    from .datetext import parse_date

    return parse_date(value)


# --- deciding ------------------------------------------------------------------------------------


def choose_outlet(meta: PageMeta, url: str | None) -> str | None:
    """The publication's name from the page: a name that its domain spells first, then the
    publisher's own name unless it reads like a section or a URL; None: use the domain."""
    url = url or meta.url
    affixes = [a for t in meta.titles for a in strip_affixes(t, meta.site_names, url)[1]]
    site_names = [_name_part(n, url) for n in meta.site_names]
    candidates = _unique([*site_names, *affixes])
    matching = [n for n in candidates if matches_domain(n, url) and not _looks_like_url(n)]
    if matching:  # "Le Monde" before "Le Monde.fr"
        return min(matching, key=lambda n: (bool(_TLD_END.search(n)), candidates.index(n)))
    for name in site_names:
        if not _looks_like_url(name) and not _looks_like_section(name):
            return name
    if url is None:  # a saved page with no address: the outermost affix of its <title>
        outer = [a for a in affixes if not _DATE_ONLY.fullmatch(a) and not _looks_like_section(a)]
        return outer[0] if outer else None
    return None


_TLD_END = re.compile(r"\.[a-z]{2,3}$", re.I)


def _name_part(name: str, url: str | None) -> str:
    """A site name with a tagline ("100% Noticias | Nicaragua - Con primicias a toda hora"):
    the part its domain spells, else the first."""
    parts = [p.strip() for p in _SEPARATORS.split(name) if p.strip()]
    if len(parts) < 2:
        return name
    return next((p for p in parts if matches_domain(p, url)), parts[0])


def _looks_like_url(name: str) -> bool:
    return bool(re.match(r"^(https?:|www\.)", name, re.I)) or bool(
        re.fullmatch(r"[\w-]+(\.[\w-]+)+/?", name) and not re.search(r"[A-Z]", name))


def _looks_like_section(name: str) -> bool:
    """One short word or an abbreviation ("Política", "U.S."): a section or an edition."""
    words = name.split()
    latin = all(ord(c) < 0x250 for c in name)
    return latin and len(words) == 1 and (len(name) <= 12 or "." in name.strip("."))


def _tokens(text: str) -> set[str]:
    folded = fold(text)
    words = set(re.findall(r"\w+", folded))
    if any(_is_cjk(c) for c in folded):  # no spaces between words: character bigrams
        chars = [c for c in folded if c.isalnum()]
        words = {a + b for a, b in pairwise(chars)}
    return words


def _is_cjk(c: str) -> bool:
    return "\u3040" <= c <= "\u30ff" or "\u3400" <= c <= "\u9fff" or "\uac00" <= c <= "\ud7af"


def agreement(a: str, b: str) -> float:
    """Share of the shorter text's words (CJK: character pairs) that the other one has."""
    x, y = _tokens(a), _tokens(b)
    return len(x & y) / min(len(x), len(y)) if x and y else 0.0


def choose_title(meta: PageMeta, outlet: str | None, url: str | None,
                 fallback: str | None = None) -> str | None:
    """The headline: a visible <h1> that the metadata titles agree with, else the best
    metadata title without its site and section affixes."""
    names = [*meta.site_names, *([outlet] if outlet else [])]
    stripped = [strip_affixes(t, names, url or meta.url)[0] for t in meta.titles]
    stripped = [t for t in stripped if t and not _is_name(t, names, url or meta.url)]
    if fallback:
        stripped.append(strip_affixes(fallback, names, url or meta.url)[0])
    for heading in meta.headings:
        if not heading or len(heading) > 300 or _is_name(heading, names, url or meta.url):
            continue
        best = max(stripped, key=lambda t: agreement(heading, t), default=None)
        if best is not None and agreement(heading, best) >= 0.5:
            return _unquoted(_without_tail(_without_kicker(heading, stripped), stripped))
    # No visible headline: a metadata title; one that another repeats without a kicker
    # ("Grenzschließungen: Deutschland, …" and "Deutschland, …") loses it.
    for title in stripped:
        _, sep, rest = title.partition(": ")
        if sep and any(_flat(rest) == _flat(t) for t in stripped if t != title):
            return _unquoted(rest.strip())
    return _unquoted(stripped[0]) if stripped else None


def _flat(text: str) -> str:
    return re.sub(r"[\W_]+", "", fold(text))


_PAREN_TAIL = re.compile(r"\s*[(（][^()（）]{1,40}[)）]\s*$")


def _without_tail(heading: str, titles: list[str]) -> str:
    """An <h1> that runs on past a metadata title into a short byline or credit ("… 編集委員
    中沢克二") is cut where the title ends."""
    for title in titles:
        title = _PAREN_TAIL.sub("", title).strip()
        if len(title) >= 8 and heading.startswith(title) and heading != title:
            tail = heading[len(title):]
            if word_count(tail) <= 5:
                return title
    return heading


_QUOTE_PAIRS = {'"': '"', "“": "”", "«": "»", "„": "“", "'": "'", "‘": "’", "「": "」"}


def _unquoted(title: str) -> str:
    """A headline that is one quotation wrapped whole in quote marks loses the marks."""
    title = title.strip()
    if len(title) > 2 and title[0] in _QUOTE_PAIRS and title.endswith(_QUOTE_PAIRS[title[0]]):
        inner = title[1:-1]
        if title[0] not in inner and _QUOTE_PAIRS[title[0]] not in inner:
            return inner.strip()
    return title


def _is_name(text: str, names: list[str], url: str | None) -> bool:
    key = fold(text)
    return any(key == fold(n) for n in names if n) or (
        len(text.split()) <= 3 and matches_domain(text, url))


def _without_kicker(heading: str, titles: list[str]) -> str:
    """A kicker set in the same <h1> ("Klimaschutz" + "Bohren, bis es heiß wird") goes when a
    metadata title writes it as a prefix ("Klimaschutz: Bohren, bis es heiß wird")."""
    kicker, sep, rest = heading.partition(": ")
    if sep and word_count(kicker) <= 2:
        for title in titles:
            if _flat(title) == _flat(rest):
                return title  # the <h1> prefixes a kicker its metadata title leaves out
    return heading
