"""E-mail: a real SMTP server (aiosmtpd) on 127.0.0.1 receives the brief; we parse what it got."""

from __future__ import annotations

import json
import logging
import re
import shutil
import ssl
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefer.cli import app
from briefer.config import Config, load_config
from briefer.deliver import compose, header_text, send, send_with_retries
from briefer.errors import DeliveryError
from tests.servers import free_port, make_certificates, smtp_server

SEEDS = Path(__file__).parents[1] / "seeds"
SECRET = "pw-Zq8!never-show-this"
runner = CliRunner()


@pytest.fixture(scope="module")
def brief_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("brief")
    result = runner.invoke(app, ["build", str(SEEDS), "--out", str(out), "--summarizer",
                                 "extractive", "-q"])
    assert result.exit_code == 0, result.output
    return out


def config_for(tmp_path: Path, port: int, extra: str = "", **email: str) -> Config:
    fields = {"host": '"127.0.0.1"', "port": str(port), "from": '"Daily Brief <brief@example.org>"',
              "to": '["reader@example.org"]', "cc": '["boss@example.org"]',
              "bcc": '["archive@example.org"]', "attempts": "2", "retry_wait_s": "0",
              "timeout_s": "5", **email}  # fmt: skip
    text = (f'sources = ["news"]\nstate = "{tmp_path}/state.db"\n{extra}\n[email]\n'
            + "".join(f"{k} = {v}\n" for k, v in fields.items()))
    path = tmp_path / "briefer.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def test_message_has_text_html_and_pdf_and_correct_headers(tmp_path, brief_dir):
    with smtp_server() as server:
        config = config_for(tmp_path, server.port)
        assert config.email is not None
        send(compose(brief_dir, config.email), config.email)
    (got,) = server.box.received
    assert got.mail_from == "brief@example.org"
    assert got.rcpt_tos == ["reader@example.org", "boss@example.org", "archive@example.org"]
    msg = got.message
    assert msg.get_content_type() == "multipart/mixed"
    alternative, attachment = msg.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    text, html = alternative.get_payload()
    assert text.get_content_type() == "text/plain" and text.get_content_charset() == "utf-8"
    # the front page, also today and the index; the details stay in the PDF
    full_text = (brief_dir / "brief.txt").read_text(encoding="utf-8")
    sent_text = text.get_content().replace("\r\n", "\n")
    assert sent_text.rstrip().endswith("Details in the attached PDF and in brief.html.")
    assert full_text.startswith(sent_text.rsplit("\n\n", 1)[0])
    assert "TOP STORIES" in sent_text and "Who reported what" not in sent_text
    assert "Who reported what" in full_text
    assert html.get_content_type() == "text/html"
    body = html.get_content()
    assert 'style="' in body and "<link" not in body  # CSS inlined, nothing remote
    assert "Syrian ministers" in body and "story-headline" in body  # the front page
    assert "Details in the attached PDF" in body and " hidden>" not in body
    for details in ('class="claims-block"', 'class="claim-row', 'class="more-link"'):
        assert details not in body
    assert 'class="claims-block"' in (brief_dir / "brief.html").read_text(encoding="utf-8")
    # every in-page link lands somewhere in what was sent; the source markers stay, as text
    ids = set(re.findall(r'\sid="([^"]+)"', body))
    assert all(target in ids for target in re.findall(r'href="#([^"]*)"', body))
    assert re.search(r'<span class="cite"[^>]*>\[1\]</span>', body)
    assert re.search(r'<a class="cite" href="#e1-s1"', (brief_dir / "brief.html").read_text())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename().startswith("brief-") and attachment.is_attachment()
    assert attachment.get_payload(decode=True) == (brief_dir / "brief.pdf").read_bytes()
    # headers
    brief = json.loads((brief_dir / "brief.json").read_text(encoding="utf-8"))
    assert msg["Subject"].startswith("Daily brief — 20")
    raw_subject = next(line for line in got.data.split(b"\r\n") if line.startswith(b"Subject:"))
    assert raw_subject.isascii() and b"=?utf-8?" in raw_subject  # the em dash, RFC 2047
    assert parsedate_to_datetime(msg["Date"]).tzinfo is not None
    assert msg["Message-ID"].startswith("<briefer.") and msg["Message-ID"].endswith(
        "@example.org>")
    assert msg["To"] == "reader@example.org" and msg["Cc"] == "boss@example.org"
    assert msg["Bcc"] is None and b"archive@example.org" not in got.data
    assert msg["From"] == "Daily Brief <brief@example.org>"
    assert brief["title"] == "Daily brief"


