"""A persistent summary cache, so a re-run on the same articles generates nothing.

One SQLite file (``summaries.sqlite`` in the cache directory, next to the embedding cache)
maps a key to what a summariser said about one event. The key is the backend's
``cache_key(event)``: for ``seq2seq`` a hash of the model id and revision, the generation
settings, the target language and the event's input text, so any change to one of them is a
miss, never a stale summary.

The same file keeps sentence translations (table ``translations``, briefer.translate): the
key is the translator's ``cache_key(text, source, target)`` (model, revision, settings,
language pair, text), the value the translated text.

Like the embedding cache it is an optimisation only: a file that is corrupt, locked for too
long or unwritable logs one warning and the run goes on without it. Entries unused for
``MAX_AGE_DAYS`` are dropped when a run closes the cache.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
from pathlib import Path

from .backends import EventSummary
from .store import day_number, open_cache_db, warn_unusable

log = logging.getLogger(__name__)

FILENAME = "summaries.sqlite"
SCHEMA_VERSION = 1
MAX_AGE_DAYS = 30

_SCHEMA = """
CREATE TABLE IF NOT EXISTS summaries (
    key       TEXT    PRIMARY KEY,
    summary   TEXT    NOT NULL,
    last_used INTEGER NOT NULL
) WITHOUT ROWID;
"""
# Created on every open (IF NOT EXISTS): files written before translations existed gain it.
_TRANSLATIONS = """
CREATE TABLE IF NOT EXISTS translations (
    key         TEXT    PRIMARY KEY,
    translation TEXT    NOT NULL,
    last_used   INTEGER NOT NULL
) WITHOUT ROWID;
"""


class SummaryStore:
    """The cache file. Use :meth:`open`, which returns ``None`` when the file is unusable.

    No method raises: a database error logs one warning and turns the store off.
    """

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = conn

    @classmethod
    def open(cls, path: Path) -> SummaryStore | None:
        conn = open_cache_db(Path(path), _SCHEMA, SCHEMA_VERSION, "summary cache")
        if conn is None:
            return None
        try:
            conn.execute(_TRANSLATIONS)
        except sqlite3.Error as exc:
            conn.close()
            warn_unusable("summary cache", Path(path), exc)
            return None
        return cls(Path(path), conn)

    def get(self, keys: list[str]) -> dict[str, EventSummary]:
        """The cached summaries among ``keys`` (marked as used today)."""
        found: dict[str, EventSummary] = {}
        if self._conn is None or not keys:
            return found
        wanted = list(dict.fromkeys(keys))
        try:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._conn.execute(
                    f"SELECT key, summary FROM summaries WHERE key IN ({marks})", chunk
                )
                for key, blob in rows:
                    summary = _decode(blob)
                    if summary is not None:
                        found[key] = summary
            if found:
                with contextlib.suppress(sqlite3.OperationalError):  # busy: not worth a wait
                    self._conn.executemany(
                        "UPDATE summaries SET last_used = ? WHERE key = ? AND last_used < ?",
                        [(day_number(), k, day_number()) for k in found],
                    )
        except sqlite3.Error as exc:
            self._fail(exc)
            return {}
        return found

    def get_translations(self, keys: list[str]) -> dict[str, str]:
        """The cached translations among ``keys`` (marked as used today)."""
        found: dict[str, str] = {}
        if self._conn is None or not keys:
            return found
        wanted = list(dict.fromkeys(keys))
        try:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                found.update(self._conn.execute(
                    f"SELECT key, translation FROM translations WHERE key IN ({marks})", chunk
                ))  # fmt: skip
            if found:
                with contextlib.suppress(sqlite3.OperationalError):
                    self._conn.executemany(
                        "UPDATE translations SET last_used = ? WHERE key = ? AND last_used < ?",
                        [(day_number(), k, day_number()) for k in found],
                    )
        except sqlite3.Error as exc:
            self._fail(exc)
            return {}
        return found

    def put_translations(self, entries: dict[str, str]) -> None:
        """Store translations (key -> text)."""
        rows = [(k, t, day_number()) for k, t in entries.items()]
        self._write(
            "INSERT OR REPLACE INTO translations (key, translation, last_used) VALUES (?, ?, ?)",
            rows, "translations",
        )  # fmt: skip

    def put(self, entries: dict[str, EventSummary]) -> None:
        """Store ``entries``; a failed summary (``error`` set) is transient, never stored."""
        entries = {k: s for k, s in entries.items() if s.error is None}
        if self._conn is None or not entries:
            return
        rows = [(k, _encode(s), day_number()) for k, s in entries.items()]
        self._write(
            "INSERT OR REPLACE INTO summaries (key, summary, last_used) VALUES (?, ?, ?)",
            rows, "summaries",
        )  # fmt: skip

    def _write(self, sql: str, rows: list[tuple], what: str) -> None:
        if self._conn is None or not rows:
            return
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.executemany(sql, rows)
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                log.info("summary cache %s is busy; %d %s not stored", self.path, len(rows), what)
            else:
                self._fail(exc)
        except sqlite3.Error as exc:
            self._fail(exc)

    def close(self) -> None:
        """Drop entries unused for MAX_AGE_DAYS (unless another run writes), then close."""
        if self._conn is None:
            return
        with contextlib.suppress(sqlite3.Error):
            self._conn.execute("PRAGMA busy_timeout = 0")
            for table in ("summaries", "translations"):
                self._conn.execute(
                    f"DELETE FROM {table} WHERE last_used < ?", (day_number() - MAX_AGE_DAYS,)
                )
        self._conn.close()
        self._conn = None

    def _fail(self, exc: Exception) -> None:
        warn_unusable("summary cache", self.path, exc)
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _encode(summary: EventSummary) -> str:
    return json.dumps(
        {"sentences": summary.sentences, "language": summary.language, "note": summary.note},
        ensure_ascii=False,
    )


def _decode(blob: str) -> EventSummary | None:
    try:
        data = json.loads(blob)
        sentences = [str(s) for s in data["sentences"]]
        note = data.get("note")
        return EventSummary(sentences, str(data["language"]), str(note) if note else None)
    except (ValueError, KeyError, TypeError):
        return None  # a damaged entry is a miss
