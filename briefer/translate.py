"""Translate: every text a reader is shown, in the reader's language (``--lang``).

Runs after attribution (which compares the sources with what the summariser wrote, in the
summary's own language) and before rendering. What is translated, when it is not already in
the reader's language: event headlines, summary sentences, claims, the sources' versions of a
conflicting claim, and source titles; "also today" and index lines are made from these. Each
translated item keeps its ``original`` (text and language) for brief.json and the templates.

Texts go to the model sentence by sentence (a long sentence is cut at a clause or a space),
batched per language pair and sorted by length (the backend does that), and the
translations are cached in the summary cache file (``summaries.sqlite``): unchanged inputs
translate nothing the second time.

Faithfulness guards: a translation whose numbers (compared as values: ``1,200`` = ``1 200`` =
``۱٬۲۰۰``) or names (capitalised words of the source, when source and translation are in the
same cased script) did not survive is discarded; the item is then shown in its own language
with its language tag, and counted. A random or weak model thus never puts a wrong figure in
the reader's language.

``auto`` uses the M2M100 model when it is on this machine (a directory, or the Hugging Face
cache), decided without the network; otherwise one warning and no translation.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from .backends import Translator, get_translator
from .errors import ModelError
from .languages import display_name, normalize_code
from .text import split_sentences
from .types import Event, Original, Untranslated

log = logging.getLogger(__name__)

CHOICES = ("auto", "m2m100", "nllb", "none")
# A sentence longer than this (characters) is cut before it goes to the model: translation
# models are trained on sentences, and quality falls (and time grows) on longer inputs.
MAX_SEGMENT_CHARS = 300
# Languages written without spaces between words: translated segments are joined as they are.
_UNSPACED = frozenset({"zh", "ja", "th", "lo", "km", "my"})
# Languages that capitalise common nouns too: their capitalised words are not names.
_NOUNS_CAPITALISED = frozenset({"de", "lb"})

REASON_NUMBERS = "a number changed in translation"
REASON_NAMES = "a name changed in translation"
REASON_SCRIPT = "the translation is not in the reader's script"
REASON_FAILED = "the translator failed on it"
REASON_EMPTY = "the translation was empty"
REASON_LANGUAGE = "the translator cannot read its language"


# -- choosing the translator -----------------------------------------------------------------


def choose_translator(
    name: str,
    model: str | None,
    lang: str | None,
    *,
    int8: bool = True,
    cache_dir: Path | None = None,
) -> tuple[Translator | None, list[str]]:
    """The translator to use for reader language ``lang`` and any warning for the brief.

    ``none`` or no ``lang``: None. ``auto``: M2M100 (or the model given) when it is on this
    machine, else None and one warning; never the network, so it is decided in well under a
    second offline. ``m2m100``/``nllb``: that backend, checked (a model on the hub only is
    fetched when it is first used). A target language the model cannot write is a
    UsageError whatever the choice.
    """
    if name == "none" or not lang:
        return None, []
    if name == "auto":
        backend = "nllb" if model and "nllb" in model.lower() else "m2m100"
        translator = get_translator(backend, model=model, int8=int8, cache_dir=cache_dir)
        translator.check_target(lang)  # type: ignore[attr-defined]
        ok, reason = translator.available()  # type: ignore[attr-defined]
        if ok:
            return translator, []
        warning = (
            f"Translation model {translator.model} is not on this machine ({reason}); texts "
            f"not in {display_name(lang)} stay in their own languages (briefer models fetch "
            f"{translator.model}, or --translator none to silence this)."
        )
        return None, [warning]  # logged by translate_brief_events, after the summaries
    translator = get_translator(name, model=model, int8=int8, cache_dir=cache_dir)
    check_target = getattr(translator, "check_target", None)
    if callable(check_target):
        check_target(lang)
    check = getattr(translator, "check", None)
    if callable(check):
        check()
    return translator, []


# -- the guards -------------------------------------------------------------------------------

# A number: digits (any script), with thousands or decimal separators between digit groups.
_NUMBER = re.compile(r"\d+(?:[.,\u066b\u066c\u060c\u202f\u00a0' ]\d+)*")


def numbers(text: str) -> list[str]:
    """The numbers of ``text`` as values, sorted: digits of any script read as ASCII, group
    and decimal separators dropped, leading zeros dropped (``1,200`` == ``1 200`` ==
    ``۱٬۲۰۰`` == ``1.200``; ``3.5`` == ``3,5``)."""
    found = []
    for match in _NUMBER.finditer(text):
        digits = "".join(str(unicodedata.digit(c)) for c in match.group() if c.isdigit())
        found.append(digits.lstrip("0") or "0")
    return sorted(found)


def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return name.split(" ")[0] if name else ""


def _cased_script(text: str) -> str | None:
    """The cased script (LATIN, CYRILLIC, GREEK...) most letters of ``text`` are in, if any."""
    script = _main_script(text)
    return script if script in ("LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "GEORGIAN") else None


_WORD = re.compile(r"\w+(?:[-']\w+)*")


def names(text: str, language: str) -> list[str]:
    """Capitalised words that are not a sentence's first word, and all-capital acronyms."""
    if normalize_code(language).split("-")[0] in _NOUNS_CAPITALISED:
        return [w for w in _WORD.findall(text) if len(w) > 1 and w.isupper()]
    words = _WORD.findall(text)
    capitalised = sum(1 for w in words if w[:1].isupper())
    if len(words) >= 4 and capitalised * 2 > len(words):  # Title Case: capitals say nothing
        return [w for w in words if len(w) > 1 and w.isupper()]
    out = []
    for i, match in enumerate(_WORD.finditer(text)):
        word = match.group()
        if len(word) < 2 or not word[0].isupper() or word.isdigit():
            continue
        before = text[: match.start()].rstrip()
        first = i == 0 or before.endswith((".", "!", "?", ":", "«", '"', "“", "„"))
        if word.isupper() or not first:
            out.append(word)
    return out