def test_article_text_cannot_inject_headers(tmp_path, brief_dir):
    hostile = tmp_path / "hostile"
    shutil.copytree(brief_dir, hostile)
    brief = json.loads((hostile / "brief.json").read_text(encoding="utf-8"))
    brief["title"] = "Brief\r\nBcc: evil@attacker.example"
    brief["events"][0]["headline"] = "Attack\nX-Injected: yes\r\n\r\nbody"
    (hostile / "brief.json").write_text(json.dumps(brief), encoding="utf-8")
    with smtp_server() as server:
        config = config_for(tmp_path, server.port, subject='"{title}: {headline} ({events})"')
        assert config.email is not None
        composed = compose(hostile, config.email)
        send(composed, config.email)
    (got,) = server.box.received
    msg = got.message
    assert msg["Subject"] == "Brief Bcc: evil@attacker.example: Attack X-Injected: yes body (2)"
    assert msg["X-Injected"] is None and msg["Bcc"] is None
    assert "evil@attacker.example" not in got.rcpt_tos
    assert header_text("a\u2028b\x00c\x85d") == "a b c d"


def test_starttls_with_login_and_a_private_ca(tmp_path, brief_dir, monkeypatch, caplog):
    from aiosmtpd.smtp import AuthResult, LoginPassword

    ca, cert, key = make_certificates(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins: list[tuple[bytes, bytes]] = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        assert isinstance(auth_data, LoginPassword)
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == SECRET.encode(), handled=False)

    monkeypatch.setenv("TEST_SMTP_USER", "briefer")
    monkeypatch.setenv("TEST_SMTP_PASSWORD", SECRET)
    caplog.set_level(logging.DEBUG)
    with smtp_server(tls_context=context, require_starttls=True, authenticator=authenticator,
                     auth_require_tls=True) as server:
        email = dict(security='"starttls"', ca_file=f'"{ca}"', username_env='"TEST_SMTP_USER"',
                     password_env='"TEST_SMTP_PASSWORD"')
        config = config_for(tmp_path, server.port, **email)
        assert config.email is not None
        send_with_retries(compose(brief_dir, config.email), config.email)
        assert len(server.box.received) == 1
        assert logins == [(b"briefer", SECRET.encode())]

        # a wrong password: refused at once (no retry), and the error never shows a password
        monkeypatch.setenv("TEST_SMTP_PASSWORD", "wrong-" + SECRET)
        with pytest.raises(DeliveryError) as caught:
            send_with_retries(compose(brief_dir, config.email), config.email,
                              sleep=lambda s: pytest.fail("permanent errors are not retried"))
        assert "refused the login (535" in str(caught.value)
        assert "$TEST_SMTP_PASSWORD" in str(caught.value)

        # without the CA the server's certificate is not trusted
        untrusted = config_for(tmp_path, server.port, **{**email, "ca_file": '""'})
        assert untrusted.email is not None
        with pytest.raises(DeliveryError, match=r"TLS with 127\.0\.0\.1:\d+ failed"):
            send(compose(brief_dir, untrusted.email), untrusted.email)
    assert len(server.box.received) == 1
    assert SECRET not in caplog.text and SECRET not in str(caught.value)


def test_a_password_is_never_sent_unencrypted_to_a_remote_host(tmp_path, brief_dir, monkeypatch):
    monkeypatch.setenv("TEST_SMTP_USER", "u")
    monkeypatch.setenv("TEST_SMTP_PASSWORD", SECRET)
    config = config_for(tmp_path, 25, host='"mail.example.invalid"',
                        username_env='"TEST_SMTP_USER"', password_env='"TEST_SMTP_PASSWORD"')
    assert config.email is not None
    with pytest.raises(DeliveryError, match="Refusing to send the SMTP password"):
        send(compose(brief_dir, config.email), config.email)


