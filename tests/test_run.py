"""`briefer run` end to end: a loopback HTTP feed in, a loopback SMTP server out, twice."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefer.cli import app
from briefer.config import load_config
from briefer.run import Exit
from tests.servers import rss_feed, seed_item, smtp_server, web_server

SEEDS = Path(__file__).parents[1] / "seeds"
SEED = {p.name[:3]: p for p in SEEDS.glob("*.txt")}
SECRET = "pw-Zq8!never-show-this"
runner = CliRunner()


class Job:
    """A config wired to a feed on a loopback HTTP server and a loopback SMTP server."""

    def __init__(self, tmp_path: Path, web, smtp, login: bool = False,
                 allow: bool = True) -> None:
        self.web, self.smtp, self.items = web, smtp, []
        self.now = datetime.now(UTC)
        self.path = tmp_path / "briefer.toml"
        self.path.write_text(f"""
title = "Morning brief"
sources = ["{web.url('/feed.xml')}"]
out_dir = "out/{{date}}"
state = "var/state.db"
window_hours = 24
[summarizer]
backend = "extractive"
[fetch]
timeout_s = 5
attempts = 1
{'allow = ["127.0.0.1"]' if allow else ""}
[email]
host = "127.0.0.1"
port = {smtp.port}
from = "Morning Brief <brief@example.org>"
to = ["reader@example.org"]
subject = "{{title}} — {{date}} ({{events}} events)"
{'username_env = "TEST_SMTP_USER"' if login else ""}
{'password_env = "TEST_SMTP_PASSWORD"' if login else ""}
attempts = 2
retry_wait_s = 0
""", encoding="utf-8")
        self.config = load_config(self.path)

    def publish(self, *seeds: str) -> None:
        self.items += [seed_item(SEED[s], date=self.now) for s in seeds]
        self.web.add("/feed.xml", rss_feed("Example News", self.items), "application/rss+xml")

    def run(self, *args: str):
        return runner.invoke(app, ["run", "--config", str(self.path), *args])

    @property
    def out(self) -> Path:
        return self.config.out_dir_for(datetime.now(UTC))

    def brief(self) -> dict:
        return json.loads((self.out / "brief.json").read_text(encoding="utf-8"))


@pytest.fixture
def job(tmp_path, monkeypatch):
    monkeypatch.delenv("TEST_SMTP_USER", raising=False)
    monkeypatch.delenv("TEST_SMTP_PASSWORD", raising=False)
    with web_server() as web, smtp_server() as smtp:
        yield Job(tmp_path, web, smtp)


def test_daily_job_end_to_end(job):
    job.publish("001", "002", "003", "004")

    first = job.run()
    assert first.exit_code == Exit.OK, first.output
    assert first.stderr == ""  # cron mails any output: a good run says nothing
    assert sorted(p.name for p in job.out.iterdir()) == [
        "brief.html", "brief.json", "brief.pdf", "brief.txt"]
    (mail,) = job.smtp.box.received
    msg = mail.message
    alternative, pdf = msg.get_payload()
    assert [p.get_content_type() for p in alternative.get_payload()] == ["text/plain",
                                                                         "text/html"]
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_payload(decode=True) == (job.out / "brief.pdf").read_bytes()
    events = job.brief()["events"]
    assert msg["Subject"].startswith("Morning brief — ") and msg["Subject"].endswith(
        f"({len(events)} events)")
    assert {e["status"] for e in events} == {"new"}

    # the same feed again: nothing new, nothing written, nothing sent
    stamp = (job.out / "brief.json").stat().st_mtime_ns
    second = job.run()
    assert second.exit_code == Exit.NOTHING_NEW, second.output
    assert len(job.smtp.box.received) == 1
    assert (job.out / "brief.json").stat().st_mtime_ns == stamp

    # a new report of the Moscow meeting: the event is updated and one more e-mail goes out
    job.publish("000")
    third = job.run()
    assert third.exit_code == Exit.OK, third.output
    assert len(job.smtp.box.received) == 2
    (event,) = job.brief()["events"]  # only the event with something new
    assert event["status"] == "updated"
    (fresh,) = [a for a in event["articles"] if a["new"]]
    assert fresh["title"].startswith("Di Rusia, Para Menteri Suriah")
    assert len(event["articles"]) >= 4
    second_mail = job.smtp.box.received[1].message
    assert second_mail["Subject"].endswith("(1 events)")
    assert second_mail["Message-ID"] != msg["Message-ID"]

    # cron fires while a run is still going: the second one is locked out at once
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from briefer.run import RunLock; "
         f"lock = RunLock({str(job.config.lock_path)!r}).__enter__(); print('held', flush=True); "
         "sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        job.publish("000")  # even with something to do
        locked = job.run()
    finally:
        holder.communicate("", timeout=10)
    assert locked.exit_code == Exit.LOCKED
    assert f"Another briefer run is still going (pid {holder.pid}" in locked.stderr
    assert len(job.smtp.box.received) == 2

    status = runner.invoke(app, ["status", "--config", str(job.path)])
    assert status.exit_code == 0, status.output
    assert "nothing new" not in status.stdout.splitlines()[0]
    assert "e-mail:   delivered, accepted" in status.stdout
    assert "1 new, 0 updated" not in status.stdout and "(0 new, 1 updated)" in status.stdout
    info = json.loads(runner.invoke(app, ["status", "--config", str(job.path), "--json"]).stdout)
    assert info["last_brief"]["status"] == "delivered" and info["pending"] == []
    assert info["running"] is None
    log = job.config.log_path.read_text(encoding="utf-8")
    assert f"Brief with {len(events)} events" in log and "Nothing new" in log
    assert "Another briefer run is still going" in log and "(exit 5)" in log


def test_failed_delivery_is_retried_by_the_next_run_and_never_sent_twice(job):
    job.publish("003", "004")
    job.smtp.box.refuse = "451 4.3.0 mailbox busy"
    failed = job.run()
    assert failed.exit_code == Exit.DELIVERY_FAILED, failed.output
    assert "451 4.3.0 mailbox busy (after 2 attempts)" in failed.stderr
    assert (job.out / "brief.pdf").is_file() and job.smtp.box.received == []
    status = runner.invoke(app, ["status", "--config", str(job.path)]).stdout
    assert "pending, last attempt" in status and "451" in status

    job.smtp.box.refuse = None
    retried = job.run()  # no new article, but the pending e-mail goes out
    assert retried.exit_code == Exit.OK, retried.output
    assert len(job.smtp.box.received) == 1
    assert job.smtp.box.received[0].message["Subject"].endswith("(1 events)")

    again = job.run()
    assert again.exit_code == Exit.NOTHING_NEW
    assert len(job.smtp.box.received) == 1


def test_dry_run_shows_the_message_and_does_nothing(job, monkeypatch):
    monkeypatch.setenv("TEST_SMTP_USER", "briefer")
    monkeypatch.setenv("TEST_SMTP_PASSWORD", SECRET)
    job = Job(job.path.parent, job.web, job.smtp, login=True)
    job.publish("003", "004")
    result = job.run("--dry-run")
    assert result.exit_code == Exit.OK, result.output
    assert "would write brief.json, brief.html, brief.pdf, brief.txt" in result.stdout
    assert "Subject: Morning brief — " in result.stdout
    assert "application/pdf" in result.stdout and "login from $TEST_SMTP_USER" in result.stdout
    assert not job.out.exists() and not job.config.state.exists()
    assert job.smtp.box.received == []
    assert SECRET not in result.output


def test_a_loopback_feed_is_fetched_only_when_allowed(job):
    """The test server is on 127.0.0.1: an internal address, refused unless the config's
    [fetch] allow or --allow-fetch names it."""
    job = Job(job.path.parent, job.web, job.smtp, allow=False)
    job.publish("003", "004")
    refused = job.run()
    assert refused.exit_code == Exit.ERROR
    assert "not fetched: 127.0.0.1 is a loopback address" in refused.stderr
    assert job.web.requests == []
    allowed = job.run("--allow-fetch", "127.0.0.0/8")
    assert allowed.exit_code == Exit.OK, allowed.output
    assert len(job.smtp.box.received) == 1


def test_every_source_failing_is_an_error_not_nothing_new(job):
    result = job.run()  # /feed.xml was never published: 404
    assert result.exit_code == Exit.ERROR
    assert "Every source failed" in result.stderr and "HTTP 404" in result.stderr


def test_the_smtp_password_never_shows_in_output_logs_or_state(tmp_path, monkeypatch):
    from aiosmtpd.smtp import AuthResult

    def authenticator(server, session, envelope, mechanism, auth_data):
        return AuthResult(success=auth_data.password == SECRET.encode(), handled=False)

    monkeypatch.setenv("TEST_SMTP_USER", "briefer")
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "wrong-" + SECRET)
    with web_server() as web, smtp_server(authenticator=authenticator,
                                          auth_require_tls=False) as smtp:
        job = Job(tmp_path, web, smtp, login=True)
        job.publish("003", "004")
        refused = job.run("--verbose")
        assert refused.exit_code == Exit.DELIVERY_FAILED
        assert "refused the login (535" in refused.stderr
        monkeypatch.setenv("TEST_SMTP_PASSWORD", SECRET)
        delivered = job.run("--verbose")
        assert delivered.exit_code == Exit.OK, delivered.output
        assert len(smtp.box.received) == 1
        status = runner.invoke(app, ["status", "--config", str(job.path), "--json"])
    for text in (refused.output, delivered.output, status.output,
                 job.config.log_path.read_text(encoding="utf-8")):
        assert SECRET not in text
    assert SECRET.encode() not in job.config.state.read_bytes()
