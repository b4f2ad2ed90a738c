"""Presentation: what a reader is shown of a brief, in which order and in which language.

brief.json keeps everything; a reader has ten minutes. This step decides, once and for every
format, what goes on the front page (the most important events: headline, a short gist, a few
key points, one coverage line, one line on what sources dispute), what goes to "also today"
and the index (one line each), and which events get the full apparatus (claims × sources,
evidence, sources, coverage chart) in the appendix. Templates only lay the result out.

Importance, not size, orders the events (:func:`importance`): independent outlets (relays and
syndicated copies count once), countries, languages, recency and new/updated.

The reader's language comes first: a headline from a reader-language article when the event
has one, gist and key points in a reader-language source's own sentence when it carries the
same fact, and a language tag on every text that stays in another language. The brief's own
words are localised (:mod:`briefer.labels`; Babel for dates and numbers).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from .labels import Labels
from .text import fold, is_rtl
from .types import Article, Brief, Claim, Event

__all__ = [
    "APPENDIX",
    "DETAILS",
    "AppendixRules",
    "PresentOptions",
    "Presentation",
    "importance",
    "present",
    "rank_events",
    "source_name",
]

DETAILS = ("brief", "full")
GIST_WORDS = 60
KEY_POINTS = 3
KEY_POINT_WORDS = 40
HEADLINE_WORDS = 18  # a longer "title" is a lead sentence: another article's title is preferred
LINE_OUTLETS = 3  # outlets named on an "also today" line; the rest are counted
# The index names this many events, the skipped-inputs list this many inputs; the rest are
# counted (brief.json has them all): a day of 300 lone feed items must not fill the PDF.
INDEX_LINES = 40
CITES_SHOWN = 3  # source markers after a front-page sentence; the rest are counted
SKIPPED_LINES = 1
# Importance weights (README, "Importance"): each part grows with the log of its count, so the
# ninth outlet adds less than the second.
WEIGHTS = {"outlets": 3.0, "countries": 1.5, "languages": 1.5, "recency": 2.0, "status": 1.0}
RECENCY_HALF_LIFE_H = 12.0
STATUS_VALUE = {"new": 1.0, "updated": 0.75}


@dataclass(frozen=True)
class AppendixRules:
    """What the details show of each event they cover, by ``--detail`` (brief.json keeps all).

    The day's PDF must fit a reader's ten minutes (8 A4 pages for a realistic day): with
    ``brief`` the claims are capped per kind and the sources are one line each, the first
    ``source_rows`` with their title (linked to its URL) and its file's name in small print, the
    rest named in one run (every source keeps its anchor, so each citation still lands on its
    outlet); brief.json has every path and URL.
    """

    claim_words: int | None  # a claim (or a conflict's version) is cut to this many words
    claims: dict[str, int]  # shown per kind ("shared", "single-source", "conflict") and
    # "versions" per conflict; the rest are counted
    source_rows: int | None  # sources given a line with their title (None: all)
    title_words: int | None  # a source title is cut to this many words (None: whole)
    locations: bool  # paths (and URLs that cannot be links) of the sources shown
    file_names: bool  # a path is shown by its file name (brief.json has the whole path)
    chart: bool  # the coverage picture drawn
    evidence: bool  # the sources' own words under the claims


APPENDIX = {
    "brief": AppendixRules(
        claims={"shared": 2, "single-source": 0, "conflict": 1, "versions": 2},
        claim_words=20, source_rows=3, title_words=12, locations=True, file_names=True,
        chart=False, evidence=False,
    ),
    "full": AppendixRules(
        claims={"shared": 12, "single-source": 4, "conflict": 4, "versions": 12},
        claim_words=None, source_rows=None, title_words=None, locations=True,
        file_names=False, chart=True, evidence=True,
    ),
}


@dataclass(frozen=True)
class PresentOptions:
    """What the reader asked for: their language, how many events in full and in brief."""

    lang: str = "en"
    top: int = 8
    also: int = 20
    detail: str = "brief"  # "brief": the appendix covers the front page; "full": every event

    def __post_init__(self) -> None:
        from .errors import UsageError

        if self.detail not in DETAILS:
            raise UsageError(f"Unknown detail {self.detail!r}; choose brief or full.")
        if self.top < 0 or self.also < 0:
            raise UsageError("--top and --also must be 0 or more.")


# --- what the templates see -------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """A text shown to the reader, with its language; ``tag`` names that language when it is
    not the reader's (empty otherwise). ``original``: the text it was translated from."""

    text: str
    lang: str
    rtl: bool
    tag: str
    original: Text | None = None

    @property
    def dir(self) -> str:
        return "rtl" if self.rtl else "ltr"


