"""Across days: events continue.

With ``--state DB`` a run remembers, in one SQLite file, every article it reported and the
event it put it in. The next run groups its new articles together with the recent past ones
(``LOOKBACK_DAYS``), so a new report of a developing story lands in the same cluster as
yesterday's reports and the event keeps its id, marked ``"updated"``. A cluster of only new
articles is a ``"new"`` event; a cluster of only past articles is left out (nothing new to
say about it).

An article counts as *past* when the state holds its id with the same content (SHA-256 of
title and body); a changed article under a known id is new again and replaces the old one.

The state is written only after the brief files are, in one transaction, so a failed run
records nothing and the next one sees the same articles as new.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import sqlite3
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from .errors import StateError
from .types import Article, Event

log = logging.getLogger(__name__)

# Past articles first seen, or published, this many days before the run are grouped again
# with the new ones. A story that gets a report at least every LOOKBACK_DAYS days keeps its
# event; one that pauses longer comes back as a new event. Grouping itself keeps apart
# reports published more than group.DATE_WINDOW_DAYS apart.
LOOKBACK_DAYS = 3
SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 30.0
_CHUNK = 500

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id           TEXT PRIMARY KEY,
    first_seen   TEXT NOT NULL,   -- timestamp of the run that first reported the event
    last_updated TEXT NOT NULL    -- timestamp of the latest run that added an article
);
CREATE TABLE IF NOT EXISTS articles (
    id         TEXT PRIMARY KEY,
    sha256     TEXT NOT NULL,     -- of title and body: the same id with other text is new
    event_id   TEXT NOT NULL REFERENCES events (id),
    first_seen TEXT NOT NULL,     -- timestamp of the run that first reported it
    published  TEXT,
    day        TEXT NOT NULL,     -- YYYY-MM-DD: published date, else the first_seen date
    article    TEXT NOT NULL      -- every Article field as JSON, so it can be grouped again
);
CREATE INDEX IF NOT EXISTS articles_event ON articles (event_id);
CREATE INDEX IF NOT EXISTS articles_first_seen ON articles (first_seen);
CREATE INDEX IF NOT EXISTS articles_day ON articles (day);
"""

_ARTICLE_FIELDS = {f.name for f in dataclasses.fields(Article)}


@dataclass(frozen=True)
class PastArticle:
    """An article an earlier run reported, and the event it was reported under."""

    article: Article
    event_id: str
    first_seen: str


@dataclass(frozen=True)
class EventRecord:
    """A stored event and the date range of all its stored articles (not only recent ones)."""

    id: str
    first_seen: str
    first_day: str
    last_day: str


@dataclass
class Recall:
    """What the state says about this run's inputs.

    ``past`` holds the recent past articles and the inputs already reported (in first-seen
    order); ``new`` the inputs never reported, in input order. Group ``articles`` (both).
    """

    past: dict[str, PastArticle]
    new: list[Article]

    @property
    def articles(self) -> list[Article]:
        return [p.article for p in self.past.values()] + self.new


def content_hash(article: Article) -> str:
    text = article.title + "\n\n" + article.body
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def article_day(article: Article, first_seen: str) -> str:
    """The article's date: its publication date when that parses, else the day it was seen."""
    if article.published:
        try:
            return date.fromisoformat(article.published.strip()[:10]).isoformat()
        except ValueError:
            pass
    return first_seen[:10]


def timestamp(now: datetime) -> str:
    return now.isoformat(timespec="seconds")


