"""Group: articles in, events out (one event = one real-world happening, in any language).

The same-event score of two articles (README, "Grouping") adds up independent signals:

    score = doc_cosine                       topic: embeddings of headline + lead paragraphs
          + ALIGN_WEIGHT   * aligned_share   the same facts: sentences that match one-to-one
          + ENTITY_WEIGHT  * entity_overlap  the same names, across scripts (consonant skeletons)
          + NUMBER_WEIGHT  * shared_numbers  the same figures: 3.75 %, 2-0, 6.1, 14th
          - DATE_PENALTY   if both publication dates are known and further apart than
                           DATE_WINDOW_DAYS (a different day's news is a different event
                           unless a later run attaches it to a developing story)

Topic similarity alone rates two reports in one language about *different* events above
reports in different languages about the *same* event; the other signals are what tell a
2022 meeting in Tehran from a 2025 meeting in Moscow between the same actors.

Clustering is average linkage over the scored pairs (a pair never scored counts as 0),
merging the best pair of clusters first while its average is at least SAME_EVENT_THRESHOLD.
Ties break by article order, so the result is deterministic.
"""

from __future__ import annotations

import hashlib
import heapq
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from .similarity import CachedEmbedder, mutual_matches
from .types import Article, Event

log = logging.getLogger(__name__)

LEAD_PARAGRAPHS = 4
ALIGN_WEIGHT = 0.2
ENTITY_WEIGHT = 0.1
NUMBER_WEIGHT = 0.03
NUMBER_CAP = 3
DATE_WINDOW_DAYS = 2
DATE_PENALTY = 1.0
SAME_EVENT_THRESHOLD = 0.905
# Above this many articles, only each article's nearest neighbours are scored.
DENSE_LIMIT = 3000
NEIGHBOURS = 20


@dataclass(frozen=True)
class PairScore:
    """One pair's same-event score and the signals it is made of (for ``--explain``)."""

    total: float
    doc: float
    aligned: float = 0.0
    entities: float = 0.0
    numbers: tuple[str, ...] = ()
    days_apart: int | None = None

    def describe(self) -> str:
        parts = [f"doc {self.doc:.3f}", f"aligned {self.aligned:.2f}",
                 f"entities {self.entities:.2f}"]
        if self.numbers:
            parts.append("numbers " + ",".join(self.numbers))
        if self.days_apart is not None:
            parts.append(f"{self.days_apart} days apart")
        return f"{self.total:.3f} = " + ", ".join(parts)


@dataclass
class Features:
    """Everything the pair score needs, computed once per article."""

    doc: np.ndarray
    sentences: list[np.ndarray]
    days: list[int | None]
    numbers: list[frozenset[str]]
    entities: list[frozenset[str]]


@dataclass
class Grouping:
    """Events plus the pair scores that decided them (for explanations and benchmarks)."""

    events: list[Event]
    articles: list[Article]
    pairs: dict[tuple[int, int], PairScore] = field(default_factory=dict)

    def score(self, i: int, j: int) -> PairScore | None:
        return self.pairs.get((min(i, j), max(i, j)))


# --- signals -------------------------------------------------------------------------------

_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_NUMBER = re.compile(r"(?<![\w.,])(\d+(?:[.,]\d+)?)(?:\s?[-–:]\s?(\d+))?(?![\w])")
_WORD = re.compile(r"[^\W\d_][\w'’\-]*", re.UNICODE)


def salient_numbers(text: str) -> frozenset[str]:
    """Figures that identify an event: decimals, scores (2-0), numbers of two digits or more."""
    out = set()
    for m in _NUMBER.finditer(text.translate(_DIGITS)):
        first, second = m.group(1).replace(",", "."), m.group(2)
        if second is not None and len(first) <= 2 and len(second) <= 2:
            out.add(f"{first}-{second}")
        elif "." in first or len(first) >= 2:
            out.add(first)
    return frozenset(out)


