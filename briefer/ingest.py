"""Ingest: files in, clean :class:`Article` objects out.

Scraped pages carry furniture around the story: repeated titles, bylines, share widgets,
end markers, credit lines and link lists. We remove it with general rules (structure,
repetition, position and short multilingual lexicons) rather than per-site hacks, and turn
datelines and source lines into metadata instead of text.
"""

from __future__ import annotations

import codecs
import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from .outlets import Registry, load_registry
from .text import ends_like_sentence, fold, normalize_space, split_sentences
from .types import Article, Skipped

log = logging.getLogger(__name__)

SUFFIXES = (".txt", ".md")
MAX_BYTES = 20 * 1024 * 1024
MAX_CHARS = 200_000  # a news article is far shorter; bounds time and memory downstream
FRONT_MATTER_KEYS = frozenset({"title", "url", "outlet", "published", "language"})

# Short lines that are page widgets, not text (compared after `fold`).
WIDGETS = frozenset(
    fold(w)
    for w in (
        "share", "share this", "share this article", "print", "tweet", "email", "comments",
        "no comments", "leave a comment", "read more", "related", "related articles",
        "bagikan", "komentar", "tidak ada komentar", "baca juga",
        "partager", "commentaires", "lire aussi", "imprimer",
        "compartir", "comentarios", "teilen", "kommentare",
        "اشتراک گذاری", "اشتراک", "بدون دیدگاه", "دیدگاه", "نظرات", "چاپ",
        "مشاركة", "شارك", "تعليقات", "طباعة",
    )
)
# Lines after which nothing but source lines and furniture follows.
END_MARKERS = frozenset(fold(w) for w in ("انتهای پیام", "پایان پیام", "انتهى", "end", "fin"))
END_MARKER_RE = re.compile(r"^(?:[-=*#]{3,}|\(?-?\s*end\s*-?\)?|\(\s*\w{1,8}\s*\))$", re.I)
# Byline words that stand alone on a line, or open one.
BYLINE_WORDS = frozenset(
    fold(w)
    for w in (
        "نویسنده", "خبرنگار", "گزارشگر", "كاتب", "بقلم", "penulis", "reporter", "pewarta",
        "author", "by", "par", "por", "von", "oleh", "writer",
    )
)
SOURCE_LINE_RE = re.compile(
    r"^(?:sumber|source|sources|quelle|fuente|fonte|منبع|المصدر|مصدر)\s*[:：]\s*(?P<src>.{2,60})$",
    re.I,
)
CREDIT_RE = re.compile(
    r"^(?:artikel ini ditulis oleh|ditulis oleh|editor|penyunting|redaktur|pewarta|reporter|"
    r"penulis|written by|reporting by|editing by|edited by|rédaction|rédigé par|"
    r"ویراستار|تنظیم|المحرر|تحرير)\b\s*:?.*$",
    re.I,
)
INITIALS_RE = re.compile(r"^(?:[A-Z][a-z]?\.){1,4}$|^[A-Z]{1,3}/[A-Z]{1,3}$")
# "Moskow, Suarathailand- ", "MOSCOW (MNTV) — ", "Moscou, (SANA) – ", "Teheran, Aktual.com – "
DATELINE_RE = re.compile(
    r"^(?P<place>[^\W\d_][\w'’.\-]*(?:\s[^\W\d_][\w'’.\-]*){0,2})"
    r"(?:,?\s*\((?P<o1>[^()\n]{2,30})\)|,\s*(?P<o2>[^\W\d_][\w.&'’\-]*(?:\s[\w.&'’\-]+){0,2}))"
    r"\s?[-–—]\s+(?=\S)"
)
# Persian/Arabic lead attribution: "به گزارش نمابان و به نقل از ایسنا، ..."
FA_ATTRIBUTION_RE = re.compile(
    r"^(?:به گزارش|بنا به گزارش|وفقا ل|أفادت)\s+(?P<outlet>[^،,]{2,40}?)"
    r"(?:\s+و\s+(?:به نقل از|بە نقل از)\s+(?P<via>[^،,]{2,40}?))?\s*[،,]\s*"
)


