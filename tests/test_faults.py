"""Faults in the daily job: a rude SMTP server, a read-only disk, SIGKILL mid-run.

Each test ends the same way: the next healthy run finishes the job, every brief file on disk
parses, no temporary file is left, the SMTP server holds exactly one copy of each brief, and
the SMTP password shows nowhere (output, log, state). The servers are real sockets on
127.0.0.1 (tests/servers.py); kills are real SIGKILLs of a real ``briefer run`` process, timed
by what the process prints (``--verbose``) or by what the server has seen.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import queue
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefer.cli import app
from briefer.config import load_config
from briefer.run import Exit
from tests.servers import FaultySmtp

SEEDS = Path(__file__).parents[1] / "seeds"
SEED = {p.name[:3]: p for p in SEEDS.glob("*.txt")}
SECRET = "pw-Zq8!never-show-this"
ROOT = Path(__file__).parents[1]
runner = CliRunner()


class Job:
    """A config reading a directory of seed articles and e-mailing a FaultySmtp server."""

    def __init__(self, tmp_path: Path, smtp: FaultySmtp, *, pdf: bool = False,
                 timeout_s: float = 0.5, attempts: int = 2, out_dir: str = "out/{date}") -> None:
        self.smtp, self.tmp = smtp, tmp_path
        self.news = tmp_path / "news"
        self.news.mkdir()
        formats = '["json", "html", "pdf", "txt"]' if pdf else '["json", "html", "txt"]'
        self.path = tmp_path / "briefer.toml"
        self.path.write_text(f"""
title = "Morning brief"
sources = ["news"]
formats = {formats}
out_dir = "{out_dir}"
state = "var/state.db"
window_hours = 0
[summarizer]
backend = "extractive"
[email]
host = "127.0.0.1"
port = {smtp.port}
from = "Morning Brief <brief@example.org>"
to = ["reader@example.org"]
username_env = "TEST_SMTP_USER"
password_env = "TEST_SMTP_PASSWORD"
timeout_s = {timeout_s}
attempts = {attempts}
retry_wait_s = 0
""", encoding="utf-8")
        self.config = load_config(self.path)
        self.outputs: list[str] = []

    def publish(self, *seeds: str) -> None:
        for s in seeds:
            shutil.copy(SEED[s], self.news / SEED[s].name)

    def run(self, *args: str):
        result = runner.invoke(app, ["run", "--config", str(self.path), *args])
        self.outputs.append(result.output)
        return result

    def spawn(self) -> Spawned:
        """``briefer run --verbose`` in a process of its own, to be killed."""
        return Spawned([sys.executable, "-m", "briefer", "run", "--config", str(self.path),
                        "--verbose"], self)

    @property
    def out(self) -> Path:
        return self.config.out_dir_for(datetime.now(UTC))

    def statuses(self) -> list[str]:
        if not self.config.state.exists():
            return []
        with contextlib.closing(sqlite3.connect(self.config.state)) as conn:
            return [r[0] for r in conn.execute("SELECT status FROM briefs ORDER BY id")]

    def assert_intact(self, *, complete: bool) -> None:
        """Every brief file present parses; ``complete``: all of them are there."""
        out = self.out
        leftovers = [p.name for p in out.glob("*.tmp")] + [p.name for p in out.glob(".*.tmp")]
        assert leftovers == [], leftovers
        names = {p.name for p in out.iterdir()} if out.exists() else set()
        if complete:
            assert {"brief.json", "brief.html", "brief.txt"} <= names
        if "brief.json" in names:
            brief = json.loads((out / "brief.json").read_text(encoding="utf-8"))
            assert brief["events"]
        if "brief.html" in names:
            html = (out / "brief.html").read_text(encoding="utf-8")
            HTMLParser().feed(html)
            assert html.rstrip().endswith("</html>")
        if "brief.txt" in names:
            assert (out / "brief.txt").read_text(encoding="utf-8").strip()
        if "brief.pdf" in names:
            from pypdf import PdfReader

            assert len(PdfReader(out / "brief.pdf", strict=True).pages) >= 1

    def assert_no_secret(self) -> None:
        """The password, and the AUTH PLAIN string carrying it, appear nowhere we write."""
        auth = base64.b64encode(f"\0briefer\0{SECRET}".encode()).decode()
        texts = [*self.outputs]
        if self.config.log_path.exists():
            texts.append(self.config.log_path.read_text(encoding="utf-8"))
        status = runner.invoke(app, ["status", "--config", str(self.path), "--json"])
        texts.append(status.output)
        for text in texts:
            assert SECRET not in text and auth not in text
        if self.config.state.exists():
            state = self.config.state.read_bytes()
            assert SECRET.encode() not in state and auth.encode() not in state


class Spawned:
    """A child ``briefer run``; its stderr lines are read as they come."""

    def __init__(self, argv: list[str], job: Job) -> None:
        self.job = job
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, cwd=ROOT, env=os.environ.copy())
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            self.lines.put(raw.decode("utf-8", "replace"))
        self.lines.put("")

    def wait_for(self, needle: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                continue
            if line == "":
                pytest.fail(f"briefer run ended before {needle!r}: {''.join(self.seen)}")
            self.seen.append(line)
            if needle in line:
                return
        pytest.fail(f"no {needle!r} within {timeout} s: {''.join(self.seen)}")

    def kill(self) -> None:
        """SIGKILL: no handler, no cleanup, no atexit."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        assert self.proc.returncode == -signal.SIGKILL, "".join(self.seen)
        with contextlib.suppress(queue.Empty):
            while True:
                self.seen.append(self.lines.get(timeout=1))
        self.job.outputs.append("".join(self.seen))


