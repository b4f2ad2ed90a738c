"""Network reads of untrusted URLs: feeds, pages, and the links and redirects they contain.

A feed is written by someone else, and so is every link in it: without a check, an item
linking to ``http://127.0.0.1:8080/admin`` or ``http://169.254.169.254/latest/meta-data/``
would have briefer fetch an internal page and mail its text out (server-side request forgery).
So every hop — the first request and each redirect — goes through one guard, on the address
the host name resolves to, before any connection is made:

- only ``http`` and ``https``;
- no loopback, private, link-local, CGNAT (shared), multicast, unspecified or reserved
  address, in any spelling (``2130706433``, ``0x7f.1``, ``0177.0.0.1``, ``[::ffff:127.0.0.1]``
  all resolve to 127.0.0.1, and the resolved address is what is checked), nor an IPv6 address
  embedding such an IPv4 one (IPv4-mapped, 6to4, Teredo, NAT64);
- the connection goes to the address that was checked: the name is looked up once per hop, so
  a DNS answer that changes between the check and the connection (DNS rebinding) cannot
  redirect it.

Users whose feeds are internal name them in an allow-list (``[fetch] allow``, ``--allow-fetch``):
a host name (exact match) or an address or CIDR network (``10.1.0.0/16``, ``127.0.0.1``).

Proxies from the environment (``http_proxy``) are not used: through a proxy, the proxy
resolves the name and the guard could not see the address it connects to.

A refused URL raises :class:`FetchRefused` (a :class:`FetchError`, never retried). Errors
never quote what the remote sent (reason phrases, banners of non-HTTP servers): a status code
and a standard phrase are all that reaches ``skipped``, the log and the brief.
"""

from __future__ import annotations

import http.client
import ipaddress
import logging
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from .text import one_line

if TYPE_CHECKING:
    from .sources import SourceOptions

log = logging.getLogger(__name__)