class State:
    """The state file. Open it with :meth:`open`; any failure is a :class:`StateError`."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn

    @classmethod
    def open(cls, path: Path) -> State:
        path = Path(path).expanduser()
        conn = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StateError(
                    f"The state {path} was written by a newer briefer (schema {version}); "
                    "upgrade briefer or pass another --state file."
                )
            if version < SCHEMA_VERSION:
                conn.executescript(
                    f"BEGIN IMMEDIATE; {_SCHEMA} PRAGMA user_version={SCHEMA_VERSION}; COMMIT;"
                )
        except (sqlite3.Error, OSError) as exc:
            if conn is not None:
                conn.close()
            raise StateError(f"Cannot open the state {path}: {_reason(exc)}.") from exc
        except StateError:
            if conn is not None:
                conn.close()
            raise
        return cls(path, conn)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> State:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- reading ---------------------------------------------------------------------------

    def recall(self, inputs: Sequence[Article], now: datetime) -> Recall:
        """Split ``inputs`` into past and new, and add the past articles of the look-back window."""
        since = now - timedelta(days=LOOKBACK_DAYS)
        try:
            recent = self._rows(
                "SELECT id, sha256, event_id, first_seen, article FROM articles "
                "WHERE first_seen >= ? OR day >= ?",
                (timestamp(since), since.date().isoformat()),
            )
            known = {}
            ids = list(dict.fromkeys(a.id for a in inputs))
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start : start + _CHUNK]
                known.update(
                    (row[0], row)
                    for row in self._rows(
                        "SELECT id, sha256, event_id, first_seen, NULL FROM articles "
                        f"WHERE id IN ({','.join('?' * len(chunk))})",
                        chunk,
                    )
                )
        except sqlite3.Error as exc:
            raise StateError(f"Cannot read the state {self.path}: {_reason(exc)}.") from exc

        past: dict[str, PastArticle] = {}
        new: list[Article] = []
        input_ids = set(ids)
        for article in inputs:
            row = known.get(article.id)
            if row is not None and row[1] == content_hash(article) and article.id not in past:
                past[article.id] = PastArticle(article, row[2], row[3])
            elif article.id not in past:
                new.append(article)
        for article_id, _, event_id, first_seen, payload in recent:
            if article_id in input_ids:
                continue  # reported again (already in past) or changed (then it is new)
            article = _load_article(payload, article_id)
            if article is not None:
                past[article_id] = PastArticle(article, event_id, first_seen)
        ordered = sorted(past.values(), key=lambda p: (p.first_seen, p.article.id))
        return Recall({p.article.id: p for p in ordered}, new)

    def events(self, ids: Iterable[str]) -> dict[str, EventRecord]:
        """The stored events among ``ids``, with the dates of their earliest and latest article."""
        wanted = sorted(set(ids))
        out: dict[str, EventRecord] = {}
        try:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                for row in self._rows(
                    "SELECT e.id, e.first_seen, min(a.day), max(a.day) FROM events e "
                    f"JOIN articles a ON a.event_id = e.id WHERE e.id IN ({marks}) GROUP BY e.id",
                    chunk,
                ):
                    out[row[0]] = EventRecord(*row)
        except sqlite3.Error as exc:
            raise StateError(f"Cannot read the state {self.path}: {_reason(exc)}.") from exc
        return out

    def _rows(self, sql: str, params: Sequence[object]) -> list[tuple]:
        return list(self._conn.execute(sql, tuple(params)))

    # --- writing ---------------------------------------------------------------------------

    def record(self, events: Sequence[Event], now: datetime) -> None:
        """Store this brief's events and articles, all or nothing.

        New articles are inserted (replacing an older version under the same id); past
        articles in a reported event are moved to it, so the state follows the latest grouping.
        """
        stamp = timestamp(now)
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                for event in events:
                    self._conn.execute(
                        "INSERT INTO events (id, first_seen, last_updated) VALUES (?, ?, ?) "
                        "ON CONFLICT (id) DO UPDATE SET last_updated = excluded.last_updated",
                        (event.id, event.first_seen or stamp, stamp),
                    )
                    for article in event.articles:
                        if article.id in event.past_articles:
                            self._conn.execute(
                                "UPDATE articles SET event_id = ? WHERE id = ?",
                                (event.id, article.id),
                            )
                            continue
                        self._conn.execute(
                            "INSERT OR REPLACE INTO articles "
                            "(id, sha256, event_id, first_seen, published, day, article) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (article.id, content_hash(article), event.id, stamp,
                             article.published, article_day(article, stamp),
                             json.dumps(dataclasses.asdict(article), ensure_ascii=False)),
                        )  # fmt: skip
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise StateError(
                f"The brief was written but the state {self.path} could not be updated "
                f"({_reason(exc)}); the next run will report these articles as new again."
            ) from exc


# --- continuing events -------------------------------------------------------------------


def continue_events(
    events: Sequence[Event],
    past: Mapping[str, PastArticle],
    known: Mapping[str, EventRecord],
    now: datetime,
) -> list[Event]:
    """Name, date and mark the clusters of past and new articles; drop those with nothing new.

    A cluster holding past articles continues the stored event most of them belong to (ties:
    the older event, then the smaller id) and is ``"updated"``. When two clusters claim one
    event, the one with more past articles of it wins (then the smaller article id) and the
    other takes its next choice, or a fresh id. A cluster of only new articles keeps the id
    grouping gave it (a hash of its article ids) and is ``"new"``. Without a state (``past``
    empty) every event is new and only the dates are filled in. Order is kept.
    """
    stamp = timestamp(now)

    def choices(event: Event) -> list[str]:
        counts = Counter(past[a.id].event_id for a in event.articles if a.id in past)
        return sorted(
            counts,
            key=lambda e: (-counts[e], known[e].first_seen if e in known else stamp, e),
        )

    def has_new(event: Event) -> bool:
        return any(a.id not in past for a in event.articles)

    def claim_order(i: int) -> tuple:
        members = events[i].articles
        return (-sum(a.id in past for a in members), min(a.id for a in members))

    taken: set[str] = set()
    continued: dict[int, str] = {}
    for i in sorted(range(len(events)), key=claim_order):
        if not has_new(events[i]):
            continue
        for candidate in choices(events[i]):
            if candidate not in taken:
                taken.add(candidate)
                continued[i] = candidate
                break

    out = []
    for i, event in enumerate(events):
        if not has_new(event):
            log.info("event %s: no new article, left out", event.id)
            continue
        event.past_articles = frozenset(a.id for a in event.articles if a.id in past)
        days = [
            article_day(a, past[a.id].first_seen if a.id in past else stamp)
            for a in event.articles
        ]
        if i in continued:
            event.id = continued[i]
            event.status = "updated"
            record = known.get(event.id)
            if record is not None:
                event.first_seen = record.first_seen
                days += [record.first_day, record.last_day]
            else:  # articles that point at an event the state lost: date it by them
                event.first_seen = min(past[a].first_seen for a in event.past_articles)
        else:
            event.status = "new"
            event.first_seen = stamp
        event.first_article, event.latest_article = min(days), max(days)
        out.append(event)
    return out


def _load_article(payload: str, article_id: str) -> Article | None:
    try:
        data = json.loads(payload)
        return Article(**{k: v for k, v in data.items() if k in _ARTICLE_FIELDS})
    except (ValueError, TypeError) as exc:
        log.warning("state: article %s cannot be read back (%s); left out", article_id, exc)
        return None


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc)
