"""Render stage: a Brief becomes HTML, plain text and PDF, and the chosen files are written.

Article text comes from the web and is untrusted. It reaches the templates only as data (HTML
autoescaping on, never compiled as a template), and the PDF renderer may load nothing but
``data:`` URLs and files inside the templates directory, so a hostile article can neither run
script in the HTML nor make WeasyPrint touch the network or the rest of the disk.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import stat
import tempfile
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import jinja2
from markupsafe import Markup, escape

from .errors import BrieferError, UsageError
from .labels import Labels
from .present import (
    APPENDIX,
    AppendixRules,
    Presentation,
    PresentOptions,
    Text,
    _cut,
    article_names,
    outlet_names,
    present,
    source_name,
)
from .text import is_rtl
from .types import Article, Brief, Claim, Event, Original, SummarySentence

if TYPE_CHECKING:
    from weasyprint.urls import URLFetcher

logger = logging.getLogger(__name__)

__all__ = [
    "FORMATS",
    "builtin_templates_dir",
    "render_html",
    "render_pdf",
    "render_txt",
    "template_dirs",
    "write_outputs",
]

FORMATS = ("json", "html", "pdf", "txt")
HTML_TEMPLATE = "brief.html.j2"
TXT_TEMPLATE = "brief.txt.j2"
CSS_FILE = "brief.css"
TEXT_WIDTH = 76
MATRIX_MAX_SOURCES = 6  # more sources than this: claims list source numbers, not a matrix
# Claims shown per event and kind, and versions per conflict, by --detail (briefer.present
# decides what the details show); the rest are counted, brief.json has all.
CLAIM_CAPS = {detail: {**rules.claims, "words": rules.claim_words or 0}
              for detail, rules in APPENDIX.items()}  # fmt: skip
MAX_SINGLE_SOURCE_CLAIMS = CLAIM_CAPS["full"]["single-source"]
_GLUE = "\ue000"  # private-use stand-in for a space that wrapping must not break at
_AFTER_SLASH = re.compile(r"(?<=/)(?!/)")



# --- what the templates see ------------------------------------------------------------------
# The templates get these small views instead of raw dataclasses so that numbering, anchors,
# direction and link safety are decided once, here, identically for HTML and text.
# A template (built-in or from --templates) gets `view` (a BriefView); brief.html.j2 also gets
# `css` (brief.css, inlined), brief.txt.j2 `width` (the wrap width).


@dataclass(frozen=True)
class SourceView:
    number: int
    anchor: str
    article: Article
    outlet: str
    language_name: str
    rtl: bool
    published: str
    url: str  # as given, possibly empty; shown as text unless it is also ``link``
    link: str | None  # the URL again, only when it is http(s) and so safe to link
    outlet_type: str  # from the outlet registry, "—" when unknown
    country: str  # ISO 3166 code from the registry, "—" when unknown
    relays: str | None  # the agency whose report the article passes on, if any
    via: str | None  # the agency it names as its source, when ``relays`` does not say it already

    @property
    def profile(self) -> str:
        """'state agency · SY', 'private', 'IR' or '—': what the registry knows of the outlet."""
        known = [p for p in (self.outlet_type, self.country) if p != "—"]
        return " · ".join(known) or "—"


@dataclass(frozen=True)
class CiteView:
    number: int
    anchor: str
    tooltip: str


@dataclass(frozen=True)
class SentenceView:
    text: str
    supported: bool
    cites: tuple[CiteView, ...]
    sentence: SummarySentence | None = None  # its original and translation state

    @property
    def markers(self) -> str:
        return "".join(f"[{c.number}]" for c in self.cites)


@dataclass(frozen=True)
class SupportView:
    """One source backing a claim, and the sentence in which it does."""

    source: SourceView
    evidence: str  # the source's own sentence; empty when the claim did not keep one
    tooltip: str

    @property
    def lang(self) -> str:
        return self.source.article.language

    @property
    def rtl(self) -> bool:
        return self.source.rtl


@dataclass(frozen=True)
class ClaimView:
    number: int
    anchor: str
    claim: Claim
    kind: str  # "shared", "single-source" or "conflict"
    text: str
    lang: str
    rtl: bool
    supports: tuple[SupportView, ...]  # in source-number order
    versions: tuple[SupportView, ...]  # the supports a conflict shows its version of
    cells: tuple[SupportView | None, ...]  # one per source of the event, for the matrix
    notes: tuple[SupportView, ...]  # the other sources' own words (not the claim's sentence)
    words: int | None = None  # a version is cut to this many words (briefer.present.APPENDIX)

    def cut(self, value: str) -> str:
        """A conflict's version as long as the details show it."""
        return value if not self.words else _cut(" ".join(value.split()), self.words, self.lang)

    @property
    def only(self) -> str | None:
        """The source a single-source claim rests on: the origin its reports relay."""
        if len(self.claim.independent_sources) == 1:  # an unnamed source's is its article id
            return self._names(list(self.claim.independent_sources))[0]
        return self.supports[0].source.outlet if len(self.supports) == 1 else None

    @property
    def differences(self) -> tuple[str, ...]:
        """What a conflict's sources give differently: "deaths: 15,383 — AP · 12,000 — SANA"."""
        return tuple(
            f"{d['quantity']}: " + " · ".join(
                f"{v['text']} — {', '.join(self._names(v.get('outlets') or []))}"
                for v in d["values"])
            for d in self.claim.differs)

    def _names(self, names: list[str]) -> list[str]:
        """Outlet names, never the article ids attribution records for unnamed sources."""
        by_id = {s.source.article.id: s.source.outlet for s in self.supports}
        return list(dict.fromkeys(by_id.get(n, n) for n in names))

    @property
    def markers(self) -> str:
        return "".join(f"[{s.source.number}]" for s in self.supports)


