"""Real servers on 127.0.0.1 for the tests: an HTTP server with scripted routes, an SMTP
server (aiosmtpd) that keeps what it receives, and a certificate authority for STARTTLS."""

from __future__ import annotations

import contextlib
import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Route:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    delay_s: float = 0.0  # before answering
    fail_first: int = 0  # answer 503 this many times first
    headers: dict[str, str] = field(default_factory=dict)
    hits: int = 0
    reason: str | None = None  # the status line's phrase; None: the standard one


@dataclass
class Web:
    base: str
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (path, user agent)

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, body: bytes | str, content_type: str = "text/html; charset=utf-8",
            **kw) -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = Route(data, content_type, **kw)
        return self.url(path)


@contextmanager
def web_server() -> Iterator[Web]:
    web = Web("")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            web.requests.append((self.path, self.headers.get("User-Agent", "")))
            route = web.routes.get(self.path)
            if route is None:
                self.send_error(404, "Not Found")
                return
            route.hits += 1
            if route.delay_s:
                time.sleep(route.delay_s)
            if route.hits <= route.fail_first:
                self.send_error(503, "Service Unavailable")
                return
            self.send_response(route.status, route.reason)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(route.body)))
            for name, value in route.headers.items():
                self.send_header(name, value)
            self.end_headers()
            with contextlib.suppress(OSError):  # the client gave up (timeout, size limit)
                self.wfile.write(route.body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    web.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield web
    finally:
        server.shutdown()
        server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=policy.default)  # type: ignore[return-value]


class Mailbox:
    """aiosmtpd handler: keeps every accepted message; ``refuse`` answers DATA with an error."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.refuse: str | None = None  # e.g. "451 4.3.0 try again later"
        self.attempts = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        self.attempts += 1
        if self.refuse:
            return self.refuse
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                      envelope.original_content or envelope.content))
        return "250 OK queued"


@dataclass
class SmtpServer:
    host: str
    port: int
    box: Mailbox


@contextmanager
def smtp_server(**controller_kw) -> Iterator[SmtpServer]:
    from aiosmtpd.controller import Controller

    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port, **controller_kw)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, box)
    finally:
        controller.stop()


def make_certificates(directory: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for 127.0.0.1/localhost it signed: (ca, cert, key) PEMs."""
    from ipaddress import ip_address

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "briefer test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                     content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                    x509.IPAddress(ip_address("127.0.0.1"))]),
                       critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = directory / "ca.pem", directory / "server.pem", directory / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return paths


def rss_feed(title: str, items: list[dict], language: str | None = None) -> str:
    """An RSS 2.0 document; an item is {title, link, text (HTML content), summary, date, guid}."""
    from email.utils import format_datetime
    from xml.sax.saxutils import escape

    def item(it: dict) -> str:
        parts = [f"<title>{escape(it['title'])}</title>"] if it.get("title") else []
        if it.get("link"):
            parts.append(f"<link>{escape(it['link'])}</link>")
        if it.get("guid"):
            parts.append(f'<guid isPermaLink="false">{escape(it["guid"])}</guid>')
        if it.get("summary"):
            parts.append(f"<description>{escape(it['summary'])}</description>")
        if it.get("text"):
            parts.append(f"<content:encoded><![CDATA[{it['text']}]]></content:encoded>")
        if it.get("date"):
            parts.append(f"<pubDate>{format_datetime(it['date'])}</pubDate>")
        return "<item>" + "".join(parts) + "</item>"

    lang = f"<language>{language}</language>" if language else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>{escape(title)}</title><link>https://example.org/</link>"
        f"<description>test feed</description>{lang}"
        + "".join(item(it) for it in items)
        + "</channel></rss>"
    )


def seed_item(path: Path, **extra) -> dict:
    """A feed item made from a seed file: a short first line is the title, the rest the text
    (seeds that open with a dateline paragraph give an item without a title)."""
    text = path.read_text(encoding="utf-8")
    first, _, body = text.partition("\n")
    title = first.strip() if len(first) < 150 else ""
    paragraphs = "".join(f"<p>{p.strip()}</p>" for p in (body if title else text).split("\n")
                         if p.strip())
    return {"title": title, "text": paragraphs, "guid": path.stem, **extra}


