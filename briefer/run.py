"""The daily job: ``briefer run`` reads the sources, writes the brief and e-mails it, once.

One run, under a lock so cron can never start a second one beside it:

1. messages composed by earlier runs but not yet accepted by the SMTP server are sent;
2. the sources are read; when the state (``--state`` of ``briefer build``) already reported
   every article, nothing is written or sent ("nothing new");
3. otherwise the brief is written to the day's directory, its e-mail is composed and kept in
   the state file (so a retry sends exactly that message, even after a later brief replaced
   the files), and the state records the reported articles;
4. the message is sent, with bounded retries. It counts as delivered only once the server has
   accepted it; until then every later run tries again (for ``PENDING_DAYS`` days).

Killed at any point (SIGKILL, power cut), the next run finishes the job: files are replaced
atomically, so each is the old or the new one; a brief whose articles the state had not yet
recorded is built again; one it had recorded is sent. Each send is journaled before it starts
(``sending``) and again just before the final "." of DATA (``awaiting reply``), the moment the
server may take the message. A run that died in ``sending`` had not handed the message over, so
it is sent again; one that died in ``awaiting reply`` may have been accepted, and sending again
could deliver it twice, so it becomes ``unconfirmed``: reported (exit 4) and never re-sent.

Runs, briefs and deliveries are journaled in the same SQLite file as the articles and events,
which ``briefer status`` reads. Exit codes, for cron: see :class:`Exit`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import logging
import os
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from pathlib import Path
from typing import Any

from .config import Config
from .errors import (
    BrieferError,
    DeliveryError,
    EmailSetupError,
    LockedError,
    NoArticlesError,
    StateError,
    UsageError,
)
from .types import Brief

log = logging.getLogger(__name__)

__all__ = ["Exit", "Journal", "RunLock", "RunResult", "email_by_hand", "options_for", "run_daily",
           "status"]

PENDING_DAYS = 3  # a message the server has refused this long is given up (status shows it)
BUSY_TIMEOUT_S = 30.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id        INTEGER PRIMARY KEY,
    started   TEXT NOT NULL,
    finished  TEXT,
    pid       INTEGER,
    outcome   TEXT,               -- ok | nothing new | delivery failed | error
    exit_code INTEGER,
    message   TEXT
);
CREATE TABLE IF NOT EXISTS briefs (
    id            INTEGER PRIMARY KEY,
    run_id        INTEGER REFERENCES runs (id),
    generated_at  TEXT NOT NULL,  -- = events.last_updated of the state record it belongs to
    out_dir       TEXT NOT NULL,
    events        INTEGER NOT NULL,
    new_events    INTEGER NOT NULL,
    articles      INTEGER NOT NULL,
    new_articles  INTEGER NOT NULL,
    headline      TEXT,
    status        TEXT NOT NULL,  -- written | pending | sending | awaiting reply | delivered |
                                  -- unconfirmed | not e-mailed | given up | dropped
    message       BLOB,           -- the composed e-mail, sent as it is on every attempt
    message_id    TEXT,
    sender        TEXT,
    recipients    TEXT,           -- JSON list
    subject       TEXT
);
CREATE TABLE IF NOT EXISTS deliveries (
    id         INTEGER PRIMARY KEY,
    brief_id   INTEGER REFERENCES briefs (id),
    run_id     INTEGER REFERENCES runs (id),
    attempted  TEXT NOT NULL,
    ok         INTEGER NOT NULL,
    message_id TEXT,
    recipients INTEGER,
    error      TEXT
);
"""


class Exit(IntEnum):
    """``briefer run`` exit codes; cron and systemd see these."""

    OK = 0  # a brief was written (and e-mailed, when [email] is set), or a retry went out
    ERROR = 1  # internal error, unreadable state, or every source failed
    CONFIG = 2  # the configuration file is missing or wrong
    NOTHING_NEW = 3  # no article the state had not reported: nothing written, nothing sent
    DELIVERY_FAILED = 4  # the brief is written but the SMTP server did not accept it (retried),
    #                      or may have without saying so (unconfirmed: never re-sent)
    LOCKED = 5  # another run holds the lock


@dataclass
class RunResult:
    exit: Exit
    message: str
    out_dir: Path | None = None
    events: int = 0
    sent: list[str] = field(default_factory=list)  # Message-IDs accepted by the server
    failed: list[str] = field(default_factory=list)  # reasons
    preview: str = ""  # --dry-run: what would be sent


