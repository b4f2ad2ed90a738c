"""Fit the same-event score's weights and threshold on our own labelled articles.

Usage: .venv/bin/python benchmarks/fit_weights.py      (make fit-grouping)
       .venv/bin/python benchmarks/fit_weights.py --embedder sentence-transformers \
           --embedder-model sentence-transformers/LaBSE    (constants for another encoder)

Training data: every pair of the seeds, tests/data/grouping/, tests/data/grouping-train/ and
tests/data/grouping-short/ (feed-style short items; all articles we wrote), with the signals
``briefer.group`` computes for it, labelled same event
or not. Pairs the date window already keeps apart are left out: that rule is not fitted (a
different day's news is a different event). The model is a logistic regression, positives
weighted up to the negatives' total (one event's pairs are few among a day's), fitted by
Newton's method; its weights divided by the doc cosine's are the constants of
``briefer/group.py``, its zero the threshold. A signal whose weight comes out with the wrong
sign is dropped (weight 0) and the rest fitted again.

Prints the fitted constants; then, for each of our two sets, B-cubed F1 with constants fitted
on the *other* sets (how well a fit carries to articles it has not seen); then B-cubed F1 on
``../shared/data/grouping-dev/`` (real articles, never fitted on) with the constants.

Last, each set's *ceiling*: the best F1 a search over the weights and threshold finds on
that set itself. No shipped constants come from it; it says how far reweighting these signals
could go on a set at best, so that a set still short of the target after it needs a new
signal, not a new fit.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from briefer import group  # noqa: E402
from briefer.backends import get_embedder  # noqa: E402
from briefer.errors import BrieferError  # noqa: E402
from briefer.evaluate import load_labelled_set, score_clusters  # noqa: E402
from briefer.ingest import ingest  # noqa: E402
from briefer.similarity import CachedEmbedder  # noqa: E402
from briefer.store import EmbeddingStore  # noqa: E402

DATA = ROOT / "tests" / "data"
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
    ("SHORT_OFFSET", "either text short"),
    ("FACT_WEIGHT", "short pair: shared specific facts (up to FACT_CAP)"),
]


def signals(s: group.PairScore) -> list[float]:
    """Doc cosine, then each term of TERMS, signed so that a sensible weight is positive."""
    return [s.doc, s.aligned, s.entities, float(min(len(s.numbers), group.NUMBER_CAP)),
            -float(s.weekdays is not None), -float(s.same_language), float(s.cross_script),
            -float(s.short), float(min(s.facts, group.FACT_CAP)) if s.short else 0.0]


class LabelledSet:
    """Articles, gold events, features and the training pairs of one set (computed once)."""

    def __init__(self, articles, gold, embedder) -> None:
        self.articles, self.gold = articles, gold
        self.features = group.extract_features(articles, embedder)
        n = len(articles)
        self.index = np.array([(i, j) for i in range(n) for j in range(i + 1, n)], dtype=np.int64)
        scores = group.score_pairs(self.features, self.index)
        every = np.array([signals(s) for s in scores]).reshape(len(scores), 1 + len(TERMS))
        same = np.array([float(gold[articles[i].id] == gold[articles[j].id])
                         for i, j in self.index.tolist()])
        # Rules are not fitted on: pairs whose days are further apart than the date window
        # (the merge gate keeps them apart) and short pairs with no shared fact.
        self.apart = np.array([(s.days_apart is not None and s.days_apart > group.DATE_WINDOW_DAYS)
                               or (s.short and not s.facts)
                               for s in scores], dtype=bool)
        self.every = every
        self.x, self.y = every[~self.apart], same[~self.apart]

    def bcubed_f1(self, constants: dict[str, float]) -> float:
        for name, value in constants.items():
            setattr(group, name, value)
        clusters, _ = group.group_features(self.features, constants["SAME_EVENT_THRESHOLD"])
        ids = [[self.articles[i].id for i in c] for c in clusters]
        return score_clusters(ids, self.gold).bcubed_f1

    def ceiling(self, steps: int = 300, seed: int = 0) -> float:
        """The best B-cubed F1 a search over the weights and threshold finds on this set itself.

        Starts from group.py's constants and from a logistic fit on this set, then changes one
        weight at a time at random (seeded), keeping a change that does not lower F1; every
        threshold is tried for each weight vector (one linkage gives all cuts). A search, not
        a proof: it says how far reweighting these signals could go on the set, at best.
        """
        rng = np.random.default_rng(seed)
        starts = [np.array([1.0] + [getattr(group, name) for name, _ in TERMS])]
        w = signed_fit(self.x, self.y)
        if w[0] > 0:
            starts.append(np.maximum(w[:-1] / w[0], 0.0))
        best_w, best = max(((v, self._best_cut(v)) for v in starts), key=lambda r: r[1])
        for _ in range(steps):
            trial = best_w.copy()
            k = int(rng.integers(1, len(trial)))
            trial[k] = max(0.0, trial[k] + rng.normal(0.0, 0.05))
            if (f1 := self._best_cut(trial)) >= best:
                best_w, best = trial, f1
        return best

    def _best_cut(self, weights: np.ndarray) -> float:
        """B-cubed F1 of average linkage on these weights' scores, at its best threshold."""
        n = len(self.articles)
        scores = np.full((n, n), -np.inf)
        totals = self.every @ weights - group.DATE_PENALTY * self.apart
        i, j = self.index.T
        scores[i, j] = scores[j, i] = totals
        size = np.ones(n)
        label = np.arange(n)
        ids = [a.id for a in self.articles]

        def f1() -> float:
            clusters: dict[int, list[str]] = {}
            for k in range(n):
                clusters.setdefault(int(label[k]), []).append(ids[k])
            return score_clusters(list(clusters.values()), self.gold).bcubed_f1

        best = f1()
        for _ in range(n - 1):  # merge the best pair of clusters, as group.average_linkage
            a, b = np.unravel_index(int(np.argmax(scores)), scores.shape)
            if not np.isfinite(scores[a, b]):
                break
            # merged clusters' rows are -inf, so they stay out of every new average
            merged = (size[a] * scores[a] + size[b] * scores[b]) / (size[a] + size[b])
            scores[a], scores[:, a] = merged, merged
            scores[b], scores[:, b] = -np.inf, -np.inf
            size[a] += size[b]
            label[label == label[b]] = label[a]
            best = max(best, f1())
        return best


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


