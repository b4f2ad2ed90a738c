"""Plain dataclasses passed between the pipeline stages.

Each stage takes and returns these; nothing else crosses a stage boundary, so a stage can be
tested (or replaced) on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_TITLE = "Daily brief"  # said in the reader's language unless a title is chosen


@dataclass(frozen=True)
class Original:
    """A shown text before translation: its words and their language (briefer.translate)."""

    text: str
    language: str

    def to_dict(self) -> dict:
        return {"text": self.text, "language": self.language}


@dataclass(frozen=True)
class Untranslated:
    """Why a text is shown in its own language although the reader reads another."""

    language: str
    reason: str

    def to_dict(self) -> dict:
        return {"language": self.language, "reason": self.reason}


def translation_fields(original: Original | None, untranslated: Untranslated | None) -> dict:
    """The keys brief.json gives a translated (or kept) item; none for an untouched one."""
    out: dict = {}
    if original is not None:
        out["original"] = original.to_dict()
    if untranslated is not None:
        out["untranslated"] = untranslated.to_dict()
    return out


@dataclass(frozen=True)
class Article:
    """One cleaned article. ``body`` holds paragraphs separated by blank lines."""

    id: str
    title: str
    body: str
    language: str
    path: str | None = None
    url: str | None = None
    outlet: str | None = None
    via: str | None = None  # the agency the article relays or cites as its source
    published: str | None = None  # ISO-8601 date or datetime, when known
    # Where ``published`` came from: "front-matter" (the file or JSON Lines record said so),
    # "page" (the page's publication metadata), "feed" (the feed item's date), "url" (a date
    # in the URL's path), "text" (inferred from the dateline or first lines); None: undated.
    published_from: str | None = None
    place: str | None = None  # dateline place, when the article had one
    title_derived: bool = False  # True when the source had no headline and we made one
    # From the outlet registry (briefer/outlets.py), when the outlet is known there:
    outlet_type: str | None = None  # "state agency", "private", ...
    outlet_country: str | None = None
    outlet_homepage: str | None = None
    relays: str | None = None  # the agency whose report this article passes on, if any
    # Set by briefer.translate when ``title`` was translated into the reader's language,
    # or kept in its own language although the reader reads another.
    title_original: Original | None = None
    title_untranslated: Untranslated | None = None

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.body.split("\n\n") if p.strip()]

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "path": self.path,
            "url": self.url,
            "title": self.title,
            "outlet": self.outlet,
            "via": self.via,
            "language": self.language,
            "published": self.published,
            "published_from": self.published_from,
            "outlet_type": self.outlet_type,
            "outlet_country": self.outlet_country,
            "outlet_homepage": self.outlet_homepage,
            "relays": self.relays,
            **{f"title_{k}": v for k, v in translation_fields(
                self.title_original, self.title_untranslated).items()},
        }


@dataclass(frozen=True)
class Skipped:
    """An input that could not be used, and why (shown to the user and kept in brief.json)."""

    path: str
    reason: str
    kept: str | None = None  # for a duplicate, template or copy: the id of the article kept

    def to_dict(self) -> dict:
        return {"path": self.path, "reason": self.reason, **({"kept": self.kept} if self.kept
                                                             else {})}


@dataclass
class SummarySentence:
    """A summary sentence and the articles that support it.

    ``evidence`` maps an article id to the source sentence that matched best, so a reader
    can check the claim in the source's own words.
    """

    text: str
    sources: list[str] = field(default_factory=list)
    evidence: dict[str, str] = field(default_factory=dict)
    original: Original | None = None  # set when ``text`` is a translation
    untranslated: Untranslated | None = None  # set when a translation was wanted, not shown

    @property
    def supported(self) -> bool:
        return bool(self.sources)

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "sources": list(self.sources),
            "supported": self.supported,
            "evidence": dict(self.evidence),
            **translation_fields(self.original, self.untranslated),
        }


@dataclass
class Event:
    """Articles reporting one event, and, once summarised, what the brief says about it."""

    id: str
    articles: list[Article]
    headline: str = ""
    language: str = ""
    summary: list[SummarySentence] = field(default_factory=list)
    note: str | None = None  # e.g. why this event's summary is extractive
    # Across runs (``--state``): "new" for an event first reported in this brief, "updated"
    # for an earlier event that new articles continue. Dates are ISO (YYYY-MM-DD): each
    # article's publication date, else the day a run first saw it; ``first_seen`` is the
    # timestamp of the run that first reported the event.
    status: str = "new"
    first_seen: str | None = None
    first_article: str | None = None
    latest_article: str | None = None
    past_articles: frozenset[str] = frozenset()  # ids reported in an earlier brief
    claims: list[Claim] = field(default_factory=list)
    # briefer.present.importance: the score events are ranked by, and its parts
    importance: dict | None = None
    # the sources behind the articles, relays and copies counted with their origin
    independent_outlets: list[str] = field(default_factory=list)
    headline_original: Original | None = None  # set when ``headline`` is a translation
    headline_untranslated: Untranslated | None = None

    @property
    def outlets(self) -> list[str]:
        seen: dict[str, None] = {}
        for a in self.articles:
            seen.setdefault((a.outlet or a.id).casefold(), None)
        return list(seen)

    def to_dict(self) -> dict:
        d = {
            "id": self.id,
            "headline": self.headline,
            "language": self.language,
            "status": self.status,
            "first_seen": self.first_seen,
            "first_article": self.first_article,
            "latest_article": self.latest_article,
            "summary": [s.to_dict() for s in self.summary],
            "independent_outlets": list(self.independent_outlets),
            "claims": [c.to_dict() for c in self.claims],
            "articles": [
                {**a.to_dict(), "new": a.id not in self.past_articles} for a in self.articles
            ],
        }
        for key, value in translation_fields(
            self.headline_original, self.headline_untranslated
        ).items():
            d[f"headline_{key}"] = value
        if self.note:
            d["note"] = self.note
        if self.importance is not None:
            d["importance"] = dict(self.importance)
        return d


@dataclass
class Brief:
    """The whole brief: what brief.json holds and every other format is rendered from."""

    title: str
    generated_at: str
    backend: str
    model: str | None
    events: list[Event]
    warnings: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    # hash of everything the brief was built from (briefer.fingerprint); None: not known
    inputs: str | None = None
    # What briefer.translate did (translator, model, licence, target, counts); None: no
    # reader language was asked for.
    translation: dict | None = None

    SCHEMA_VERSION = 1

    def to_dict(self) -> dict:
        return {
            "schema_version": self.SCHEMA_VERSION,
            "title": self.title,
            "generated_at": self.generated_at,
            "summarizer": {"backend": self.backend, "model": self.model},
            "warnings": list(self.warnings),
            "skipped": [s.to_dict() for s in self.skipped],
            "events": [e.to_dict() for e in self.events],
            **({"inputs": self.inputs} if self.inputs else {}),
            **({"translation": self.translation} if self.translation else {}),
        }


@dataclass
class Claim:
    """One statement and the articles that make it, in their own words.

    ``kind`` is "shared" (two or more independent sources), "single-source" (one source and
    its relays), or "conflict" (independent sources give incompatible values for one quantity:
    ``differs`` says which, ``evidence`` shows each version).
    """

    id: str
    text: str
    language: str
    sources: list[str]
    evidence: dict[str, str]
    kind: str
    # the origins behind ``sources``: a relay or a copy counts as the agency it passes on
    independent_sources: list[str] = field(default_factory=list)
    # for a conflict, what differs: [{"quantity": "deaths", "values": [{"text": "15,383",
    # "sources": [article ids], "outlets": [names]}, ...]}, ...]
    differs: list[dict] = field(default_factory=list)
    original: Original | None = None  # set when ``text`` is a translation
    untranslated: Untranslated | None = None
    # Per article id, the source's own sentence when ``evidence`` shows a translation.
    evidence_original: dict[str, Original] = field(default_factory=dict)

    def to_dict(self) -> dict:
        d = {
            "id": self.id,
            "text": self.text,
            "language": self.language,
            "sources": list(self.sources),
            "independent_sources": list(self.independent_sources or self.sources),
            "evidence": dict(self.evidence),
            "kind": self.kind,
            **translation_fields(self.original, self.untranslated),
        }
        if self.differs:
            d["differs"] = [dict(x) for x in self.differs]
        if self.evidence_original:
            d["evidence_original"] = {k: o.to_dict() for k, o in self.evidence_original.items()}
        return d
