"""The length budget on a real day: every labelled article we ship, built through the CLI.

A reader has ten minutes: the default PDF must fit in 8 A4 pages however many events the day
holds, the e-mail's HTML part must stay under Gmail's clipping size, and brief.json must still
keep every event, claim and source (the budget is for what a reader is shown).
"""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from briefer.cli import app
from briefer.deliver import GMAIL_CLIP_BYTES, front_html, inline_css

DATA = Path(__file__).parent / "data"
PAGE_BUDGET = 8


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One input folder holding the articles of two labelled sets (189 articles, 7 languages)."""
    root = tmp_path_factory.mktemp("day")
    inputs = root / "in"
    inputs.mkdir()
    for name in ("grouping", "grouping-train"):
        for path in sorted((DATA / name / "articles").iterdir()):
            shutil.copy(path, inputs / f"{name}-{path.name}")
    out = root / "out"
    result = CliRunner().invoke(
        app,
        ["build", str(inputs), "--out", str(out), "--summarizer", "extractive", "-q"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return out


def test_the_days_pdf_fits_the_page_budget(day: Path) -> None:
    pages = len(PdfReader(io.BytesIO((day / "brief.pdf").read_bytes())).pages)
    brief = json.loads((day / "brief.json").read_text("utf-8"))
    assert len(brief["events"]) > 30  # a day with more events than the front page holds
    assert pages <= PAGE_BUDGET, pages


def test_brief_json_keeps_everything_the_pdf_leaves_out(day: Path) -> None:
    brief = json.loads((day / "brief.json").read_text("utf-8"))
    articles = sum(len(e["articles"]) for e in brief["events"])
    assert articles == 189
    assert all(a.get("path") for e in brief["events"] for a in e["articles"])
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(
        (day / "brief.pdf").read_bytes())).pages)  # fmt: skip
    # every event is at least named (front page, also today or index)
    assert len(re.findall(r"\d", text)) >= len(brief["events"])


def test_the_email_html_is_lean(day: Path) -> None:
    html = (day / "brief.html").read_text("utf-8")
    part = inline_css(front_html(html))
    # well under Gmail's clipping size, and a fraction of the page it is cut from
    size = len(part.encode("utf-8"))
    assert size < 0.8 * GMAIL_CLIP_BYTES and size < len(html.encode("utf-8")) / 2, size
    assert "claims-block" not in part and "<table" not in part  # the details stay in the PDF
    # the details' and print's rules are not sent along
    assert "@media print" not in part and "details.event" not in part