Report = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


# --- lock -----------------------------------------------------------------------------------------


class RunLock:
    """An exclusive ``flock`` on a file; the kernel releases it when the process dies, so a
    crashed run never leaves a stale lock. Raises LockedError at once when it is held."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._fd: int | None = None

    def __enter__(self) -> RunLock:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StateError(f"Cannot open the lock file {self.path}: {exc.strerror}.") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.read(fd, 200).decode("utf-8", "replace").strip()
            os.close(fd)
            raise LockedError(
                f"Another briefer run is still going ({holder or 'lock ' + str(self.path)}); "
                "this one stops without doing anything."
            ) from None
        stamp = datetime.now().astimezone().isoformat(timespec="seconds")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}, started {stamp}\n".encode(), 0)
        self._fd = fd
        return self

    def __exit__(self, *_: object) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            os.close(self._fd)  # closing releases the flock
            self._fd = None

    @staticmethod
    def holder(path: Path) -> str | None:
        """Who holds the lock now, or None. Reads the note the holder wrote, and checks that its
        process lives, without touching the lock (so ``status`` never gets in a run's way)."""
        try:
            note = Path(path).read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            return None
        match = re.match(r"pid (\d+)", note)
        if not match:
            return None
        try:
            os.kill(int(match.group(1)), 0)
        except ProcessLookupError:
            return None  # a run that was killed before it could clear its note
        except OSError:
            pass  # alive, another user's
        return note


# --- journal ----------------------------------------------------------------------------------


class Journal:
    """Runs, briefs and deliveries, in the state's SQLite file (tables of their own)."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn

    @classmethod
    def open(cls, path: Path, *, create: bool = True) -> Journal:
        path = Path(path).expanduser()
        try:
            if create:
                path.parent.mkdir(parents=True, exist_ok=True)
            elif not path.is_file():
                raise StateError(f"No state file {path}: briefer run has not run yet.")
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            conn.row_factory = sqlite3.Row
            if create:
                conn.executescript(f"BEGIN IMMEDIATE; {_SCHEMA} COMMIT;")
        except (sqlite3.Error, OSError) as exc:
            raise StateError(f"Cannot open the state {path}: {exc}.") from None
        return cls(path, conn)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _do(self, sql: str, params: tuple = ()) -> sqlite3.Cursor:
        try:
            return self.conn.execute(sql, params)
        except sqlite3.Error as exc:
            raise StateError(f"Cannot update the state {self.path}: {exc}.") from None

    def start_run(self, now: datetime) -> int:
        cur = self._do("INSERT INTO runs (started, pid) VALUES (?, ?)", (_stamp(now), os.getpid()))
        return int(cur.lastrowid or 0)

    def finish_run(self, run_id: int, exit: Exit, message: str) -> None:
        outcome = {Exit.OK: "ok", Exit.NOTHING_NEW: "nothing new",
                   Exit.DELIVERY_FAILED: "delivery failed"}.get(exit, "error")  # fmt: skip
        self._do("UPDATE runs SET finished = ?, outcome = ?, exit_code = ?, message = ? "
                 "WHERE id = ?", (_stamp(datetime.now(UTC)), outcome, int(exit), message, run_id))

    def add_brief(self, run_id: int, brief: Brief, out_dir: Path, composed: Any) -> int:
        events = brief.events
        articles = [a for e in events for a in e.articles]
        new_articles = [a for e in events for a in e.articles if a.id not in e.past_articles]
        cur = self._do(
            "INSERT INTO briefs (run_id, generated_at, out_dir, events, new_events, articles, "
            "new_articles, headline, status, message, message_id, sender, recipients, subject) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'written', ?, ?, ?, ?, ?)",
            (run_id, brief.generated_at, str(out_dir), len(events),
             sum(e.status == "new" for e in events), len(articles), len(new_articles),
             events[0].headline if events else None,
             composed.data if composed else None, composed.message_id if composed else None,
             composed.sender if composed else None,
             json.dumps(list(composed.recipients)) if composed else None,
             composed.subject if composed else None),
        )  # fmt: skip
        return int(cur.lastrowid or 0)

    def set_status(self, brief_id: int, status: str) -> None:
        self._do("UPDATE briefs SET status = ? WHERE id = ?", (status, brief_id))

    def settle_written(self) -> None:
        """Briefs of a run that died between writing files and recording the state.

        The state records a brief's events with ``last_updated`` = its ``generated_at``, in one
        transaction: if that happened the brief stands (pending its e-mail); if not, its
        articles are still new and the next brief reports them, so this one is dropped.
        """
        for row in self._do("SELECT id, generated_at, message FROM briefs "
                            "WHERE status = 'written'").fetchall():
            try:
                recorded = self.conn.execute(
                    "SELECT 1 FROM events WHERE last_updated = ? LIMIT 1", (row["generated_at"],)
                ).fetchone()
            except sqlite3.Error:
                recorded = None
            status = ("pending" if row["message"] else "not e-mailed") if recorded else "dropped"
            log.warning("brief of %s: the run that wrote it stopped early; now %s",
                        row["generated_at"], status)
            self.set_status(row["id"], status)

    def settle_sending(self, run_id: int) -> list[str]:
        """Sends a killed run left half done; returns what needs the operator's eye.

        ``sending``: the final "." never left, so the server cannot have taken the message;
        it is pending again. ``awaiting reply``: it may have; it becomes ``unconfirmed`` and is
        not sent again (a duplicate is worse than asking the operator to look).
        """
        doubts = []
        for row in self._do("SELECT id, out_dir, message_id, recipients, status FROM briefs "
                            "WHERE status IN ('sending', 'awaiting reply')").fetchall():
            if row["status"] == "sending":
                log.warning("e-mail of %s: the run sending it stopped before the message was "
                            "handed over; sending it again", row["out_dir"])
                self.set_status(row["id"], "pending")
                continue
            reason = (f"the run sending the e-mail of {row['out_dir']} stopped after handing the "
                      "whole message to the server and before its answer; the server may or may "
                      "not have accepted it, so it is not sent again (check the mailbox; "
                      "`briefer email BRIEF_DIR` sends it by hand)")
            log.error("%s", reason)
            self.conn.execute("BEGIN IMMEDIATE")
            self.record_delivery(row["id"], run_id, False, row["message_id"],
                                 len(json.loads(row["recipients"] or "[]")), reason)
            self.set_status(row["id"], "unconfirmed")
            self.conn.execute("COMMIT")
            doubts.append(reason[0].upper() + reason[1:])
        return doubts

    def pending(self) -> list[sqlite3.Row]:
        return self._do("SELECT * FROM briefs WHERE status = 'pending' ORDER BY id").fetchall()

    def record_delivery(self, brief_id: int | None, run_id: int | None, ok: bool,
                        message_id: str | None, recipients: int, error: str | None) -> None:
        self._do(
            "INSERT INTO deliveries (brief_id, run_id, attempted, ok, message_id, recipients, "
            "error) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (brief_id, run_id, _stamp(datetime.now(UTC)), int(ok), message_id, recipients, error),
        )

    def brief_for(self, out_dir: Path, generated_at: str) -> int | None:
        row = self._do("SELECT id FROM briefs WHERE out_dir = ? AND generated_at = ? "
                       "ORDER BY id DESC LIMIT 1", (str(out_dir), generated_at)).fetchone()
        return row["id"] if row else None


# --- the job ------------------------------------------------------------------------------------


def options_for(config: Config) -> Any:
    """The pipeline Options a config asks for (``lang`` only where the pipeline knows it)."""
    from .pipeline import Options

    values: dict[str, Any] = {
        "title": config.title,
        "formats": config.formats,
        "summarizer": config.summarizer.backend,
        "model": config.summarizer.model,
        "embedder": config.embedder.backend,
        "embedder_model": config.embedder.model,
        "translator": config.translator.backend,
        "translator_model": config.translator.model,
        "templates_dir": config.templates,
        "cache_dir": config.cache_dir,
        "state": config.state,
        "outlets": config.outlets,
        "strict": config.strict,
        "source_options": config.fetch,
        "lang": config.lang,
        "summary_lang": config.summarizer.lang,
        "top": config.top,
        "also": config.also,
        "detail": config.detail,
    }
    known = {f.name for f in dataclasses.fields(Options)}
    return Options(**{k: v for k, v in values.items() if k in known})


def run_daily(
    config: Config,
    *,
    dry_run: bool = False,
    report: Report = _quiet,
    sleep: Callable[[float], None] | None = None,
) -> RunResult:
    """One daily run; see the module docstring. Raises LockedError when another run is going."""
    if dry_run:
        return _dry_run(config, report)
    with RunLock(config.lock_path), Journal.open(config.state) as journal:
        now = datetime.now(UTC)
        run_id = journal.start_run(now)
        try:
            result = _run(config, journal, run_id, report, sleep)
        except BaseException as exc:
            journal.finish_run(run_id, Exit.ERROR, str(exc) or type(exc).__name__)
            raise
        journal.finish_run(run_id, result.exit, result.message)
        return result


def _run(config: Config, journal: Journal, run_id: int, report: Report,
         sleep: Callable[[float], None] | None) -> RunResult:
    from .pipeline import build

    result = RunResult(Exit.NOTHING_NEW, "")
    if config.email is not None:
        from .deliver import check_setup

        check_setup(config.email)  # a bad ca_file or a half-set login fails now, before any work
    journal.settle_written()
    result.failed += journal.settle_sending(run_id)
    retried = _deliver_pending(config, journal, run_id, result, sleep, report,
                               [row["id"] for row in journal.pending()])

    out_dir = config.out_dir_for(datetime.now(UTC))
    written_ids: list[int] = []

    def note_brief(brief: Brief, _written: list[Path]) -> None:
        composed = None
        if config.email is not None:
            from .deliver import compose

            composed = compose(out_dir, config.email)
        written_ids.append(journal.add_brief(run_id, brief, out_dir, composed))

    try:
        brief, written = build(config.sources, out_dir, options_for(config), report,
                               write_empty=False, before_record=note_brief)
    except NoArticlesError as exc:
        failed = {s.path for s in exc.skipped}
        if config.sources and all(src in failed for src in config.sources):
            reasons = "; ".join(f"{s.path}: {s.reason}" for s in exc.skipped[:5])
            raise BrieferError(f"Every source failed ({reasons}); nothing written.") from None
        brief, written = None, []
        log.warning("%s", exc)
    for brief_id in written_ids:  # the state has recorded the brief: it stands
        journal.set_status(brief_id, "pending" if config.email else "not e-mailed")

    if brief is None or not written:
        result.message = "Nothing new since the last brief; nothing written or sent."
    else:
        result.out_dir, result.events = out_dir, len(brief.events)
        updated = sum(e.status == "updated" for e in brief.events)
        result.message = (f"Brief with {len(brief.events)} events ({updated} updated) "
                          f"written to {out_dir}")
        log.info("%s", result.message)  # before the e-mail, which may take a while
        if config.email is not None:
            _deliver_pending(config, journal, run_id, result, sleep, report, written_ids)
    if result.failed:
        result.exit = Exit.DELIVERY_FAILED
        result.message = (result.message + ". " if result.out_dir else "") + (
            "E-mail not delivered: " + "; ".join(result.failed)
            + (". The next run tries again." if journal.pending() else ".")
        )
    elif result.out_dir is not None or retried:
        result.exit = Exit.OK
        if result.sent:
            result.message = (result.message + ". " if result.out_dir else "") + (
                f"E-mailed {len(result.sent)} message(s)."
            )
    return result


def _deliver_pending(config: Config, journal: Journal, run_id: int, result: RunResult,
                     sleep: Callable[[float], None] | None, report: Report,
                     ids: list[int]) -> bool:
    """Send the pending messages among ``ids``; True when at least one was accepted now."""
    from .deliver import Composed, DeliveryInDoubt, send_with_retries

    rows = [row for row in journal.pending() if row["id"] in ids]
    if not rows:
        return False
    if config.email is None:
        for row in rows:
            journal.set_status(row["id"], "not e-mailed")
        return False
    sent_any = False
    cutoff = datetime.now(UTC) - timedelta(days=PENDING_DAYS)
    for row in rows:
        generated = datetime.fromisoformat(row["generated_at"])
        if generated.tzinfo is None:
            generated = generated.replace(tzinfo=UTC)
        if generated < cutoff:
            log.error("giving up e-mailing the brief in %s: not accepted for %d days",
                      row["out_dir"], PENDING_DAYS)
            journal.set_status(row["id"], "given up")
            continue
        composed = Composed(row["message"], row["sender"], tuple(json.loads(row["recipients"])),
                            row["message_id"], row["subject"])
        report(f"E-mailing {row['out_dir']} to {len(composed.recipients)} recipient(s)")
        brief_id = row["id"]
        try:
            send_with_retries(
                composed, config.email, **({"sleep": sleep} if sleep else {}),
                on_attempt=lambda b=brief_id: journal.set_status(b, "sending"),
                on_commit=lambda b=brief_id: journal.set_status(b, "awaiting reply"),
            )
        except EmailSetupError as exc:  # the config is wrong: stop now (exit 2), no retry
            journal.conn.execute("BEGIN IMMEDIATE")
            journal.record_delivery(brief_id, run_id, False, composed.message_id,
                                    len(composed.recipients), str(exc))
            journal.set_status(brief_id, "pending")  # sent once the config is fixed
            journal.conn.execute("COMMIT")
            raise
        except DeliveryError as exc:
            in_doubt = isinstance(exc, DeliveryInDoubt)
            log.error("e-mail of %s not delivered: %s", row["out_dir"], exc)
            journal.conn.execute("BEGIN IMMEDIATE")
            journal.record_delivery(brief_id, run_id, False, composed.message_id,
                                    len(composed.recipients), str(exc))
            journal.set_status(brief_id, "unconfirmed" if in_doubt else "pending")
            journal.conn.execute("COMMIT")
            result.failed.append(str(exc))
            continue
        # Delivered: record it before anything else can fail, so it is never sent twice.
        journal.conn.execute("BEGIN IMMEDIATE")
        journal.record_delivery(row["id"], run_id, True, composed.message_id,
                                len(composed.recipients), None)
        journal.set_status(row["id"], "delivered")
        journal.conn.execute("COMMIT")
        result.sent.append(composed.message_id)
        sent_any = True
    return sent_any


def _dry_run(config: Config, report: Report) -> RunResult:
    """Build the brief in memory; show what would be written and sent. Writes and sends nothing
    (the embedding cache aside)."""
    import tempfile

    from .pipeline import build_brief
    from .render import write_outputs

    lines: list[str] = []
    if config.email is not None:
        from .deliver import check_setup

        check_setup(config.email)
    if config.state.is_file():
        with (contextlib.suppress(StateError, sqlite3.Error),
              Journal.open(config.state, create=False) as j):
            for row in j.conn.execute("SELECT out_dir, subject FROM briefs "
                                      "WHERE status = 'pending'"):
                lines.append(f"would retry the e-mail of {row['out_dir']}: {row['subject']}")
    options = options_for(config)
    if not config.state.is_file():  # nothing reported yet; and a dry run creates no file
        options = dataclasses.replace(options, state=None)
    try:
        brief = build_brief(config.sources, options, report)
    except NoArticlesError as exc:
        log.warning("%s", exc)
        brief = None
    out_dir = config.out_dir_for(datetime.now(UTC))
    if brief is None or not brief.events:
        lines.append("Nothing new: nothing would be written or sent.")
        exit = Exit.OK if len(lines) > 1 else Exit.NOTHING_NEW
        return RunResult(exit, lines[-1], preview="\n".join(lines))
    lines.append(f"would write {', '.join('brief.' + f for f in config.formats)} to {out_dir}")
    for event in brief.events:
        lines.append(f"  [{event.status}] {event.headline} ({len(event.articles)} articles)")
    if config.email is not None:
        from .deliver import compose, describe

        with tempfile.TemporaryDirectory(prefix="briefer-dry-run-") as tmp:
            write_outputs(brief, Path(tmp), config.formats, config.templates,
                          presentation=options.presentation)
            composed = compose(Path(tmp), config.email)
            lines += ["would e-mail:", describe(composed, config.email)]
    else:
        lines.append("no [email] in the config: nothing would be sent")
    return RunResult(Exit.OK, f"{len(brief.events)} events", out_dir=out_dir,
                     events=len(brief.events), preview="\n".join(lines))


# --- briefer email: by hand, under the same lock and journal -------------------------------------


def email_by_hand(config: Config, brief_dir: Path, composed: Any, *, resend: bool = False,
                  sleep: Callable[[float], None] | None = None) -> str:
    """Send a written brief now (``briefer email``); returns what was done, in one sentence.

    Takes the run's lock (LockedError, exit 5, while ``briefer run`` is going: it may be
    sending this very brief) and reads the journal: a brief that was delivered (by Message-ID,
    which is derived from brief.json, so also a brief ``briefer build`` wrote) or whose send a
    run left half done is refused with a UsageError unless ``resend``. Every attempt is
    journaled like a run's, so a later run never sends the brief again.
    """
    from .deliver import DeliveryInDoubt, send_with_retries

    assert config.email is not None
    with RunLock(config.lock_path), Journal.open(config.state) as journal:
        try:
            generated = json.loads((brief_dir / "brief.json").read_text("utf-8"))["generated_at"]
        except (OSError, ValueError, KeyError, TypeError):
            generated = ""
        brief_id = journal.brief_for(brief_dir.resolve(), str(generated))
        row = journal._do("SELECT status FROM briefs WHERE id = ?", (brief_id,)).fetchone() \
            if brief_id is not None else None
        before = row["status"] if row else None
        delivered = journal._do(
            "SELECT attempted, recipients FROM deliveries WHERE message_id = ? AND ok = 1 "
            "ORDER BY id DESC LIMIT 1", (composed.message_id,)).fetchone()  # fmt: skip
        if before in ("sending", "awaiting reply"):
            done = (f"a run was sending the e-mail of {brief_dir} and stopped "
                    f"({before}); the server may have it")
        elif delivered is not None or before == "delivered":
            when = f" {delivered['attempted']}" if delivered else ""
            done = f"the e-mail of {brief_dir} was delivered{when} ({composed.message_id})"
        else:
            done = ""
        if done and not resend:
            raise UsageError(f"Not sent: {done}. Check the mailbox; --resend sends it again.")
        if done:
            log.warning("re-sending (--resend): %s", done)
        elif before == "unconfirmed":
            log.warning("sending the e-mail of %s, which a run may have delivered (unconfirmed)",
                        brief_dir)

        def mark(status: str) -> Callable[[], None]:
            return lambda: journal.set_status(brief_id, status) if brief_id else None

        try:
            send_with_retries(composed, config.email, **({"sleep": sleep} if sleep else {}),
                              on_attempt=mark("sending"), on_commit=mark("awaiting reply"))
        except DeliveryError as exc:
            in_doubt = isinstance(exc, DeliveryInDoubt)
            journal.conn.execute("BEGIN IMMEDIATE")
            journal.record_delivery(brief_id, None, False, composed.message_id,
                                    len(composed.recipients), str(exc))
            if brief_id is not None:
                journal.set_status(brief_id, "unconfirmed" if in_doubt else before or "pending")
            journal.conn.execute("COMMIT")
            raise
        journal.conn.execute("BEGIN IMMEDIATE")
        journal.record_delivery(brief_id, None, True, composed.message_id,
                                len(composed.recipients), None)
        if brief_id is not None:
            journal.set_status(brief_id, "delivered")
        journal.conn.execute("COMMIT")
    again = "re-sent" if done else "sent"
    return f"{again} {composed.message_id} to {len(composed.recipients)} recipient(s)"


# --- status ---------------------------------------------------------------------------------------


def status(config: Config) -> dict[str, Any]:
    """The last run, the last brief and its delivery, and whether a run is going now."""
    out: dict[str, Any] = {"running": RunLock.holder(config.lock_path), "last_run": None,
                           "last_brief": None, "pending": [], "log_file": str(config.log_path)}
    if not config.state.is_file():
        return out
    with Journal.open(config.state, create=False) as journal:
        try:
            run = journal.conn.execute("SELECT * FROM runs ORDER BY id DESC LIMIT 1").fetchone()
            brief = journal.conn.execute(
                "SELECT id, run_id, generated_at, out_dir, events, new_events, articles, "
                "new_articles, headline, status, message_id, subject FROM briefs "
                "ORDER BY id DESC LIMIT 1").fetchone()  # fmt: skip
            pending = journal.conn.execute(
                "SELECT out_dir, generated_at FROM briefs WHERE status = 'pending' ORDER BY id"
            ).fetchall()
            delivery = None
            if brief is not None:
                delivery = journal.conn.execute(
                    "SELECT attempted, ok, recipients, error FROM deliveries WHERE brief_id = ? "
                    "ORDER BY id DESC LIMIT 1", (brief["id"],)).fetchone()  # fmt: skip
        except sqlite3.Error:  # a state file from `briefer build`: no run journal yet
            return out
    if run is not None:
        out["last_run"] = dict(run)
    if brief is not None:
        out["last_brief"] = {**dict(brief), "last_delivery": dict(delivery) if delivery else None}
    out["pending"] = [dict(p) for p in pending]
    return out


def _stamp(now: datetime) -> str:
    return now.isoformat(timespec="seconds")