@dataclass(frozen=True)
class ClaimGroupView:
    kind: str  # "shared", "single-source" or "conflict"
    title: str
    claims: tuple[ClaimView, ...]
    more: int  # claims of this kind left out here (brief.json keeps them)


@dataclass(frozen=True)
class ClaimsView:
    """An event's claims × sources attribution, grouped and capped for reading."""

    layout: str  # "matrix" (a column per source) or "list" (source numbers per claim)
    groups: tuple[ClaimGroupView, ...]
    total: int
    only_source: SourceView | None  # set when the event has a single source: nothing to compare
    independence: str = ""  # "4 reports, 2 independent sources (SANA, ISNA)"

    @property
    def claims(self) -> tuple[ClaimView, ...]:
        return tuple(c for g in self.groups for c in g.claims)

    @property
    def has_notes(self) -> bool:
        return any(c.notes for c in self.claims if c.kind != "conflict")

    def count(self, kind: str) -> int:
        return sum(len(g.claims) + g.more for g in self.groups if g.kind == kind)


@dataclass(frozen=True)
class SegmentView:
    x: float
    width: float
    color: str
    outlet: str
    count: int


@dataclass(frozen=True)
class BarView:
    label: str  # the language's name
    count: int
    y: float
    end: float  # where the bar stops (the count is written after it)
    segments: tuple[SegmentView, ...]


@dataclass(frozen=True)
class LegendView:
    outlet: str
    color: str
    numbers: tuple[int, ...]  # the outlet's source numbers


@dataclass(frozen=True)
class DayView:
    x: float
    y: float
    width: float
    height: float
    start: str  # ISO date of the first day of the column
    count: int


@dataclass(frozen=True)
class TimelineView:
    width: int
    height: int
    baseline: float
    days: tuple[DayView, ...]
    first: str
    last: str
    bucket_days: int  # days per column
    peak: int
    label_counts: bool  # few enough columns to write each count above its column
    description: str  # the SVG's accessible name, in the reader's language
    per_label: str  # "per day" / "per 3 days"
    undated_note: str  # "2 undated articles not shown." or ""


@dataclass(frozen=True)
class CoverageView:
    """Geometry of the per-event coverage picture; the template draws it as inline SVG."""

    width: int
    height: int
    label_width: int
    bars: tuple[BarView, ...]
    legend: tuple[LegendView, ...]
    timeline: TimelineView | None
    description: str  # what the chart shows, in words (the SVG's accessible name)


@dataclass(frozen=True)
class EventView:
    number: int
    anchor: str
    event: Event
    headline: str
    headline_lang: str
    headline_rtl: bool
    lang: str  # the summary's
    rtl: bool
    language_name: str
    outlets: tuple[str, ...]
    sentences: tuple[SentenceView, ...]
    sources: tuple[SourceView, ...]
    claims: ClaimsView | None
    coverage: CoverageView | None
    rules: AppendixRules | None = None

    @property
    def source_lines(self) -> tuple[SourceView, ...]:
        """The sources given a line of their own (the rest are named in one run)."""
        rows = self.rules.source_rows if self.rules else None
        return self.sources if rows is None else self.sources[:rows]

    @property
    def source_run(self) -> tuple[SourceView, ...]:
        return self.sources[len(self.source_lines):]

    def path(self, source: SourceView) -> str:
        """The source's path as the rules show it: whole, or its file's name."""
        path = source.article.path or ""
        if self.rules and self.rules.file_names:
            return path.replace("\\", "/").rsplit("/", 1)[-1]
        return path

    def title(self, source: SourceView) -> str:
        """The source's title, cut to the rules' length."""
        words = self.rules.title_words if self.rules else None
        title = " ".join(source.article.title.split())
        return title if words is None else _cut(title, words, source.article.language)


