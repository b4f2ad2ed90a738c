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

from .datetext import TEXT_DATE_LINES, text_date
from .files import file_id, shown, walk
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
    r"penulis|written by|reporting by|additional reporting by|editing by|edited by|"
    r"compiled by|rédaction|rédigé par|édité par|redacción|edición|edição|redazione|"
    r"redaktion|bearbeitet von|redaktor|редактор|редакция|editör|muhabir|"
    r"ویراستار|تنظیم|المحرر|تحرير|责任编辑|编辑|記者|撰文)\b\s*[:：]?.*$",
    re.I,
)
# Furniture lines, by what they open with (compared after `fold`, so case and accents of the
# lexicon below do not matter). Each family in at least en, de, fr, es, pt, it, id, fa, ar, ru,
# tr, zh; a line is furniture only when it is short (FURNITURE_WORDS).
FURNITURE_OPENINGS: dict[str, tuple[str, ...]] = {
    "related links": (
        "related:", "related coverage", "read more:", "read more", "read also", "see also",
        "more on this story", "more:", "also read", "mehr zum thema", "lesen sie auch", "lesen sie",
        "auch interessant", "weitere artikel", "das könnte sie auch interessieren", "lire aussi",
        "voir aussi", "à lire aussi", "a lire aussi", "lea también", "lee también", "leer más",
        "ver también", "te puede interesar", "leia também", "veja também", "leia mais",
        "saiba mais", "leggi anche", "potrebbe interessarti", "baca juga", "baca:", "simak juga",
        "lihat juga", "читайте также", "смотрите также", "читать также", "ayrıca bakınız",
        "ilgili haber", "ilgili haberler", "devamını oku", "اقرأ أيضا", "اقرأ أيضاً", "اقرأ ايضا",
        "اقرأ المزيد", "بیشتر بخوانید", "بخوانید", "مطالب مرتبط", "相关阅读", "相关新闻",
        "延伸阅读", "推荐阅读", "关联阅读", "関連記事", "czytaj także", "czytaj też",
        "czytaj więcej", "dowiedz się więcej", "our standards", "unsere standards",
    ),
    "continue reading": (
        "continue reading", "read full article", "read the full article", "to read this article",
        "click here to read", "read the full story", "weiterlesen", "mehr lesen",
        "zum artikel", "lire la suite", "seguir leyendo", "continuar leyendo",
        "continuar lendo", "continue lendo", "continua a leggere", "leggi tutto",
        "selengkapnya", "baca selengkapnya", "читать далее", "читать полностью",
        "devamını okumak", "haberin devamı", "ادامه مطلب", "ادامه خبر", "لقراءة المزيد",
        "阅读全文", "查看全文", "続きを読む",
    ),
    "newsletter": (
        "sign up here", "sign up for", "sign up to", "subscribe to our", "subscribe now",
        "get our newsletter", "newsletter abonnieren", "jetzt abonnieren", "abonnieren sie",
        "inscrivez-vous", "abonnez-vous", "recevez notre newsletter", "suscríbete",
        "suscribete", "recibe nuestro", "assine já", "assine a newsletter", "inscreva-se",
        "receba nossa newsletter", "iscriviti alla", "abbonati a", "berlangganan",
        "daftar newsletter", "подпишитесь",
        "подписывайтесь", "abone ol", "bültenimize", "اشترك", "عضویت در خبرنامه",
        "订阅", "关注我们",
    ),
    "paywall": (
        "this article is for subscribers", "subscribe to continue", "subscribe to read",
        "already a subscriber", "wählen sie ihren zugang", "dieser artikel ist nur",
        "jetzt weiterlesen", "réservé aux abonnés", "cet article est réservé",
        "exclusivo para suscriptores", "contenido exclusivo", "exclusivo para assinantes",
        "conteúdo exclusivo", "riservato agli abbonati", "articolo riservato",
        "khusus pelanggan", "доступно только подписчикам", "abonelere özel", "ویژه مشترکان",
        "للمشتركين فقط", "付费阅读", "この記事は会員限定", "会員限定", "brak dostępu",
    ),
    "update stamp": (
        "stand:", "aktualisiert am", "aktualisiert:", "zuletzt aktualisiert", "updated:",
        "last updated", "updated on", "mis à jour le", "mis à jour :", "publié le",
        "actualizado", "atualizado em", "atualizado às", "aggiornato", "diperbarui",
        "обновлено", "güncelleme:", "güncellenme", "آخر تحديث", "بهروزرسانی",
        "به‌روزرسانی", "更新时间", "发布时间", "发稿时间", "aktualizacja:", "publikacja:",
        "published:", "veröffentlicht am",
    ),
    "photo credit": (
        "bild:", "foto:", "fotos:", "photo:", "photos:", "image:", "imagen:", "crédit photo",
        "crédito:", "créditos:", "foto di", "credit:", "кадр:", "фото:", "fotoğraf:",
        "عکس:", "الصورة:", "图片来源", "图片：", "写真：", "photo credit",
    ),
    "cookies": (
        "we use cookies", "this site uses cookies", "this website uses cookies",
        "wir verwenden cookies", "diese website verwendet cookies", "nous utilisons des cookies",
        "ce site utilise des cookies", "utilizamos cookies", "este sitio utiliza cookies",
        "usamos cookies", "este site utiliza cookies", "utilizziamo i cookie",
        "questo sito utilizza", "kami menggunakan cookie", "мы используем файлы cookie",
        "мы используем cookie", "çerez kullanıyoruz", "çerezler", "نحن نستخدم ملفات",
        "از کوکی", "我们使用cookie", "本网站使用cookie", "mēs izmantojam sīkdatnes",
        "šī vietne izmanto sīkdatnes", "sīkdatnes",
    ),
    "comments": (
        "comments", "show comments", "view comments", "kommentare", "leserkommentare",
        "commentaires", "comentarios", "comentários", "commenti", "komentar", "комментарии",
        "yorumlar", "التعليقات", "نظرات", "评论", "コメント",
    ),
    "press release": (
        "for more information", "for further information", "about the company",
        "media contact", "press contact", "pressekontakt", "contact presse",
        "contacto de prensa",
    ),
}
FURNITURE_WORDS = 25  # a longer line is text, whatever it opens with
_OPENINGS = sorted(((o.casefold(), kind) for kind, ops in FURNITURE_OPENINGS.items()
                    for o in ops), key=lambda x: -len(x[0]))