@pytest.fixture
def login(monkeypatch):
    """Every fault below happens with a password set, to check it never leaks on failure."""
    monkeypatch.setenv("TEST_SMTP_USER", "briefer")
    monkeypatch.setenv("TEST_SMTP_PASSWORD", SECRET)


def wait(event: threading.Event, what: str, timeout: float = 120) -> None:
    assert event.wait(timeout), f"the SMTP server never saw {what}"


# --- the SMTP server misbehaves -----------------------------------------------------------------


@pytest.mark.parametrize(("mode", "reason"), [
    ("silent", "did not answer within 0.5 s"),             # TCP accepted, no greeting ever
    ("stall_data", "did not answer within 0.5 s"),         # no answer to DATA
    ("drop_data", "closed the connection"),                # hangs up at DATA
    ("drop_body", "closed the connection"),                # hangs up while reading the message
])  # fmt: skip
def test_smtp_timeout_or_drop_then_a_healthy_server_gets_it_once(tmp_path, login, mode, reason):
    with FaultySmtp(mode) as smtp:
        job = Job(tmp_path, smtp)
        job.publish("002", "003", "004")
        started = time.monotonic()
        failed = job.run()
        assert time.monotonic() - started < 60
        assert failed.exit_code == Exit.DELIVERY_FAILED, failed.output
        assert reason in failed.stderr and "(after 2 attempts)" in failed.stderr
        assert "The next run tries again." in failed.stderr
        assert "Traceback" not in failed.output
        assert smtp.connections == 2 and smtp.received == []
        assert job.statuses() == ["pending"]
        job.assert_intact(complete=True)
        written = {p.name: p.read_bytes() for p in job.out.iterdir()}

        smtp.mode = "ok"
        retried = job.run()
        assert retried.exit_code == Exit.OK, retried.output
        assert len(smtp.received) == 1 and job.statuses() == ["delivered"]
        assert {p.name: p.read_bytes() for p in job.out.iterdir()} == written

        again = job.run()
        assert again.exit_code == Exit.NOTHING_NEW, again.output
        assert len(smtp.received) == 1
    job.assert_no_secret()


@pytest.mark.parametrize("mode", ["accept_then_drop", "accept_then_stall"])
def test_a_lost_reply_to_the_whole_message_is_never_resent(tmp_path, login, mode):
    """The server kept the message but its 250 never arrived: sending again could deliver it
    twice, so briefer reports it as unconfirmed (exit 4) and does not retry."""
    with FaultySmtp(mode) as smtp:
        job = Job(tmp_path, smtp, attempts=3)
        job.publish("003", "004")
        started = time.monotonic()
        doubtful = job.run()
        assert time.monotonic() - started < 60
        assert doubtful.exit_code == Exit.DELIVERY_FAILED, doubtful.output
        assert "may or may not have accepted it" in doubtful.stderr
        assert "The next run tries again" not in doubtful.stderr
        assert smtp.connections == 1 and len(smtp.received) == 1  # no retry in the run
        assert job.statuses() == ["unconfirmed"]

        smtp.mode = "ok"
        later = job.run()
        assert later.exit_code == Exit.NOTHING_NEW, later.output
        assert len(smtp.received) == 1 and smtp.connections == 1  # nor by the next run
        status = runner.invoke(app, ["status", "--config", str(job.path)])
        assert "e-mail:   unconfirmed, last attempt" in status.stdout

        # the remedy the message names: the operator checks the mailbox and sends it by hand
        by_hand = runner.invoke(app, ["email", str(job.out), "--config", str(job.path)])
        job.outputs.append(by_hand.output)
        assert by_hand.exit_code == 0, by_hand.output
        assert len(smtp.received) == 2 and job.statuses() == ["delivered"]
        assert job.run().exit_code == Exit.NOTHING_NEW and len(smtp.received) == 2
    job.assert_intact(complete=True)
    job.assert_no_secret()