@dataclass(frozen=True)
class Cite:
    number: int
    anchor: str  # the source's row in the appendix ("" when the event has no appendix)
    outlet: str


@dataclass(frozen=True)
class GistSentence:
    text: Text
    supported: bool
    cites: tuple[Cite, ...]  # the first CITES_SHOWN of its sources
    more_cites: int = 0  # its other sources, counted ("+4")


@dataclass(frozen=True)
class KeyPoint:
    text: Text
    outlets: int  # independent outlets that confirm it
    cites: tuple[Cite, ...]  # the first CITES_SHOWN of its sources
    more_cites: int = 0


@dataclass(frozen=True)
class FrontItem:
    number: int
    anchor: str  # the event's appendix section
    event: Event
    headline: Text
    status: str  # "new", "updated" or "" (no state: nothing to say)
    gist: tuple[GistSentence, ...]
    key_points: tuple[KeyPoint, ...]
    coverage: str  # "9 outlets · 5 languages · 4 countries · first report 06:10, latest 14:55"
    disputed: str | None  # one line naming the disputed value
    note: str | None  # the summariser's note worth the reader's attention
    in_appendix: bool


@dataclass(frozen=True)
class LineItem:
    """One line of "also today" or the index."""

    number: int
    anchor: str
    event: Event
    headline: Text
    outlets: str  # "Reuters, AFP +3"
    languages: str  # "English, French"
    status: str
    in_appendix: bool


@dataclass(frozen=True)
class Presentation:
    brief: Brief
    options: PresentOptions
    labels: Labels
    lang: str
    dir: str
    date: str
    generated: str
    front: tuple[FrontItem, ...]
    also: tuple[LineItem, ...]
    index: tuple[LineItem, ...]
    appendix: tuple[tuple[int, Event], ...]  # (number, event) of the events given in full
    headlines: dict[int, Text]  # every event's headline, by number
    index_more: int  # events left out of the index (INDEX_LINES)
    skipped: tuple[Any, ...]  # the skipped inputs named (SKIPPED_LINES); brief.json has all
    article_count: int
    outlet_count: int

    @property
    def rules(self) -> AppendixRules:
        """What the details show (claims caps, source lines, chart)."""
        return APPENDIX[self.options.detail]

    @property
    def event_count(self) -> int:
        return len(self.brief.events)

    @property
    def skipped_more(self) -> int:
        return len(self.brief.skipped) - len(self.skipped)


# --- importance -------------------------------------------------------------------------


def outlet_key(article: Article) -> str:
    """Who an article's report comes from: the agency it relays or cites, else its outlet.

    Unnamed articles are their own source (nothing says two of them are one outlet)."""
    for name in (article.relays, article.via, _named(article)):
        if name:
            return name.casefold()
    return "#" + article.id


def independent_outlets(event: Event) -> int:
    """Outlets that reported the event on their own: attribution's origins (a relay counts as
    the agency it passes on), else distinct outlets."""
    if event.independent_outlets:
        return len(event.independent_outlets)
    return len({outlet_key(a) for a in event.articles})