# An opening with no colon of its own ("Read more") makes furniture of a line this short only.
FURNITURE_WORDS_BARE = 12
# "941 comments", "5 Kommentare", "12 commentaires", "3 تعليقات": a counter, not a sentence.
COUNTER_RE = re.compile(r"^\(?\d[\d.,]*\s*[kK]?\)?\s+\w+(?:\s+\w+)?$")
# Link-like: a bare URL, a handle, an embedded post's signature, an arrow or "»" lead-in.
LINK_LIKE_RE = re.compile(
    r"(?:https?://|www\.|pic\.twitter\.com/|\s@\w{2,}|\(@\w+\)|^[»›→>]+|[»›→]$|>>\s*$)",
    re.I)
# An embedded social post set in the story: its text carries the post's picture link, and it
# is signed "— Name (@handle) April 5, 2022". Wherever it stands, it is not the article's text.
EMBED_RE = re.compile(r"pic\.twitter\.com/\w+|^[—–-]\s*[^()]{1,80}\(@\w{1,30}\)\s*\S.{0,40}$")
# A closing call to visit a website ("For more information …, please visit www.…") at the
# end of the body: a press release's footer, not news.
VISIT_TAIL_RE = re.compile(
    r"(?:^|(?<=[.!?]\s))(?:for (?:more|further) information|more information|"
    r"para (?:más|mais) informaci[oó]n|para mais informações|pour plus d'informations|"
    r"weitere informationen|per (?:maggiori|ulteriori) informazioni|"
    r"untuk informasi lebih lanjut|подробнее|daha fazla bilgi|更多信息)"
    r"[^.!?]*?(?:https?://|www\.)\S+.*$", re.I)