def test_briefer_email_never_races_a_run_sending_the_same_brief(tmp_path, login):
    """`briefer email` run by hand while `briefer run` waits for the server's reply to the same
    brief used to hand the message over a second time. It takes the run's lock now, and reads
    the journal the run leaves behind."""
    with FaultySmtp("accept_then_stall") as smtp:
        job = Job(tmp_path, smtp, timeout_s=30)
        job.publish("003", "004")
        child = job.spawn()
        wait(smtp.accepted, "the whole message")
        smtp.mode = "ok"
        racing = runner.invoke(app, ["email", str(job.out), "--config", str(job.path)])
        job.outputs.append(racing.output)
        assert racing.exit_code == 5, racing.output
        child.kill()
        assert len(smtp.received) == 1 and job.statuses() == ["awaiting reply"]

        # the run died awaiting the reply: the server may have it, so not without --resend
        after = runner.invoke(app, ["email", str(job.out), "--config", str(job.path)])
        job.outputs.append(after.output)
        assert after.exit_code == 2 and "the server may have it" in after.stderr
        assert len(smtp.received) == 1
        resent = runner.invoke(app, ["email", str(job.out), "--config", str(job.path),
                                     "--resend"])
        job.outputs.append(resent.output)
        assert resent.exit_code == 0, resent.output
        assert "re-sending (--resend)" in resent.stderr and "re-sent <briefer." in resent.stderr
        assert len(smtp.received) == 2 and job.statuses() == ["delivered"]
        assert job.run().exit_code == Exit.NOTHING_NEW and len(smtp.received) == 2
    job.assert_no_secret()


# --- the output disk ------------------------------------------------------------------------------