def importance(event: Event, latest: datetime | None) -> dict[str, Any]:
    """The event's score and its parts (written to brief.json as ``importance``).

    ``latest``: the newest publication time in the brief; recency is measured from it, so a
    brief of yesterday's archive ranks the same as it did yesterday.
    """
    outlets = independent_outlets(event)
    countries = len({a.outlet_country.upper() for a in event.articles if a.outlet_country})
    languages = len({(a.language or "").split("-")[0] for a in event.articles if a.language})
    newest = max((t for a in event.articles if (t := _time(a.published))), default=None)
    hours = None
    if newest is not None and latest is not None:
        hours = max(0.0, (latest - newest).total_seconds() / 3600)
    recency = 0.5 if hours is None else 0.5 ** (hours / RECENCY_HALF_LIFE_H)
    status = STATUS_VALUE.get(event.status, 0.0)
    parts = {
        "outlets": WEIGHTS["outlets"] * math.log2(1 + outlets),
        "countries": WEIGHTS["countries"] * math.log2(1 + countries),
        "languages": WEIGHTS["languages"] * math.log2(1 + languages),
        "recency": WEIGHTS["recency"] * recency,
        "status": WEIGHTS["status"] * status,
    }
    return {
        "score": round(sum(parts.values()), 3),
        "parts": {k: round(v, 3) for k, v in parts.items()},
        "independent_outlets": outlets,
        "countries": countries,
        "languages": languages,
        "hours_behind_latest": None if hours is None else round(hours, 1),
        "status": event.status,
    }


def rank_events(events: Sequence[Event]) -> list[Event]:
    """Events by importance, most important first (ties keep their order); sets
    ``event.importance`` on each."""
    latest = max((t for e in events for a in e.articles if (t := _time(a.published))),
                 default=None)  # fmt: skip
    for event in events:
        event.importance = importance(event, latest)
    return sorted(events, key=lambda e: -e.importance["score"])


# --- names ------------------------------------------------------------------------------

_HASHLIKE = re.compile(r"^(?:[0-9a-f]{6,}|\d+)(?:[_\-.][\w\-]*)?$", re.IGNORECASE)


def _named(article: Article) -> str | None:
    """The outlet's name when it is one (not an id, a hash or a path)."""
    name = " ".join((article.outlet or "").split())
    if not name or "/" in name or "\\" in name or _HASHLIKE.match(name) or name == article.id:
        return None
    return name


def domain(url: str | None) -> str | None:
    host = (urlsplit((url or "").strip()).hostname or "").lower()
    if not host or "." not in host:
        return None
    return host[4:] if host.startswith("www.") else host


def _shown_name(article: Article) -> str | None:
    """Outlet, else the URL's domain, else None: never an id or a file path."""
    return _named(article) or domain(article.url)


def source_name(article: Article, unnamed: str = "unnamed source") -> str:
    return _shown_name(article) or unnamed


def shown_names(names: Iterable[str | None], labels: Labels) -> list[str]:
    """Distinct names, then the unnamed counted ("3 unnamed sources"): eight articles
    without an outlet are not one source called "unnamed source"."""
    seen = list(names)
    unnamed = sum(1 for n in seen if not n)
    distinct: dict[str, str] = {}  # "KOMPAS" and "Kompas" are one outlet, first spelling kept
    for n in seen:
        if n:
            distinct.setdefault(n.casefold(), n)
    return list(distinct.values()) + ([labels.count("unnamed source", unnamed)] if unnamed else [])


def article_names(articles: Iterable[Article], labels: Labels) -> list[str]:
    return shown_names((_shown_name(a) for a in articles), labels)


def outlet_names(event: Event, names: Iterable[str], labels: Labels) -> list[str]:
    """Names the attribution gave (independent origins, a conflict's outlets), with an article
    id (what it records for an unnamed article) replaced by the source's shown name."""
    by_id = {a.id: a for a in event.articles}
    return shown_names((_shown_name(by_id[n]) if n in by_id else n for n in names), labels)


# --- the presentation -------------------------------------------------------------------


