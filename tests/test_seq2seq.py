"""The seq2seq summariser on a tiny real mT5 built from the seeds (no network, no mocks)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from briefer.backends import SUMMARIZERS
from briefer.backends.seq2seq import (
    DEFAULT_MODEL,
    NO_TEXT_NOTE,
    Seq2SeqSummarizer,
    model_status,
)
from briefer.errors import ModelError, UsageError
from briefer.types import Article, Event
from tests.tiny_model import seed_texts

SEED_LANGUAGES = ["id", "fa", "id", "en", "fr"]  # seeds/000..004, in file order


@pytest.fixture()
def online(monkeypatch: pytest.MonkeyPatch) -> None:
    """Undo the suite-wide offline switches (env and huggingface_hub's import-time copy)."""
    from huggingface_hub import constants

    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "http_proxy", "HTTP_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)


@pytest.fixture()
def network_attempts(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Fail every DNS lookup and connect, and record them, so a test can assert there were none."""
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args[-1] if args else kwargs)
        raise OSError("network access in a test")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


@pytest.fixture()
def empty_hf_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty Hugging Face cache, so a developer's real cache cannot change the outcome."""
    from huggingface_hub import constants

    cache = tmp_path / "hf-cache"
    cache.mkdir()
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    return cache


def seed_article(index: int, body_repeat: int = 1) -> Article:
    title, _, body = seed_texts()[index].strip().partition("\n")
    body = "\n\n".join([body.strip()] * body_repeat)
    return Article(
        id=f"seed{index}", title=title.strip(), body=body, language=SEED_LANGUAGES[index]
    )


def event_of(*articles: Article) -> Event:
    return Event(id="-".join(a.id for a in articles), articles=list(articles))


# -- construction ---------------------------------------------------------------------


def test_registered_with_model_card_defaults() -> None:
    assert SUMMARIZERS["seq2seq"] is Seq2SeqSummarizer
    s = Seq2SeqSummarizer()
    assert (s.id, s.model) == ("seq2seq", DEFAULT_MODEL)
    assert (s.num_beams, s.no_repeat_ngram_size, s.max_length, s.max_input_tokens) == (
        4,
        2,
        84,
        512,
    )
    assert (s.max_windows, s.int8, s.lang) == (2, True, None)
    assert not s.loaded  # construction is lazy


def test_unknown_option_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        Seq2SeqSummarizer(beams=4)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    "options",
    [{"batch_size": 0}, {"num_beams": "four"}, {"max_length": 1}, {"model": ""},
     {"max_windows": 0}, {"lang": " "}],
)
def test_bad_option_values_are_usage_errors(options: dict) -> None:
    with pytest.raises(UsageError):
        Seq2SeqSummarizer(**options)


def test_import_does_not_load_torch() -> None:
    code = (
        "import sys, briefer.backends.seq2seq; "
        "assert 'torch' not in sys.modules and 'transformers' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# -- summarising ------------------------------------------------------------------------


def test_summarize_two_events(tiny_mt5_dir: Path) -> None:
    events = [event_of(seed_article(3), seed_article(4)), event_of(seed_article(1))]
    s = Seq2SeqSummarizer(model=str(tiny_mt5_dir))
    summaries = s.summarize(events)
    assert s.loaded
    assert [x.language for x in summaries] == ["en", "fa"]  # from articles[0]
    for summary in summaries:
        assert summary.sentences and all(t.strip() for t in summary.sentences)
        assert summary.note is None


def test_the_representative_lead_comes_first(tiny_mt5_dir: Path) -> None:
    s = Seq2SeqSummarizer(model=str(tiny_mt5_dir))
    rep = seed_article(0)  # Indonesian, ~900 tokens: two windows
    first, second = s.windows(event_of(rep, seed_article(2)))  # 002 is Indonesian too
    assert first.startswith(rep.title)
    assert first.split()[-3:] != rep.body.split()[-3:]  # the window ends before the article
    # The other report's lead follows the representative's lead, before its tail.
    assert second.startswith(seed_article(2).title)


def test_a_monolingual_model_reads_only_the_representatives_language(tiny_mt5_dir: Path) -> None:
    s = Seq2SeqSummarizer(model=str(tiny_mt5_dir))
    en_fr = s.windows(event_of(seed_article(3), seed_article(4)))
    assert en_fr == s.windows(event_of(seed_article(3)))
    assert not any("Moscou" in w for w in en_fr)


def test_a_copy_adds_nothing(tiny_mt5_dir: Path) -> None:
    s = Seq2SeqSummarizer(model=str(tiny_mt5_dir))
    art = seed_article(3)
    copy = Article(id="copy", title=art.title, body=art.body, language=art.language)
    assert s.windows(event_of(art, copy)) == s.windows(event_of(art))


def test_a_crosslingual_model_reads_every_language(crosssum_mt5_dir: Path) -> None:
    s = Seq2SeqSummarizer(model=str(crosssum_mt5_dir))
    windows = s.windows(event_of(seed_article(3), seed_article(4)))
    assert len(windows) == 2 and windows[1].startswith(seed_article(4).title)


def _common_opening(a: str, b: str) -> int:
    pairs = enumerate(zip(a, b, strict=False))
    return next((i for i, (x, y) in pairs if x != y), min(len(a), len(b)))


def test_batching_matches_one_at_a_time(tiny_mt5_dir: Path) -> None:
    events = [event_of(seed_article(i)) for i in range(5)]
    one = Seq2SeqSummarizer(model=str(tiny_mt5_dir), batch_size=1).summarize(events)
    batched = Seq2SeqSummarizer(model=str(tiny_mt5_dir), batch_size=3).summarize(events)
    assert [x.language for x in batched] == SEED_LANGUAGES
    # A random model's logits sit near ties, so padding may flip a late token; each batched
    # output must still share a long opening with its own one-at-a-time output and a longer one
    # than with any other event's (which also proves the original order was restored).
    texts_one = [" ".join(x.sentences) for x in one]
    texts_batched = [" ".join(x.sentences) for x in batched]
    assert len(set(texts_one)) == len(events)
    for i, text in enumerate(texts_batched):
        shared = [_common_opening(text, other) for other in texts_one]
        assert shared[i] >= 30, (i, text, texts_one[i])
        assert shared[i] == max(shared) and shared.count(shared[i]) == 1, (i, shared)


def test_long_input_is_chunked_by_tokens(tiny_mt5_dir: Path) -> None:
    art = seed_article(3)
    # one "sentence" far beyond the window: no punctuation to split at
    run_on = Article(id="run-on", title="", body=" ".join(art.body.split()).replace(".", ""),
                     language="en", title_derived=True)
    s = Seq2SeqSummarizer(model=str(tiny_mt5_dir), max_input_tokens=64, max_windows=3)
    (windows,) = s.prepare_inputs([event_of(art)])
    assert 1 <= len(windows) <= 3
    assert all(len(ids) <= 64 and ids[-1] == 1 for ids in windows)  # 1 is </s>
    (windows,) = s.prepare_inputs([event_of(run_on)])
    assert [len(ids) for ids in windows] == [64, 64, 64]  # cut at 63 tokens, plus </s>
    default = Seq2SeqSummarizer(model=str(tiny_mt5_dir))
    (windows,) = default.prepare_inputs([event_of(seed_article(3, body_repeat=10))])
    assert [len(ids) <= 512 for ids in windows] == [True, True]
    (summary,) = default.summarize([event_of(seed_article(3, body_repeat=10))])
    assert summary.sentences


def test_empty_output_becomes_a_note(silent_mt5_dir: Path) -> None:
    (summary,) = Seq2SeqSummarizer(model=str(silent_mt5_dir)).summarize([event_of(seed_article(0))])
    assert summary.sentences == []
    assert summary.note == NO_TEXT_NOTE
    assert summary.language == "id"


def test_no_events_loads_nothing() -> None:
    s = Seq2SeqSummarizer(model="/nonexistent/model")
    assert s.summarize([]) == []
    assert not s.loaded


# -- finding and loading models ---------------------------------------------------------


def test_status_of_local_dir(tiny_mt5_dir: Path, tmp_path: Path) -> None:
    assert model_status(str(tiny_mt5_dir)) == (True, "local directory")
    ok, reason = model_status(str(tmp_path / "missing"))
    assert not ok and "no such directory" in reason
    ok, reason = model_status(str(tmp_path))
    assert not ok and "config.json" in reason


def test_status_of_uncached_id_when_offline(
    empty_hf_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    ok, reason = model_status("briefer-tests/not-cached")
    assert not ok
    assert "HF_HUB_OFFLINE" in reason
    with pytest.raises(ModelError, match="HF_HUB_OFFLINE"):
        Seq2SeqSummarizer(model="briefer-tests/not-cached").load()


def test_cached_hub_id_loads_without_network(
    tiny_mt5_dir: Path, empty_hf_cache: Path, online: None, network_attempts: list[object]
) -> None:
    # Lay the tiny model out the way huggingface_hub caches a download.
    commit = "0" * 40
    repo = empty_hf_cache / "models--briefer-tests--tiny-mt5"
    shutil.copytree(tiny_mt5_dir, repo / "snapshots" / commit)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)

    assert model_status("briefer-tests/tiny-mt5") == (True, "cached")
    (summary,) = Seq2SeqSummarizer(model="briefer-tests/tiny-mt5").summarize(
        [event_of(seed_article(3))]
    )
    assert summary.sentences
    # Even with local_files_only, huggingface_hub would fetch a registry once if not offline.
    assert network_attempts == []
    # Offline mode was only switched on for the load.
    from huggingface_hub import constants

    assert "HF_HUB_OFFLINE" not in os.environ
    assert constants.HF_HUB_OFFLINE is False


def test_unreachable_hub_is_reported(
    empty_hf_cache: Path, online: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    ok, reason = model_status("briefer-tests/not-cached", timeout=1.0)
    assert not ok and "unreachable" in reason


def test_corrupt_model_dir_raises_model_error(tiny_mt5_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(tiny_mt5_dir, broken)
    (broken / "config.json").write_text("{this is not json")
    with pytest.raises(ModelError) as info:
        Seq2SeqSummarizer(model=str(broken)).load()
    message = str(info.value)
    assert message.startswith(f"Could not load model {broken}:")
    assert "\n" not in message and message.endswith(".")


def test_missing_model_dir_raises_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="no such directory"):
        Seq2SeqSummarizer(model=str(tmp_path / "nope")).summarize([event_of(seed_article(0))])


def test_event_without_articles_gets_a_note(tiny_mt5_dir: Path) -> None:
    empty = Event(id="empty", articles=[], language="en")
    first, second = Seq2SeqSummarizer(model=str(tiny_mt5_dir)).summarize(
        [event_of(seed_article(3)), empty]
    )
    assert first.sentences
    assert second.sentences == [] and second.note


def test_missing_weights_are_logged(
    tiny_mt5_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from safetensors.torch import load_file, save_file

    partial = tmp_path / "partial"
    shutil.copytree(tiny_mt5_dir, partial)
    weights = load_file(partial / "model.safetensors")
    del weights["encoder.final_layer_norm.weight"]
    save_file(weights, partial / "model.safetensors", metadata={"format": "pt"})
    with caplog.at_level("WARNING", logger="briefer.backends.seq2seq"):
        Seq2SeqSummarizer(model=str(partial)).load()
    assert "lacks 1 weights" in caplog.text