class FaultySmtp:
    """A hand-written SMTP server on 127.0.0.1 that misbehaves the way a test picks.

    aiosmtpd answers correctly or refuses politely; the faults that threaten "delivered once"
    are rudeness at the socket level, so this server speaks just enough SMTP (EHLO, AUTH PLAIN,
    MAIL, RCPT, DATA, RSET, NOOP, QUIT) to let ``mode`` (read per connection) go wrong:

    - ``ok``: a healthy server; every message it answers 250 to is in ``received``;
    - ``silent``: accepts the TCP connection and never says a word;
    - ``stall_data`` / ``drop_data``: takes MAIL and RCPT, then at DATA never answers / hangs up;
    - ``refuse``: answers DATA with ``451 4.3.0`` (a polite, temporary refusal);
    - ``drop_body``: sends 354, reads part of the message, hangs up;
    - ``accept_then_stall`` / ``accept_then_drop``: reads the whole message and keeps it in
      ``received`` (the server owns it), then never answers / hangs up: the reply is lost.

    Events let a test act at a precise point: ``connected``, ``data`` (DATA command read),
    ``accepted`` (a message kept).
    """

    def __init__(self, mode: str = "ok", port: int = 0, tls=None) -> None:
        self.mode = mode
        self.tls = tls  # an ssl.SSLContext: implicit TLS (security = "ssl")
        self.received: list[bytes] = []
        self.connections = 0
        self.connected = threading.Event()
        self.data = threading.Event()
        self.accepted = threading.Event()
        self._stop = threading.Event()
        self._sock = socket.create_server(("127.0.0.1", port))
        self._sock.settimeout(0.1)
        self.host, self.port = "127.0.0.1", self._sock.getsockname()[1]
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> FaultySmtp:
        thread = threading.Thread(target=self._accept_loop, daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._sock.close()

    def reset_events(self) -> None:
        for event in (self.connected, self.data, self.accepted):
            event.clear()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self, conn: socket.socket) -> None:
        mode = self.mode
        self.connections += 1
        conn.settimeout(30)
        if self.tls is not None:
            try:
                conn = self.tls.wrap_socket(conn, server_side=True)
            except OSError:
                conn.close()
                return
        with contextlib.suppress(OSError), conn, conn.makefile("rb") as reader:
            self.connected.set()
            if mode == "silent":
                self._stop.wait()
                return
            conn.sendall(b"220 127.0.0.1 faulty ESMTP\r\n")
            while not self._stop.is_set():
                line = reader.readline(1000)
                if not line:
                    return
                verb = line.split(b" ", 1)[0].strip().upper()
                if verb == b"EHLO":
                    conn.sendall(b"250-127.0.0.1\r\n250-SIZE 100000000\r\n250 AUTH PLAIN\r\n")
                elif verb == b"AUTH":
                    conn.sendall(b"235 2.7.0 Authentication successful\r\n")
                elif verb == b"QUIT":
                    conn.sendall(b"221 bye\r\n")
                    return
                elif verb == b"DATA":
                    self.data.set()
                    if mode == "stall_data":
                        self._stop.wait()
                        return
                    if mode == "drop_data":
                        return
                    if mode == "refuse":
                        conn.sendall(b"451 4.3.0 try again later\r\n")
                        continue
                    conn.sendall(b"354 go ahead\r\n")
                    body = self._read_body(reader, mode)
                    if body is None:
                        return
                    if mode.startswith("accept_then"):
                        self.received.append(body)
                        self.accepted.set()
                        if mode == "accept_then_stall":
                            self._stop.wait()
                        return
                    self.received.append(body)
                    self.accepted.set()
                    conn.sendall(b"250 2.0.0 queued\r\n")
                else:  # HELO, MAIL, RCPT, RSET, NOOP
                    conn.sendall(b"250 OK\r\n")

    @staticmethod
    def _read_body(reader, mode: str) -> bytes | None:
        lines = []
        while True:
            line = reader.readline(100_000)
            if not line:
                return None
            if line == b".\r\n":
                break
            lines.append(line[1:] if line.startswith(b"..") else line)
            if mode == "drop_body" and len(lines) > 20:
                return None
        return b"".join(lines)
