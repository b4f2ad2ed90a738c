"""Grouping beyond DENSE_LIMIT: batched scoring, candidate pairs, completed average linkage."""

from __future__ import annotations

import numpy as np
import pytest

from briefer import group
from briefer.evaluate import score_clusters, synthetic_features
from briefer.group import (
    _aligned_shares,
    average_linkage,
    candidate_pairs,
    group_features,
    score_pair,
    score_pairs,
)
from briefer.similarity import mutual_matches


def _pairs(f: group.Features, events: list[int], count: int, seed: int) -> np.ndarray:
    """Random pairs plus pairs from one event (where sentences align), i < j."""
    rng = np.random.default_rng(seed)
    n = len(events)
    i, j = rng.integers(0, n, count), rng.integers(0, n, count)
    by_event: dict[int, list[int]] = {}
    for k, e in enumerate(events):
        by_event.setdefault(e, []).append(k)
    same = [(m[a], m[b]) for m in by_event.values() for a in range(len(m))
            for b in range(a + 1, len(m))][:count]
    rows = np.vstack([np.stack([i, j], axis=1), np.array(same).reshape(-1, 2)])
    rows = rows[rows[:, 0] != rows[:, 1]]
    return np.sort(rows, axis=1)


def test_batched_scores_equal_one_pair_scores():
    f, events = synthetic_features(400, seed=3)
    f.days[5] = None  # undated articles and pairs far apart in time are covered too
    f.days[7] = f.days[7] + 10
    rows = _pairs(f, events, 1500, seed=1)
    rows = np.vstack([rows, [[5, 9], [7, 8], [0, 7]]])
    expected = [score_pair(f, int(i), int(j)) for i, j in rows]
    assert score_pairs(f, rows) == expected  # bit for bit: the dense path must not change


def test_aligned_shares_follow_mutual_matches_on_odd_shapes():
    """Lone sentences, ties (repeated sentences), near-parallel and unrelated ones."""
    rng = np.random.default_rng(0)

    def unit(rows: int) -> np.ndarray:
        v = rng.standard_normal((rows, 16)).astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    sentences = []
    for k in range(120):
        base = unit([1, 1, 2, 3, 5, 9][k % 6])
        if k % 3:  # a close copy of the previous article's sentences, and some of its own
            prev = sentences[-1]
            copy = prev[rng.permutation(len(prev))] + 0.05 * unit(len(prev))
            copy = copy / np.linalg.norm(copy, axis=1, keepdims=True)
            base = np.vstack([copy, unit(k % 4)]).astype(np.float32)
        if k % 7 == 0 and len(base) > 1:
            base[1] = base[0]  # an exact tie
        sentences.append(base)
    sentences.append(np.zeros((0, 1), dtype=np.float32))  # no sentences at all
    lengths = np.array([len(s) for s in sentences])
    i, j = np.triu_indices(len(sentences), 1)
    expected = [len(mutual_matches(sentences[a], sentences[b]))
                / max(1, min(len(sentences[a]), len(sentences[b])))
                for a, b in zip(i.tolist(), j.tolist(), strict=True)]
    assert _aligned_shares(sentences, lengths, i, j).tolist() == expected
    padded = _aligned_shares(sentences, lengths, i, j, exact=False)
    # padding may round a cosine differently in its last bit; never more than one pair here
    assert np.count_nonzero(padded != np.array(expected)) <= 1
    assert sum(e > 0 for e in expected) > 100  # the case is not vacuous


def test_candidates_skip_articles_days_apart_and_keep_undated(monkeypatch):
    monkeypatch.setattr(group, "DENSE_LIMIT", 10)
    rng = np.random.default_rng(0)
    doc = np.repeat(rng.standard_normal((1, 32)), 30, axis=0) + 0.01 * rng.standard_normal(
        (30, 32))
    doc = (doc / np.linalg.norm(doc, axis=1, keepdims=True)).astype(np.float32)
    days = [738_000 + 2 * (k % 10) for k in range(29)] + [None]  # 0, 2, ..., 18 days in
    rows = candidate_pairs(doc, days, neighbours=5)
    assert len(rows) > 0 and (rows[:, 0] < rows[:, 1]).all()
    for i, j in rows.tolist():
        if days[i] is not None and days[j] is not None:
            assert abs(days[i] - days[j]) <= group.DATE_WINDOW_DAYS
    assert any(29 in pair for pair in rows.tolist())  # the undated article pairs with others


def test_average_linkage_scores_missing_pairs_before_merging():
    scores = {(0, 1): 1.2, (1, 2): 1.2}
    asked = []

    def score(pairs):
        asked.extend(pairs)
        return [0.0 for _ in pairs]  # 0 and 2 are nothing alike

    # unscored pairs as 0: {0, 1} then 2 joins at (1.2 + 0) / 2 < 0.9
    assert average_linkage(3, scores, 0.9) == [[0, 1], [2]]
    assert average_linkage(3, scores, 0.9, score) == [[0, 1], [2]]
    assert asked == [(0, 2)]
    # the missing pair is as good as the scored ones: now 2 joins (0-filled, it would not)
    assert average_linkage(3, scores, 0.9, lambda pairs: [1.2] * len(pairs)) == [[0, 1, 2]]


@pytest.fixture(scope="module")
def dense_grouping():
    f, _ = synthetic_features(1200, seed=7)
    return f, *group_features(f)