def _fold(word: str) -> str:
    text = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in text if not unicodedata.combining(c))


def _skeleton(word: str) -> str:
    """The first three consonants of a folded word (vowels, y and w dropped)."""
    return "".join(c for c in _fold(word) if c.isalpha() and c not in "aeiouyw")[:3]


def name_survives(name: str, translation_words: Sequence[str]) -> bool:
    """A name survives when a word of the translation starts like it (first four letters)
    or has the same first three consonants, accents and case ignored: inflections and
    exonyms that keep their stem (Moskau, Londres, Poutine for Putin) pass; a name replaced
    by another (Biden for Putin) does not."""
    key, skeleton = _fold(name)[:4], _skeleton(name)
    return any(
        _fold(w).startswith(key) or (len(skeleton) == 3 and _skeleton(w) == skeleton)
        for w in translation_words
    )


# FLORES-200 script subtags (the tail of an NLLB code) -> Unicode script name.
_SCRIPTS = {"Latn": "LATIN", "Cyrl": "CYRILLIC", "Arab": "ARABIC", "Grek": "GREEK",
            "Hebr": "HEBREW", "Deva": "DEVANAGARI", "Beng": "BENGALI", "Hang": "HANGUL",
            "Thai": "THAI", "Geor": "GEORGIAN", "Armn": "ARMENIAN", "Ethi": "ETHIOPIC",
            "Taml": "TAMIL", "Telu": "TELUGU", "Knda": "KANNADA", "Mlym": "MALAYALAM",
            "Gujr": "GUJARATI", "Guru": "GURMUKHI", "Sinh": "SINHALA", "Khmr": "KHMER",
            "Laoo": "LAO", "Mymr": "MYANMAR", "Orya": "ORIYA"}  # fmt: skip


def expected_script(language: str) -> str | None:
    """The Unicode script ``language`` is written in, when it has one (not Chinese/Japanese)."""
    from .backends.m2m100 import nllb_code

    code = nllb_code(language)
    return _SCRIPTS.get(code.split("_")[1]) if code else None


def _main_script(text: str) -> str | None:
    counts: dict[str, int] = {}
    for ch in text:
        if ch.isalpha():
            script = _script(ch)
            counts[script] = counts.get(script, 0) + 1
    return max(counts, key=lambda s: counts[s]) if counts else None


def guard(
    source: str, translation: str, source_language: str, target_language: str | None = None
) -> str | None:
    """Why ``translation`` of ``source`` must not be shown, or None when it may."""
    if not translation.strip():
        return REASON_EMPTY
    if numbers(source) != numbers(translation):
        return REASON_NUMBERS
    want = expected_script(target_language) if target_language else None
    found = _main_script(translation)
    if want is not None and found is not None and found != want:
        return REASON_SCRIPT
    script = _cased_script(source)
    if script is not None and _cased_script(translation) == script:
        words = _WORD.findall(translation)
        if any(not name_survives(n, words) for n in names(source, source_language)):
            return REASON_NAMES
    return None


# -- segments ---------------------------------------------------------------------------------


def segments(text: str, language: str) -> list[str]:
    """The sentences of ``text``, each at most MAX_SEGMENT_CHARS (cut at ; : , or a space)."""
    out = []
    for sentence in split_sentences(text, language) or [text.strip()]:
        out.extend(_cut(sentence))
    return [s for s in out if s]