def test_refused_connection_is_retried_with_bounded_backoff(tmp_path, brief_dir):
    config = config_for(tmp_path, free_port(), attempts="3", retry_wait_s="2")
    assert config.email is not None
    waits: list[float] = []
    with pytest.raises(DeliveryError) as caught:
        send_with_retries(compose(brief_dir, config.email), config.email, sleep=waits.append)
    assert "Cannot connect to 127.0.0.1:" in str(caught.value)
    assert "(after 3 attempts)" in str(caught.value)
    assert waits == [2.0, 4.0]


def test_temporary_refusal_is_retried_and_permanent_is_not(tmp_path, brief_dir):
    with smtp_server() as server:
        config = config_for(tmp_path, server.port, attempts="3")
        assert config.email is not None
        composed = compose(brief_dir, config.email)
        server.box.refuse = "451 4.3.0 try again later"
        waits: list[float] = []

        def recover(seconds: float) -> None:
            waits.append(seconds)
            server.box.refuse = None

        send_with_retries(composed, config.email, sleep=recover)
        assert len(server.box.received) == 1 and server.box.attempts == 2 and waits == [0.0]

        server.box.refuse = "554 5.7.1 message rejected"
        with pytest.raises(DeliveryError, match=r"answered 554 5\.7\.1 message rejected"):
            send_with_retries(composed, config.email, sleep=lambda s: pytest.fail("retried"))
        assert server.box.attempts == 3 and len(server.box.received) == 1


def test_email_command(tmp_path, brief_dir):
    with smtp_server() as server:
        config = config_for(tmp_path, server.port, attempts="1")
        result = runner.invoke(app, ["email", str(brief_dir), "--config", str(config.path),
                                     "--dry-run"])
        assert result.exit_code == 0, result.output
        assert "application/pdf" in result.stdout and "Bcc:     1 recipient(s)" in result.stdout
        assert server.box.received == []
        result = runner.invoke(app, ["email", str(brief_dir), "--config", str(config.path)])
        assert result.exit_code == 0, result.output
        assert len(server.box.received) == 1
    # delivered once: not again by accident (the journal knows its Message-ID) ...
    result = runner.invoke(app, ["email", str(brief_dir), "--config", str(config.path)])
    assert result.exit_code == 2
    assert "Not sent: the e-mail of" in result.stderr and "--resend" in result.stderr
    # ... only on purpose, saying what is re-sent (here the server is gone: exit 4)
    result = runner.invoke(app, ["email", str(brief_dir), "--config", str(config.path),
                                 "--resend"])
    assert result.exit_code == 4
    assert "re-sending (--resend): the e-mail of" in result.stderr
    assert "error: Cannot connect to 127.0.0.1" in result.stderr
    log = config.log_path.read_text(encoding="utf-8")
    assert "accepted <briefer." in log and "Cannot connect" in log


def test_email_command_waits_for_no_run_it_takes_the_same_lock(tmp_path, brief_dir):
    from briefer.run import RunLock

    with smtp_server() as server:
        config = config_for(tmp_path, server.port)
        with RunLock(config.lock_path):  # a `briefer run` is going (it may be sending this)
            result = runner.invoke(app, ["email", str(brief_dir), "--config", str(config.path)])
        assert result.exit_code == 5 and "Another briefer run is still going" in result.stderr
        assert server.box.received == []


