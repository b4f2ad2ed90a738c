"""Cross-lingual similarity shared by grouping, extractive summaries and attribution.

Absolute cosines from a small multilingual encoder overlap between true parallel sentences
and unrelated ones (see MEASURED.md), so sentence matches are judged by *mutual best match
plus margin* over each sentence's runner-up neighbours, not by a bare threshold.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np

from .backends import Embedder
from .store import EmbeddingStore, embedder_key, text_hash
from .text import fact_sentences, split_sentences
from .types import Article

# A sentence pair counts as "saying the same thing" when it is each other's best match,
# scores at least MATCH_MIN, and beats the mean of both sentences' next-best neighbours
# by MATCH_MARGIN. Chosen on the seeds' parallel sentences (see README, "Grouping").
MATCH_MIN = 0.85
MATCH_MARGIN = 0.02
# Texts per call to the model when a progress display counts them: large enough that the
# model's fixed cost per call stays small, small enough that the count moves.
PROGRESS_CHUNK = 512

# Called with the number of texts about to be embedded; returns a function told how many are
# done after each chunk (a progress bar's advance).
Start = Callable[[int], Callable[[int], None]]


class CachedEmbedder:
    """Wraps an embedder so each distinct text is embedded once per run, and, given a
    persistent :class:`~briefer.store.EmbeddingStore`, once across runs.

    Vectors are float32 whether they come from the model or the store, so a run that finds
    everything in the store computes exactly what the run that filled it did.
    """

    def __init__(self, embedder: Embedder, store: EmbeddingStore | None = None) -> None:
        self.inner = embedder
        self.id = embedder.id
        self.store = store
        self._key = embedder_key(embedder)
        self._cache: dict[str, np.ndarray] = {}
        # content key -> (sentences, how many of them the headline and each paragraph gave)
        self._sentences: dict[tuple, tuple[list[str], list[int]]] = {}
        self.calls = 0  # calls to the model (a benchmark's count)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            self._fill(missing)
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        return np.vstack([self._cache[t] for t in texts])

    def prefetch(self, texts: Iterable[str], start: Start | None = None) -> int:
        """Embed every text not known yet in one go (the model has a fixed cost per call that
        dominates small inputs, so a day's texts go in together, not article by article).
        ``start``: a progress display's counter. Returns how many texts the model embedded."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        return self._fill(missing, start) if missing else 0

    def _fill(self, texts: list[str], start: Start | None = None) -> int:
        """Embed ``texts``: the store first, the model for the rest, then store what was new."""
        store = self.store if self.store is not None and self.store.enabled else None
        digests = {t: text_hash(t) for t in texts} if store is not None else {}
        stored = store.get(self._key, digests.values()) if store is not None else {}
        todo = [t for t in texts if digests.get(t) not in stored]
        if todo:
            advance = start(len(todo)) if start is not None else None
            step = PROGRESS_CHUNK if advance is not None else len(todo)
            for at in range(0, len(todo), step):
                part = todo[at : at + step]
                computed = np.asarray(self.inner.embed(part), dtype=np.float32)
                self.calls += 1
                for text, vec in zip(part, computed, strict=True):
                    self._cache[text] = vec
                if advance is not None:
                    advance(len(part))
        for text in texts:
            if text not in self._cache:
                self._cache[text] = stored[digests[text]]
        if store is not None:
            store.put(self._key, {digests[t]: self._cache[t] for t in todo})
        return len(todo)

    def close(self) -> None:
        """Close the persistent cache, if any (the in-memory one stays usable)."""
        if self.store is not None:
            self.store.close()

    def sentences(self, article: Article) -> list[str]:
        """The article's sentences, headline first (split once, reused by every stage)."""
        return self._split(article)[0]

    def lead_sentences(self, article: Article, paragraphs: int) -> list[str]:
        """The headline's and the first ``paragraphs`` paragraphs' sentences: a prefix of
        :meth:`sentences`, so the lead costs no embedding of its own."""
        sents, counts = self._split(article)
        return sents[: sum(counts[: 1 + paragraphs])]

    def _split(self, article: Article) -> tuple[list[str], list[int]]:
        # keyed by content, not id: two inputs may share a file name
        key = (article.title, article.title_derived, article.body, article.language)
        if key not in self._sentences:
            # paragraph by paragraph, as split_sentences does it, to know where the lead ends
            title = [article.title] if not article.title_derived else []
            parts = [split_sentences(p, article.language) for p in article.paragraphs]
            self._sentences[key] = (title + [s for part in parts for s in part],
                                    [len(title)] + [len(part) for part in parts])
        return self._sentences[key]

    def facts(self, article: Article) -> list[str]:
        """The article's sentences that can state facts (``text.fact_sentences``: furniture
        dropped, dateline openings cut), headline first. Claims, attribution and extractive
        summaries read these; grouping reads :meth:`sentences`, on which it was fitted."""
        key = ("facts", article.title, article.title_derived, article.body, article.language)
        if key not in self._sentences:
            body = fact_sentences(article.body, article.language)
            self._sentences[key] = ([article.title] if not article.title_derived else []) + body
        return self._sentences[key]


def mutual_matches(a: np.ndarray, b: np.ndarray) -> list[tuple[int, int, float]]:
    """Index pairs (i, j, cosine) that are mutual best matches with a clear margin."""
    if len(a) == 0 or len(b) == 0:
        return []
    m = a @ b.T
    best_j, best_i = m.argmax(1), m.argmax(0)
    out = []
    for i, j in enumerate(best_j):
        if best_i[j] != i:
            continue
        s = float(m[i, j])
        row = np.sort(m[i])[::-1][1:4]
        col = np.sort(m[:, j])[::-1][1:4]
        runner_up = (row.mean() if row.size else MATCH_MIN, col.mean() if col.size else MATCH_MIN)
        if s >= MATCH_MIN and s - sum(runner_up) / 2 >= MATCH_MARGIN:
            out.append((i, int(j), s))
    return out