def _cut(sentence: str) -> list[str]:
    if len(sentence) <= MAX_SEGMENT_CHARS:
        return [sentence.strip()]
    middle = len(sentence) // 2
    best = -1
    for mark in ("; ", ": ", ", ", "، ", "，", " "):
        positions = [m.end() for m in re.finditer(re.escape(mark), sentence)]
        inside = [p for p in positions if MAX_SEGMENT_CHARS // 4 < p < len(sentence) - 20]
        if inside:
            best = min(inside, key=lambda p: abs(p - middle))
            break
    if best <= 0:
        best = MAX_SEGMENT_CHARS
    return _cut(sentence[:best].strip()) + _cut(sentence[best:].strip())


def _join(parts: Sequence[str], language: str) -> str:
    glue = "" if normalize_code(language).split("-")[0] in _UNSPACED else " "
    return glue.join(p.strip() for p in parts)


# -- the stage --------------------------------------------------------------------------------


@dataclass
class Item:
    """One shown text, where it goes once translated (``apply``)."""

    text: str
    language: str
    apply: Callable[[str | None, Original | None, Untranslated | None], None]


@dataclass
class TranslationReport:
    """What the stage did (brief.json's ``translation``; the footer shows the counts)."""

    translator: str | None
    model: str | None
    licence: str | None
    target: str
    engine: str | None = None
    translated: int = 0  # items now in the reader's language
    rejected: int = 0  # translations discarded by the guards (numbers, names)
    failed: int = 0  # items the translator failed on or could not read
    already: int = 0  # items already in the reader's language
    segments: int = 0  # sentences sent to the model this run (cache misses)
    cached: int = 0  # sentences found in the cache
    reasons: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "translator": self.translator, "model": self.model, "licence": self.licence,
            "engine": self.engine, "target": self.target, "translated": self.translated,
            "kept_original": self.rejected + self.failed, "rejected_by_guards": self.rejected,
            "failed": self.failed, "already_in_language": self.already,
            "sentences_translated": self.segments, "sentences_cached": self.cached,
            "reasons": dict(self.reasons),
        }  # fmt: skip


def shown_items(events: Sequence[Event]) -> list[Item]:
    """Every text of ``events`` a reader is shown that translation concerns, with setters."""
    items: list[Item] = []
    for event in events:
        headline_lang = next(
            (a.language for a in event.articles if a.title == event.headline),
            event.articles[0].language if event.articles else event.language,
        )
        if event.headline:
            def set_headline(text, original, untranslated, e=event):
                if text is not None:
                    e.headline = text
                e.headline_original, e.headline_untranslated = original, untranslated

            items.append(Item(event.headline, headline_lang, set_headline))
        for sentence in event.summary:
            def set_sentence(text, original, untranslated, s=sentence):
                if text is not None:
                    s.text = text
                s.original, s.untranslated = original, untranslated

            items.append(Item(sentence.text, event.language, set_sentence))
        for claim in event.claims:
            def set_claim(text, original, untranslated, c=claim):
                if text is not None:
                    c.text = text
                c.original, c.untranslated = original, untranslated

            items.append(Item(claim.text, claim.language or event.language, set_claim))
            if claim.kind == "conflict":  # each source's version is shown
                langs = {a.id: a.language for a in event.articles}
                for article_id, evidence in claim.evidence.items():
                    def set_evidence(text, original, _untranslated, c=claim, k=article_id):
                        if text is not None and original is not None:
                            c.evidence[k] = text
                            c.evidence_original[k] = original

                    lang = langs.get(article_id, claim.language or event.language)
                    items.append(Item(evidence, lang, set_evidence))
        for index, article in enumerate(event.articles):
            def set_title(text, original, untranslated, e=event, i=index):
                a = e.articles[i]
                e.articles[i] = replace(a, title=text if text is not None else a.title,
                                        title_original=original,
                                        title_untranslated=untranslated)  # fmt: skip

            if article.title:  # a title briefer derived from the text is shown too
                items.append(Item(article.title, article.language, set_title))
    return items