__all__ = ["AllowList", "FetchError", "FetchRefused", "Fetched", "check_address", "fetch",
           "parse_allow"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_REDIRECTS = 5
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class FetchError(Exception):
    """A URL could not be read; the message is the reader-facing reason."""


class HostUnreachable(FetchError):
    """The host did not resolve or answer: later links to it in the same run are not tried."""


class FetchRefused(FetchError):
    """The URL points at an address briefer does not fetch (internal, or not http(s))."""


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    content_type: str
    data: bytes


# --- the allow-list and the address check ---------------------------------------------------------


@dataclass(frozen=True)
class AllowList:
    """Hosts (exact names, lower case) and networks the guard lets through."""

    hosts: frozenset[str] = frozenset()
    networks: tuple[Network, ...] = ()

    def allows(self, host: str, address: IPAddress | None = None) -> bool:
        if _host_key(host) in self.hosts:
            return True
        return address is not None and any(address in net for net in self.networks
                                           if net.version == address.version)


def parse_allow(entries: Iterable[str]) -> AllowList:
    """An AllowList from ``[fetch] allow`` / ``--allow-fetch`` entries; ValueError names a bad one.

    An entry that parses as an address or network (``127.0.0.1``, ``10.0.0.0/8``, ``::1``) is a
    network; anything else must be a host name.
    """
    hosts, networks = set(), []
    for entry in entries:
        text = entry.strip()
        try:
            networks.append(ipaddress.ip_network(text.strip("[]"), strict=False))
            continue
        except ValueError:
            pass
        key = _host_key(text)
        if not key or not all(part and all(c.isalnum() or c in "-_" for c in part)
                              for part in key.split(".")):
            raise ValueError(f"{entry!r} is neither a host name nor an address or CIDR network")
        hosts.add(key)
    return AllowList(frozenset(hosts), tuple(networks))


def check_address(address: IPAddress) -> str | None:
    """Why ``address`` is internal ("a loopback address", ...), or None when it is public."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:  # ::ffff:a.b.c.d is a.b.c.d on the wire
            reason = check_address(address.ipv4_mapped)
            return f"{reason} in an IPv6 form" if reason else None
        embedded = address.sixtofour
        if embedded is None and address.teredo:
            embedded = address.teredo[1]
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            reason = check_address(embedded)
            if reason:
                return f"{reason} in an IPv6 form"
    if address.is_loopback:
        return "a loopback address"
    if address.is_unspecified:
        return "the unspecified address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if isinstance(address, ipaddress.IPv4Address) and address in _CGNAT:
        return "a carrier-grade NAT (shared) address"
    if address.is_reserved:
        return "a reserved address"
    if address.is_private:
        return "a private address"
    if not address.is_global:
        return "a reserved address"
    return None


def resolve(host: str, port: int, allow: AllowList) -> list[tuple[Any, ...]]:
    """The addresses to connect to for ``host``, each checked; FetchRefused when one is internal.

    Every address the name resolves to must pass (a name with one public and one internal
    address is refused), so which one the connection picks cannot matter.
    """
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        reason = check_address(address)
        if reason and not allow.allows(host, address):
            shown = host if _host_key(host) == str(address) else f"{host} ({address})"
            raise FetchRefused(f"not fetched: {shown} is {reason}; briefer fetches internal "
                               "addresses only when [fetch] allow or --allow-fetch names them")
    return infos


# --- connections that go where the guard looked ---------------------------------------------------


def _guarded_connect(allow: AllowList) -> Any:
    """A ``socket.create_connection`` replacement: resolve once, check, connect to that address."""

    def create_connection(address: tuple[str, int], timeout: Any = socket._GLOBAL_DEFAULT_TIMEOUT,
                          source_address: Any = None, **_: Any) -> socket.socket:
        host, port = address
        error: OSError | None = None
        for family, kind, proto, _name, sockaddr in resolve(host, port, allow):
            sock = socket.socket(family, kind, proto)
            try:
                if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:
                    sock.settimeout(timeout)
                if source_address:
                    sock.bind(source_address)
                sock.connect(sockaddr)
                return sock
            except OSError as exc:
                sock.close()
                error = exc
        raise error or OSError(f"{host} has no address")

    return create_connection


def _connection_class(base: type[http.client.HTTPConnection], allow: AllowList) -> Any:
    class Guarded(base):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kw: Any) -> None:
            super().__init__(*args, **kw)
            self._create_connection = _guarded_connect(allow)

    return Guarded


class _GuardedHTTP(urllib.request.HTTPHandler):
    def __init__(self, allow: AllowList) -> None:
        super().__init__()
        self.connection = _connection_class(http.client.HTTPConnection, allow)

    def http_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(self.connection, req)


class _GuardedHTTPS(urllib.request.HTTPSHandler):
    def __init__(self, allow: AllowList) -> None:
        super().__init__()
        self.connection = _connection_class(http.client.HTTPSConnection, allow)

    def https_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(self.connection, req, context=self._context)


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follow at most MAX_REDIRECTS redirects, to http(s) only; the guard checks each hop."""

    max_redirections = MAX_REDIRECTS

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[override]
        scheme = urlsplit(newurl).scheme.lower()
        if scheme not in ("http", "https"):
            raise FetchRefused(f"not fetched: redirect to a non-http URL ({one_line(scheme)}:)")
        return super().redirect_request(req, fp, code, msg, headers, newurl)

    def http_error_302(self, req, fp, code, msg, headers):  # type: ignore[override]
        location = headers.get("location") or headers.get("uri")
        if location:  # urllib refuses other schemes with a message quoting the URL: ours first
            scheme = urlsplit(urljoin(req.full_url, location.strip())).scheme.lower()
            if scheme not in ("http", "https"):
                fp.close()
                raise FetchRefused(f"not fetched: redirect to a non-http URL "
                                   f"({one_line(scheme)[:20]}:)")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


# --- fetching -------------------------------------------------------------------------------------


class _Retry(Exception):
    def __init__(self, message: str, unreachable: bool = False) -> None:
        super().__init__(message)
        self.unreachable = unreachable  # no connection at all (not an error the host sent)


def fetch(url: str, options: SourceOptions | None = None) -> Fetched:
    """GET ``url`` within the limits of ``options``; raise FetchError with a short reason.

    5xx, 429 and connection failures are retried with backoff; a refused address never is.
    """
    if options is None:
        from .sources import SourceOptions

        options = SourceOptions()
    if not url.lower().startswith(("http://", "https://")):
        raise FetchRefused(f"not an http(s) URL: {one_line(url)[:200]}")
    allow = parse_allow(getattr(options, "allow", ()))
    reason, unreachable = "", False
    for attempt in range(options.attempts):
        if attempt:
            time.sleep(min(options.retry_wait_s * 2 ** (attempt - 1), 8.0))
        try:
            return _fetch_once(url, options, allow)
        except _Retry as exc:
            reason, unreachable = str(exc), exc.unreachable
            log.info("fetch %s: %s (attempt %d of %d)", url, reason, attempt + 1,
                     options.attempts)
    tries = f" after {options.attempts} attempts" if options.attempts > 1 else ""
    raise (HostUnreachable if unreachable else FetchError)(f"{reason}{tries}")


def _fetch_once(url: str, options: SourceOptions, allow: AllowList) -> Fetched:
    request = urllib.request.Request(url, headers={
        "User-Agent": options.user_agent,
        "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, "
                  "text/html;q=0.8, */*;q=0.5",
        "Accept-Encoding": "identity",
    })  # fmt: skip
    opener = urllib.request.OpenerDirector()
    for handler in (urllib.request.UnknownHandler(), urllib.request.HTTPDefaultErrorHandler(),
                    urllib.request.HTTPErrorProcessor(), _Redirects(), _GuardedHTTP(allow),
                    _GuardedHTTPS(allow)):  # no ProxyHandler, FileHandler, FTPHandler, DataHandler
        opener.add_handler(handler)
    deadline = time.monotonic() + 3 * options.timeout_s
    try:
        with opener.open(request, timeout=options.timeout_s) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > options.max_bytes:
                raise FetchError(f"larger than {_size(options.max_bytes)}")
            chunks, size = [], 0
            while chunk := response.read(64 * 1024):
                size += len(chunk)
                if size > options.max_bytes:
                    raise FetchError(f"larger than {_size(options.max_bytes)}")
                if time.monotonic() > deadline:
                    raise _Retry(f"download took longer than {3 * options.timeout_s:g} s")
                chunks.append(chunk)
            return Fetched(response.geturl(), response.headers.get("Content-Type", ""),
                           b"".join(chunks))
    except urllib.error.HTTPError as exc:
        exc.close()
        message = _status(exc.code)
        if exc.code >= 500 or exc.code == 429:
            raise _Retry(message) from None
        raise FetchError(message) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, FetchError):
            raise reason from None
        if isinstance(reason, TimeoutError | socket.timeout):
            raise _Retry(f"no answer within {options.timeout_s:g} s", True) from None
        if isinstance(reason, socket.gaierror):
            message = f"cannot resolve the host name ({reason.strerror or 'no address'})"
            if reason.errno in _NO_SUCH_NAME:  # the DNS answered: asking again changes nothing
                raise HostUnreachable(message) from None
            raise _Retry(message, True) from None
        if isinstance(reason, OSError):
            raise _Retry(one_line(reason.strerror or type(reason).__name__), True) from None
        raise FetchError(one_line(str(reason))[:200]) from None
    except TimeoutError:
        raise _Retry(f"no answer within {options.timeout_s:g} s", True) from None
    except http.client.HTTPException as exc:  # a reply that is not HTTP: never quote it
        raise _Retry(f"not a valid HTTP answer ({type(exc).__name__})") from None
    except OSError as exc:  # reset or cut off mid-body
        raise _Retry(one_line(exc.strerror or type(exc).__name__)) from None
    except ValueError:  # malformed URL
        raise FetchError("not a valid URL") from None


_NO_SUCH_NAME = {getattr(socket, n) for n in ("EAI_NONAME", "EAI_NODATA") if hasattr(socket, n)}


# --- helpers --------------------------------------------------------------------------------------


def _status(code: int) -> str:
    try:
        return f"HTTP {code} {HTTPStatus(code).phrase}"
    except ValueError:
        return f"HTTP {code}"


def _host_key(host: str) -> str:
    return host.strip().strip("[]").rstrip(".").lower()


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.3g} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"