def signed_fit(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Logistic weights, one per column of ``x`` then the intercept; a term (any column but
    the doc cosine) fitted with the wrong sign gets 0 and the rest are fitted again."""
    kept = list(range(1, x.shape[1]))
    while True:
        w = logistic(x[:, [0, *kept]], y)
        wrong = [k for k, weight in zip(kept, w[1:-1], strict=True) if weight < 0]
        if not wrong:
            break
        kept = [k for k in kept if k not in wrong]
    full = np.zeros(x.shape[1] + 1)
    full[[0, *kept]] = w[:-1]
    full[-1] = w[-1]
    return full


def fit(sets: list[LabelledSet]) -> dict[str, float]:
    """The constants of group.py fitted on these sets' pairs (wrong-sign terms dropped)."""
    w = signed_fit(np.concatenate([s.x for s in sets]), np.concatenate([s.y for s in sets]))
    constants = {name: float(w[k + 1] / w[0]) for k, (name, _) in enumerate(TERMS)}
    constants["SAME_EVENT_THRESHOLD"] = float(-w[-1] / w[0])
    return constants


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--embedder", default=group.CALIBRATED_FOR,
                        help="embedding backend [default: %(default)s, what group.py is for]")
    parser.add_argument("--embedder-model", help="its model id or local directory")
    parser.add_argument("--cache", type=Path,
                        help="an embedding cache file, so that a second fit embeds nothing")
    args = parser.parse_args()
    model = {"model": args.embedder_model} if args.embedder_model else {}
    store = EmbeddingStore.open(args.cache) if args.cache else None
    embedder = CachedEmbedder(get_embedder(args.embedder, **model), store)
    seeds = ingest([ROOT / "seeds"]).articles
    ours = {
        "seeds": LabelledSet(seeds, {a.id: SEED_GOLD[a.id[:3]] for a in seeds}, embedder),
        "tests/data/grouping": LabelledSet(*load_labelled_set(DATA / "grouping"), embedder),
        "tests/data/grouping-train": LabelledSet(*load_labelled_set(DATA / "grouping-train"),
                                                 embedder),
        "tests/data/grouping-short": LabelledSet(*load_labelled_set(DATA / "grouping-short"),
                                                 embedder),
    }
    constants = fit(list(ours.values()))
    pairs = sum(len(s.y) for s in ours.values())
    same = int(sum(s.y.sum() for s in ours.values()))
    print(f"fitted for the {args.embedder} embedder"
          + (f" ({args.embedder_model})" if args.embedder_model else "")
          + f" on {pairs} pairs ({same} same-event) of {', '.join(ours)}")
    print(f"SAME_EVENT_THRESHOLD = {constants['SAME_EVENT_THRESHOLD']:.3f}")
    for name, what in TERMS:
        dropped = "" if constants[name] else ", dropped (fitted with the wrong sign)"
        print(f"{name} = {constants[name]:.3f}  # {what}{dropped}")
    for name in ("tests/data/grouping", "tests/data/grouping-train", "tests/data/grouping-short"):
        others = fit([s for other, s in ours.items() if other != name])
        print(f"{name}: B-cubed F1 {ours[name].bcubed_f1(others):.3f} fitted on the others, "
              f"{ours[name].bcubed_f1(constants):.3f} fitted on all")
    if DEV.exists():
        ours["grouping-dev"] = LabelledSet(*load_labelled_set(DEV), embedder)
        print(f"grouping-dev (never fitted on): B-cubed F1 "
              f"{ours['grouping-dev'].bcubed_f1(constants):.3f}")
    else:
        print(f"grouping-dev: not found at {DEV}")
    print("ceiling: weights and threshold searched on each set itself (not used for group.py)")
    for name, labelled in ours.items():
        print(f"ceiling {name} bcubed_f1={labelled.ceiling():.3f}")


if __name__ == "__main__":
    try:
        main()
    except BrieferError as exc:  # a missing package or model: one sentence, no traceback
        sys.exit(f"error: {exc}")