def translate_events(
    events: Sequence[Event],
    translator: Translator,
    target: str,
    *,
    store: object | None = None,
) -> TranslationReport:
    """Translate what ``events`` show into ``target`` in place; see the module docstring.

    ``store``: a :class:`briefer.summary_store.SummaryStore` (None: no cache).
    """
    target = normalize_code(target)
    report = TranslationReport(translator.id, translator.model,
                               getattr(translator, "licence", None), target)  # fmt: skip
    items = shown_items(events)
    # (source language, segment) -> translation (None: failed)
    wanted: dict[tuple[str, str], str | None] = {}
    plans: list[tuple[Item, str, list[str]] | None] = []
    for item in items:
        source = normalize_code(item.language or "")
        if not item.text.strip() or not source or source.split("-")[0] == target.split("-")[0]:
            report.already += 1
            plans.append(None)
            continue
        if not translator.supports(source):
            plans.append((item, source, []))
            continue
        parts = segments(item.text, source)
        plans.append((item, source, parts))
        for part in parts:
            wanted.setdefault((source, part), None)

    _fill(wanted, translator, target, store, report)
    report.engine = getattr(translator, "engine_name", None)

    for plan in plans:
        if plan is None:
            continue
        item, source, parts = plan
        original = Original(item.text, source)
        if not parts:
            _keep(item, source, REASON_LANGUAGE, report, failed=True)
            continue
        outs = [wanted.get((source, p)) for p in parts]
        if any(o is None for o in outs):
            _keep(item, source, REASON_FAILED, report, failed=True)
            continue
        checks = (guard(p, o or "", source, target) for p, o in zip(parts, outs, strict=True))
        reason = next((r for r in checks if r), None)
        if reason is not None:
            _keep(item, source, reason, report)
            continue
        item.apply(_join([o or "" for o in outs], target), original, None)
        report.translated += 1
    for event in events:
        if any(s.original is not None for s in event.summary):
            event.language = target
    log.info("translation into %s: %d items translated, %d kept in their language (%d by the "
             "guards); %d sentences translated, %d from the cache", target, report.translated,
             report.rejected + report.failed, report.rejected, report.segments,
             report.cached)  # fmt: skip
    return report


def _keep(item: Item, source: str, reason: str, report: TranslationReport, *,
          failed: bool = False) -> None:  # fmt: skip
    item.apply(None, None, Untranslated(source, reason))
    report.reasons[reason] = report.reasons.get(reason, 0) + 1
    if failed:
        report.failed += 1
    else:
        report.rejected += 1


def _fill(
    wanted: dict[tuple[str, str], str | None],
    translator: Translator,
    target: str,
    store: object | None,
    report: TranslationReport,
) -> None:
    """Translations of every wanted (language, segment): the cache's, then the model's."""
    key_of = getattr(translator, "cache_key", None)
    keys: dict[tuple[str, str], str] = {}
    if store is not None and callable(key_of):
        for source, text in wanted:
            key = key_of(text, source, target)
            if key:
                keys[(source, text)] = key
        hits = store.get_translations(list(keys.values()))  # type: ignore[attr-defined]
        for pair, key in keys.items():
            if key in hits:
                wanted[pair] = hits[key]
                report.cached += 1
    by_language: dict[str, list[str]] = {}
    for (source, text), done in wanted.items():
        if done is None:
            by_language.setdefault(source, []).append(text)
    fresh: dict[str, str] = {}
    for source, texts in sorted(by_language.items()):
        try:
            outs = translator.translate(texts, source, target)
        except ModelError:
            raise
        report.segments += len(texts)
        for text, out in zip(texts, outs, strict=True):
            wanted[(source, text)] = out
            if out is not None and callable(key_of):
                key = keys.get((source, text)) or key_of(text, source, target)
                if key:
                    fresh[key] = out
    if store is not None and fresh:
        store.put_translations(fresh)  # type: ignore[attr-defined]


def translate_brief_events(
    events: Sequence[Event],
    translator: Translator | None,
    lang: str,
    name: str,
    warnings: list[str],
    *,
    cache_dir: Path | None = None,
    cache: bool = False,
) -> tuple[dict, list[str]]:
    """The pipeline's entry point: (brief.json's ``translation``, the brief's warnings).

    ``translator`` and ``warnings`` come from :func:`choose_translator` (None: no
    translation, the warnings say why; they are logged here, so an error of the summariser
    is not preceded by them). A model that fails to load under ``auto`` costs the
    translation, not the brief; chosen by name, it is an error.
    """
    lang = normalize_code(lang)
    for warning in warnings:
        log.warning(warning)
    if translator is None:
        return {"translator": None, "target": lang, "translated": 0,
                "warning": warnings[0] if warnings else None}, list(warnings)  # fmt: skip
    store = None
    if cache:
        from .store import default_cache_dir
        from .summary_store import FILENAME, SummaryStore

        store = SummaryStore.open((cache_dir or default_cache_dir()) / FILENAME)
    try:
        report = translate_events(events, translator, lang, store=store)
    except ModelError as exc:
        if name != "auto":
            raise
        warning = f"{str(exc).rstrip('.')}; texts stay in their own languages."
        log.warning(warning)
        return {"translator": None, "target": lang, "translated": 0,
                "warning": warning}, [*warnings, warning]  # fmt: skip
    finally:
        if store is not None:
            store.close()
    return report.to_dict(), list(warnings)
