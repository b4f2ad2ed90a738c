"""A persistent embedding cache, so a daily run embeds only the articles it has not seen.

One SQLite file (``embeddings.sqlite`` in the cache directory) maps (embedder key, SHA-256 of
the text) to a float32 vector. The cache is an optimisation and nothing more: a file that is
corrupt, locked for too long or unwritable logs one warning and the run goes on without it;
a brief never fails because of it.

The database is in WAL mode, so any number of runs can read while one writes; a run that
finds the cache busy for longer than ``BUSY_TIMEOUT_S`` skips storing that batch. Entries
not used for ``MAX_AGE_DAYS`` are deleted when a run closes the cache, so the file stays
about the size of a month of news.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import sqlite3
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

FILENAME = "embeddings.sqlite"
SCHEMA_VERSION = 1
MAX_AGE_DAYS = 30
BUSY_TIMEOUT_S = 5.0
_CHUNK = 500  # host parameters per statement; old SQLite builds allow only 999

_SCHEMA = """
CREATE TABLE IF NOT EXISTS embeddings (
    embedder  TEXT    NOT NULL,
    sha256    BLOB    NOT NULL,
    dim       INTEGER NOT NULL,
    vector    BLOB    NOT NULL,
    last_used INTEGER NOT NULL,
    PRIMARY KEY (embedder, sha256)
) WITHOUT ROWID;
"""


def default_cache_dir() -> Path:
    """``$BRIEFER_CACHE_DIR``, else ``$XDG_CACHE_HOME/briefer``, else ``~/.cache/briefer``."""
    if os.environ.get("BRIEFER_CACHE_DIR"):
        return Path(os.environ["BRIEFER_CACHE_DIR"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "briefer"


def text_hash(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def embedder_key(embedder: Any) -> str:
    """What identifies an embedder's vectors: its ``cache_key``, else its id and model.

    Two embedders whose vectors differ must have different keys, or one would read the
    other's vectors; a backend whose output depends on more than ``id`` and ``model``
    (a version, a pooling option) should say so in a ``cache_key`` attribute.
    """
    key = getattr(embedder, "cache_key", None)
    if key:
        return str(key)
    model = getattr(embedder, "model", None)
    return f"{embedder.id}:{model}" if isinstance(model, str) else str(embedder.id)


def day_number() -> int:
    """Days since the epoch: the unit of the caches' last-used stamps."""
    return int(time.time() // 86400)


class EmbeddingStore:
    """The cache file. Use :meth:`open`, which returns ``None`` when the file is unusable.

    No method raises: a database error logs one warning and turns the store off (a busy
    database only skips that write), so a cache that breaks half-way through a run only
    costs speed.
    """

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = conn
        self._stale: dict[str, set[bytes]] = {}  # read today, last used on an earlier day

    @classmethod
    def open(cls, path: Path) -> EmbeddingStore | None:
        """Open or create the cache at ``path``; ``None``, with a warning, when that fails."""
        conn = open_cache_db(Path(path), _SCHEMA, SCHEMA_VERSION, "embedding cache")
        return None if conn is None else cls(Path(path), conn)

    @property
    def enabled(self) -> bool:
        return self._conn is not None

    def get(self, embedder: str, hashes: Iterable[bytes]) -> dict[bytes, np.ndarray]:
        """The cached vectors among ``hashes`` (missing ones are simply absent)."""
        found: dict[bytes, np.ndarray] = {}
        wanted = list(dict.fromkeys(hashes))
        today = day_number()
        if self._conn is None or not wanted:
            return found
        try:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                rows = self._conn.execute(
                    "SELECT sha256, dim, vector, last_used FROM embeddings WHERE embedder = ? "
                    f"AND sha256 IN ({','.join('?' * len(chunk))})",
                    (embedder, *chunk),
                )
                for digest, dim, blob, last_used in rows:
                    vec = np.frombuffer(blob, dtype="<f4")
                    if vec.size == dim:  # a short blob is damage: embed the text again
                        found[bytes(digest)] = vec.astype(np.float32)
                        if last_used < today:
                            self._stale.setdefault(embedder, set()).add(bytes(digest))
        except sqlite3.Error as exc:
            self._fail(exc)
            return {}
        return found

    def put(self, embedder: str, vectors: Mapping[bytes, np.ndarray]) -> None:
        """Store new vectors, and mark the ones read since the last call as used today.

        One transaction; nothing is written (no lock taken) when there is nothing to write.
        """
        if self._conn is None:
            return
        today = day_number()
        used = sorted(self._stale.pop(embedder, ()))
        rows = [
            (embedder, digest, int(vec.size), np.asarray(vec, dtype="<f4").tobytes(), today)
            for digest, vec in vectors.items()
        ]
        if not rows and not used:
            return
        try:
            with _transaction(self._conn):
                self._conn.executemany(
                    "INSERT OR REPLACE INTO embeddings (embedder, sha256, dim, vector, last_used) "
                    "VALUES (?, ?, ?, ?, ?)",
                    rows,
                )
                for start in range(0, len(used), _CHUNK):
                    chunk = used[start : start + _CHUNK]
                    self._conn.execute(
                        "UPDATE embeddings SET last_used = ? WHERE embedder = ? "
                        f"AND sha256 IN ({','.join('?' * len(chunk))})",
                        (today, embedder, *chunk),
                    )
        except sqlite3.OperationalError as exc:
            if not _busy(exc):
                self._fail(exc)
            else:  # another run is writing: these vectors are simply not cached this time
                log.info("embedding cache %s is busy; %d vectors not stored", self.path, len(rows))
        except sqlite3.Error as exc:
            self._fail(exc)

    def prune(self) -> None:
        """Delete entries unused for MAX_AGE_DAYS; skipped, not awaited, when another run writes."""
        if self._conn is None:
            return
        try:
            self._conn.execute("PRAGMA busy_timeout = 0")
            with _transaction(self._conn):
                self._conn.execute(
                    "DELETE FROM embeddings WHERE last_used < ?", (day_number() - MAX_AGE_DAYS,)
                )
        except sqlite3.Error as exc:
            log.info("embedding cache %s not pruned: %s", self.path, exc)
        finally:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")

    def count(self) -> int:
        if self._conn is None:
            return 0
        return int(self._conn.execute("SELECT count(*) FROM embeddings").fetchone()[0])

    def close(self) -> None:
        """Prune, then close. The store is off afterwards."""
        if self._conn is not None:
            self.prune()
            self._conn.close()
            self._conn = None

    def _fail(self, exc: Exception) -> None:
        warn_unusable("embedding cache", self.path, exc)
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class _transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT`` (``ROLLBACK`` on error) on an autocommit connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type is None:
            self.conn.execute("COMMIT")
        elif self.conn.in_transaction:
            self.conn.execute("ROLLBACK")


def _busy(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def open_cache_db(path: Path, schema: str, version: int, what: str) -> sqlite3.Connection | None:
    """Open or create one of the cache files (embeddings, summaries), creating ``schema`` at
    ``version``; ``None``, with one warning naming ``what``, when the file is unusable."""
    conn = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        found = conn.execute("PRAGMA user_version").fetchone()[0]
        if found > version:
            raise sqlite3.DatabaseError(f"written by a newer briefer (schema {found})")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")  # consistent in WAL; a crash loses little
        if found < version:
            with _transaction(conn):
                conn.execute(schema)  # one statement
                conn.execute(f"PRAGMA user_version={version}")
    except (sqlite3.Error, OSError) as exc:
        if conn is not None:
            conn.close()
        warn_unusable(what, path, exc)
        return None
    return conn


def warn_unusable(what: str, path: Path, exc: Exception) -> None:
    log.warning(
        "%s %s is not usable (%s); going on without it. Delete the file to start "
        "a fresh cache, or pass --no-cache.", what, path, exc,
    )  # fmt: skip