@dataclass(frozen=True)
class BriefView:
    """``page`` is the presentation (front page, also today, index: briefer.present);
    ``events`` are the appendix's events in full; ``t`` the brief's words in the reader's
    language."""

    brief: Brief
    page: Presentation
    t: Labels
    ui_lang: str
    date: str
    generated: str
    summarizer: str
    events: tuple[EventView, ...]
    source_count: int
    unsupported_count: int
    # Translated texts' originals, numbered in reading order (the appendix), and what
    # briefer.translate did (brief.translation).
    originals: tuple[OriginalView, ...] = ()
    translation: dict | None = None
    _numbers: dict[int, int] = field(default_factory=dict, repr=False, compare=False)

    def ref(self, original: Original) -> int | None:
        """The appendix number of a translated text's ``original``."""
        return self._numbers.get(id(original))

    @property
    def target(self) -> str:
        """The reader's language (translated texts are in it)."""
        return (self.translation or {}).get("target") or self.ui_lang


@dataclass(frozen=True)
class OriginalView:
    number: int
    what: str  # "headline", "summary", "claim", "source's version", "title"
    translation: str
    original: Original
    language_name: str
    rtl: bool


def builtin_templates_dir() -> Path:
    """The templates shipped with briefer: the installed package, else the source checkout.

    ``briefer.templates`` is tried first so a wheel works; a checkout that was never installed
    falls back to the top-level ``templates/`` next to the package.
    """
    try:
        packaged: Any = resources.files("briefer.templates")
    except ModuleNotFoundError:
        packaged = None
    if isinstance(packaged, Path) and (packaged / HTML_TEMPLATE).is_file():
        return packaged.resolve()
    checkout = Path(__file__).resolve().parent.parent / "templates"
    if (checkout / HTML_TEMPLATE).is_file():
        return checkout
    raise BrieferError(
        "The brief templates are missing from this installation; reinstall briefer or pass "
        "--templates DIR."
    )


def template_dirs(templates_dir: Path | None = None) -> list[Path]:
    """Directories searched for each template file, in order: the override, then the built-in.

    A user's directory may hold only the files they change (say ``brief.css``); the rest
    come from the built-in set.
    """
    dirs: list[Path] = []
    if templates_dir is not None:
        path = Path(templates_dir).expanduser()
        if not path.is_dir():
            raise UsageError(f"The templates directory {path} does not exist.")
        dirs.append(path.resolve())
    try:
        builtin = builtin_templates_dir()
    except BrieferError:
        if not dirs:
            raise
    else:
        if builtin not in dirs:
            dirs.append(builtin)
    return dirs


def render_html(
    brief: Brief, templates_dir: Path | None = None, *, presentation: PresentOptions | None = None
) -> str:
    """The brief as one self-contained HTML page (CSS inlined, no script, no remote assets).

    ``presentation``: the reader's language and how much goes on the front page (default:
    English, 8 events, 20 more on one line each, details of the front page only)."""
    dirs = template_dirs(templates_dir)
    css_path = _find(dirs, CSS_FILE)
    try:
        css = css_path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BrieferError(f"Cannot read {css_path}: {_reason(exc)}.") from exc
    if "</style" in css.lower():
        raise BrieferError(f"{css_path} contains '</style', which would end the page's style.")
    view = _brief_view(brief, presentation)
    return _render(dirs, HTML_TEMPLATE, view=view, css=Markup(css))


def render_txt(
    brief: Brief, templates_dir: Path | None = None, *, presentation: PresentOptions | None = None
) -> str:
    """The brief as wrapped plain text, e.g. for the text part of an e-mail."""
    dirs = template_dirs(templates_dir)
    view = _brief_view(brief, presentation)
    return _render(dirs, TXT_TEMPLATE, view=view, width=TEXT_WIDTH)