def skeleton(word: str) -> str:
    """A script-independent key for a name: transliterated consonants (Moscow, مسکو → msk).

    Vowels, w/y (often vowels in Arabic script) and v/f (Москва vs Moscow, ليفربول vs
    Liverpool) are dropped, p/b and c/k/q merged, and the Arabic article al- removed.
    """
    from anyascii import anyascii

    word = re.sub(r"^(?:ال|[ae]l[-‑’'])", "", word, flags=re.I)
    s = anyascii(word).lower()
    for a, b in (("ph", "f"), ("ck", "k"), ("c", "k"), ("q", "k"), ("p", "b"), ("x", "ks"),
                 ("z", "s")):
        s = s.replace(a, b)
    s = re.sub(r"[^a-z]", "", s)
    s = re.sub(r"[aeiouywvf]", "", s)
    return re.sub(r"(.)\1+", r"\1", s)


def name_keys(article: Article) -> frozenset[str]:
    """Skeletons of the words that look like names.

    In cased scripts these are capitalised words; scripts without case (Arabic, Persian) give
    every word of four letters or more, and only keys shared with another article ever count.
    """
    keys = set()
    for word in _WORD.findall(article.title + "\n" + article.body):
        cased = word[0].isupper() or word[0].islower()
        if (cased and word[0].isupper() and len(word) >= 3) or (not cased and len(word) >= 4):
            key = skeleton(word)
            if len(key) >= 3:
                keys.add(key)
    return frozenset(keys)


def publication_day(article: Article) -> int | None:
    if not article.published:
        return None
    try:
        return date.fromisoformat(article.published[:10]).toordinal()
    except ValueError:
        return None


def doc_text(article: Article) -> str:
    return article.title + "\n" + "\n".join(article.paragraphs[:LEAD_PARAGRAPHS])


def extract_features(articles: Sequence[Article], embedder: CachedEmbedder) -> Features:
    return Features(
        doc=embedder.embed([doc_text(a) for a in articles]),
        sentences=[embedder.embed(embedder.sentences(a)) for a in articles],
        days=[publication_day(a) for a in articles],
        numbers=[salient_numbers(a.title + "\n" + a.body) for a in articles],
        entities=[name_keys(a) for a in articles],
    )


def score_pair(f: Features, i: int, j: int) -> PairScore:
    doc = float(f.doc[i] @ f.doc[j])
    shorter = max(1, min(len(f.sentences[i]), len(f.sentences[j])))
    aligned = len(mutual_matches(f.sentences[i], f.sentences[j])) / shorter
    smaller = min(len(f.entities[i]), len(f.entities[j]))
    entities = len(f.entities[i] & f.entities[j]) / smaller if smaller else 0.0
    numbers = tuple(sorted(f.numbers[i] & f.numbers[j]))
    days_apart = None
    if f.days[i] is not None and f.days[j] is not None:
        days_apart = abs(f.days[i] - f.days[j])
    total = (doc + ALIGN_WEIGHT * aligned + ENTITY_WEIGHT * entities
             + NUMBER_WEIGHT * min(len(numbers), NUMBER_CAP))
    if days_apart is not None and days_apart > DATE_WINDOW_DAYS:
        total -= DATE_PENALTY
    return PairScore(total, doc, aligned, entities, numbers, days_apart)


# --- candidates and clustering -------------------------------------------------------------


def candidate_pairs(doc: np.ndarray, neighbours: int = NEIGHBOURS) -> Iterable[tuple[int, int]]:
    """Pairs worth scoring: all of them for small inputs, else each article's nearest ones."""
    n = len(doc)
    if n <= DENSE_LIMIT:
        return ((i, j) for i in range(n) for j in range(i + 1, n))
    k = min(neighbours, n - 1)
    pairs: set[tuple[int, int]] = set()
    for start in range(0, n, 1024):
        sims = doc[start : start + 1024] @ doc.T
        top = np.argpartition(-sims, k, axis=1)[:, : k + 1]
        for row, cols in enumerate(top):
            i = start + row
            pairs.update((min(i, int(j)), max(i, int(j))) for j in cols if j != i)
    return sorted(pairs)


