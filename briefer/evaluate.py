"""Clustering quality measures for labelled grouping sets (used by benchmarks and tests)."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .group import Features
from .ingest import ingest
from .types import Article


@dataclass(frozen=True)
class Scores:
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float
    pairwise_precision: float
    pairwise_recall: float
    pairwise_f1: float


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score_clusters(clusters: Sequence[Sequence[str]], gold: Mapping[str, str]) -> Scores:
    """B-cubed and pairwise precision/recall/F1 of ``clusters`` (lists of ids) against labels.

    Counted per (predicted, gold) cell rather than per item pair, so 100k items take a second.
    """
    predicted = {item: k for k, members in enumerate(clusters) for item in members}
    if not predicted:
        raise ValueError("no clustered items to score")
    cells = Counter((k, gold[item]) for item, k in predicted.items())
    pred_sizes = Counter(predicted.values())
    gold_sizes = Counter(gold[item] for item in predicted)
    p = sum(c * c / pred_sizes[k] for (k, _), c in cells.items())
    r = sum(c * c / gold_sizes[g] for (_, g), c in cells.items())
    bp, br = p / len(predicted), r / len(predicted)

    def pairs(c: int) -> int:
        return c * (c - 1) // 2

    tp = sum(pairs(c) for c in cells.values())
    same_pred = sum(pairs(c) for c in pred_sizes.values())
    same_gold = sum(pairs(c) for c in gold_sizes.values())
    pp = tp / same_pred if same_pred else 1.0
    pr = tp / same_gold if same_gold else 1.0
    return Scores(bp, br, _f1(bp, br), pp, pr, _f1(pp, pr))


def load_labelled_set(root: Path) -> tuple[list[Article], dict[str, str]]:
    """Articles of a labelled set and their gold event ids.

    ``labels.tsv`` columns: ``file``, ``event_id``, ``language`` and, when present, a
    publication date (``published`` or ``date``), which is applied as the article's metadata the
    way a feed or front matter would provide it.
    """
    with open(root / "labels.tsv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    by_id = {Path(r["file"]).stem: r for r in rows}
    result = ingest([root / "articles"])
    articles = []
    for a in result.articles:
        row = by_id[a.id]
        published = (row.get("published") or row.get("date") or "").strip() or None
        articles.append(replace(a, published=a.published or published))
    return articles, {k: r["event_id"] for k, r in by_id.items()}


def synthetic_features(n: int, seed: int = 0, dim: int = 384) -> tuple[Features, list[int]]:
    """``n`` articles' grouping features with known events, for scale tests and benchmarks.

    Shaped after what the small multilingual encoder gives real articles (labelled sets):
    doc cosines ~0.72 between unrelated articles, ~0.80 within a topic, ~0.88 within an event;
    event sizes heavy-tailed (mean ~5, some in the hundreds at 100k), so events that outgrow
    the neighbour lists are exercised; 3-6 sentences per article drawn from its event's eight
    facts (same fact: cosine ~0.9, else ~0.55), a third with one sentence of its own; topic and
    event names; event figures; days over five days, 5% undated. Returns the features and
    each article's event.
    """
    rng = np.random.default_rng(seed)
    sizes = np.minimum(1 + (rng.pareto(1.5, n) * 2.5).astype(np.int64), max(1, n // 10))
    event = np.repeat(np.arange(n), sizes)[:n]
    n_events = int(event.max()) + 1
    topic_of = rng.integers(0, max(1, n_events // 10), n_events)

    def units(*shape: int) -> np.ndarray:
        v = rng.standard_normal((*shape, dim), dtype=np.float32)
        return v / np.linalg.norm(v, axis=-1, keepdims=True)

    def normalised(v: np.ndarray) -> np.ndarray:
        return (v / np.linalg.norm(v, axis=-1, keepdims=True)).astype(np.float32)

    common, topics, events = units(1)[0], units(int(topic_of.max()) + 1), units(n_events)
    doc = normalised(np.sqrt(0.72) * common + np.sqrt(0.08) * topics[topic_of[event]]
                     + np.sqrt(0.08) * events[event] + np.sqrt(0.12) * units(n))
    n_facts = rng.integers(3, 7, n)
    own = rng.random(n) < 0.3
    fact_order = np.argsort(rng.random((n, 8)), axis=1)
    sentence_common = units(1)[0]
    sentences: list[np.ndarray] = []
    for start in range(0, n, 2048):  # the events' facts drawn per chunk: all at once is GBs
        stop = min(n, start + 2048)
        first_event = int(event[start])
        bank = units(int(event[stop - 1]) - first_event + 1, 8)
        picks = [fact_order[k, : n_facts[k]] for k in range(start, stop)]
        said = np.concatenate([
            np.vstack([bank[event[k] - first_event, p], units(1)]) if own[k]
            else bank[event[k] - first_event, p]
            for k, p in zip(range(start, stop), picks, strict=True)
        ])
        flat = normalised(np.sqrt(0.55) * sentence_common + np.sqrt(0.35) * said
                          + np.sqrt(0.10) * units(len(said)))
        sentences.extend(np.split(flat, np.cumsum(n_facts[start:stop] + own[start:stop])[:-1]))
    event_day = rng.integers(0, 4, n_events)
    day = 738_000 + event_day[event] + (rng.random(n) < 0.25)
    undated = rng.random(n) < 0.05
    days: list[int | None] = [None if u else int(d) for u, d in zip(undated, day, strict=True)]
    topic_names = np.argsort(rng.random((n, 6)), axis=1)[:, :2]
    event_names = np.argsort(rng.random((n, 4)), axis=1)
    n_event_names = rng.integers(2, 4, n)
    has_figure = rng.random((n, 2)) < 0.6
    common_figure = np.where(rng.random(n) < 0.3, rng.integers(0, 50, n), -1)
    numbers, entities = [], []
    for k, e in enumerate(event.tolist()):
        t = int(topic_of[e])
        figures = {f"e{e}f{m}" for m in (0, 1) if has_figure[k, m]}
        if common_figure[k] >= 0:
            figures.add(f"c{common_figure[k]}")
        numbers.append(frozenset(figures))
        entities.append(frozenset(
            [f"t{t}n{m}" for m in topic_names[k].tolist()]
            + [f"e{e}n{m}" for m in event_names[k, : n_event_names[k]].tolist()]
        ))
    # half the leads name the event's day of the week; a few name the day before or another day
    event_weekday = rng.integers(0, 7, n_events)
    shift = rng.choice([0, 0, 0, 0, 0, 0, 0, 0, -1, 3], n)
    named = rng.random(n) < 0.5
    weekdays: list[int | None] = [
        int((event_weekday[e] + s) % 7) if m else None
        for e, s, m in zip(event.tolist(), shift.tolist(), named.tolist(), strict=True)
    ]
    return Features(doc, sentences, days, numbers, entities, weekdays), event.tolist()
