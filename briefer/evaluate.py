"""Clustering quality measures for labelled grouping sets (used by benchmarks and tests)."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

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
    """B-cubed and pairwise precision/recall/F1 of ``clusters`` (lists of ids) against labels."""
    predicted = {item: k for k, members in enumerate(clusters) for item in members}
    items = sorted(predicted)
    p = r = 0.0
    for i in items:
        same_pred = [j for j in items if predicted[j] == predicted[i]]
        same_gold = [j for j in items if gold[j] == gold[i]]
        both = sum(1 for j in same_pred if gold[j] == gold[i])
        p += both / len(same_pred)
        r += both / len(same_gold)
    bp, br = p / len(items), r / len(items)
    tp = fp = fn = 0
    for a in range(len(items)):
        for b in range(a + 1, len(items)):
            same_p = predicted[items[a]] == predicted[items[b]]
            same_g = gold[items[a]] == gold[items[b]]
            tp += same_p and same_g
            fp += same_p and not same_g
            fn += same_g and not same_p
    pp = tp / (tp + fp) if tp + fp else 1.0
    pr = tp / (tp + fn) if tp + fn else 1.0
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
