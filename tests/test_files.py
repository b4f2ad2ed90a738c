"""Source directories someone else fills: links out of them, loops, unreadable parts, odd names."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefer.cli import app
from briefer.ingest import ingest
from briefer.sources import collect

SEEDS = Path(__file__).parents[1] / "seeds"
SEED = {p.name[:3]: p for p in SEEDS.glob("*.txt")}
SECRET = "root:x:0:0:SECRET-LINE-NEVER-READ:/root:/bin/bash"


@pytest.fixture
def tree(tmp_path):
    """news/ with a real article and every kind of link; private/ outside it with a secret."""
    private = tmp_path / "private"
    private.mkdir()
    (private / "passwd").write_text(SECRET + "\n", encoding="utf-8")
    (private / "more").mkdir()
    (private / "more" / "story.txt").write_text(SEED["004"].read_text("utf-8"), "utf-8")
    (private / "page.html").write_text(f"<html><body><p>{SECRET}</p></body></html>", "utf-8")
    news = tmp_path / "news"
    (news / "sub").mkdir(parents=True)
    (news / "good.txt").write_text(SEED["003"].read_text("utf-8"), encoding="utf-8")
    os.symlink(private / "passwd", news / "passwd_link.txt")  # a file outside
    os.symlink(private / "page.html", news / "page_link.html")  # a page outside
    os.symlink(private / "more", news / "more")  # a directory outside
    os.symlink(news / "good.txt", news / "alias.txt")  # a file inside: read
    os.symlink(news, news / "sub" / "loop")  # a loop through a directory
    os.symlink(news / "gone.txt", news / "broken.txt")  # a broken link
    os.symlink(news / "self.txt", news / "self.txt")  # a link to itself
    return news


def test_links_out_of_the_source_directory_are_skipped_with_a_warning(tree, caplog):
    caplog.set_level(logging.WARNING, logger="briefer")
    found = ingest([tree])
    assert sorted(a.id for a in found.articles) == ["alias", "good"]
    assert all(SECRET not in a.title + a.body for a in found.articles)
    reasons = {Path(s.path).name: s.reason for s in found.skipped}
    assert set(reasons) == {"passwd_link.txt", "more", "broken.txt", "self.txt"}
    assert "outside the source directory" in reasons["passwd_link.txt"]
    assert "outside the source directory" in reasons["more"]
    assert "broken" in reasons["broken.txt"] and "loop" in reasons["self.txt"]
    assert len([r for r in caplog.records if "skipped" in r.getMessage()]) == 4

    everything = collect([tree])  # feeds, pages and JSON Lines too
    assert [s.kept for s in everything.skipped if s.kept] == ["alias"]  # the same text twice
    assert sorted(Path(s.path).name for s in everything.skipped if not s.kept) == [
        "broken.txt", "more", "page_link.html", "passwd_link.txt", "self.txt"]
    assert all(SECRET not in a.body for a in everything.articles)


def test_a_link_named_as_a_source_is_read(tree):
    """Naming the link itself is the user's choice (a source directory kept elsewhere)."""
    found = ingest([tree / "passwd_link.txt", tree / "more"])
    assert [a.id for a in found.articles] == ["passwd_link", "story"]
    assert found.skipped == []


def test_a_link_loop_as_a_source_never_crashes(tmp_path):
    loop = tmp_path / "loop"
    os.symlink(loop, loop)
    result = CliRunner().invoke(app, ["build", str(loop), "--out", str(tmp_path / "out"), "-q",
                                      "--summarizer", "extractive"])
    assert result.exit_code == 2, result.output  # nothing readable: a usage error, not a crash
    assert "internal error" not in result.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any directory")
def test_an_unreadable_subdirectory_is_reported(tmp_path, caplog):
    news = tmp_path / "news"
    (news / "locked").mkdir(parents=True)
    (news / "good.txt").write_text(SEED["003"].read_text("utf-8"), encoding="utf-8")
    (news / "locked" / "hidden.txt").write_text(SEED["004"].read_text("utf-8"), "utf-8")
    (news / "locked").chmod(0)
    try:
        found = ingest([news])
    finally:
        (news / "locked").chmod(0o755)
    assert [a.id for a in found.articles] == ["good"]
    (skip,) = found.skipped
    assert skip.path.endswith("locked") and "directory not read" in skip.reason
    assert any("locked" in r.getMessage() for r in caplog.records)


def test_file_names_are_shown_cleaned_like_titles(tmp_path):
    """Newlines and bidi overrides in a file name would forge lines in the log and reorder
    what the reader sees where the name stands for the outlet."""
    news = tmp_path / "news"
    news.mkdir()
    name = "evil\u202etxt.exe\nwarning: forged line.txt"
    (news / name).write_text(SEED["003"].read_text("utf-8"), encoding="utf-8")
    (news / "empty\u202e\n.txt").write_text("", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["build", str(news), "--out", str(out), "--format",
                                      "json,txt", "--summarizer", "extractive"])
    assert result.exit_code == 0, result.output
    brief = json.loads((out / "brief.json").read_text(encoding="utf-8"))
    (article,) = [a for e in brief["events"] for a in e["articles"]]
    assert article["id"] == "eviltxt.exe warning: forged line"
    assert all("\u202e" not in s["path"] and "\n" not in s["path"] for s in brief["skipped"])
    assert "\u202e" not in result.stderr
    assert not any(line.startswith("warning: forged") for line in result.stderr.splitlines())
    text = (out / "brief.txt").read_text(encoding="utf-8")
    assert "\u202e" not in text