@pytest.mark.parametrize("ann_min", [10_000, 300])  # exact neighbours, then the IVF index
def test_sparse_path_matches_dense_path(monkeypatch, dense_grouping, ann_min):
    """Nearly the same clusters as scoring every pair.

    Tolerance: merges are taken in the order of the scored pairs' means (the nearest
    neighbours, so optimistic) and may be decided on a sampled estimate, or miss a neighbour
    the index did not find; with the fitted score events sit within a few hundredths of the
    threshold, where that order can move an article. B-cubed F1 against the dense clusters
    must stay >= 0.99 (measured 0.998 on this set).
    """
    f, dense, dense_pairs = dense_grouping
    monkeypatch.setattr(group, "DENSE_LIMIT", 100)
    monkeypatch.setattr(group, "ANN_MIN", ann_min)
    sparse, sparse_pairs = group_features(f)
    assert len(sparse_pairs) < len(dense_pairs) / 4
    gold = {str(i): str(k) for k, members in enumerate(dense) for i in members}
    agreement = score_clusters([[str(i) for i in m] for m in sparse], gold)
    assert agreement.bcubed_f1 >= 0.99, agreement


def test_score_clusters_counts_per_cell():
    gold = {"a": "x", "b": "x", "c": "y", "d": "y", "e": "y"}
    s = score_clusters([["a", "b", "c"], ["d", "e"]], gold)
    # B-cubed precision: a, b: 2/3; c: 1/3; d, e: 1 -> (2/3 + 2/3 + 1/3 + 1 + 1) / 5
    assert s.bcubed_precision == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 2) / 5)
    # recall: a, b: 1; c: 1/3; d, e: 2/3
    assert s.bcubed_recall == pytest.approx((2 + 1 / 3 + 4 / 3) / 5)
    assert (s.pairwise_precision, s.pairwise_recall) == pytest.approx((2 / 4, 2 / 4))


def _gate_features(n: int, seed: int) -> group.Features:
    """Synthetic features with some match scores in the leads, so the merge gate refuses,
    and specific facts, so lone articles may join events."""
    f, _ = synthetic_features(n, seed=seed)
    f.names, f.uncased, f.figures = list(f.entities), [frozenset()] * n, list(f.numbers)
    rng = np.random.default_rng(seed)
    f.outcomes = [frozenset({(int(rng.integers(1, 3)), 0)}) if rng.random() < 0.3
                  else frozenset() for _ in range(n)]
    return f


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_condensed_linkage_makes_the_dict_linkages_merges(seed):
    """The condensed matrix and the dicts of dicts give the same clusters: ties (scores
    rounded to two decimals), gate refusals and several thresholds included."""
    n = 70
    rng = np.random.default_rng(seed)
    i, j = np.triu_indices(n, 1)
    blocks = rng.integers(0, 12, n)
    raw = np.where(blocks[i] == blocks[j], rng.normal(0.93, 0.05, len(i)),
                   rng.normal(0.6, 0.2, len(i)))
    scores = np.round(raw, 2)
    as_dict = dict(zip(zip(i.tolist(), j.tolist(), strict=True), scores.tolist(), strict=True))
    f = _gate_features(n, seed)
    merged = 0
    for threshold in (0.85, 0.9, 0.95):
        for gate in (False, True):
            expected = average_linkage(n, as_dict, threshold,
                                       gate=group.MergeGate(f) if gate else None)
            got = group.average_linkage_condensed(n, scores, threshold,
                                                  gate=group.MergeGate(f) if gate else None)
            assert got == expected
            merged += n - len(got)
    assert merged > 50  # clusters did form


def test_dense_grouping_equals_the_pair_by_pair_reference():
    """group_features (arrays, condensed linkage) against score_pair for every pair, the
    dict linkage and the lone-article rule over a dict of PairScores: the same events."""
    f = _gate_features(300, seed=4)
    clusters, pairs = group_features(f)
    n = len(f.doc)
    reference = {(a, b): score_pair(f, a, b) for a in range(n) for b in range(a + 1, n)}
    expected = average_linkage(n, {k: v.total for k, v in reference.items()},
                               group.SAME_EVENT_THRESHOLD, gate=group.MergeGate(f))
    expected = group.attach_lone_articles(expected, f, reference, group.PairScorer(f),
                                          group.SAME_EVENT_THRESHOLD)
    assert clusters == expected
    assert len(pairs) == len(reference) and sorted(pairs) == sorted(reference)
    assert len([c for c in clusters if len(c) > 1]) > 10
    for key in [(0, 1), (3, 250), (17, 18), (298, 299)]:
        assert pairs[key] == reference[key]  # rebuilt on demand, field for field
    assert (5, 5) not in pairs and pairs.get((0, 300)) is None


def test_sparse_pairs_hold_the_scores_the_linkage_completed(monkeypatch):
    """Beyond DENSE_LIMIT the table holds the candidates and every pair scored later."""
    monkeypatch.setattr(group, "DENSE_LIMIT", 100)
    f, _ = synthetic_features(400, seed=5)
    _, pairs = group_features(f)
    rows = pairs.pairs()
    assert len(rows) > len(candidate_pairs(f.doc, f.days))  # missing pairs were scored
    sample = rows[:: max(1, len(rows) // 200)]
    expected = [s.total for s in group.PairScorer(f, exact=False)(sample)]
    got = [pairs[(int(a), int(b))].total for a, b in sample]
    # a padded batch may round an alignment in its last bit: totals agree to rounding
    assert np.allclose(got, expected, rtol=0, atol=1e-9)