# The credit lines that name an agency an article relays: "(FR mit dpa)", "(AFP)", "Con
# información de Télam", "with Reuters", "com agências", "(dpa/AFP)".
VIA_LINE_RE = re.compile(
    r"^[(\[]?\s*(?:[A-Za-z][\w.]{0,12}\s+)?(?:mit|with|avec|con|com|dengan|с|ile|mit material von|"
    r"con información de|con informacion de|com informações d[aoe]s?|com informações|"
    r"avec l'|according to|nach angaben von|selon|según|segundo|secondo|sumber:?)\s+"
    r"(?P<src>[^()\[\]\n,;:]{2,40}?)\s*[)\]]?\s*\.?$", re.I)
AGENCY_PAREN_RE = re.compile(r"^\(\s*(?P<src>[A-Za-z][\w.]{1,12}(?:\s*/\s*[A-Za-z][\w.]{1,12})*)"
                             r"\s*\)\.?$")
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
    """Files to read, in a stable order; directories are searched recursively (without
    following links out of them: :func:`briefer.files.walk`)."""
    for src in sources:
        path = Path(src).expanduser()
        if path.is_dir():  # links out of the directory, loops: see briefer.files
            yield from walk(path, SUFFIXES, skipped)
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
    from .pages import word_count

    return word_count(line) <= words and not ends_like_sentence(line)


def furniture(line: str, key: str | None = None) -> str | None:
    """What kind of page furniture a line is ("related links", "cookies", …), or None."""
    from .pages import word_count

    key = key if key is not None else fold(line)
    words = word_count(line)
    if words > FURNITURE_WORDS:
        return None
    # Openings are compared on the line as written (case folded): fold() would drop the colon
    # that makes "More:" furniture and "More than 90 aftershocks…" a sentence.
    low = " ".join(line.casefold().replace("：", ":").replace(" :", ":").split())
    low = re.sub(r"^[\[［【(（][^\]］】)）]{1,12}[\]］】)）]\s*", "", low)  # "［有料会員限定］ …"
    for opening, kind in _OPENINGS:
        if not low.startswith(opening):
            continue
        rest = low[len(opening):]
        cjk = ord(opening[-1]) >= 0x3000  # no spaces between words in CJK
        if not (rest == "" or cjk or not opening[-1].isalnum() or not rest[0].isalnum()):
            continue
        if opening[-1].isalnum() and not cjk and not rest.startswith(":") and (
            words > FURNITURE_WORDS_BARE
        ):
            continue
        if kind == "comments" and words > 3:
            continue  # "Comments are closed on…" is a sentence about comments, keep it
        return kind
    if kind_cookie(key):
        return "cookies"
    return None


def kind_cookie(key: str) -> bool:
    """A consent banner line: names cookies and asks to accept or consent."""
    return ("cookie" in key or "sīkdatn" in key or "çerez" in key or "куки" in key) and any(
        w in key for w in ("accept", "akzept", "consent", "zustimm", "acept", "aceit", "accett",
                           "setuju", "соглас", "kabul", "piekrīt", "privacy", "datenschutz",
                           "confidentialité", "privacidad", "privacidade"))


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


# How many paragraphs below a deck the lead that repeats it may stand.
DECK_REACH = 3


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
    n = len(lines)
    for index, (line, key) in enumerate(zip(lines, keys, strict=True)):
        if not key:
            continue
        edge = index < 2 or index >= n - 3  # a source or credit line stands first or last
        src = SOURCE_LINE_RE.match(line)
        if src:
            name = src.group("src").strip()
            if edge and len(name.split()) <= 5 and "," not in name:
                meta.via = meta.via or name
                continue
            if not edge:  # "Source: CDC, …" under a chart: a caption, not a credit line
                continue
        credit = (VIA_LINE_RE.match(line) or AGENCY_PAREN_RE.match(line)) if edge else None
        if credit and len(line.split()) <= 8:
            meta.via = meta.via or credit.group("src").split("/")[0].strip()
            continue
        if furniture(line, key) or EMBED_RE.search(line):
            continue
        if (index < 2 or index >= n - 4) and len(line.split()) <= 12 and (
            COUNTER_RE.match(line) or LINK_LIKE_RE.search(line)
        ):
            continue  # structural: a counter or a link at the body's start or end
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
        if CREDIT_RE.match(line) and len(line.split()) <= 16:
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

    # A first paragraph that is a near-copy of the headline (the headline set again, a
    # variant of it) adds nothing.
    if title and len(kept) > 1:
        from .pages import agreement, word_count

        extra = set(fold(kept[0]).split()) - set(fold(title).split())
        if agreement(title, kept[0]) >= 0.8 and (
            len(extra) <= max(3, 0.15 * word_count(title)) if " " in kept[0].strip()
            else word_count(kept[0]) <= 1.2 * word_count(title)
        ):
            kept = kept[1:]  # a longer lead that only starts like the headline stays

    # Decks and repeated leads: drop a paragraph whose wording an earlier one, or one of the
    # next few (the lead under its deck), repeats in full. A standfirst whose wording comes
    # back only deep in the story (a quote reported again) is the story's summary: it stays.
    keys = [fold(p) for p in kept]
    kept = [
        p for i, p in enumerate(kept)
        if not any(j != i and j <= i + DECK_REACH and contained(keys[i], keys[j])
                   for j in range(len(kept)))
    ]

    if kept and (m := VISIT_TAIL_RE.search(kept[-1])):
        kept[-1] = kept[-1][: m.start()].rstrip()
        kept = kept if kept[-1] else kept[:-1]
    # Trailing link lists: short non-sentence lines after the last real paragraph.
    while len(kept) > 1 and is_short_line(kept[-1], words=16) and len(kept[-1]) < 120:
        kept.pop()
    return kept, meta