def present(brief: Brief, options: PresentOptions | None = None) -> Presentation:
    """What the reader is shown of ``brief`` (events already in brief order)."""
    options = options or PresentOptions()
    labels = Labels(options.lang)
    events = list(brief.events)
    top = events[: options.top]
    also = events[options.top : options.top + options.also]
    rest = events[options.top + options.also :]
    full = options.detail == "full"
    numbered = list(enumerate(events, start=1))
    in_appendix = {id(e) for i, e in numbered if full or i <= options.top}
    history = any(e.status == "updated" or e.past_articles for e in events)
    front = tuple(
        _front_item(i, e, labels, id(e) in in_appendix, history)
        for i, e in numbered[: len(top)]
    )
    start = len(top) + 1
    also_items = tuple(
        _line_item(i, e, labels, id(e) in in_appendix, history)
        for i, e in enumerate(also, start=start)
    )
    index_items = tuple(
        _line_item(i, e, labels, id(e) in in_appendix, history)
        for i, e in enumerate(rest, start=start + len(also))
    )
    # outlets the reader can tell apart: unnamed articles are not counted as outlets
    names = {n.casefold() for e in events for a in e.articles if (n := source_name(a, ""))}
    return Presentation(
        brief=brief,
        options=options,
        labels=labels,
        lang=labels.lang,
        dir=labels.dir,
        date=labels.long_date(_time(brief.generated_at)) or brief.generated_at,
        generated=labels.timestamp(_time(brief.generated_at)) or brief.generated_at,
        front=front,
        also=also_items,
        index=index_items[:INDEX_LINES],
        index_more=max(0, len(index_items) - INDEX_LINES),
        skipped=tuple(brief.skipped[:SKIPPED_LINES]),
        appendix=tuple((i, e) for i, e in numbered if id(e) in in_appendix),
        headlines={i.number: i.headline for i in (*front, *also_items, *index_items)},
        article_count=sum(len(e.articles) for e in events),
        outlet_count=len(names),
    )


def _front_item(
    number: int, event: Event, labels: Labels, in_appendix: bool, history: bool
) -> FrontItem:
    anchor = f"e{number}"
    cites = _cite_table(anchor, event, labels, in_appendix)
    gist, said = _gist(event, labels, cites)
    return FrontItem(
        number=number,
        anchor=anchor,
        event=event,
        headline=headline(event, labels),
        status=_status(event, history),
        gist=gist,
        key_points=_key_points(event, labels, cites, said),
        coverage=coverage_line(event, labels),
        disputed=disputed_line(event, labels),
        note=_reader_note(event),
        in_appendix=in_appendix,
    )


def _line_item(
    number: int, event: Event, labels: Labels, in_appendix: bool, history: bool
) -> LineItem:
    names = article_names(event.articles, labels)
    shown = ", ".join(names[:LINE_OUTLETS])
    if len(names) > LINE_OUTLETS:
        shown += " " + labels.plus_more(len(names) - LINE_OUTLETS)
    languages = dict.fromkeys(labels.language_name(a.language) for a in event.articles)
    return LineItem(
        number=number,
        anchor=f"e{number}",
        event=event,
        headline=headline(event, labels),
        outlets=shown,
        languages=", ".join(languages),
        status=_status(event, history),
        in_appendix=in_appendix,
    )


def _status(event: Event, history: bool) -> str:
    """"new"/"updated" when the brief continues earlier ones; without that history every
    event is new, and saying so on each line would say nothing."""
    return event.status if history and event.status in ("new", "updated") else ""


def _reader_note(event: Event) -> str | None:
    """Only a note that changes what the gist means (sentences left out under --strict);
    the others (extractive fallback, single source, not translated) are in the appendix,
    and the coverage line and language tags say the rest."""
    note = (event.note or "").strip()
    return note if "--strict" in note else None


def text(value: str, lang: str | None, labels: Labels, original: Any = None) -> Text:
    """A shown text: its language, direction, a tag when it is not the reader's language,
    and what it was translated from when a translator recorded that (``original``)."""
    code = (lang or "").split("-")[0].lower()
    orig = None
    if original is not None and not isinstance(original, dict) and hasattr(original, "to_dict"):
        original = original.to_dict()  # a translator's types.Original
    if isinstance(original, dict) and original.get("text"):
        orig = text(str(original["text"]), str(original.get("language") or ""), labels)
    tag = "" if not code or code == labels.lang else labels.language_name(code)
    return Text(" ".join(value.split()), code or labels.lang, is_rtl(code), tag, orig)


# --- headlines --------------------------------------------------------------------------

_WIRE_PREFIX = re.compile(
    r"^\s*(?:(?:ROUNDUP|UPDATE|WRAPUP|EXCLUSIVE|BREAKING|LIVE|VIDEO|PHOTOS?|FOTOS?|"
    r"EILMELDUNG|EXKLUSIV|ANALYSE|ANALYSIS|TICKER|URGENT|DIRECT|EN DIRECT|TERKINI|"
    r"INFOGRAFIS)(?:\s*\d+)?\s*[:\-–—]+\s*|(?:[A-Z]{2,}\s+)?\d+\s*[-:]\s*(?=[A-Z]))"
)