UNICODE_SECRET = "pässwörd-Ω-密码-🔑-ä"  # the é/ä of a German or French keyboard, and beyond


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_a_non_ascii_password_logs_in_and_never_shows(tmp_path, brief_dir, monkeypatch, caplog,
                                                      mechanism):
    """smtplib encodes the login as ASCII: a password with an "ä" crashed the send with a
    UnicodeEncodeError quoting part of it. Both mechanisms carry UTF-8 now."""
    from aiosmtpd.smtp import AuthResult, LoginPassword

    logins: list[tuple[bytes, bytes]] = []

    def authenticator(server, session, envelope, used, auth_data):
        assert isinstance(auth_data, LoginPassword) and used == mechanism
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == UNICODE_SECRET.encode(), handled=False)

    other = ["LOGIN", "PLAIN"][mechanism == "LOGIN"]
    monkeypatch.setenv("TEST_SMTP_USER", "brïefer")
    monkeypatch.setenv("TEST_SMTP_PASSWORD", UNICODE_SECRET)
    caplog.set_level(logging.DEBUG)
    with smtp_server(authenticator=authenticator, auth_require_tls=False,
                     auth_exclude_mechanism=[other]) as server:
        config = config_for(tmp_path, server.port, username_env='"TEST_SMTP_USER"',
                            password_env='"TEST_SMTP_PASSWORD"')
        assert config.email is not None
        send(compose(brief_dir, config.email), config.email)
        assert logins == [("brïefer".encode(), UNICODE_SECRET.encode())]
        assert len(server.box.received) == 1

        monkeypatch.setenv("TEST_SMTP_PASSWORD", UNICODE_SECRET[::-1])  # wrong, also non-ASCII
        result = runner.invoke(app, ["email", str(brief_dir), "--config", str(config.path),
                                     "--resend"])
        assert result.exit_code == 4 and "refused the login (535" in result.stderr
    texts = [result.output, caplog.text, config.log_path.read_text(encoding="utf-8")]
    state = config.email and (tmp_path / "state.db").read_bytes()
    for secret in (UNICODE_SECRET, UNICODE_SECRET[::-1]):
        # the whole password, and every piece of it the old UnicodeEncodeError could quote
        pieces = {secret} | {secret[i:i + 2] for i in range(len(secret) - 1)
                             if not secret[i:i + 2].isascii()}
        for piece in pieces:
            assert all(piece not in t for t in texts), piece
            assert piece.encode() not in state


def test_permanent_setup_errors_exit_2_at_once_and_are_not_retried(tmp_path, brief_dir):
    (tmp_path / "ca.pem").write_text("not a certificate", encoding="utf-8")
    for ca_file in (tmp_path / "missing.pem", tmp_path / "ca.pem"):
        config = config_for(tmp_path, free_port(), ca_file=f'"{ca_file}"')
        for dry in ([], ["--dry-run"]):
            result = runner.invoke(app, ["email", str(brief_dir), "--config", str(config.path),
                                         *dry])
            assert result.exit_code == 2, result.output
            (line,) = result.stderr.splitlines()
            assert line.startswith("error: Cannot load email.ca_file")
        for dry in ([], ["--dry-run"]):  # briefer run stops before reading any source
            result = runner.invoke(app, ["run", "--config", str(config.path), *dry])
            assert result.exit_code == 2, result.output
            assert result.stderr.startswith("error: Cannot load email.ca_file")
    with smtp_server() as server:  # no TLS at all: STARTTLS is not offered
        config = config_for(tmp_path, server.port, security='"starttls"', attempts="5")
        assert config.email is not None
        with pytest.raises(DeliveryError) as caught:
            send_with_retries(compose(brief_dir, config.email), config.email,
                              sleep=lambda s: pytest.fail("a setting that cannot work is retried"))
        assert caught.value.exit_code == 2
        assert "does not offer STARTTLS; set email.security" in str(caught.value)


def test_a_login_named_but_not_set_is_warned_about(tmp_path, brief_dir, monkeypatch):
    monkeypatch.delenv("TEST_SMTP_USER", raising=False)
    monkeypatch.delenv("TEST_SMTP_PASSWORD", raising=False)
    with smtp_server() as server:
        config = config_for(tmp_path, server.port, username_env='"TEST_SMTP_USER"',
                            password_env='"TEST_SMTP_PASSWORD"')
        result = runner.invoke(app, ["email", str(brief_dir), "--config", str(config.path)])
    assert result.exit_code == 0, result.output
    assert ("warning: $TEST_SMTP_USER and $TEST_SMTP_PASSWORD are not set: the e-mail goes out "
            "without logging in") in result.stderr


