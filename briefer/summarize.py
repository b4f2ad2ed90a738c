"""Summarise: choose the summariser backend and run it over all events.

``auto`` prefers the abstractive ``seq2seq`` backend when its model can be loaded (a local
directory, the Hugging Face cache, or a reachable hub) and otherwise falls back to the
``extractive`` backend with one warning. The decision is bounded in time: no network means a
quick local-cache check, never a 49-second hub time-out. An event for which the model writes
nothing falls back to extractive on its own, with a note, so one bad event never costs the
others their abstractive summaries; so does an event the model cannot run on (out of
memory on one long input: a failed batch is retried one event at a time), and that failure
is not cached.

With ``lang`` every summary is meant to be in that language: ``seq2seq`` then uses a
cross-lingual model (default CrossSum) and writes it; the extractive fallback cannot
translate, so each of its summaries in another language carries a note that says so.

Summaries of backends that offer a ``cache_key(event)`` (``seq2seq``) are kept in
``summaries.sqlite`` in the cache directory: a re-run on the same articles, with the same
model, settings and language, generates nothing and does not even load the model.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .backends import EventSummary, Summarizer, get_summarizer
from .backends.seq2seq import CROSSLINGUAL_MODEL, DEFAULT_MODEL, model_status
from .errors import ModelError
from .languages import display_name, normalize_code
from .similarity import CachedEmbedder
from .summary_store import FILENAME as SUMMARY_CACHE_FILENAME
from .summary_store import SummaryStore
from .types import Event

log = logging.getLogger(__name__)

CHOICES = ("auto", "seq2seq", "extractive")


@dataclass
class SummaryRun:
    backend: str
    model: str | None
    summaries: list[EventSummary]
    warnings: list[str] = field(default_factory=list)


def choose_summarizer(
    name: str,
    model: str | None,
    embedder: CachedEmbedder,
    *,
    lang: str | None = None,
    int8: bool = True,
    cache_dir: Path | None = None,
    options: Mapping[str, Any] | None = None,
) -> tuple[Summarizer, list[str]]:
    """The backend to use and any warning the user should see in the brief.

    Nothing is loaded here: ``seq2seq`` is only checked (the model is there; it can write
    ``lang``), so a run whose summaries are all cached never loads the model. ``options``
    go to the seq2seq backend as they are (batch_size, max_input_tokens...).
    """
    if name not in CHOICES:
        # third-party backends registered through the entry point group
        return get_summarizer(name), []
    extractive = get_summarizer("extractive", embedder=embedder)
    if name == "extractive":
        return extractive, []
    model = model or (CROSSLINGUAL_MODEL if lang else DEFAULT_MODEL)
    settings = {**(options or {}), "model": model, "lang": lang, "int8": int8,
                "cache_dir": cache_dir}  # fmt: skip
    if name == "seq2seq":
        summarizer = get_summarizer("seq2seq", **settings)
        summarizer.check()
        return summarizer, []
    ok, reason = model_status(model)
    if ok:
        summarizer = get_summarizer("seq2seq", **settings)
        try:
            summarizer.check()
            return summarizer, []
        except ModelError as exc:
            reason = str(exc).rstrip(".")
    warning = _fallback_warning(model, reason, lang)
    log.warning(warning)
    return extractive, [warning]


def _fallback_warning(model: str, reason: str, lang: str | None) -> str:
    text = (f"Model {model} is not available ({reason}); "
            "summaries are extractive (sentences chosen from the sources)")  # fmt: skip
    if lang:
        text += f" and stay in their sources' languages, not {display_name(lang)}"
    return text + "."


def summarize_events(
    events: Sequence[Event],
    name: str,
    model: str | None,
    embedder: CachedEmbedder,
    *,
    lang: str | None = None,
    int8: bool = True,
    cache_dir: Path | None = None,
    cache: bool = False,
    options: Mapping[str, Any] | None = None,
) -> SummaryRun:
    """Summaries of ``events``, in order. ``cache``: read and write the summary cache in
    ``cache_dir`` (None: the default cache directory). ``options``: see choose_summarizer."""
    lang = normalize_code(lang) if lang else None
    summarizer, warnings = choose_summarizer(
        name, model, embedder, lang=lang, int8=int8, cache_dir=cache_dir, options=options
    )
    store = None
    if cache and callable(getattr(summarizer, "cache_key", None)):
        from .store import default_cache_dir

        store = SummaryStore.open((cache_dir or default_cache_dir()) / SUMMARY_CACHE_FILENAME)
    try:
        summaries = _summarize(summarizer, list(events), store)
    except ModelError as exc:
        if name != "auto":
            raise
        # The model was there but would not load: the brief still gets summaries.
        warning = _fallback_warning(getattr(summarizer, "model", None) or "?",
                                    str(exc).rstrip("."), lang)  # fmt: skip
        log.warning(warning)
        warnings.append(warning)
        summarizer = get_summarizer("extractive", embedder=embedder)
        summaries = summarizer.summarize(events)
    finally:
        if store is not None:
            store.close()
    if summarizer.id != "extractive":
        empty = [i for i, s in enumerate(summaries) if not s.sentences]
        if empty:
            fallback = get_summarizer("extractive", embedder=embedder)
            redo = fallback.summarize([events[i] for i in empty])
            for i, s in zip(empty, redo, strict=True):
                if summaries[i].error:
                    s.note = (f"The model could not summarise this event "
                              f"({summaries[i].error}); the summary is extractive.")  # fmt: skip
                else:
                    why = summaries[i].note or "empty output"
                    s.note = f"The model wrote no text here ({why}); the summary is extractive."
                summaries[i] = s
    for s in summaries:
        s.sentences = said_once(s.sentences, s.language or "", embedder)
    if lang:
        for s in summaries:
            if s.sentences and normalize_code(s.language or "") != lang:
                said = (f"This summary is in {display_name(s.language)}, the language of its "
                        f"sources: the extractive summariser cannot translate into "
                        f"{display_name(lang)}.")  # fmt: skip
                s.note = f"{s.note} {said}" if s.note else said
    return SummaryRun(summarizer.id, getattr(summarizer, "model", None), summaries, warnings)


# Two summary sentences that state the same figures and read this alike say one fact twice.
SAME_FACT_SIMILARITY = 0.75


def said_once(sentences: list[str], language: str, embedder: CachedEmbedder) -> list[str]:
    """The summary with each fact said once: furniture dropped, dateline and credit openings
    cut, and a sentence dropped when an earlier one states all its figures (compared as
    values: "4.200 millones" = "4,2 mil millones") and either states two or more of them
    or reads alike (cosine >= SAME_FACT_SIMILARITY)."""
    from .quantities import parse_quantities, restates
    from .text import cut_lead_furniture, is_furniture

    cleaned = [cut_lead_furniture(s) for s in sentences if not is_furniture(s)]
    figures = [parse_quantities(s, language) for s in cleaned]
    vecs = embedder.embed(cleaned) if cleaned else None
    kept: list[int] = []
    for k in range(len(cleaned)):
        if any(restates(figures[k], figures[j]) and (
                sum(q.kind not in ("year", "date") for q in figures[k]) >= 2
                or float(vecs[k] @ vecs[j]) >= SAME_FACT_SIMILARITY) for j in kept):
            continue
        kept.append(k)
    return [cleaned[k] for k in kept]


def _summarize(
    summarizer: Summarizer, events: list[Event], store: SummaryStore | None
) -> list[EventSummary]:
    """Cached summaries where the store has them; the backend summarises the rest."""
    if store is None:
        return summarizer.summarize(events)
    key_of = summarizer.cache_key  # type: ignore[attr-defined]
    keys = [key_of(e) for e in events]
    hits = store.get([k for k in keys if k])
    results: list[EventSummary | None] = [hits.get(k) if k else None for k in keys]
    todo = [i for i, r in enumerate(results) if r is None]
    if todo:
        fresh = summarizer.summarize([events[i] for i in todo])
        new: dict[str, EventSummary] = {}
        for i, summary in zip(todo, fresh, strict=True):
            results[i] = summary
            key = keys[i] or key_of(events[i])  # a model fetched just now has a revision now
            if key:
                new[key] = summary
        store.put(new)
    log.info("summaries: %d from the cache, %d generated", len(events) - len(todo), len(todo))
    return results  # type: ignore[return-value]
