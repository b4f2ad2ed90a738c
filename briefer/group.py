"""Group: articles in, events out (one event = one real-world happening, in any language).

Same-event score for a pair of articles (documented in README, "Grouping"):

    score = doc_cosine + ALIGN_WEIGHT * aligned_share

- ``doc_cosine``: cosine of multilingual embeddings of headline + lead paragraphs. It measures
  topic, and on its own it rates two reports in one language about *different* events above
  reports in different languages about the same event.
- ``aligned_share``: the share of the shorter article's sentences that have a mutual-best,
  clear-margin match in the other article. Reports of one event repeat the same facts; two
  events with the same actors share vocabulary but not sentences.

Clustering is average-linkage agglomeration, merging the best pair first while its score is at
least SAME_EVENT_THRESHOLD; ties are broken by article order, so the result is deterministic.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .similarity import CachedEmbedder, mutual_matches
from .types import Article, Event

log = logging.getLogger(__name__)

LEAD_PARAGRAPHS = 4
ALIGN_WEIGHT = 0.2
SAME_EVENT_THRESHOLD = 0.905


@dataclass
class Grouping:
    """Events plus the pair scores that decided them (for explanations and benchmarks)."""

    events: list[Event]
    articles: list[Article]
    scores: np.ndarray


def doc_text(article: Article) -> str:
    return article.title + "\n" + "\n".join(article.paragraphs[:LEAD_PARAGRAPHS])


def pair_scores(articles: Sequence[Article], embedder: CachedEmbedder) -> np.ndarray:
    """Symmetric matrix of same-event scores (diagonal: the maximum, 1 + ALIGN_WEIGHT)."""
    n = len(articles)
    docs = embedder.embed([doc_text(a) for a in articles])
    scores = docs @ docs.T
    sents = [embedder.embed(embedder.sentences(a)) for a in articles]
    for i in range(n):
        for j in range(i + 1, n):
            shorter = max(1, min(len(sents[i]), len(sents[j])))
            aligned = len(mutual_matches(sents[i], sents[j])) / shorter
            scores[i, j] = scores[j, i] = scores[i, j] + ALIGN_WEIGHT * aligned
    np.fill_diagonal(scores, 1.0 + ALIGN_WEIGHT)
    return scores


def average_linkage(scores: np.ndarray, threshold: float) -> list[list[int]]:
    """Clusters of indices; merges the closest pair of clusters while it reaches ``threshold``."""
    clusters = [[i] for i in range(len(scores))]
    while len(clusters) > 1:
        best: tuple[float, int, int] | None = None
        for a in range(len(clusters)):
            for b in range(a + 1, len(clusters)):
                s = float(scores[np.ix_(clusters[a], clusters[b])].mean())
                if s >= threshold and (best is None or s > best[0]):
                    best = (s, a, b)
        if best is None:
            break
        _, a, b = best
        clusters[a] = sorted(clusters[a] + clusters[b])
        del clusters[b]
    return clusters


def event_id(articles: Sequence[Article]) -> str:
    """Stable across runs: derived from the member article ids."""
    key = "\n".join(sorted(a.id for a in articles)).encode()
    return "ev-" + hashlib.sha1(key).hexdigest()[:10]


def make_event(members: list[int], articles: Sequence[Article], scores: np.ndarray) -> Event:
    """Order the members most representative first and name the event after it.

    The representative is the most central article that has a real headline: a reader
    should meet a complete report first, not a lead paragraph we had to title ourselves.
    """
    def centrality(i: int) -> float:
        others = [j for j in members if j != i]
        return float(scores[i, others].mean()) if others else 0.0

    order = sorted(
        members,
        key=lambda i: (articles[i].title_derived, -centrality(i), -len(articles[i].body), i),
    )
    arts = [articles[i] for i in order]
    lead = arts[0]
    titled = [a for a in arts if a.language == lead.language and not a.title_derived]
    headline = (titled[0] if titled else lead).title
    return Event(id=event_id(arts), articles=arts, headline=headline, language=lead.language)


def importance(event: Event) -> tuple:
    """Sort key: more outlets first, then more recent, then more articles, then id."""
    latest = max((a.published or "" for a in event.articles), default="")
    return (-len(event.outlets), _neg(latest), -len(event.articles), event.id)


def _neg(text: str) -> tuple[int, ...]:
    return tuple(-ord(c) for c in text)


def group_articles(articles: Sequence[Article], embedder: CachedEmbedder) -> Grouping:
    articles = list(articles)
    if not articles:
        return Grouping([], [], np.zeros((0, 0)))
    scores = pair_scores(articles, embedder)
    clusters = average_linkage(scores, SAME_EVENT_THRESHOLD)
    events = sorted((make_event(c, articles, scores) for c in clusters), key=importance)
    log.info("grouped %d articles into %d events", len(articles), len(events))
    return Grouping(events, articles, scores)