def _read_only_runner(target: Path) -> list[str] | None:
    """A command prefix that runs briefer with ``target`` mounted read-only in a private mount
    namespace (so nothing leaks to the host), or None where that is not permitted."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    probe = subprocess.run(
        [unshare, "--mount", "--propagation", "private", "sh", "-c",
         f'mount --bind "{target}" "{target}" && mount -o remount,bind,ro "{target}" '
         f'&& ! touch "{target}/.probe" 2>/dev/null'],
        capture_output=True)  # fmt: skip
    if probe.returncode != 0:
        return None
    script = (f'mount --bind "{target}" "{target}" && mount -o remount,bind,ro "{target}" '
              '&& exec "$@"')
    return [unshare, "--mount", "--propagation", "private", "sh", "-c", script, "sh"]


def test_read_only_output_disk_loses_nothing_and_says_so_in_one_sentence(tmp_path, login):
    with FaultySmtp("ok") as smtp:
        job = Job(tmp_path, smtp)
        job.publish("003", "004")
        first = job.run()
        assert first.exit_code == Exit.OK, first.output
        before = {p.name: p.read_bytes() for p in job.out.iterdir()}
        out_root = job.out.parent
        prefix, why = _read_only_runner(out_root), "Read-only file system"
        if prefix is None and os.geteuid() != 0:  # without mounts, permissions stop non-root
            prefix, why = [], "Permission denied"
            job.out.chmod(0o555)
        if prefix is None:
            pytest.skip("cannot make a directory read-only for root here (no private "
                        "read-only bind mount: unshare/mount not permitted)")
        job.publish("000", "001")  # something new to write
        try:
            failed = subprocess.run(
                [*prefix, sys.executable, "-m", "briefer", "run", "--config", str(job.path)],
                capture_output=True, text=True, cwd=ROOT, timeout=300)  # fmt: skip
        finally:
            job.out.chmod(0o755)
        job.outputs.append(failed.stdout + failed.stderr)
        assert failed.returncode == 1, failed.stderr
        errors = [line for line in failed.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and why in errors[0], failed.stderr
        assert errors[0].startswith(f"error: Cannot write {job.out}/brief.")
        assert "Traceback" not in failed.stderr
        assert {p.name: p.read_bytes() for p in job.out.iterdir()} == before
        assert len(smtp.received) == 1 and job.statuses() == ["delivered"]

        # writable again: the new articles were not recorded, so this run reports them
        fixed = job.run()
        assert fixed.exit_code == Exit.OK, fixed.output
        assert len(smtp.received) == 2
        assert {e["status"] for e in json.loads((job.out / "brief.json").read_text())["events"]}
    job.assert_intact(complete=True)
    job.assert_no_secret()


def test_output_directory_that_cannot_be_created(tmp_path, login):
    (tmp_path / "blocked").write_text("a file where the output directory should go")
    with FaultySmtp("ok") as smtp:
        job = Job(tmp_path, smtp, out_dir="blocked/{date}")
        job.publish("003", "004")
        result = job.run()
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: Cannot create the output directory ") and "Not a directory" \
        in line
    assert smtp.received == [] and job.statuses() == []
    job.assert_no_secret()


# --- SIGKILL mid-run ------------------------------------------------------------------------------


def test_sigkill_while_rendering_then_the_next_run_finishes(tmp_path, login):
    with FaultySmtp("ok") as smtp:
        job = Job(tmp_path, smtp, pdf=True, timeout_s=5)
        job.publish("002", "003", "004")
        child = job.spawn()
        child.wait_for("Rendering json, html, pdf, txt")  # the PDF takes seconds: killed in it
        child.kill()
        assert smtp.connections == 0 and job.statuses() == []
        job.assert_intact(complete=False)

        finished = job.run()
        assert finished.exit_code == Exit.OK, finished.output
        assert len(smtp.received) == 1 and job.statuses() == ["delivered"]
        job.assert_intact(complete=True)
        assert (job.out / "brief.pdf").is_file()
        assert job.run().exit_code == Exit.NOTHING_NEW
        assert len(smtp.received) == 1
    job.assert_no_secret()


def test_sigkill_after_the_files_are_written(tmp_path, login):
    with FaultySmtp("silent") as smtp:  # were it not killed, the run would wait at SMTP
        job = Job(tmp_path, smtp, timeout_s=30)
        job.publish("002", "003", "004")
        child = job.spawn()
        child.wait_for("brief.json (")  # "wrote …/brief.json (N bytes)": the last file
        child.kill()
        assert smtp.received == []
        # depending on where the kill landed: not yet journaled, journaled, or being sent
        assert job.statuses() in ([], ["written"], ["pending"], ["sending"])
        job.assert_intact(complete=True)

        smtp.mode = "ok"
        finished = job.run()
        assert finished.exit_code == Exit.OK, finished.output
        assert len(smtp.received) == 1 and job.statuses()[-1] == "delivered"
        assert job.run().exit_code == Exit.NOTHING_NEW
        assert len(smtp.received) == 1
    job.assert_intact(complete=True)
    job.assert_no_secret()


def test_sigkill_while_sending_is_sent_again_once(tmp_path, login):
    """Killed before the end of the message: the server cannot have it; the next run sends."""
    with FaultySmtp("stall_data") as smtp:
        job = Job(tmp_path, smtp, timeout_s=30)
        job.publish("002", "003", "004")
        child = job.spawn()
        wait(smtp.data, "DATA")
        child.kill()
        assert job.statuses() == ["sending"] and smtp.received == []

        smtp.mode = "ok"
        finished = job.run()
        assert finished.exit_code == Exit.OK, finished.output
        assert "sending it again" in finished.stderr
        assert len(smtp.received) == 1 and job.statuses() == ["delivered"]
        assert job.run().exit_code == Exit.NOTHING_NEW
        assert len(smtp.received) == 1
    job.assert_intact(complete=True)
    job.assert_no_secret()


def test_sigkill_after_the_server_took_the_message_sends_no_duplicate(tmp_path, login):
    """The real hazard: the server has the message, the process dies before recording its
    answer. The next run must not send it again; it says so (exit 4) instead."""
    with FaultySmtp("accept_then_stall") as smtp:
        job = Job(tmp_path, smtp, timeout_s=30)
        job.publish("002", "003", "004")
        child = job.spawn()
        wait(smtp.accepted, "the whole message")
        child.kill()
        assert job.statuses() == ["awaiting reply"] and len(smtp.received) == 1

        smtp.mode = "ok"
        next_run = job.run()
        assert next_run.exit_code == Exit.DELIVERY_FAILED, next_run.output
        assert "stopped after handing the whole message to the server" in next_run.stderr
        assert len(smtp.received) == 1 and job.statuses() == ["unconfirmed"]
        assert job.run().exit_code == Exit.NOTHING_NEW
        assert len(smtp.received) == 1 and smtp.connections == 1
    job.assert_intact(complete=True)
    job.assert_no_secret()


def test_temporary_files_of_a_killed_writer_are_removed(tmp_path, login):
    """A writer killed between creating its temporary file and renaming it leaves
    ``.brief.<fmt>.<pid>.….tmp``; the next write removes it once that process is gone."""
    with FaultySmtp("ok") as smtp:
        job = Job(tmp_path, smtp)
        job.publish("003", "004")
        dead = subprocess.Popen([sys.executable, "-c", "pass"])
        dead.wait()
        job.out.mkdir(parents=True)
        stale = job.out / f".brief.pdf.{dead.pid}.x1y2z3.tmp"
        stale.write_bytes(b"%PDF-1.7 half")
        result = job.run()
        assert result.exit_code == Exit.OK, result.output
        assert not stale.exists() and len(smtp.received) == 1
    job.assert_intact(complete=True)