def test_server_replies_are_shown_on_one_line(tmp_path, brief_dir):
    with smtp_server() as server:
        config = config_for(tmp_path, server.port, attempts="1")
        assert config.email is not None
        server.box.refuse = "554 5.7.1 rejected\x1b[2J\u202eforged"
        with pytest.raises(DeliveryError) as caught:
            send_with_retries(compose(brief_dir, config.email), config.email)
    assert "\x1b" not in str(caught.value) and "\u202e" not in str(caught.value)


def test_implicit_tls(tmp_path, brief_dir):
    ca, cert, key = make_certificates(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    with smtp_server(ssl_context=context) as server:
        config = config_for(tmp_path, server.port, security='"ssl"', ca_file=f'"{ca}"')
        assert config.email is not None
        send(compose(brief_dir, config.email), config.email)
    (got,) = server.box.received
    assert got.message.get_content_type() == "multipart/mixed"


def test_lines_starting_with_a_dot_arrive_intact(tmp_path):
    """DATA is driven by hand (to know when the message is handed over), so dot-stuffing is
    ours: a line that is only "." must not end the message early."""
    from briefer.deliver import Composed

    data = (b"Subject: dots\r\nMessage-ID: <dots@example.org>\r\n\r\nfirst\r\n.\r\n"
            b"..two\r\n.hidden\r\nlast line without CRLF")
    with smtp_server() as server:
        config = config_for(tmp_path, server.port)
        assert config.email is not None
        send(Composed(data, "brief@example.org", ("reader@example.org",), "<dots@example.org>",
                      "dots"), config.email)
    (got,) = server.box.received
    assert got.data.rstrip(b"\r\n") == data


def test_in_doubt_is_not_retried_and_an_early_hang_up_is(tmp_path, brief_dir):
    """After the final "." a lost reply may hide an accepted message: no retry. A server that
    hangs up while the body is still going out certainly has nothing: retried."""
    from briefer.deliver import DeliveryInDoubt
    from tests.servers import FaultySmtp

    calls: list[str] = []
    hooks = {"on_attempt": lambda: calls.append("attempt"),
             "on_commit": lambda: calls.append("commit")}
    with FaultySmtp("accept_then_drop") as smtp:
        config = config_for(tmp_path, smtp.port, attempts="3")
        assert config.email is not None
        composed = compose(brief_dir, config.email)
        with pytest.raises(DeliveryInDoubt, match="may or may not have accepted it"):
            send_with_retries(composed, config.email, sleep=lambda s: None, **hooks)
        assert calls == ["attempt", "commit"] and smtp.connections == 1
        assert len(smtp.received) == 1

        calls.clear()
        smtp.mode = "drop_body"
        with pytest.raises(DeliveryError) as caught:
            send_with_retries(composed, config.email, sleep=lambda s: None, **hooks)
        assert not isinstance(caught.value, DeliveryInDoubt)
        assert "(after 3 attempts)" in str(caught.value)
        assert calls == ["attempt"] * 3 and smtp.connections == 4 and len(smtp.received) == 1


@pytest.mark.parametrize("mode", ["drop_body", "accept_then_drop", "ok"])
def test_over_tls_a_hang_up_is_told_from_a_lost_reply(tmp_path, brief_dir, mode):
    """Over TLS a readable socket may hold only TLS records; the check before the final "."
    must neither miss a hang-up nor take session tickets for one."""
    from briefer.deliver import DeliveryInDoubt
    from tests.servers import FaultySmtp

    ca, cert, key = make_certificates(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    with FaultySmtp(mode, tls=context) as smtp:
        config = config_for(tmp_path, smtp.port, security='"ssl"', ca_file=f'"{ca}"')
        assert config.email is not None
        composed = compose(brief_dir, config.email)
        if mode == "ok":
            send_with_retries(composed, config.email, sleep=lambda s: None)
            assert smtp.connections == 1
        elif mode == "accept_then_drop":
            with pytest.raises(DeliveryInDoubt):
                send_with_retries(composed, config.email, sleep=lambda s: None)
            assert smtp.connections == 1
        else:
            with pytest.raises(DeliveryError, match="after 2 attempts") as caught:
                send_with_retries(composed, config.email, sleep=lambda s: None)
            assert not isinstance(caught.value, DeliveryInDoubt)
            assert smtp.connections == 2
    assert len(smtp.received) == (0 if mode == "drop_body" else 1)