def render_pdf(
    brief: Brief,
    templates_dir: Path | None = None,
    html: str | None = None,
    *,
    presentation: PresentOptions | None = None,
) -> bytes:
    """The HTML rendering printed to an A4 PDF by WeasyPrint (imported here: it is slow to load).

    ``html``: the brief's HTML when the caller has rendered it already (it is not rendered a
    second time). Only ``data:`` URLs and files inside the template directories can be loaded;
    anything else is refused before a connection is attempted.
    """
    dirs = template_dirs(templates_dir)
    if html is None:
        html = render_html(brief, templates_dir, presentation=presentation)
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: Pango or its friends are missing
        raise BrieferError(
            f"PDF output needs WeasyPrint and its system libraries ({exc}); install them or ask "
            "for other formats."
        ) from exc
    document = weasyprint.HTML(
        string=html, base_url=dirs[0].as_uri() + "/", url_fetcher=_local_fetcher(dirs)
    )
    pdf = document.write_pdf()
    if not isinstance(pdf, bytes):  # write_pdf returns bytes when no target is given
        raise BrieferError("WeasyPrint returned no PDF data.")
    return pdf


def write_outputs(
    brief: Brief,
    out_dir: Path,
    formats: Sequence[str],
    templates_dir: Path | None = None,
    *,
    presentation: PresentOptions | None = None,
) -> list[Path]:
    """Write ``brief.<format>`` for each format into ``out_dir``; return the paths written.

    Everything is rendered before anything is written, so a template or PDF failure leaves the
    previous files as they were. Each file is replaced atomically (temporary file in the same
    directory, fsync, ``os.replace``), so a reader sees the old file or the new one, never half.
    """
    wanted = _check_formats(formats)
    out_dir = Path(out_dir)
    contents: dict[str, bytes] = {}
    # the PDF prints the HTML page: render it once for both
    html = (render_html(brief, templates_dir, presentation=presentation)
            if {"html", "pdf"} & set(wanted) else None)
    for fmt in wanted:
        if fmt == "json":
            text = json.dumps(brief.to_dict(), ensure_ascii=False, indent=2) + "\n"
            contents[fmt] = text.encode("utf-8")
        elif fmt == "html":
            contents[fmt] = (html or "").encode("utf-8")
        elif fmt == "pdf":
            contents[fmt] = render_pdf(brief, templates_dir, html, presentation=presentation)
        else:
            text = render_txt(brief, templates_dir, presentation=presentation)
            contents[fmt] = text.encode("utf-8")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BrieferError(
            f"Cannot create the output directory {out_dir}: {_reason(exc)}."
        ) from exc
    _sweep_temporaries(out_dir)
    # brief.json last: its "inputs" hash says the other files are current (briefer.fingerprint),
    # so it must not be renamed into place before them
    for fmt, data in sorted(contents.items(), key=lambda kv: kv[0] == "json"):
        target = out_dir / f"brief.{fmt}"
        _write_atomic(target, data)
        logger.info("wrote %s (%d bytes)", target, len(data))
    _fsync_dir(out_dir)
    return [out_dir / f"brief.{fmt}" for fmt in contents]


# --- templates ------------------------------------------------------------------------------


