"""Across days: a story that develops over two runs keeps its event, marked "updated"."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefer import render
from briefer.cli import app
from briefer.errors import BrieferError
from briefer.state import EventRecord, PastArticle, State, continue_events
from briefer.types import Article, Event

DATA = Path(__file__).parent / "data" / "state"
RUN1, RUN2 = DATA / "run1", DATA / "run2"
FIRE = {"port-fire-harbourwire", "port-fire-kabarpesisir"}
FIRE_DAY2 = "port-fire-lecourrier"
BUS = "nairobi-bus-citydesk"
STRIKE = "copper-strike-andeswire"


def build(sources: Path, out: Path, state: Path, formats: str = "json,html,txt"):
    return CliRunner().invoke(app, [
        "build", str(sources), "--out", str(out), "--state", str(state),
        "--summarizer", "extractive", "--format", formats, "-q",
    ])  # fmt: skip


def load(out: Path) -> dict:
    return json.loads((out / "brief.json").read_text(encoding="utf-8"))


def by_article(brief: dict) -> dict[str, dict]:
    return {a["id"]: e for e in brief["events"] for a in e["articles"]}


def dump(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        lines = list(conn.iterdump())
    conn.close()
    return lines


@pytest.fixture(scope="module")
def after_run1(tmp_path_factory) -> tuple[Path, dict]:
    """The state after day 1, kept pristine: each test works on a copy."""
    tmp = tmp_path_factory.mktemp("run1")
    result = build(RUN1, tmp / "out", tmp / "state.sqlite")
    assert result.exit_code == 0, result.output
    return tmp / "state.sqlite", load(tmp / "out")


@pytest.fixture
def state(after_run1, tmp_path: Path) -> Path:
    copy = tmp_path / "state.sqlite"
    shutil.copy(after_run1[0], copy)
    return copy


def test_first_run_reports_every_event_as_new(after_run1) -> None:
    _, brief = after_run1
    events = by_article(brief)
    assert {a["id"] for a in events["port-fire-harbourwire"]["articles"]} == FIRE
    assert events[BUS]["id"] != events["port-fire-harbourwire"]["id"]
    for event in brief["events"]:
        assert event["status"] == "new"
        assert event["first_article"] == event["latest_article"] == "2025-03-11"
        assert event["first_seen"] == brief["generated_at"]
        assert all(a["new"] for a in event["articles"])


def test_a_developing_story_is_updated_on_day_two(after_run1, state: Path, tmp_path: Path) -> None:
    _, day1 = after_run1
    result = build(RUN2, tmp_path / "out", state)
    assert result.exit_code == 0, result.output
    brief = load(tmp_path / "out")
    events = by_article(brief)

    fire = events[FIRE_DAY2]
    assert fire["id"] == by_article(day1)["port-fire-harbourwire"]["id"]
    assert fire["status"] == "updated"
    assert (fire["first_article"], fire["latest_article"]) == ("2025-03-11", "2025-03-12")
    assert fire["first_seen"] == day1["generated_at"]
    assert {a["id"]: a["new"] for a in fire["articles"]} == {
        FIRE_DAY2: True, "port-fire-harbourwire": False, "port-fire-kabarpesisir": False,
    }  # fmt: skip

    strike = events[STRIKE]
    assert strike["status"] == "new" and strike["id"] != fire["id"]
    assert (strike["first_article"], strike["latest_article"]) == ("2025-03-12", "2025-03-12")
    assert [a["id"] for a in strike["articles"]] == [STRIKE]

    assert BUS not in events  # day 1 only: nothing new to say
    assert len(brief["events"]) == 2

    html = (tmp_path / "out" / "brief.html").read_text(encoding="utf-8")
    assert html.count('<span class="badge">Updated</span> since') == 1
    assert '<time datetime="2025-03-11">2025-03-11</time>' in html
    txt = " ".join((tmp_path / "out" / "brief.txt").read_text(encoding="utf-8").split())
    assert "Updated since 2025-03-11 · French · 3 articles" in txt
    assert "Le Courrier du Large · French · 2025-03-12 · new" in txt


def test_day_two_again_from_the_same_state_gives_the_same_ids(
    after_run1, tmp_path: Path
) -> None:
    briefs = []
    for name in ("a", "b"):
        copy = tmp_path / f"{name}.sqlite"
        shutil.copy(after_run1[0], copy)
        assert build(RUN2, tmp_path / name, copy).exit_code == 0
        briefs.append(load(tmp_path / name))
    ids = [[(e["id"], e["status"], [a["id"] for a in e["articles"]]) for e in b["events"]]
           for b in briefs]
    assert ids[0] == ids[1]


def test_nothing_new_gives_an_empty_brief_that_says_so(state: Path, tmp_path: Path) -> None:
    assert build(RUN2, tmp_path / "first", state).exit_code == 0
    before = dump(state)
    result = build(RUN2, tmp_path / "again", state)
    assert result.exit_code == 0, result.output
    brief = load(tmp_path / "again")
    assert brief["events"] == []
    assert "nothing new" in brief["warnings"][0]
    assert dump(state) == before


def test_a_failed_render_leaves_the_state_unchanged(
    state: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> bytes:
        raise BrieferError("PDF rendering failed.")

    monkeypatch.setattr(render, "render_pdf", broken)
    before = dump(state)
    result = build(RUN2, tmp_path / "out", state, formats="json,pdf")
    assert result.exit_code == 1
    assert "PDF rendering failed" in result.stderr
    assert dump(state) == before
    assert not (tmp_path / "out" / "brief.json").exists()

    monkeypatch.undo()  # the next run still sees day 2's articles as new
    result = build(RUN2, tmp_path / "out", state, formats="json")
    assert result.exit_code == 0, result.output
    assert by_article(load(tmp_path / "out"))[FIRE_DAY2]["status"] == "updated"


def test_a_changed_article_under_a_known_id_is_new_again(state: Path, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    text = (RUN1 / "port-fire-harbourwire.txt").read_text(encoding="utf-8")
    (src / "port-fire-harbourwire.txt").write_text(
        text.replace("Three workers were", "Four workers were"), encoding="utf-8"
    )
    assert build(src, tmp_path / "out", state).exit_code == 0
    fire = by_article(load(tmp_path / "out"))["port-fire-harbourwire"]
    assert fire["status"] == "updated"
    assert {a["id"]: a["new"] for a in fire["articles"]} == {
        "port-fire-harbourwire": True, "port-fire-kabarpesisir": False,
    }  # fmt: skip


def test_an_unreadable_state_is_one_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "state.sqlite"
    bad.write_bytes(b"not a database" * 100)
    result = build(RUN1, tmp_path / "out", bad)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: Cannot open the state")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()
    with pytest.raises(BrieferError, match="Cannot open the state"):
        State.open(bad)


# --- continue_events on its own ----------------------------------------------------------

NOW = datetime(2025, 3, 12, 8, 0, tzinfo=UTC)


def art(article_id: str, published: str | None = None) -> Article:
    return Article(id=article_id, title=article_id, body="text", language="en",
                   published=published)


def past(article_id: str, event_id: str, published: str | None = None) -> PastArticle:
    return PastArticle(art(article_id, published), event_id, "2025-03-10T07:00:00+00:00")


def test_without_state_every_event_is_new_and_dated_by_its_articles() -> None:
    events = [
        Event("ev-1", [art("a", "2025-03-09T22:10:00Z"), art("b")]),
        Event("ev-2", [art("c")]),
    ]
    out = continue_events(events, {}, {}, NOW)
    assert [e.status for e in out] == ["new", "new"]
    assert (out[0].first_article, out[0].latest_article) == ("2025-03-09", "2025-03-12")
    assert out[1].first_seen == "2025-03-12T08:00:00+00:00"
    assert all(e.to_dict()["articles"][0]["new"] for e in out)


def test_two_clusters_claiming_one_event() -> None:
    """The cluster with more of the event's past articles keeps its id; the other gets its own."""
    olds = {p.article.id: p for p in (past("p1", "ev-old"), past("p2", "ev-old"),
                                      past("p3", "ev-old"))}
    known = {"ev-old": EventRecord("ev-old", "2025-03-08T07:00:00+00:00", "2025-03-08",
                                   "2025-03-10")}
    small = Event("ev-small", [olds["p1"].article, art("n1")])
    big = Event("ev-big", [olds["p2"].article, olds["p3"].article, art("n2")])
    only_past = Event("ev-past", [past("p4", "ev-other").article])
    out = continue_events([small, big, only_past], {**olds, "p4": past("p4", "ev-other")},
                          known, NOW)
    assert [(e.id, e.status) for e in out] == [("ev-small", "new"), ("ev-old", "updated")]
    assert (out[1].first_article, out[1].latest_article) == ("2025-03-08", "2025-03-12")
    assert out[1].first_seen == "2025-03-08T07:00:00+00:00"
    assert out[1].past_articles == {"p2", "p3"}


def test_ties_go_to_the_older_event() -> None:
    olds = {"p1": past("p1", "ev-b"), "p2": past("p2", "ev-a")}
    known = {
        "ev-a": EventRecord("ev-a", "2025-03-09T07:00:00+00:00", "2025-03-09", "2025-03-09"),
        "ev-b": EventRecord("ev-b", "2025-03-08T07:00:00+00:00", "2025-03-08", "2025-03-08"),
    }
    event = Event("x", [olds["p1"].article, olds["p2"].article, art("n")])
    (out,) = continue_events([event], olds, known, NOW)
    assert out.id == "ev-b"
