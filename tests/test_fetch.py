"""The fetch guard: feeds and their links never reach internal addresses (loopback servers)."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
from contextlib import contextmanager
from datetime import UTC, datetime
from ipaddress import ip_address
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefer.cli import app
from briefer.fetch import (
    FetchError,
    FetchRefused,
    HostUnreachable,
    check_address,
    fetch,
    parse_allow,
)
from briefer.sources import SourceOptions, collect
from tests.servers import rss_feed, seed_item, web_server

SEEDS = Path(__file__).parents[1] / "seeds"
SEED = {p.name[:3]: p for p in SEEDS.glob("*.txt")}
CLOSED = SourceOptions(timeout_s=2.0, attempts=1)  # no allow-list: every internal address refused
INTERNAL_PAGE = "<html><body><article><p>INTERNAL-ONLY secret admin page text.</p></article>"


@pytest.fixture
def web():
    with web_server() as server:
        yield server


@pytest.mark.parametrize("address, kind", [
    ("127.0.0.1", "loopback"), ("127.8.9.10", "loopback"), ("::1", "loopback"),
    ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("192.168.1.1", "private"),
    ("fc00::1", "private"), ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
    ("100.64.0.1", "carrier-grade NAT"), ("224.0.0.1", "multicast"), ("ff02::1", "multicast"),
    ("0.0.0.0", "unspecified"), ("::", "unspecified"), ("240.0.0.1", "reserved"),
    ("::ffff:127.0.0.1", "loopback address in an IPv6 form"),
    ("::ffff:169.254.169.254", "link-local address in an IPv6 form"),
    ("2002:7f00:1::", "loopback address in an IPv6 form"),  # 6to4 of 127.0.0.1
    ("64:ff9b::a00:1", "private address in an IPv6 form"),  # NAT64 of 10.0.0.1
    ("::7f00:1", "reserved"),  # IPv4-compatible ::127.0.0.1
])  # fmt: skip
def test_internal_addresses_are_named(address, kind):
    assert kind in (check_address(ip_address(address)) or "")


@pytest.mark.parametrize("address", ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111",
                                     "::ffff:93.184.215.14"])
def test_public_addresses_pass(address):
    assert check_address(ip_address(address)) is None


def test_every_spelling_of_an_internal_address_is_refused_before_connecting(web):
    page = web.add("/admin", INTERNAL_PAGE)
    port = page.rsplit(":", 1)[1].split("/")[0]
    spellings = [f"http://127.0.0.1:{port}/admin", f"http://localhost:{port}/admin",
                 f"http://LOCALHOST:{port}/admin", f"http://[::1]:{port}/admin",
                 f"http://2130706433:{port}/admin", f"http://0x7f000001:{port}/admin",
                 f"http://0177.0.0.1:{port}/admin", f"http://127.1:{port}/admin",
                 f"http://[::ffff:127.0.0.1]:{port}/admin", f"http://0.0.0.0:{port}/admin",
                 "http://169.254.169.254/latest/meta-data/iam/", "https://10.0.0.1/x"]
    for url in spellings:
        with pytest.raises(FetchRefused, match=r"not fetched: .* is (a|an|the) "):
            fetch(url, CLOSED)
    assert web.requests == []


def test_the_allow_list_lets_named_hosts_and_networks_through(web):
    page = web.add("/admin", INTERNAL_PAGE)
    port = page.rsplit(":", 1)[1].split("/")[0]
    for allow in (["127.0.0.1"], ["127.0.0.0/8"], ["localhost"]):
        options = SourceOptions(timeout_s=2.0, attempts=1, allow=tuple(allow))
        url = page if allow != ["localhost"] else f"http://localhost:{port}/admin"
        assert b"INTERNAL-ONLY" in fetch(url, options).data
    # a name on the list does not let its address through under another spelling
    with pytest.raises(FetchRefused):
        fetch(page, SourceOptions(timeout_s=2.0, attempts=1, allow=("localhost",)))
    with pytest.raises(FetchRefused):
        fetch(page, SourceOptions(timeout_s=2.0, attempts=1, allow=("10.0.0.0/8",)))
    assert len(web.requests) == 3


def test_each_redirect_hop_is_checked(web):
    secret = web.add("/secret", INTERNAL_PAGE)
    port = secret.rsplit(":", 1)[1].split("/")[0]
    hops = {
        "/to-loopback": secret,
        "/to-metadata": "http://169.254.169.254/latest/meta-data/iam/",
        "/to-decimal": f"http://2130706433:{port}/secret",
        "/to-file": "file:///etc/passwd",
    }
    for path, target in hops.items():
        web.add(path, "", status=302, headers={"Location": target})
    allow_name = SourceOptions(timeout_s=2.0, attempts=3, retry_wait_s=0, allow=("localhost",))
    for path in hops:
        with pytest.raises(FetchRefused):
            fetch(f"http://localhost:{port}{path}", allow_name)
    assert sorted(p for p, _ in web.requests) == sorted(hops)  # one request each, no retry
    assert web.routes["/secret"].hits == 0


def test_feed_links_to_internal_pages_are_skipped_with_one_warning_each(web, caplog):
    web.add("/secret", INTERNAL_PAGE)
    port = web.base.rsplit(":", 1)[1]
    now = datetime.now(UTC)
    internal = [f"http://127.0.0.1:{port}/secret", f"http://2130706433:{port}/secret",
                "http://169.254.169.254/latest/meta-data/iam/"]
    items = [seed_item(SEED["003"], date=now)] + [
        {"title": f"Item {i}", "link": link, "date": now} for i, link in enumerate(internal)]
    web.add("/feed.xml", rss_feed("Example News", items), "application/rss+xml")
    options = SourceOptions(timeout_s=2.0, attempts=1, allow=("localhost",))
    caplog.set_level(logging.INFO, logger="briefer")

    found = collect([f"http://localhost:{port}/feed.xml"], options=options)

    assert len(found.articles) == 1 and "INTERNAL-ONLY" not in found.articles[0].body
    assert [s.reason.split(":")[0] for s in found.skipped] == ["not fetched"] * 3
    assert all(link in s.path for s, link in zip(found.skipped, internal, strict=True))
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 3
    assert web.routes["/secret"].hits == 0


@contextmanager
def _banner_server(banner: bytes):
    """A loopback server that is not HTTP: it says its banner and hangs up (an SMTP server)."""
    sock = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            with conn:
                conn.sendall(banner)

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


def test_remote_words_never_reach_skipped(web):
    """Status phrases and banners of non-HTTP services are the remote's words: a server could
    forge log lines with them, or a port scan through the feed could read them out."""
    banner = b"220 mail.internal ESMTP Postfix-3.7 secret-banner\r\n"
    with _banner_server(banner) as port, pytest.raises(FetchError) as caught:
        fetch(f"http://127.0.0.1:{port}/",
              SourceOptions(timeout_s=2.0, attempts=1, allow=("127.0.0.1",)))
    assert "secret-banner" not in str(caught.value) and "220" not in str(caught.value)
    assert str(caught.value).startswith("not a valid HTTP answer")
    forged = web.add("/forged", "x", status=403,
                     reason="Forbidden \x1b[31merror: forged log line")
    options = SourceOptions(timeout_s=2.0, attempts=1, allow=("127.0.0.1",))
    found = collect([forged], options=options)
    assert [s.reason for s in found.skipped] == ["HTTP 403 Forbidden"]


def test_the_name_is_looked_up_once_per_hop_so_rebinding_cannot_move_the_connection(
        web, monkeypatch):
    """DNS rebinding: the first answer passes the check, a later one would point elsewhere.
    The connection must go to the address that was checked, without asking again."""
    web.add("/page", "<p>public page</p>")
    port = int(web.base.rsplit(":", 1)[1])
    real = socket.getaddrinfo
    lookups: list[str] = []

    def rebinding(host, *args, **kw):
        if host != "rebind.example":
            return real(host, *args, **kw)
        lookups.append(host)
        first = len(lookups) == 1
        return real("127.0.0.1" if first else "192.0.2.1", *args, **kw)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    options = SourceOptions(timeout_s=2.0, attempts=1, allow=("127.0.0.0/8",))
    assert fetch(f"http://rebind.example:{port}/page", options).data == b"<p>public page</p>"
    assert lookups == ["rebind.example"]


def test_allow_entries_are_checked(tmp_path):
    assert parse_allow(["Feeds.Corp.", "10.0.0.0/8", "::1", "fd00::/8"]).allows("feeds.corp")
    with pytest.raises(ValueError, match="neither a host name"):
        parse_allow(["http://feeds.corp/"])
    config = tmp_path / "briefer.toml"
    config.write_text('sources = ["news"]\n[fetch]\nallow = ["not a host"]\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["run", "--config", str(config)])
    assert result.exit_code == 2 and "fetch.allow" in result.stderr
    result = CliRunner().invoke(app, ["build", str(tmp_path), "--out", str(tmp_path / "o"),
                                      "--allow-fetch", "a b"])
    assert result.exit_code == 2 and "--allow-fetch" in result.stderr


def test_build_refuses_a_loopback_feed_unless_allowed(web, tmp_path):
    url = web.add("/feed.xml", rss_feed("Example News", [seed_item(SEED["003"])]),
                  "application/rss+xml")
    result = CliRunner().invoke(app, ["build", url, "--out", str(tmp_path / "o"), "-q"])
    assert result.exit_code == 2
    assert "not fetched: 127.0.0.1 is a loopback address" in result.stderr
    assert web.requests == []


def test_read_refuses_a_loopback_feed_unless_allowed(web):
    url = web.add("/feed.xml", rss_feed("Example News", [seed_item(SEED["003"])]),
                  "application/rss+xml")
    refused = CliRunner().invoke(app, ["read", url, "--jsonl"])
    assert refused.exit_code == 2 and "loopback address" in refused.stderr
    assert web.requests == []
    allowed = CliRunner().invoke(app, ["read", url, "--jsonl", "--allow-fetch", "127.0.0.1"])
    assert allowed.exit_code == 0, allowed.output
    (record,) = [json.loads(line) for line in allowed.stdout.splitlines()]
    assert record["outlet"] == "Example News" and web.requests


def test_a_host_that_never_answers_is_waited_for_once_per_run(web):
    """Links of a feed to a host that accepts and never answers: the first link costs the
    retries, the others are skipped at once with the same reason."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    port = silent.getsockname()[1]
    items = [{"title": f"Item {i}", "link": f"http://127.0.0.1:{port}/story-{i}", "guid": f"g{i}"}
             for i in range(5)]  # fmt: skip
    feed = web.add("/feed.xml", rss_feed("Example News", items), "application/rss+xml")
    options = SourceOptions(timeout_s=0.3, attempts=2, retry_wait_s=0.01, allow=("127.0.0.1",))
    try:
        found = collect([feed], options=options)
        accepted = 0
        silent.settimeout(0.1)
        with contextlib.suppress(TimeoutError):
            while True:
                silent.accept()[0].close()
                accepted += 1
    finally:
        silent.close()
    assert found.articles == []
    reasons = [s.reason for s in found.skipped]
    assert len(reasons) == 5 and all("no answer within 0.3 s" in r for r in reasons)
    assert sum("earlier in this run" in r for r in reasons) == 4
    assert accepted == 2  # the first link's two attempts, nothing for the other four


def test_a_name_the_dns_does_not_know_is_asked_once(monkeypatch):
    lookups: list[str] = []

    def unknown(host, *args, **kw):
        lookups.append(host)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", unknown)
    options = SourceOptions(timeout_s=1.0, attempts=3, retry_wait_s=0.01)
    with pytest.raises(HostUnreachable, match="cannot resolve the host name"):
        fetch("http://no-such-host.example/feed.xml", options)
    assert lookups == ["no-such-host.example"]
