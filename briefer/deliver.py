"""Deliver stage: a written brief becomes one e-mail, handed to an SMTP server.

The message is ``multipart/mixed``: a ``multipart/alternative`` with the plain-text brief and
the HTML brief (its CSS inlined into ``style`` attributes, since many mail clients drop
``<style>``), then ``brief.pdf`` attached. Header values are built from the configuration and
from article headlines; every control character (CR and LF above all) becomes a space before a
value reaches a header, so article text can never add a header or a recipient.

The Message-ID is derived from the brief's content, so a message re-sent after a lost
acknowledgement carries the same id and mail clients show it once.

Secrets: the SMTP password is read from the environment variable the config names, only while
logging in; it appears in no message, log line or exception raised here.

Once, not twice: the SMTP transaction is driven step by step so the caller learns the one moment
after which the server may own the message, just before the final ``.`` of DATA
(``on_commit``). A failure before it (refused connection, timeout, dropped connection, a reply
refusing the message) leaves the message certainly not accepted, so it may be sent again. A
timeout or dropped connection after it is *in doubt* (:class:`DeliveryInDoubt`): the server may
have queued the message without its reply reaching us, and a retry could deliver it twice, so it
is never retried automatically.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import logging
import re
import select
import smtplib
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses
from ipaddress import ip_address
from pathlib import Path

from .config import EmailConfig
from .errors import DeliveryError, EmailSetupError
from .text import one_line

log = logging.getLogger(__name__)

__all__ = ["Composed", "DeliveryInDoubt", "check_setup", "compose", "describe", "send",
           "send_with_retries"]

# 7bit: every non-ASCII part is quoted-printable or base64, so no relay has to support 8BITMIME.
POLICY = policy.SMTP.clone(cte_type="7bit")
MAX_SUBJECT = 200
MAX_WAIT_S = 60.0
# The reply to the final "." may take a server a while (it queues the message first); RFC 5321
# 4.5.3.2.6 suggests 10 minutes. A reply that never comes leaves the message in doubt, so wait
# longer there than for other replies: 5x timeout_s, at most 10 minutes.
# How long to listen, once the body is out, for a server that hangs up or objects before the
# final "." (then the message is certainly not taken and may be retried).
EARLY_REPLY_WAIT_S = 0.2
DATA_END_FACTOR = 5.0
DATA_END_MAX_S = 600.0
GMAIL_CLIP_BYTES = 102 * 1024


@dataclass(frozen=True)
class Composed:
    """A message ready to send: its bytes, envelope, and what to show about it."""

    data: bytes
    sender: str
    recipients: tuple[str, ...]
    message_id: str
    subject: str


class _SendFailed(DeliveryError):
    def __init__(self, message: str, temporary: bool) -> None:
        super().__init__(one_line(message))  # server replies are the remote's words: one line
        self.temporary = temporary


class DeliveryInDoubt(DeliveryError):
    """The whole message went out but no reply came: the server may have accepted it.

    Never retried automatically; sending it again risks a duplicate e-mail.
    """

    def __init__(self, message: str) -> None:
        super().__init__(one_line(message))


def check_setup(settings: EmailConfig) -> None:
    """What can be checked without a server, before any work: ``ca_file`` loads (else
    EmailSetupError, exit 2), and a login named in the config has its variables set (a
    warning when neither is: the mail would go out without logging in)."""
    _tls_context(settings)
    if (settings.username_env or settings.password_env) and settings.credentials() is None:
        names = " and ".join(f"${n}" for n in (settings.username_env, settings.password_env) if n)
        log.warning("%s %s not set: the e-mail goes out without logging in to %s", names,
                    "are" if " and " in names else "is", settings.host)


Hook = Callable[[], None]


def compose(
    brief_dir: Path, settings: EmailConfig, now: datetime | None = None
) -> Composed:
    """The e-mail for the brief in ``brief_dir`` (brief.json, .txt, .html; .pdf if present)."""
    brief_dir = Path(brief_dir)
    try:
        raw_json = (brief_dir / "brief.json").read_bytes()
        brief = json.loads(raw_json)
        text = (brief_dir / "brief.txt").read_text(encoding="utf-8")
        html = (brief_dir / "brief.html").read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise DeliveryError(
            f"{brief_dir} holds no complete brief ({Path(exc.filename).name} is missing); the "
            "e-mail needs brief.json, brief.txt and brief.html."
        ) from None
    except (OSError, ValueError) as exc:
        raise DeliveryError(f"Cannot read the brief in {brief_dir}: {exc}.") from None
    pdf_path = brief_dir / "brief.pdf"
    pdf = pdf_path.read_bytes() if settings.attach_pdf and pdf_path.is_file() else None
    if settings.attach_pdf and pdf is None:
        log.warning("%s has no brief.pdf; the e-mail goes without attachment", brief_dir)

    now = (now or datetime.now()).astimezone()
    generated = _parse_time(brief.get("generated_at")) or now
    day = generated.astimezone().date().isoformat()
    events = brief.get("events") or []
    fields = {
        "title": header_text(str(brief.get("title") or "Brief")),
        "date": day,
        "time": generated.astimezone().strftime("%H:%M"),
        "events": str(len(events)),
        "headline": header_text(str(events[0].get("headline", ""))) if events else "",
    }
    subject = header_text(settings.subject.format(**fields))[:MAX_SUBJECT]
    digest = hashlib.sha256(raw_json).hexdigest()[:20]
    domain = _addr(settings.sender).rpartition("@")[2] or "briefer.invalid"
    message_id = f"<briefer.{day}.{digest}@{domain}>"

    msg = EmailMessage(policy=POLICY)
    msg["Subject"] = subject
    msg["From"] = settings.sender
    if settings.to:
        msg["To"] = ", ".join(settings.to)
    if settings.cc:
        msg["Cc"] = ", ".join(settings.cc)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to the job
    msg.set_content(front_text(text), subtype="plain", charset="utf-8")
    msg.add_alternative(inline_css(front_html(html)), subtype="html", charset="utf-8")
    if pdf is not None:
        msg.add_attachment(pdf, maintype="application", subtype="pdf",
                           filename=f"brief-{day}.pdf")
    return Composed(
        data=msg.as_bytes(policy=POLICY),
        sender=_addr(settings.sender),
        recipients=tuple(settings.recipients),
        message_id=message_id,
        subject=subject,
    )


_MORE_LINK = re.compile(r'<p class="more-link">.*?</p>', re.S)
# Stylesheet rules marked as not for the e-mail (the details', print's, the universal
# box-sizing rule that would be copied onto every element).
_NOT_EMAIL = re.compile(r"/\* briefer:not-email\b.*?/\* /briefer:not-email \*/", re.S)
APPENDIX_START = "<!-- briefer:appendix -->"
APPENDIX_END = "<!-- /briefer:appendix -->"
TEXT_APPENDIX = "-- briefer:appendix --"


def front_html(html: str) -> str:
    """The page without its appendix (claims, evidence, sources, charts: the attached PDF
    has them), and with the note that says so shown. A template without the markers is
    sent whole."""
    start, end = html.find(APPENDIX_START), html.find(APPENDIX_END)
    if start < 0 or end < start:
        return html
    head = html[:start].replace('<p class="email-note" hidden>', '<p class="email-note">')
    head = _MORE_LINK.sub("", head)  # they point into the details, which the e-mail leaves out
    head = _NOT_EMAIL.sub("", head)  # the details' and print's rules: inlined, they bloat it
    return _unlink_missing(head + html[end + len(APPENDIX_END) :])


_LINK = re.compile(r"<a\b([^>]*)>(.*?)</a>", re.S)
_ID = re.compile(r'\sid="([^"]+)"')
_LOCAL_HREF = re.compile(r'\shref="#([^"]*)"')


def _unlink_missing(html: str) -> str:
    """Source markers and "from Persian" links whose target went with the details become
    plain text: a link that goes nowhere in a mail client looks broken."""
    ids = set(_ID.findall(html))

    def unlink(m: re.Match[str]) -> str:
        href = _LOCAL_HREF.search(m.group(1))
        if href is None or href.group(1) in ids:
            return m.group(0)
        return f"<span{m.group(1).replace(href.group(0), '')}>{m.group(2)}</span>"

    return _LINK.sub(unlink, html)


def front_text(text: str) -> str:
    """The text part up to the appendix, ending with the note the marker line carries."""
    head, marker, rest = text.partition(TEXT_APPENDIX)
    if not marker:
        return text
    note = rest.split("\n", 1)[0].strip()
    return head.rstrip() + ("\n\n" + note if note else "") + "\n"


def inline_css(html: str) -> str:
    """The HTML with its stylesheet copied into ``style`` attributes.

    What cannot be inlined (media queries, ``:hover``, ``::before``) stays in ``<style>`` for
    the clients that honour it; the rules that were inlined leave it, to keep the message small
    (Gmail clips an HTML part over 102 KB).
    """
    import css_inline

    inliner = css_inline.CSSInliner(keep_style_tags=True, remove_inlined_selectors=True,
                                    minify_css=True, load_remote_stylesheets=False)
    inlined = inliner.inline(html)
    if len(inlined.encode("utf-8")) > GMAIL_CLIP_BYTES:
        log.info("the HTML part is %d KB; Gmail shows only its first 102 KB",
                 len(inlined.encode("utf-8")) // 1024)
    return inlined


def header_text(value: str) -> str:
    """One line of header-safe text: control and format characters become spaces."""
    cleaned = "".join(" " if (ord(c) < 32 or 127 <= ord(c) < 160 or c in "\u2028\u2029\u0085")
                      else c for c in value)  # fmt: skip
    return " ".join(cleaned.split())


def describe(composed: Composed, settings: EmailConfig) -> str:
    """What would be sent, for ``--dry-run``: envelope, headers and parts (no secrets)."""
    from email import message_from_bytes

    msg = message_from_bytes(composed.data, policy=policy.default)
    lines = [
        f"SMTP:    {settings.host}:{settings.port} ({settings.security})"
        + (f", login from ${settings.username_env}" if settings.username_env else ""),
        f"From:    {msg['From']}",
        f"To:      {msg['To'] or '-'}",
    ]
    if msg["Cc"]:
        lines.append(f"Cc:      {msg['Cc']}")
    if settings.bcc:
        lines.append(f"Bcc:     {len(settings.bcc)} recipient(s)")
    lines += [f"Subject: {msg['Subject']}", f"Message-ID: {composed.message_id}", "Parts:"]
    for part in msg.walk():
        if part.is_multipart():
            lines.append(f"  {part.get_content_type()}")
            continue
        name = part.get_filename()
        size = len(part.get_payload(decode=True) or b"")
        lines.append(f"    {part.get_content_type()}  {size:,} bytes"
                     + (f"  attachment {name}" if name else ""))
    return "\n".join(lines)


# --- sending -----------------------------------------------------------------------------------


def send_with_retries(
    composed: Composed,
    settings: EmailConfig,
    sleep: Callable[[float], None] = time.sleep,
    *,
    on_attempt: Hook | None = None,
    on_commit: Hook | None = None,
) -> None:
    """Send, retrying temporary failures up to ``settings.attempts`` times with doubling waits.

    ``on_attempt`` runs before each attempt and ``on_commit`` just before the final "." of
    DATA (see :func:`send`); ``briefer run`` journals both, so a run killed in between knows
    on the next start whether resending is safe. Raises DeliveryError when the server never
    accepted the message, DeliveryInDoubt (not retried) when it may have.
    """
    for attempt in range(1, settings.attempts + 1):
        if on_attempt is not None:
            on_attempt()
        try:
            send(composed, settings, on_commit=on_commit)
            return
        except _SendFailed as exc:
            if not exc.temporary or attempt == settings.attempts:
                tries = f" (after {attempt} attempts)" if attempt > 1 else ""
                raise DeliveryError(f"{exc}{tries}") from None
            wait = min(settings.retry_wait_s * 2 ** (attempt - 1), MAX_WAIT_S)
            log.warning("%s; trying again in %g s (attempt %d of %d)", exc, wait, attempt,
                        settings.attempts)
            sleep(wait)


def send(composed: Composed, settings: EmailConfig, *, on_commit: Hook | None = None) -> None:
    """One attempt. Raises DeliveryError (``temporary`` set on it) unless the server accepted,
    DeliveryInDoubt when the message was complete but no reply came.

    ``on_commit`` runs after the whole message body went out and before the final "." that
    asks the server to take it; if it raises, the "." is never sent.
    """
    credentials = settings.credentials()
    try:
        _send(composed, settings, credentials, on_commit)
    except DeliveryError as exc:  # no message ever carries the login, whatever raised it
        if credentials:
            exc.args = (_redact(str(exc), credentials),)
        raise


def _send(composed: Composed, settings: EmailConfig, credentials: tuple[str, str] | None,
          on_commit: Hook | None) -> None:
    where = f"{settings.host}:{settings.port}"
    if credentials and settings.security == "none" and not _is_loopback(settings.host):
        raise EmailSetupError(
            f"Refusing to send the SMTP password to {where} unencrypted; set email.security "
            "to starttls or ssl.")  # fmt: skip
    context = _tls_context(settings)
    stage = _Stage()
    smtp: smtplib.SMTP | None = None
    try:
        if settings.security == "ssl":
            smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout_s,
                                    context=context)
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_s)
        smtp.ehlo()
        if settings.security == "starttls":
            smtp.starttls(context=context)
            smtp.ehlo()
        if credentials:
            _login(smtp, *credentials)
        refused = _transaction(smtp, composed, settings, stage, on_commit)
    except smtplib.SMTPResponseException as exc:  # a reply: the server certainly did not take it
        _close(smtp, polite=True)
        raise _refusal(exc, where, settings) from None
    except smtplib.SMTPRecipientsRefused as exc:
        _close(smtp, polite=True)
        codes = [code for code, _ in exc.recipients.values()]
        raise _SendFailed(f"{where} refused every recipient ({_codes(exc.recipients)})",
                          temporary=all(400 <= c < 500 for c in codes)) from None
    except (smtplib.SMTPException, OSError, UnicodeError) as exc:
        _close(smtp, polite=False)
        if stage.committed:
            wait = _data_end_timeout(settings)
            raise DeliveryInDoubt(
                f"{where} got the whole message but {_no_reply(exc, wait)}, so it may or may "
                "not have accepted it; it is not sent again automatically, to avoid a duplicate "
                "e-mail (check the mailbox; `briefer email BRIEF_DIR` sends it by hand)"
            ) from None
        raise _connection_failure(exc, where, settings) from None
    except BaseException:  # on_commit failed (the state), or the run is being stopped
        _close(smtp, polite=False)
        raise
    _close(smtp, polite=True)  # accepted: a failed QUIT changes nothing
    if refused:
        log.warning("%s refused some recipients (%s); the others got the brief", where,
                    _codes(refused))
    log.info("%s accepted %s for %d recipient(s)", where, composed.message_id,
             len(composed.recipients) - len(refused))


class _Stage:
    committed = False  # the final "." may have left: the server may own the message


def _tls_context(settings: EmailConfig) -> ssl.SSLContext:
    try:
        return ssl.create_default_context(
            cafile=str(settings.ca_file) if settings.ca_file else None
        )
    except (OSError, ssl.SSLError) as exc:
        reason = getattr(exc, "strerror", None) or getattr(exc, "reason", None) or exc
        raise EmailSetupError(f"Cannot load email.ca_file {settings.ca_file}: "
                              f"{one_line(reason)}.") from None


def _login(smtp: smtplib.SMTP, user: str, password: str) -> None:
    """AUTH PLAIN, LOGIN or CRAM-MD5 with the user name and password in UTF-8.

    smtplib's ``login`` encodes them as ASCII: a password with an "ä" raised a
    UnicodeEncodeError whose message quoted part of it. Here any Unicode works (RFC 4616 and
    the de facto LOGIN and CRAM-MD5 use UTF-8), and nothing raised names the password.
    """
    smtp.ehlo_or_helo_if_needed()
    if not smtp.has_extn("auth"):
        raise smtplib.SMTPNotSupportedError("logging in (SMTP AUTH)")
    offered = smtp.esmtp_features["auth"].upper().split()
    name, secret = user.encode("utf-8"), password.encode("utf-8")

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode("ascii")

    if "PLAIN" in offered:
        code, reply = smtp.docmd("AUTH", "PLAIN " + b64(b"\0" + name + b"\0" + secret))
    elif "LOGIN" in offered:
        code, reply = smtp.docmd("AUTH", "LOGIN " + b64(name))
        if code == 334:
            code, reply = smtp.docmd(b64(secret))
    elif "CRAM-MD5" in offered:
        code, reply = smtp.docmd("AUTH", "CRAM-MD5")
        if code == 334:
            digest = hmac.new(secret, base64.b64decode(reply), "md5").hexdigest()
            code, reply = smtp.docmd(b64(name + b" " + digest.encode("ascii")))
    else:
        raise smtplib.SMTPNotSupportedError("a login method briefer knows (PLAIN, LOGIN, "
                                            "CRAM-MD5)")
    if code not in (235, 503):  # 503: already authenticated
        raise smtplib.SMTPAuthenticationError(code, reply)


def _transaction(smtp: smtplib.SMTP, composed: Composed, settings: EmailConfig, stage: _Stage,
                 on_commit: Hook | None) -> dict[str, tuple[int, bytes]]:
    """MAIL, RCPT, DATA by hand (``sendmail`` does them in one call, so it cannot tell the
    moment the message is handed over). Returns the recipients refused."""
    data = _dot_stuffed(composed.data)
    options = [f"size={len(data)}"] if smtp.has_extn("size") else []
    code, reply = smtp.mail(composed.sender, options)
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, reply, composed.sender)
    refused: dict[str, tuple[int, bytes]] = {}
    for rcpt in composed.recipients:
        code, reply = smtp.rcpt(rcpt)
        if code not in (250, 251):
            refused[rcpt] = (code, reply)
    if len(refused) == len(composed.recipients):
        with contextlib.suppress(smtplib.SMTPException, OSError):
            smtp.rset()
        raise smtplib.SMTPRecipientsRefused(refused)
    code, reply = smtp.docmd("DATA")
    if code != 354:
        raise smtplib.SMTPDataError(code, reply)
    smtp.send(data)
    _check_still_listening(smtp)
    if on_commit is not None:
        on_commit()
    stage.committed = True
    if smtp.sock is not None:
        smtp.sock.settimeout(_data_end_timeout(settings))
    smtp.send(b".\r\n")
    code, reply = smtp.getreply()
    if code != 250:
        raise smtplib.SMTPDataError(code, reply)
    return refused


def _check_still_listening(smtp: smtplib.SMTP) -> None:
    """Before the final ".": a server that hung up or spoke while the body was going out
    (a reset, an early refusal) has not taken the message, and now that is certain, so the
    attempt fails as a plain, retryable one instead of leaving the message in doubt."""
    sock = smtp.sock
    if sock is None:
        raise smtplib.SMTPServerDisconnected("the connection is gone")
    if isinstance(sock, ssl.SSLSocket):
        _check_tls_still_listening(sock)
        return
    try:
        readable, _, _ = select.select([sock], [], [], EARLY_REPLY_WAIT_S)
    except (OSError, ValueError):
        readable = [sock]
    if readable:
        sock.settimeout(EARLY_REPLY_WAIT_S)
        code, reply = smtp.getreply()  # SMTPServerDisconnected when it hung up
        raise smtplib.SMTPDataError(code, reply)


def _check_tls_still_listening(sock: ssl.SSLSocket) -> None:
    """The same over TLS, where a readable socket may only carry TLS records (session
    tickets): a non-blocking read tells those from a reply or a hang-up."""
    if not sock.pending():
        try:
            readable, _, _ = select.select([sock], [], [], EARLY_REPLY_WAIT_S)
        except (OSError, ValueError):
            readable = [sock]
        if not readable:
            return
    timeout = sock.gettimeout()
    sock.setblocking(False)
    try:
        data = sock.recv(1)
    except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
        return  # TLS housekeeping only: the server is still listening
    except OSError as exc:  # a reset, a TLS close without close_notify
        raise smtplib.SMTPServerDisconnected(
            f"the connection was lost before the end of the message ({exc})") from None
    finally:
        with contextlib.suppress(OSError):
            sock.settimeout(timeout)
    if not data:
        raise smtplib.SMTPServerDisconnected("it hung up before the end of the message")
    raise smtplib.SMTPException("it answered before the end of the message")


def _dot_stuffed(data: bytes) -> bytes:
    """The DATA body without its terminator: CRLF line ends, a leading "." doubled."""
    data = re.sub(rb"\r\n|\n|\r", b"\r\n", data)
    data = re.sub(rb"(?m)^\.", b"..", data)
    return data if data.endswith(b"\r\n") else data + b"\r\n"


def _data_end_timeout(settings: EmailConfig) -> float:
    return min(max(settings.timeout_s * DATA_END_FACTOR, settings.timeout_s), DATA_END_MAX_S)


def _close(smtp: smtplib.SMTP | None, polite: bool) -> None:
    """QUIT when the conversation is still in step, then close; errors here change nothing."""
    if smtp is None:
        return
    if polite:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            smtp.quit()
    smtp.close()


def _refusal(exc: smtplib.SMTPResponseException, where: str,
             settings: EmailConfig) -> _SendFailed:
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return _SendFailed(f"{where} refused the login ({_reply(exc)}); check the user name "
                           f"and password in ${settings.username_env} and "
                           f"${settings.password_env}", temporary=False)
    return _SendFailed(f"{where} answered {_reply(exc)}",
                       temporary=400 <= exc.smtp_code < 500)


def _connection_failure(exc: BaseException, where: str, settings: EmailConfig) -> DeliveryError:
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        what = "STARTTLS" if "STARTTLS" in str(exc) else str(exc)
        hint = ("; set email.security to ssl or none" if what == "STARTTLS" else "")
        return EmailSetupError(f"{where} does not offer {what}{hint}.")
    if isinstance(exc, socket.gaierror) and exc.errno in (socket.EAI_NONAME,
                                                          getattr(socket, "EAI_NODATA", None)):
        return EmailSetupError(f"Cannot connect to {where}: email.host {settings.host!r} is "
                               "not a known host name.")
    if isinstance(exc, UnicodeError):  # never its text: it quotes what could not be encoded
        return _SendFailed(f"{where}: a value could not be encoded for SMTP", temporary=False)
    if isinstance(exc, ssl.SSLError):
        return _SendFailed(f"TLS with {where} failed: {exc.reason or exc}", temporary=False)
    if _timed_out(exc):
        return _SendFailed(f"{where} did not answer within {settings.timeout_s:g} s",
                           temporary=True)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return _SendFailed(f"{where} closed the connection ({exc or 'no reason given'})",
                           temporary=True)
    if isinstance(exc, smtplib.SMTPException):
        return _SendFailed(f"{where}: {exc}", temporary=True)
    assert isinstance(exc, OSError)
    return _SendFailed(f"Cannot connect to {where}: {exc.strerror or exc}", temporary=True)


def _timed_out(exc: BaseException) -> bool:
    # smtplib turns a read timeout into SMTPServerDisconnected("... timed out")
    return isinstance(exc, TimeoutError) or "timed out" in str(exc)


def _no_reply(exc: BaseException, wait: float) -> str:
    if _timed_out(exc):
        return f"did not answer within {wait:g} s"
    return f"the connection was lost before its answer ({exc or type(exc).__name__})"


# --- helpers -----------------------------------------------------------------------------------


def _addr(value: str) -> str:
    parsed = getaddresses([value])
    return parsed[0][1] if parsed else value


def _reply(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) \
        else str(exc.smtp_error)
    return f"{exc.smtp_code} {header_text(text)}"


def _codes(refused: dict) -> str:
    return ", ".join(f"{addr}: {code}" for addr, (code, _) in sorted(refused.items()))


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def _redact(text: str, credentials: tuple[str, str]) -> str:
    """``text`` with the password, should anything have quoted it, replaced by ``***``."""
    password = credentials[1]
    return text.replace(password, "***") if len(password) >= 4 else text


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