def clean_title(title: str, article: Article | None = None) -> str:
    """A title without wire prefixes ("ROUNDUP 3:") or a trailing " | Outlet"."""
    title = " ".join(title.split())
    while (m := _WIRE_PREFIX.match(title)) and m.end() < len(title):
        title = title[m.end() :]
    if article is not None:
        names = {n.casefold() for n in (_named(article), domain(article.url)) if n}
        for sep in (" | ", " - ", " – ", " — "):
            head, _, tail = title.rpartition(sep)
            if head and tail.strip().casefold() in names:
                title = head
    return title.strip()


def _words(value: str, lang: str = "") -> int:
    if lang.split("-")[0] in ("zh", "ja"):
        return math.ceil(len(value.replace(" ", "")) / 2)
    if lang.split("-")[0] in ("th", "lo", "km", "my"):
        return math.ceil(len(value.replace(" ", "")) / 6)
    return len(value.split())


def _is_real_title(article: Article, title: str) -> bool:
    return bool(title) and not article.title_derived and _words(title, article.language) <= (
        HEADLINE_WORDS
    )


def headline(event: Event, labels: Labels) -> Text:
    """The event's headline, from a reader-language article when one has a real title.

    Else the event's headline when it is a real title (not a lead sentence); else another
    article's real title (event language first); else the headline cut to a few words.
    """
    original = getattr(event, "headline_original", None)
    if original:  # a translator wrote it in the reader's language
        return text(event.headline, labels.lang, labels, original)
    titled = [(a, clean_title(a.title, a)) for a in event.articles]
    mine = [(a, t) for a, t in titled if _lang(a.language) == labels.lang and _is_real_title(a, t)]
    if mine:
        article, title = _central(mine)
        return text(title, article.language, labels)
    lead = next((a for a in event.articles if a.title == event.headline), None)
    current = clean_title(event.headline, lead) if event.headline else ""
    if current and (lead is None or _is_real_title(lead, current)):
        return text(current, event.language or (lead.language if lead else ""), labels)
    real = [(a, t) for a, t in titled if _is_real_title(a, t)]
    if real:
        same = [(a, t) for a, t in real if _lang(a.language) == _lang(event.language)]
        article, title = _central(same or real)
        return text(title, article.language, labels)
    fallback = current or (titled[0][1] if titled else labels["Untitled event"])
    lang = event.language or (event.articles[0].language if event.articles else "")
    return text(_cut(fallback, 14, lang), lang, labels)


def _central(titled: list[tuple[Article, str]]) -> tuple[Article, str]:
    """The title sharing most words with the others (ties: the shorter, then the first)."""
    if len(titled) == 1:
        return titled[0]
    bags = [set(fold(t).split()) for _, t in titled]

    def score(i: int) -> tuple[float, int]:
        overlap = sum(len(bags[i] & b) / (len(bags[i] | b) or 1) for j, b in enumerate(bags)
                      if j != i)  # fmt: skip
        return (-overlap, len(titled[i][1]))

    best = min(range(len(titled)), key=score)
    return titled[best]


def _cut(value: str, words: int, lang: str = "") -> str:
    if _words(value, lang) <= words:
        return value
    if lang.split("-")[0] in ("zh", "ja", "th", "lo", "km", "my"):
        chars = words * (2 if lang.startswith(("zh", "ja")) else 6)
        return value[:chars].rstrip() + "…"
    return " ".join(value.split()[:words]).rstrip(",;:—–-") + "…"


def _lang(code: str | None) -> str:
    return (code or "").split("-")[0].lower()


# --- gist and key points ----------------------------------------------------------------

# Lines that are not news sentences: bylines, credits, captions, calls to action.
_NOT_NEWS = re.compile(
    r"^(?:by|par|von|por|oleh|reporting by|editing by|writing by|photo|foto|image|bild|"
    r"credit|crédit|source|quelle|fuente|sumber|read more|lire aussi|lesen sie auch|"
    r"lea también|baca juga|watch|video|copyright|©)\b",
    re.IGNORECASE,
)
# Openers that lean on a sentence before them ("He added...", "Il a ajouté..."): kept only
# right after the sentence they follow in the summary.
_DANGLING = re.compile(
    r"^(?:he|she|they|it|this|these|those|but|however|also|meanwhile|il|elle|ils|elles|"
    r"cela|mais|er|sie|es|dies|aber|él|ella|ellos|pero|ia|mereka|namun|tetapi)\b",
    re.IGNORECASE,
)