@dataclass
class IngestResult:
    articles: list[Article] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    repaired: list[Skipped] = field(default_factory=list)  # read, but not as they were


def iter_files(sources: Iterable[str | Path], skipped: list[Skipped]) -> Iterator[Path]:
    """Files to read, in a stable order; directories are searched recursively."""
    for src in sources:
        path = Path(src).expanduser()
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.suffix.lower() in SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            yield from (p for p in found if p.is_file())
        elif path.is_file():
            yield path
        else:
            skipped.append(Skipped(str(src), "no such file or directory"))


def read_text(path: Path) -> tuple[str, str | None]:
    """Decode a file as text, honestly: (text, what was repaired or None).

    UTF-8 (with or without BOM) and UTF-16 with a BOM decode as they are; UTF-8 with a few
    invalid bytes is repaired with U+FFFD and says so; anything else is decoded only when
    charset-normalizer finds a legacy encoding (Latin-1, Windows-1256, ...) that makes
    coherent text. Raises ValueError with a reader-facing reason otherwise.
    """
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ValueError(f"larger than {MAX_BYTES // (1024 * 1024)} MB")
    data = path.read_bytes()
    note = None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text, note = data.decode("utf-16"), "decoded from UTF-16"
        except UnicodeDecodeError:
            raise ValueError("invalid UTF-16 text") from None
    elif b"\x00" in data[:8192]:
        raise ValueError("binary file, not text")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text, note = _decode_legacy(data)
    if sum(ch < " " and ch not in "\t\n\r\f" for ch in text[:8192]) > 8:
        raise ValueError("binary file, not text")
    if not text.strip():
        raise ValueError("empty file")
    if len(text) > MAX_CHARS:
        cut = text.rfind("\n", 0, MAX_CHARS)
        text = text[: cut if cut > MAX_CHARS // 2 else MAX_CHARS]
        note = (note + "; " if note else "") + f"truncated to its first {len(text):,} characters"
    return text, note


def _decode_legacy(data: bytes) -> tuple[str, str]:
    repaired = data.decode("utf-8", errors="replace")
    bad = repaired.count("\ufffd")
    if bad <= max(3, len(data) // 2000):
        return repaired, f"repaired {bad} invalid UTF-8 byte{'s' if bad != 1 else ''}"
    from charset_normalizer import from_bytes

    matches = [m for m in from_bytes(data) if not m.encoding.startswith("utf")]
    if not matches or matches[0].chaos > 0.3:
        raise ValueError("not UTF-8 text and no other encoding fits")
    # Short texts fit several code pages equally well; prefer the most widespread one.
    tied = [m for m in matches if m.chaos <= matches[0].chaos + 0.01
            and m.coherence >= matches[0].coherence - 0.01]
    best = min(tied, key=lambda m: _COMMON.index(m.encoding) if m.encoding in _COMMON else 99)
    return str(best), f"not UTF-8: decoded as {best.encoding}"


_COMMON = ["cp1252", "latin_1", "cp1256", "cp1251", "cp1250", "iso8859_15", "koi8_r", "cp1253",
           "cp1254", "cp1255", "cp1257", "mac_roman"]


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Parse an optional ``---`` block of ``key: value`` lines at the top of the file."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text
    for end in range(1, min(len(lines), 50)):
        if lines[end].strip() == "---":
            meta: dict[str, str] = {}
            for line in lines[1:end]:
                key, sep, value = line.partition(":")
                key = key.strip().lower()
                if not sep or not key:
                    continue
                if key in FRONT_MATTER_KEYS:
                    meta[key] = value.strip().strip("\"'")
                else:
                    log.warning("front matter key %r is not used (known: %s)", key,
                                ", ".join(sorted(FRONT_MATTER_KEYS)))
            return meta, "\n".join(lines[end + 1 :])
    return {}, text


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_MARKS = re.compile(r"(\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w))")


def strip_markdown(line: str) -> str:
    line = re.sub(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+(?=\S))", "", line)
    line = _MD_LINK.sub(r"\1", line)
    return _MD_MARKS.sub("", line)


def is_short_line(line: str, words: int = 6) -> bool:
    return len(line.split()) <= words and not ends_like_sentence(line)


def looks_like_headline(line: str, language: str = "en") -> bool:
    """A headline is short, one sentence, and does not open with a dateline."""
    if DATELINE_RE.match(line) or len(line) > 200 or len(line.split()) > 30:
        return False
    return len(split_sentences(line, language)) <= 1


def derive_headline(paragraph: str, language: str, limit: int = 140) -> str:
    """Headline for an article that has none: its first sentence, shortened when too long.

    Short comma-enclosed asides (names, titles: ", le général X,") go first; what is still
    too long is cut at a word boundary. Neither ever cuts inside a number or a name.
    """
    sentences = split_sentences(paragraph, language) or [paragraph]
    # The first sentence with a word in it (a splitter may cut a lone "." off the front).
    stripped = [s.strip().rstrip(".。") for s in sentences]
    first = next((s for s in stripped if any(c.isalnum() for c in s)), paragraph.strip())
    while len(first) > limit:
        asides = [m for m in _ASIDE.finditer(first) if len(m.group(0).split()) <= 7]
        if not asides:
            break
        longest = max(asides, key=lambda m: len(m.group(0)))
        first = first[: longest.start()] + " " + first[longest.end() :].lstrip()
    if len(first) <= limit:
        return first
    return first[:limit].rsplit(" ", 1)[0].rstrip(",;:–—-") + "…"


# A comma that opens or closes an aside is followed by a space: the comma in "2,1 miliar" or
# "Rp4,7 triliun" is a decimal one, and cutting between two of them changes the number.
_ASIDE = re.compile(r",(?=\s)[^,]{2,60},(?=\s)")


def take_dateline(paragraph: str) -> tuple[str, str | None, str | None]:
    """Split "PLACE, (OUTLET) – text" into (text, place, outlet)."""
    m = DATELINE_RE.match(paragraph)
    if not m:
        return paragraph, None, None
    outlet = (m.group("o1") or m.group("o2") or "").strip() or None
    return paragraph[m.end() :], m.group("place").strip(), outlet


def contained(short: str, long: str) -> bool:
    """True when ``short`` repeats (nearly all of) ``long``'s wording: a deck or repeated lead."""
    if not short or len(short) >= len(long):
        return False
    if long.startswith(short):
        return True
    a, b = short.split(), Counter(long.split())
    return len(a) >= 8 and sum(1 for w in a if b[w] > 0) / len(a) >= 0.9


@dataclass
class _Meta:
    outlet: str | None = None
    via: str | None = None
    place: str | None = None


def clean_lines(lines: list[str], title: str | None) -> tuple[list[str], _Meta]:
    """Remove page furniture from the body's lines and collect source metadata."""
    meta = _Meta()
    title_key = fold(title) if title else None
    keys = [fold(line) for line in lines]
    short_counts = Counter(k for line, k in zip(lines, keys, strict=True) if is_short_line(line))

    kept: list[str] = []
    ended = False
    for line, key in zip(lines, keys, strict=True):
        if not key:
            continue
        src = SOURCE_LINE_RE.match(line)
        if src:
            meta.via = meta.via or src.group("src").strip()
            continue
        if key in END_MARKERS or END_MARKER_RE.match(line):
            ended = True
            continue
        if ended:
            continue  # after an end marker: widgets, link lists, related stories
        if key == title_key or key.rstrip(":") in WIDGETS:
            continue
        if is_short_line(line) and (
            short_counts[key] > 1 or key in BYLINE_WORDS or key.split()[0] in BYLINE_WORDS
        ):
            continue
        if CREDIT_RE.match(line) and len(line.split()) <= 8:
            continue
        if INITIALS_RE.match(line):
            continue
        kept.append(line)

    # A lead paragraph may carry a dateline or a lead attribution: make them metadata.
    for i, para in enumerate(kept[:3]):
        text, place, outlet = take_dateline(para)
        if place:
            kept[i] = text
            meta.place, meta.outlet = place, meta.outlet or outlet
            break
        m = FA_ATTRIBUTION_RE.match(para)
        if m:
            kept[i] = para[m.end() :]
            meta.outlet = meta.outlet or m.group("outlet").strip()
            meta.via = meta.via or (m.group("via") or "").strip() or None
            break

    # Decks and repeated leads: drop a paragraph whose wording another one repeats in full.
    keys = [fold(p) for p in kept]
    kept = [
        p for i, p in enumerate(kept)
        if not any(j != i and contained(keys[i], keys[j]) for j in range(len(kept)))
    ]

    # Trailing link lists: short non-sentence lines after the last real paragraph.
    while len(kept) > 1 and is_short_line(kept[-1], words=16) and len(kept[-1]) < 120:
        kept.pop()
    return kept, meta


def detect_language(text: str) -> str:
    import py3langid

    lang, _ = py3langid.classify(text[:4000])
    return lang


def parse_article(text: str, article_id: str, path: str | None = None) -> Article:
    """Turn one file's text into an Article; raise ValueError when nothing usable is left."""
    text = normalize_space(text.replace("\r\n", "\n").replace("\r", "\n"))
    meta, text = split_front_matter(text)
    md = path is not None and path.lower().endswith(".md")
    lines = [strip_markdown(line) if md else line for line in text.split("\n")]
    lines = [line.strip() for line in lines if line.strip()]
    if not lines:
        raise ValueError("no text after the front matter")

    language = meta.get("language") or detect_language("\n".join(lines))
    title = meta.get("title")
    derived = False
    if title is None and looks_like_headline(lines[0], language) and len(lines) > 1:
        title, lines = lines[0], lines[1:]  # a lone line is the whole story, not a headline
    body_lines, found = clean_lines(lines, title)
    if not body_lines:
        raise ValueError("no article text left after removing page furniture")
    if title is None:
        title, derived = derive_headline(body_lines[0][:2000], language), True

    return Article(
        id=article_id,
        title=title,
        body="\n\n".join(body_lines),
        language=language,
        path=path,
        url=meta.get("url"),
        outlet=meta.get("outlet") or found.outlet,
        via=found.via if found.via != (meta.get("outlet") or found.outlet) else None,
        published=meta.get("published"),
        place=found.place,
        title_derived=derived,
    )


def resolve_outlet(article: Article, registry: Registry) -> Article:
    """Canonical outlet and agency names from the registry, and the agency an article relays.

    An article relays an agency when it names one as its source (``via``) or, failing that,
    when its text cites a registered agency other than its own outlet (most seeds pass on
    SANA's report).
    """
    own = registry.resolve(article.outlet)
    via = registry.resolve(article.via)
    relays = via.name if via else article.via
    if relays is None:
        cited = [o for o in registry.mentioned(article.title + "\n" + article.body) if o != own]
        relays = cited[0].name if cited else None
    return replace(
        article,
        outlet=own.name if own else article.outlet,
        via=via.name if via else article.via,
        outlet_type=own.type if own else None,
        outlet_country=own.country if own else None,
        outlet_homepage=own.homepage if own else None,
        relays=relays,
    )


def ingest(sources: Iterable[str | Path], registry: Registry | None = None) -> IngestResult:
    """Read every article under ``sources``; a bad file is skipped with a warning, never fatal."""
    registry = registry or load_registry()
    result = IngestResult()
    ids: Counter[str] = Counter()
    for path in iter_files(sources, result.skipped):
        try:
            article_id = path.stem
            ids[article_id] += 1
            if ids[article_id] > 1:
                article_id = f"{article_id}-{ids[article_id]}"
            text, repair = read_text(path)
            article = resolve_outlet(parse_article(text, article_id, str(path)), registry)
            if repair:
                log.warning("repaired %s: %s", path, repair)
                result.repaired.append(Skipped(str(path), repair))
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            log.warning("skipped %s: %s", path, reason)
            result.skipped.append(Skipped(str(path), reason))
            continue
        result.articles.append(article)
    for s in result.skipped:
        if s.reason == "no such file or directory":
            log.warning("skipped %s: %s", s.path, s.reason)
    return result