def average_linkage(
    n: int, scores: dict[tuple[int, int], float], threshold: float
) -> list[list[int]]:
    """Average-linkage clusters over sparse pair scores (unscored pairs count as 0).

    Keeps, for each pair of clusters that share a scored pair, the sum of their scores; the
    average is that sum over the product of the sizes. A heap gives the best merge each time.
    """
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    links: dict[int, dict[int, float]] = {i: {} for i in range(n)}
    for (i, j), s in scores.items():
        links[i][j] = links[i].get(j, 0.0) + s
        links[j][i] = links[j].get(i, 0.0) + s
    heap = [(-s, i, j) for (i, j), s in scores.items() if s >= threshold]
    heapq.heapify(heap)
    while heap:
        neg, a, b = heapq.heappop(heap)
        if a not in members or b not in members:
            continue
        current = links[a].get(b, 0.0) / (len(members[a]) * len(members[b]))
        if abs(current + neg) > 1e-12:
            continue  # stale entry: the clusters changed since it was pushed
        members[a] += members.pop(b)
        for c, s in links.pop(b).items():
            links[c].pop(b, None)
            if c == a:
                continue
            links[a][c] = links[a].get(c, 0.0) + s
            links[c][a] = links[a][c]
        for c, s in links[a].items():
            avg = s / (len(members[a]) * len(members[c]))
            if avg >= threshold:
                heapq.heappush(heap, (-avg, min(a, c), max(a, c)))
    return sorted(sorted(m) for m in members.values())


# --- events --------------------------------------------------------------------------------


def event_id(articles: Sequence[Article]) -> str:
    """Stable across runs: derived from the member article ids."""
    key = "\n".join(sorted(a.id for a in articles)).encode()
    return "ev-" + hashlib.sha1(key).hexdigest()[:10]


def make_event(members: list[int], articles: Sequence[Article], grouping: Grouping) -> Event:
    """Order the members most representative first and name the event after it.

    The representative is the most central article that has a real headline: a reader
    should meet a complete report first, not a lead paragraph we had to title ourselves.
    """
    def centrality(i: int) -> float:
        others = [grouping.score(i, j) for j in members if j != i]
        return float(np.mean([s.total if s else 0.0 for s in others])) if others else 0.0

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
    return (-len(event.outlets), tuple(-ord(c) for c in latest), -len(event.articles), event.id)


def group_articles(articles: Sequence[Article], embedder: CachedEmbedder) -> Grouping:
    articles = list(articles)
    grouping = Grouping([], articles)
    if not articles:
        return grouping
    features = extract_features(articles, embedder)
    grouping.pairs = {
        (i, j): score_pair(features, i, j) for i, j in candidate_pairs(features.doc)
    }
    clusters = average_linkage(
        len(articles), {k: v.total for k, v in grouping.pairs.items()}, SAME_EVENT_THRESHOLD
    )
    grouping.events = sorted(
        (make_event(c, articles, grouping) for c in clusters), key=importance
    )
    log.info("grouped %d articles into %d events", len(articles), len(grouping.events))
    return grouping


# --- explanations --------------------------------------------------------------------------

NEAR_MISS_MARGIN = 0.05


@dataclass(frozen=True)
class Decision:
    """One pair's part in the grouping: inside one event ("merged") or a near miss."""

    kind: str  # "merged" | "near-miss"
    a: str
    b: str
    score: PairScore


def explain(grouping: Grouping, margin: float = NEAR_MISS_MARGIN) -> list[Decision]:
    """The pair scores behind each event, and the pairs that almost joined two events.

    A near miss is a pair in different events whose score came within ``margin`` of the
    threshold (or passed it, when the average over both events kept them apart).
    """
    index = {a.id: k for k, a in enumerate(grouping.articles)}
    event_of = {a.id: e.id for e in grouping.events for a in e.articles}
    out: list[Decision] = []
    for (i, j), score in sorted(grouping.pairs.items(), key=lambda kv: -kv[1].total):
        a, b = grouping.articles[i].id, grouping.articles[j].id
        if event_of[a] == event_of[b]:
            out.append(Decision("merged", a, b, score))
        elif score.total >= SAME_EVENT_THRESHOLD - margin:
            out.append(Decision("near-miss", a, b, score))
    out.sort(key=lambda d: (d.kind != "merged", index[d.a], -d.score.total))
    return out
