"""Summarise: choose the summariser backend and run it over all events.

``auto`` prefers the abstractive ``seq2seq`` backend when its model can be loaded (a local
directory, the Hugging Face cache, or a reachable hub) and otherwise falls back to the
``extractive`` backend with one warning. The decision is bounded in time: no network means a
quick local-cache check, never a 49-second hub time-out. An event for which the model writes
nothing falls back to extractive on its own, with a note, so one bad event never costs the
others their abstractive summaries.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from .backends import EventSummary, Summarizer, get_summarizer
from .backends.seq2seq import DEFAULT_MODEL, model_status
from .errors import ModelError
from .similarity import CachedEmbedder
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
    name: str, model: str | None, embedder: CachedEmbedder
) -> tuple[Summarizer, list[str]]:
    """The backend to use and any warning the user should see in the brief."""
    if name not in CHOICES:
        # third-party backends registered through the entry point group
        return get_summarizer(name), []
    extractive = get_summarizer("extractive", embedder=embedder)
    if name == "extractive":
        return extractive, []
    model = model or DEFAULT_MODEL
    if name == "seq2seq":
        summarizer = get_summarizer("seq2seq", model=model)
        summarizer.load()
        return summarizer, []
    ok, reason = model_status(model)
    if ok:
        summarizer = get_summarizer("seq2seq", model=model)
        try:
            summarizer.load()
            return summarizer, []
        except ModelError as exc:
            reason = str(exc).rstrip(".")
    warning = (f"Model {model} is not available ({reason}); "
               "summaries are extractive (sentences chosen from the sources).")
    log.warning(warning)
    return extractive, [warning]


def summarize_events(
    events: Sequence[Event], name: str, model: str | None, embedder: CachedEmbedder
) -> SummaryRun:
    summarizer, warnings = choose_summarizer(name, model, embedder)
    summaries = summarizer.summarize(events)
    if summarizer.id != "extractive":
        empty = [i for i, s in enumerate(summaries) if not s.sentences]
        if empty:
            fallback = get_summarizer("extractive", embedder=embedder)
            redo = fallback.summarize([events[i] for i in empty])
            for i, s in zip(empty, redo, strict=True):
                why = summaries[i].note or "empty output"
                s.note = f"The model wrote no text here ({why}); the summary is extractive."
                summaries[i] = s
    return SummaryRun(summarizer.id, getattr(summarizer, "model", None), summaries, warnings)
