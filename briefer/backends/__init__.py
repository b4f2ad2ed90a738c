"""Summariser, embedder and translator backends: three small protocols and one registry.

Built-in backends register themselves exactly like third-party ones: a package declares an
entry point in the ``briefer.backends`` group whose module, when imported, calls
:func:`register_summarizer` / :func:`register_embedder` / :func:`register_translator`.
This file is the one place to look when adding a backend.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ..errors import UnknownBackendError, UsageError

if TYPE_CHECKING:
    import numpy as np

    from ..types import Event

log = logging.getLogger(__name__)


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised vectors comparable across languages.

    Vectors are cached across runs under the embedder's optional ``cache_key`` attribute,
    else under ``id`` and ``model``: a backend whose vectors depend on anything else (a
    version, an option) should define ``cache_key`` so it never reads stale vectors.
    """

    id: str

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass
class EventSummary:
    """What a summariser says about one event: sentences in ``language``."""

    sentences: list[str]
    language: str
    note: str | None = None
    # Why the backend could not summarise this event this time (e.g. out of memory): such a
    # summary is empty, never cached, and the caller falls back to another backend.
    error: str | None = None


@runtime_checkable
class Summarizer(Protocol):
    """Summarises many events in one call, so a backend can batch them."""

    id: str
    model: str | None

    def summarize(self, events: Sequence[Event]) -> list[EventSummary]: ...


@runtime_checkable
class Translator(Protocol):
    """Translates sentences from one language into another, many per call (to batch them).

    ``translate`` returns one text per input, in order, or ``None`` for an input it could not
    translate this time (out of memory...); such an input is shown in its own language.
    Languages are ISO 639-1 codes as py3langid gives them. ``cache_key(text, source,
    target)`` (None: do not cache) keys the translation cache; it must change with anything
    that changes the output (model revision, settings).
    """

    id: str
    model: str | None
    licence: str

    def supports(self, language: str) -> bool: ...

    def translate(self, texts: Sequence[str], source: str, target: str) -> list[str | None]: ...

    def cache_key(self, text: str, source: str, target: str) -> str | None: ...


SummarizerFactory = Callable[..., Summarizer]
EmbedderFactory = Callable[..., Embedder]
TranslatorFactory = Callable[..., Translator]

SUMMARIZERS: dict[str, SummarizerFactory] = {}
EMBEDDERS: dict[str, EmbedderFactory] = {}
TRANSLATORS: dict[str, TranslatorFactory] = {}
_loaded = False


def register_summarizer(name: str) -> Callable[[SummarizerFactory], SummarizerFactory]:
    def deco(factory: SummarizerFactory) -> SummarizerFactory:
        SUMMARIZERS[name] = factory
        return factory

    return deco


def register_embedder(name: str) -> Callable[[EmbedderFactory], EmbedderFactory]:
    def deco(factory: EmbedderFactory) -> EmbedderFactory:
        EMBEDDERS[name] = factory
        return factory

    return deco


def register_translator(name: str) -> Callable[[TranslatorFactory], TranslatorFactory]:
    def deco(factory: TranslatorFactory) -> TranslatorFactory:
        TRANSLATORS[name] = factory
        return factory

    return deco


def load_backends() -> None:
    """Import the built-ins and every ``briefer.backends`` entry point, once."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    importlib.import_module("briefer.backends.builtin")
    for ep in entry_points(group="briefer.backends"):
        try:
            ep.load()
        except Exception as exc:  # a broken plugin must not break briefer itself
            log.warning("backend plugin %s could not be loaded: %s", ep.name, exc)


def _make(kind: str, table: dict[str, Callable[..., Any]], name: str, options: dict) -> Any:
    load_backends()
    try:
        factory = table[name]
    except KeyError:
        raise UnknownBackendError(
            f"Unknown {kind} {name!r}; available: {', '.join(sorted(table))}."
        ) from None
    try:
        return factory(**options)
    except TypeError as exc:
        raise UsageError(f"Bad option for {kind} {name!r}: {exc}.") from None


def get_summarizer(name: str, **options: Any) -> Summarizer:
    return _make("summarizer", SUMMARIZERS, name, options)


def get_embedder(name: str, **options: Any) -> Embedder:
    return _make("embedder", EMBEDDERS, name, options)


def get_translator(name: str, **options: Any) -> Translator:
    return _make("translator", TRANSLATORS, name, options)