def _is_news_sentence(value: str, lang: str) -> bool:
    value = value.strip()
    if not value or _NOT_NEWS.match(value) or "@" in value:
        return False
    # a caption or a label: a few words and no full stop
    return _words(value, lang) >= 5 or bool(re.search(r"[.!?。؟!]$", value))


def _similar(a: str, b: str) -> bool:
    x, y = set(fold(a).split()), set(fold(b).split())
    if not x or not y:
        return False
    return len(x & y) / min(len(x), len(y)) >= 0.6


def _cite_table(anchor: str, event: Event, labels: Labels, linked: bool) -> dict[str, Cite]:
    return {
        a.id: Cite(i, f"{anchor}-s{i}" if linked else "", source_name(a, labels["unnamed source"]))
        for i, a in enumerate(event.articles, start=1)
    }


def _cited(sources: Iterable[str], cites: dict[str, Cite]) -> dict[str, Any]:
    """The first CITES_SHOWN markers and the number of the others: a run of twelve markers
    says no more than three and "+9" (the details and brief.json list them all)."""
    found = [cites[s] for s in dict.fromkeys(sources) if s in cites]
    return {"cites": tuple(found[:CITES_SHOWN]), "more_cites": max(0, len(found) - CITES_SHOWN)}


def _in_reader_language(
    value: str, lang: str, evidence: dict[str, str], event: Event, labels: Labels
) -> tuple[str, str]:
    """A reader-language source's own sentence for the same fact, when one is at hand."""
    if _lang(lang) == labels.lang:
        return value, lang
    by_id = {a.id: a for a in event.articles}
    for article_id, sentence in evidence.items():
        article = by_id.get(article_id)
        if article is not None and _lang(article.language) == labels.lang and sentence.strip():
            return sentence, article.language
    return value, lang


def _gist(
    event: Event, labels: Labels, cites: dict[str, Cite]
) -> tuple[tuple[GistSentence, ...], list[str]]:
    """At most GIST_WORDS words of the summary: news sentences only, no repeats, no
    sentence that leans on one left out. Returns the sentences and every source sentence
    they stand for (so key points do not repeat them)."""
    out: list[GistSentence] = []
    said: list[str] = []
    words = 0
    shown_as = [
        _in_reader_language(
            s.text, getattr(s, "language", None) or event.language, s.evidence, event, labels
        )
        for s in event.summary
    ]
    # the reader's language first (a stable sort: the summary's order otherwise); a sentence
    # that leans on the one before it ("He added…") moves with it
    blocks: list[list[int]] = []
    for i, (shown, _) in enumerate(shown_as):
        if blocks and _DANGLING.match(shown):
            blocks[-1].append(i)
        else:
            blocks.append([i])
    blocks.sort(key=lambda b: _lang(shown_as[b[0]][1]) != labels.lang)
    order = [i for block in blocks for i in block]
    last_kept = -2
    for i in order:
        sentence = event.summary[i]
        shown, shown_lang = shown_as[i]
        ok = _is_news_sentence(shown, shown_lang)
        # "He said…" only right after the sentence it leans on
        ok = ok and (last_kept == i - 1 or not _DANGLING.match(shown))
        ok = ok and not any(_similar(shown, s.text.text) for s in out)
        if not ok:
            continue
        n = _words(shown, shown_lang)
        if words + n > GIST_WORDS:
            if out:
                break
            shown = _cut(shown, GIST_WORDS, shown_lang)
            n = GIST_WORDS
        original = getattr(sentence, "original", None)
        out.append(
            GistSentence(
                text=text(shown, shown_lang, labels, original),
                supported=sentence.supported,
                **_cited(sentence.sources, cites),
            )
        )
        said.extend([sentence.text, shown, *sentence.evidence.values()])
        words += n
        last_kept = i
        if words >= GIST_WORDS:
            break
    return tuple(out), said