def _environment(dirs: list[Path]) -> jinja2.Environment:
    """HTML templates autoescape; text templates do not (they are never shown as HTML)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(dirs),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "htm", "xml", "html.j2"), default_for_string=True
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["wrap"] = _wrap
    env.filters["glue"] = _glue
    env.filters["soft_breaks"] = _soft_breaks
    env.filters["rtl"] = is_rtl
    return env


def _render(dirs: list[Path], name: str, **context: Any) -> str:
    """Render one template; a broken or missing user template becomes a one-line BrieferError."""
    try:
        template = _environment(dirs).get_template(name)
        return template.render(**context)
    except jinja2.TemplateNotFound as exc:
        raise BrieferError(f"The template {name} is in none of {_listing(dirs)}.") from exc
    except jinja2.TemplateSyntaxError as exc:
        where = exc.filename or name
        raise BrieferError(f"{where}, line {exc.lineno}: {exc.message}.") from exc
    except jinja2.TemplateError as exc:
        where = _find(dirs, name)
        raise BrieferError(f"The template {where} failed: {exc.message}.") from exc


def _find(dirs: list[Path], name: str) -> Path:
    for directory in dirs:
        if (directory / name).is_file():
            return directory / name
    raise BrieferError(f"{name} is in none of {_listing(dirs)}.")


def _listing(dirs: list[Path]) -> str:
    return ", ".join(str(d) for d in dirs)


def _wrap(text: str, first: str = "", rest: str | None = None, width: int = TEXT_WIDTH) -> str:
    """Fill ``text`` to ``width``; URLs and paths are never broken, long ones overflow instead."""
    filled = textwrap.fill(
        " ".join(str(text).split()),
        width=width,
        initial_indent=first,
        subsequent_indent=" " * len(first) if rest is None else rest,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return filled.replace(_GLUE, " ")


def _glue(text: str, attach: bool = True) -> str:
    """``text`` kept on one line and attached to the word before it, so a marker like [1][2]
    never starts a line; with ``attach=False`` it is only kept whole."""
    return (_GLUE if attach else "") + _GLUE.join(str(text).split())


def _soft_breaks(text: str) -> Markup:
    """Escaped text with a <wbr> after each slash, so long paths and URLs wrap at separators."""
    return Markup("<wbr>").join(escape(part) for part in _AFTER_SLASH.split(str(text)))


# --- views ----------------------------------------------------------------------------------


def _originals(
    events: Iterable[Event], t: Labels
) -> tuple[tuple[OriginalView, ...], dict[int, int]]:
    """Every translated text's original in the details, in reading order, and its number by
    object id (the front page shows its originals in place)."""
    found: list[tuple[str, str, Original]] = []
    for event in events:
        if event.headline_original is not None:
            found.append(("headline", event.headline, event.headline_original))
        found += [("summary", s.text, s.original) for s in event.summary if s.original]
        for claim in event.claims:
            if claim.original is not None:
                found.append(("claim", claim.text, claim.original))
            found += [("source's version", claim.evidence.get(k, ""), o)
                      for k, o in claim.evidence_original.items()]  # fmt: skip
        found += [("title", a.title, a.title_original) for a in event.articles
                  if a.title_original]  # fmt: skip
    views, numbers = [], {}
    for number, (what, text, original) in enumerate(found, start=1):
        numbers[id(original)] = number
        views.append(OriginalView(number, what, text, original,
                                  t.language_name(original.language),
                                  is_rtl(original.language)))  # fmt: skip
    return tuple(views), numbers


def _brief_view(brief: Brief, presentation: PresentOptions | None = None) -> BriefView:
    page = present(brief, presentation)
    t = page.labels
    detail = page.options.detail
    events = tuple(
        _event_view(i, event, t, page.headlines.get(i), detail) for i, event in page.appendix
    )
    summarizer = brief.backend + (f" ({brief.model})" if brief.model else "")
    originals, numbers = _originals((event for _, event in page.appendix), t)
    return BriefView(
        originals=originals,
        translation=brief.translation,
        _numbers=numbers,
        brief=brief,
        page=page,
        t=t,
        ui_lang=t.lang,
        date=page.date,
        generated=page.generated,
        summarizer=summarizer,
        events=events,
        source_count=sum(len(e.sources) for e in events),
        unsupported_count=sum(not s.supported for e in events for s in e.sentences),
    )


def _event_view(
    number: int, event: Event, t: Labels, shown: Text | None = None, detail: str = "full"
) -> EventView:
    """One event in full; ``shown``: its headline as the front page gives it."""
    anchor = f"e{number}"
    lang = event.language or (event.articles[0].language if event.articles else "")
    sources = tuple(
        _source_view(f"{anchor}-s{i}", i, a, t) for i, a in enumerate(event.articles, start=1)
    )
    by_id = {s.article.id: s for s in sources}
    sentences = []
    for sentence in event.summary:
        cites = []
        for article_id in sentence.sources:
            source = by_id.get(article_id)
            if source is None:
                logger.warning(
                    "event %s: summary cites article %r, which is not in the event; marker dropped",
                    event.id, article_id,
                )  # fmt: skip
                continue
            evidence = sentence.evidence.get(article_id, "")
            tooltip = f"{source.outlet}: {evidence}" if evidence else source.article.title
            cites.append(CiteView(source.number, source.anchor, tooltip))
        sentences.append(
            SentenceView(sentence.text, sentence.supported, tuple(cites), sentence)
        )
    untitled = t["Untitled event"]
    headline = event.headline or (event.articles[0].title if event.articles else untitled)
    headline_lang = lang
    if shown is not None:
        headline, headline_lang = shown.text, shown.lang
    return EventView(
        headline_lang=headline_lang,
        headline_rtl=is_rtl(headline_lang),
        claims=_claims_view(anchor, event, sources, lang, CLAIM_CAPS[detail], t),
        coverage=_coverage_view(sources, t) if APPENDIX[detail].chart else None,
        rules=APPENDIX[detail],
        number=number,
        anchor=anchor,
        event=event,
        headline=headline,
        lang=lang,
        rtl=is_rtl(lang),
        language_name=t.language_name(lang),
        outlets=tuple(article_names(event.articles, t)),
        sentences=tuple(sentences),
        sources=sources,
    )


def _source_view(anchor: str, number: int, article: Article, t: Labels) -> SourceView:
    url = (article.url or "").strip()
    link = url if url.lower().startswith(("http://", "https://")) else None
    relays = (article.relays or "").strip() or None
    return SourceView(
        number=number,
        anchor=anchor,
        article=article,
        outlet=source_name(article, t["unnamed source"]),
        language_name=t.language_name(article.language),
        rtl=is_rtl(article.language),
        published=_short_date(article.published),
        url=url,
        link=link,
        outlet_type=(article.outlet_type or "").strip() or "—",
        country=(article.outlet_country or "").strip() or "—",
        relays=relays,
        via=None if relays else (article.via or "").strip() or None,
    )


# --- claims × sources -----------------------------------------------------------------------

_CLAIM_GROUPS = (
    ("shared", "Reported by several sources"),
    ("single-source", "Reported by one source only"),
    ("conflict", "Sources disagree"),
)


def _claims_view(
    anchor: str,
    event: Event,
    sources: tuple[SourceView, ...],
    lang: str,
    caps: dict[str, int] = CLAIM_CAPS["full"],
    t: Labels | None = None,
) -> ClaimsView | None:
    """Claims grouped shared, single-source, conflict (each keeping the pipeline's ranking).

    At most ``caps`` claims of each kind are shown, and ``caps["versions"]`` versions of a
    conflict (CLAIM_CAPS: the reader has the front page; brief.json has every claim); with
    more than MATRIX_MAX_SOURCES sources the matrix would be too
    narrow to read, so each claim lists its source numbers instead.
    """
    t = t or Labels("en")
    words = caps.get("words") or None
    if not event.claims:
        return None
    if len(sources) == 1:
        return ClaimsView("list", (), len(event.claims), sources[0])
    by_id = {s.article.id: s for s in sources}
    kinds = {kind for kind, _ in _CLAIM_GROUPS}
    groups = []
    number = 0
    for kind, title in _CLAIM_GROUPS:
        members = []
        for claim in event.claims:
            claim_kind = claim.kind if claim.kind in kinds else _kind_by_count(claim)
            if claim_kind != kind:
                continue
            supports = _supports(event, claim, by_id)
            if supports:
                members.append((claim, supports))
        cap = caps[kind]
        views = []
        for claim, supports in members[:cap]:
            number += 1
            cells = tuple(next((s for s in supports if s.source is src), None) for src in sources)
            text = " ".join(claim.text.split())
            notes = tuple(s for s in supports if s.evidence and s.evidence != text)
            claim_lang = claim.language or lang
            views.append(
                ClaimView(
                    number=number,
                    anchor=f"{anchor}-c{number}",
                    claim=claim,
                    kind=kind,
                    text=claim.text if words is None else _cut(claim.text, words, claim_lang),
                    lang=claim_lang,
                    rtl=is_rtl(claim_lang),
                    supports=supports,
                    versions=supports[: caps["versions"]],
                    cells=cells,
                    notes=notes,
                    words=words,
                )
            )
        if views:
            groups.append(ClaimGroupView(kind, t[title], tuple(views), len(members) - len(views)))
    layout = "matrix" if len(sources) <= MATRIX_MAX_SOURCES else "list"
    return ClaimsView(layout, tuple(groups), len(event.claims), None, _independence(event, t))


def _independence(event: Event, t: Labels) -> str:
    """How many reports and how many independent sources behind them, named."""
    n, origins = len(event.articles), event.independent_outlets
    if not origins:
        return ""
    names = outlet_names(event, origins, t)
    return t.say("{}, {} ({})", t.count("report", n), t.count("independent source", len(origins)),
                 ", ".join(names))


def _kind_by_count(claim: Claim) -> str:
    return "shared" if len(set(claim.sources)) > 1 else "single-source"


def _supports(event: Event, claim: Claim, by_id: dict[str, SourceView]) -> tuple[SupportView, ...]:
    """The claim's sources that are in the event, in source order, each with its sentence."""
    supports = []
    for article_id in dict.fromkeys(claim.sources):
        source = by_id.get(article_id)
        if source is None:
            logger.warning(
                "event %s: claim %r cites article %r, which is not in the event; source dropped",
                event.id, claim.id, article_id,
            )  # fmt: skip
            continue
        evidence = " ".join((claim.evidence.get(article_id) or "").split())
        tooltip = f"{source.outlet}: {evidence}" if evidence else source.article.title
        supports.append(SupportView(source, evidence, tooltip))
    return tuple(sorted(supports, key=lambda s: s.source.number))


# --- coverage picture -----------------------------------------------------------------------
# Geometry in SVG user units (about CSS px). Only ASCII text (language names, counts, dates)
# is drawn inside the SVG; outlet names, in any script, go in the HTML legend beside it.

CHART_WIDTH = 520
_LABEL_WIDTH = 84  # language names, right-aligned, end here
_BAR_X = 92
_COUNT_WIDTH = 34
_BAR_HEIGHT = 14
_BAR_GAP = 6
TIMELINE_MAX_COLUMNS = 60  # longer spans are grouped into several days per column
_PALETTE = (
    "#2f5d9e", "#d08c2e", "#3f8f6b", "#b5515b", "#7a62a8",
    "#3d9db3", "#8c7a4f", "#c46fa0", "#6b7f2e", "#4a4f8c",
)  # fmt: skip
_OTHERS = "\x00others"
_OTHER_COLOR = "#b8bdc4"


def _coverage_view(sources: tuple[SourceView, ...], t: Labels) -> CoverageView | None:
    """Articles per language (one segment per outlet), and per day when dates allow."""
    others_label = t["others"]
    if len(sources) < 2:
        return None
    # the busiest outlets get a colour each; the rest share one grey ("others"), so no two
    # outlets ever share a colour
    tally: dict[str, int] = {}
    for s in sources:
        tally[s.outlet.casefold()] = tally.get(s.outlet.casefold(), 0) + 1
    busiest = sorted(tally, key=lambda k: -tally[k])
    coloured = set(busiest[: len(_PALETTE)] if len(busiest) <= len(_PALETTE)
                   else busiest[: len(_PALETTE) - 1])  # fmt: skip
    colors: dict[str, str] = {}
    legend: dict[str, LegendView] = {}
    langs: dict[str, dict[str, int]] = {}
    for s in sources:
        key = s.outlet.casefold() if s.outlet.casefold() in coloured else _OTHERS
        if key not in colors:
            colors[key] = _OTHER_COLOR if key == _OTHERS else _PALETTE[len(colors) % len(_PALETTE)]
        seen = legend.get(key)
        numbers = (*seen.numbers, s.number) if seen else (s.number,)
        name = others_label if key == _OTHERS else s.outlet
        legend[key] = LegendView(seen.outlet if seen else name, colors[key], numbers)
        per_outlet = langs.setdefault(s.language_name, {})
        per_outlet[key] = per_outlet.get(key, 0) + 1
    # most articles first; sorting is stable, so ties keep the order of the sources
    ranked = sorted(langs.items(), key=lambda item: -sum(item[1].values()))
    peak = max(sum(counts.values()) for _, counts in ranked)
    scale = (CHART_WIDTH - _BAR_X - _COUNT_WIDTH) / peak
    bars = []
    for row, (label, counts) in enumerate(ranked):
        x = float(_BAR_X)
        segments = []
        for key, count in counts.items():
            width = count * scale
            segments.append(SegmentView(round(x, 2), round(width, 2), colors[key],
                                        legend[key].outlet, count))  # fmt: skip
            x += width
        y = 2 + row * (_BAR_HEIGHT + _BAR_GAP)
        bars.append(BarView(label, sum(counts.values()), y, round(x, 2), tuple(segments)))
    height = 4 + len(bars) * (_BAR_HEIGHT + _BAR_GAP) - _BAR_GAP
    described = "; ".join(
        f"{b.label} {t.number(b.count)}: "
        + ", ".join(f"{s.outlet} {t.number(s.count)}" for s in b.segments)
        for b in bars
    )
    return CoverageView(
        width=CHART_WIDTH,
        height=height,
        label_width=_LABEL_WIDTH,
        bars=tuple(bars),
        legend=tuple(legend.values()),
        timeline=_timeline_view(sources, t),
        description=f"{t['Articles by language and outlet.']} {described}",
    )


def _timeline_view(sources: tuple[SourceView, ...], t: Labels) -> TimelineView | None:
    """Articles per day (or per few days over long spans); None with fewer than two dates."""
    days = [_day(s.article.published) for s in sources]
    dated = [d for d in days if d is not None]
    if len(set(dated)) < 2:
        return None
    first, last = min(dated), max(dated)
    span = (last - first).days + 1
    bucket = -(-span // TIMELINE_MAX_COLUMNS)
    columns = -(-span // bucket)
    counts = [0] * columns
    for d in dated:
        counts[(d - first).days // bucket] += 1
    top, plot_height = 14.0, 34.0
    baseline = top + plot_height
    plot_width = CHART_WIDTH - _BAR_X - _COUNT_WIDTH
    step = plot_width / columns
    bar_width = max(1.0, min(step * 0.72, 28.0))
    peak = max(counts)
    bars = []
    for i, count in enumerate(counts):
        if not count:
            continue
        h = max(2.0, plot_height * count / peak)
        bars.append(
            DayView(
                x=round(_BAR_X + i * step + (step - bar_width) / 2, 2),
                y=round(baseline - h, 2),
                width=round(bar_width, 2),
                height=round(h, 2),
                start=(first + timedelta(days=i * bucket)).isoformat(),
                count=count,
            )
        )
    return TimelineView(
        width=CHART_WIDTH,
        height=int(baseline + 16),
        baseline=baseline,
        days=tuple(bars),
        first=first.isoformat(),
        last=last.isoformat(),
        bucket_days=bucket,
        peak=peak,
        label_counts=columns <= 24,
        description=(
            t.say("Articles per day, {} to {}", first.isoformat(), last.isoformat())
            if bucket == 1
            else t.say(
                "Articles per {} days, {} to {}", t.number(bucket), first.isoformat(),
                last.isoformat(),
            )
        ),
        per_label=t["per day"] if bucket == 1 else t.say("per {} days", t.number(bucket)),
        # articles without a publication date are left out of the chart, and said so
        undated_note=(
            t.count("undated article not shown", len(days) - len(dated))
            if len(days) > len(dated) else ""
        ),
    )


def _day(value: str | None) -> date | None:
    dt = _parse_time(value)
    return dt.date() if dt is not None else None


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def _short_date(value: str | None) -> str:
    dt = _parse_time(value)
    if dt is None:
        return value or ""
    return f"{dt:%Y-%m-%d}" if len(value or "") <= 10 else f"{dt:%Y-%m-%d %H:%M}"


# --- PDF ------------------------------------------------------------------------------------


def _local_fetcher(dirs: list[Path]) -> URLFetcher:
    """A WeasyPrint fetcher that serves ``data:`` URLs and files under ``dirs``, nothing else."""
    from weasyprint.urls import URLFetcher

    roots = [d.resolve() for d in dirs]

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
            scheme = url.split(":", 1)[0].lower()
            if scheme == "file":
                parts = urlsplit(url)
                path = Path(url2pathname(parts.path)).resolve()
                inside = any(path.is_relative_to(root) for root in roots)
                if parts.netloc not in ("", "localhost") or not inside:
                    logger.debug("refused %s: outside %s", url, _listing(roots))
                    raise ValueError(f"refused {url}: only template files may be loaded")
            elif scheme != "data":
                logger.debug("refused %s: remote resources are never loaded", url)
                raise ValueError(f"refused {url}: remote resources are never loaded")
            return super().fetch(url, headers)

    return LocalOnlyFetcher(allowed_protocols={"file", "data"}, allow_redirects=False)


# --- files ----------------------------------------------------------------------------------


def _check_formats(formats: Sequence[str]) -> list[str]:
    if isinstance(formats, str):
        formats = [formats]
    wanted: list[str] = []
    for fmt in formats:
        fmt = fmt.strip().lower()
        if fmt not in FORMATS:
            raise UsageError(f"Unknown output format {fmt!r}; choose from {', '.join(FORMATS)}.")
        if fmt not in wanted:
            wanted.append(fmt)
    if not wanted:
        raise UsageError(f"No output format asked for; choose from {', '.join(FORMATS)}.")
    return wanted


def _write_atomic(target: Path, data: bytes) -> None:
    """Write ``target`` so that readers see either the old file or the complete new one."""
    tmp_name: str | None = None
    try:
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.{os.getpid()}.",
                                        suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp_name, _file_mode(target))  # mkstemp makes 0600; keep the usual mode
        os.replace(tmp_name, target)
        tmp_name = None
    except OSError as exc:
        raise BrieferError(f"Cannot write {target}: {_reason(exc)}.") from exc
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)


_TEMPORARY = re.compile(r"^\.brief\.[a-z]+\.(\d+)\.[^/]*\.tmp$")


def _sweep_temporaries(out_dir: Path) -> None:
    """Remove the temporary files of writers that died (SIGKILL) before their rename.

    Only ours (``.brief.<fmt>.<pid>.*.tmp``) and only when that process is gone, so a writer
    still running beside this one keeps its file.
    """
    with contextlib.suppress(OSError):
        for entry in os.scandir(out_dir):
            match = _TEMPORARY.match(entry.name)
            if match is None or not entry.is_file(follow_symlinks=False):
                continue
            pid = int(match.group(1))
            if pid != os.getpid() and not _alive(pid):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                    logger.info("removed %s, left by a run that stopped early", entry.path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's process
    return True


def _file_mode(target: Path) -> int:
    """The replaced file's mode, or what a plain ``open()`` would have given a new file."""
    with contextlib.suppress(OSError):
        return stat.S_IMODE(target.stat().st_mode)
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def _fsync_dir(directory: Path) -> None:
    """Make the renames durable; best effort (not possible on every platform)."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)