def _via(found: _Meta, outlet: str | None) -> str | None:
    """The source an article names: its credit or source line, else a dateline's agency when
    the article's outlet is another ("MOSCOW (SANA) —" on a page of MNTV)."""
    own = outlet or found.outlet
    via = found.via or (found.outlet if outlet and found.outlet else None)
    return via if via and fold(via) != fold(own or "") else None


def detect_language(text: str) -> str:
    return detect_language_confidence(text)[0]


# Below this probability a detection loses to the language a feed or page declares.
CONFIDENT_LANGUAGE = 0.9


def detect_language_confidence(text: str) -> tuple[str, float]:
    """(ISO 639-1 code, probability 0-1) of the text's language (py3langid)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    global _IDENTIFIER
    if _IDENTIFIER is None:
        _IDENTIFIER = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    lang, prob = _IDENTIFIER.classify(text[:4000])
    return lang, float(prob)


_IDENTIFIER = None


def parse_article(text: str, article_id: str, path: str | None = None,
                  language_hint: str | None = None) -> Article:
    """Turn one file's text into an Article; raise ValueError when nothing usable is left.

    ``language_hint`` is what the source declares (a feed's ``<language>``): it is used only
    when detection on the text itself is not confident (short items, mixed text).
    """
    text = normalize_space(text.replace("\r\n", "\n").replace("\r", "\n"))
    meta, text = split_front_matter(text)
    md = path is not None and path.lower().endswith(".md")
    lines = [strip_markdown(line) if md else line for line in text.split("\n")]
    lines = [line.strip() for line in lines if line.strip()]
    if not lines:
        raise ValueError("no text after the front matter")

    language = meta.get("language")
    if not language:
        language, confidence = detect_language_confidence("\n".join(lines))
        if language_hint and confidence < CONFIDENT_LANGUAGE:
            language = language_hint
    title = meta.get("title")
    derived = False
    if title is None and looks_like_headline(lines[0], language) and len(lines) > 1:
        title, lines = lines[0], lines[1:]  # a lone line is the whole story, not a headline
    body_lines, found = clean_lines(lines, title)
    if not body_lines:
        raise ValueError("no article text left after removing page furniture")
    if title is None:
        title, derived = derive_headline(body_lines[0][:2000], language), True
    published, published_from = meta.get("published"), "front-matter"
    if not published:
        published = text_date("\n".join(lines[:TEXT_DATE_LINES]))
        published_from = "text" if published else None

    return Article(
        id=article_id,
        title=title,
        body="\n\n".join(body_lines),
        language=language,
        path=path,
        url=meta.get("url"),
        outlet=meta.get("outlet") or found.outlet,
        via=_via(found, meta.get("outlet")),
        published=published,
        published_from=published_from,
        place=found.place,
        title_derived=derived,
    )


# Words that make a named agency the teller of the report ("according to SANA", "SANA
# reported", "kata SANA", "selon l'AFP", "به گزارش ایسنا"), in the languages of the lexicons
# above. "told AFP" or "in an interview with AFP" do not: the agency only heard a quote.
_ATTRIBUTION_BEFORE = ("according to", "reported by", "citing", "kata", "ujar", "tambah",
                       "menurut", "dilansir", "dikutip dari", "selon", "a rapporté", "según",
                       "informó", "de acuerdo con", "segundo", "conforme", "secondo", "laut",
                       "berichtete", "zufolge", "по данным", "по словам", "сообщает",
                       "сообщило", "göre", "به گزارش", "به نقل از", "وفقا ل", "وفقا لـ",
                       "نقلا عن", "ذكرت", "أفادت", "据", "援引")
_ATTRIBUTION_AFTER = ("reported", "reports", "said", "says", "added", "quoted", "melaporkan",
                      "menyebutkan", "a rapporté", "rapporte", "a indiqué", "informó",
                      "reportó", "informou", "noticiou", "riferisce", "berichtete",
                      "meldete", "berichtet", "meldet", "сообщило", "сообщает",
                      "bildirdi", "گزارش داد", "أفادت", "报道", "报导")


def attributed(text: str, registry: Registry, lead: str = "") -> list[str]:
    """Registered agencies the text names as the teller of its report: once in the lead, or
    twice anywhere ("…, kata SANA." three times; "According to the Syrian Arab News Agency")."""
    folded, lead_folded = f" {fold(text)} ", f" {fold(lead)} "
    before = "|".join(re.escape(fold(w)) for w in _ATTRIBUTION_BEFORE)
    after = "|".join(re.escape(fold(w)) for w in _ATTRIBUTION_AFTER)
    found: dict[str, int] = {}
    for outlet in registry.outlets:
        if not outlet.is_agency:
            continue
        for name in (outlet.name, *outlet.aliases):
            key = fold(name)
            # every pattern below contains the name itself: most agencies are not named at all
            if len(key) < 3 or (key not in folded and key not in lead_folded):
                continue
            pattern = (rf"(?:(?:{before})\s+(?:the\s+|l'|la\s+|el\s+|kantor berita\s+"
                       rf"(?:pemerintah\s+)?)?{re.escape(key)}(?= )"
                       rf"|(?<= ){re.escape(key)}\s+(?:{after}))")
            hits = len(re.findall(pattern, folded))
            if re.search(pattern, lead_folded):
                hits += 2
            if hits:
                found[outlet.name] = found.get(outlet.name, 0) + hits
    return [name for name, n in sorted(found.items(), key=lambda x: -x[1]) if n >= 2]


def resolve_outlet(article: Article, registry: Registry) -> Article:
    """Canonical outlet and agency names from the registry, and the agency an article relays.

    Only a credit line, a source line or a dateline (``via``: "(FR mit dpa)", "Sumber :
    FARS-OANA", "MOSCOW (SANA) —") or the report's own attribution to a registered agency
    ("according to SANA" in the lead, "…, kata SANA" throughout) says whom an article relays;
    an agency merely mentioned ("told AFP", a chart's "Source: CDC") does not.
    """
    own = registry.resolve(article.outlet)
    via = registry.resolve(article.via)
    relays = via.name if via else article.via
    if relays is None:
        lead = article.title + "\n" + "\n".join(article.paragraphs[:2])
        own_name = own.name if own else article.outlet
        cited = [n for n in attributed(article.body, registry, lead) if n != own_name]
        relays = cited[0] if cited else None
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
            article_id = file_id(path)
            ids[article_id] += 1
            if ids[article_id] > 1:
                article_id = f"{article_id}-{ids[article_id]}"
            text, repair = read_text(path)
            article = resolve_outlet(parse_article(text, article_id, shown(path)), registry)
            if repair:
                log.warning("repaired %s: %s", shown(path), repair)
                result.repaired.append(Skipped(shown(path), repair))
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            log.warning("skipped %s: %s", shown(path), reason)
            result.skipped.append(Skipped(shown(path), reason))
            continue
        result.articles.append(article)
    for s in result.skipped:
        if s.reason == "no such file or directory":
            log.warning("skipped %s: %s", s.path, s.reason)
    return result