def _key_points(
    event: Event, labels: Labels, cites: dict[str, Cite], said: list[str]
) -> tuple[KeyPoint, ...]:
    """Up to KEY_POINTS facts confirmed by the most independent outlets (two at least)
    that the gist does not already say."""
    by_id = {a.id: a for a in event.articles}
    ranked: list[tuple[int, int, Claim]] = []
    for order, claim in enumerate(event.claims):
        if claim.kind == "conflict":
            continue
        outlets = len(claim.independent_sources) if claim.independent_sources else len(
            {outlet_key(by_id[s]) for s in claim.sources if s in by_id}
        )
        if outlets >= 2:
            ranked.append((outlets, order, claim))
    ranked.sort(key=lambda r: (-r[0], r[1]))
    points: list[KeyPoint] = []
    for outlets, _, claim in ranked:
        versions = [claim.text, *claim.evidence.values()]
        if any(_similar(v, s) for v in versions for s in said if v and s):
            continue
        shown, lang = _in_reader_language(claim.text, claim.language, claim.evidence, event,
                                          labels)  # fmt: skip
        if not _is_news_sentence(shown, lang) or _DANGLING.match(shown):
            continue
        if any(_similar(shown, p.text.text) for p in points):
            continue
        points.append(
            KeyPoint(
                text=text(
                    _cut(shown, KEY_POINT_WORDS, lang), lang, labels,
                    getattr(claim, "original", None),
                ),
                outlets=outlets,
                **_cited(claim.sources, cites),
            )
        )
        said.extend(versions)
        if len(points) == KEY_POINTS:
            break
    return tuple(points)


# --- coverage and disputes --------------------------------------------------------------


def coverage_line(event: Event, labels: Labels) -> str:
    """'9 outlets · 5 languages · 4 countries · first report 06:10, latest 14:55'."""
    parts = [labels.count("outlet", independent_outlets(event))]
    languages = {_lang(a.language) for a in event.articles if a.language}
    if languages:
        parts.append(labels.count("language", len(languages)))
    countries = {a.outlet_country.upper() for a in event.articles if a.outlet_country}
    if countries:
        parts.append(labels.count("country", len(countries)))
    times = sorted(t for a in event.articles if (t := _time(a.published)))
    # a bare date is not midnight: times are shown only when every dated article has one
    timed = all(len(a.published.strip()) > 10 for a in event.articles if _time(a.published))
    if times:
        first, last = times[0], times[-1]
        same_day = first.date() == last.date()
        if same_day and timed and first != last:
            parts.append(labels.first_latest(labels.time(first), labels.time(last) + " UTC"))
        elif same_day:
            parts.append(labels.reported(labels.short_date(first)))
        else:
            parts.append(labels.first_latest(labels.short_date(first), labels.short_date(last)))
    return " · ".join(parts)


def disputed_line(event: Event, labels: Labels) -> str | None:
    """'Sources differ: deaths: 95 (Outlet A) · 92 (Outlet B)' for the event's first conflict,
    from the values the attribution recorded (``claim.differs``); without them, the line names the
    statement (guessing the value from the versions' figures picked unrelated numbers)."""
    by_id = {a.id: a for a in event.articles}
    for claim in event.claims:
        if claim.kind != "conflict":
            continue
        if claim.differs:
            differ = claim.differs[0]
            shown = []
            for item in differ.get("values", []):
                sources = [by_id[s] for s in item.get("sources", []) if s in by_id]
                outlets = outlet_names(event, item.get("outlets") or [], labels) or (
                    article_names(sources, labels)
                )
                named = ", ".join(outlets)
                shown.append(f"{item.get('text')} ({named})" if named else str(item.get("text")))
            if shown:
                what = differ.get("quantity")
                return labels.disputed((f"{what}: " if what else "") + " · ".join(shown))
        lang = claim.language or event.language
        what = _cut(" ".join(claim.text.split()), 8, lang)
        return labels.disputed_on(what)
    return None


# --- time -------------------------------------------------------------------------------


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def dated(values: Iterable[str | None]) -> list[datetime]:
    return sorted(t for v in values if (t := _time(v)))
