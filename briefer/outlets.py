"""Who the sources are: an outlet registry mapping names in any script to facts about them.

Readers weigh a claim by who makes it, so each article's outlet, and the agency it relays,
is resolved against a TOML registry (``briefer/outlets.toml`` by default, ``--outlets FILE``
to use your own). Names are compared after `text.fold` (case, punctuation and spacing
ignored), so "SANA", "سانا" and "Syrian Arab News Agency" are one outlet.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from .errors import UsageError
from .text import fold

DEFAULT_REGISTRY = Path(__file__).with_name("outlets.toml")
TYPES = frozenset({"state agency", "news agency", "public broadcaster", "state media",
                   "private", "aggregator"})
_FIELDS = frozenset({"name", "aliases", "country", "language", "type", "homepage", "domains"})


@dataclass(frozen=True)
class Outlet:
    name: str
    type: str | None = None
    country: str | None = None
    language: str | None = None
    homepage: str | None = None
    aliases: tuple[str, ...] = ()
    # Hosts whose pages this outlet publishes ("nytimes.com", "arabic.cnn.com"); a page or
    # feed item is the outlet's when its host is one of them or under one of them.
    domains: tuple[str, ...] = ()

    @property
    def is_agency(self) -> bool:
        return self.type in ("state agency", "news agency")

    def to_dict(self) -> dict:
        return {"name": self.name, "type": self.type, "country": self.country,
                "language": self.language, "homepage": self.homepage}


@dataclass
class Registry:
    outlets: list[Outlet] = field(default_factory=list)
    _by_key: dict[str, Outlet] = field(default_factory=dict)
    _by_domain: dict[str, Outlet] = field(default_factory=dict)
    _by_bare: dict[str, Outlet] = field(default_factory=dict)

    def add(self, outlet: Outlet) -> None:
        self.outlets.append(outlet)
        hosts = [*outlet.domains]
        if outlet.homepage and not outlet.domains:
            hosts.append(urlsplit(outlet.homepage).hostname or "")
        for host in hosts:
            host = host.lower().strip(".").removeprefix("www.")
            if host:
                self._by_domain.setdefault(host, outlet)
        for name in (outlet.name, *outlet.aliases):
            self._by_key.setdefault(fold(name), outlet)
            self._by_bare.setdefault(_bare(name), outlet)

    def by_host(self, url_or_host: str | None) -> Outlet | None:
        """The outlet that publishes under this URL's host: the most specific registered
        domain that the host is, or lies under ("arabic.cnn.com" before "cnn.com")."""
        if not url_or_host:
            return None
        host = urlsplit(url_or_host).hostname if "//" in url_or_host else url_or_host
        labels = (host or "").lower().strip(".").removeprefix("www.").split(".")
        for i in range(len(labels) - 1):
            found = self._by_domain.get(".".join(labels[i:]))
            if found is not None:
                return found
        return None

    def resolve(self, name: str | None) -> Outlet | None:
        """The registry entry for ``name``, if any: an exact match after folding, else one
        that differs only in accents ("UOL Noticias" in a feed title is "UOL Notícias")."""
        if not name:
            return None
        return self._by_key.get(fold(name)) or self._by_bare.get(_bare(name))

    def mentioned(self, text: str) -> list[Outlet]:
        """Agencies named in ``text`` (whole words, any script), most-mentioned first.

        A one-word name that is also a common word ("antara" is Indonesian for "between",
        "sana" Turkish for "to you") counts only where it is written as a name: not all in
        lower case, and not as a sentence's capitalised first word unless in capitals.
        """
        folded = f" {fold(text)} "
        plain = unicodedata.normalize("NFKC", text)
        counts: dict[Outlet, int] = {}
        for key, outlet in self._by_key.items():
            if not outlet.is_agency or len(key) < 3:
                continue
            if " " in key or not any(c.isalpha() and c.lower() != c.upper() for c in key):
                n = len(re.findall(rf"(?<= ){re.escape(key)}(?= )", folded))
            else:
                n = sum(1 for m in re.finditer(rf"(?<!\w){re.escape(key)}(?!\w)", plain, re.I)
                        if _written_as_name(plain, m.start(), m.group()))
            if n:
                counts[outlet] = counts.get(outlet, 0) + n
        return sorted(counts, key=lambda o: (-counts[o], o.name))


def _written_as_name(text: str, start: int, word: str) -> bool:
    """``word`` at ``start`` reads as a name: in capitals, or capitalised inside a sentence."""
    if word.isupper():
        return True
    if word.islower():
        return False
    head = text[:start].rstrip(" \t\"'“«(")
    return bool(head) and head[-1] not in ".!?\n:"


def _bare(name: str) -> str:
    """``fold(name)`` without accents and other combining marks."""
    return "".join(c for c in unicodedata.normalize("NFKD", fold(name))
                   if not unicodedata.combining(c))


def load_registry(path: Path | None = None) -> Registry:
    """Read a registry file; a malformed one is a usage error naming the file and entry."""
    return _load(str(path or DEFAULT_REGISTRY))


@lru_cache(maxsize=8)
def _load(path: str) -> Registry:
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise UsageError(f"Cannot read outlet registry {path}: {exc.strerror}.") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"Outlet registry {path} is not valid TOML: {exc}.") from None
    registry = Registry()
    for k, entry in enumerate(data.get("outlet", []), 1):
        unknown = set(entry) - _FIELDS
        if unknown or "name" not in entry:
            what = f"unknown key {sorted(unknown)[0]!r}" if unknown else "no name"
            raise UsageError(f"Outlet registry {path}, entry {k}: {what}.")
        kind = entry.get("type")
        if kind is not None and kind not in TYPES:
            raise UsageError(f"Outlet registry {path}, entry {k}: type {kind!r} is not one of "
                             f"{', '.join(sorted(TYPES))}.")
        registry.add(Outlet(entry["name"], kind, entry.get("country"), entry.get("language"),
                            entry.get("homepage"), tuple(entry.get("aliases", ())),
                            tuple(entry.get("domains", ()))))
    return registry
