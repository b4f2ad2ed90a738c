"""What a seq2seq model reads for one event, and how its outputs become one summary.

An event is several reports of one story; the model (XL-Sum/CrossSum: mT5, 512 input tokens)
reads one window. The strategy, and why:

1. **The representative's lead first.** ``event.articles[0]`` is the most central article
   with a real headline; news puts the essentials in the headline and first paragraphs, and
   XL-Sum-style models were trained on exactly that (article starts truncated to 512 tokens).
   Window 1 is the representative's title and sentences, in order, until the token budget
   is spent.
2. **Then the other reports' leads, round-robin.** The first paragraph of every other
   article, then every second paragraph, and so on, and only then the representative's
   remaining text: a second source's lead is more likely to add a fact (a toll, a reaction)
   than the tail of the first. Articles in the representative's language come first; other
   languages are read only by cross-lingual models (those with a ``langid_map``), which are
   trained to read any language.
3. **No repeats in, none out.** A sentence already said (wire copies are common) is skipped
   by character 4-gram containment; windows are packed by *tokens* (the model's tokenizer),
   a sentence longer than the budget is cut at a token boundary, never by characters.
4. **Summarise, then fuse.** At most ``max_windows`` windows are summarised (all in one
   batch with the other events' windows); their outputs, in window order, are split into
   sentences and near-duplicate sentences are dropped, so a fact stated by both windows is
   said once. A last window shorter than ``MIN_WINDOW_TOKENS`` is dropped: a fragment that
   small yields a summary of a fragment.

Two windows cost two generations; ``max_windows=1`` halves the time of long events.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ..text import split_sentences

if TYPE_CHECKING:
    from ..types import Article, Event

MIN_WINDOW_TOKENS = 48
DUPLICATE_CONTAINMENT = 0.7
_SHINGLE = 4

# count(texts) -> token counts; cut(text, n) -> (first n tokens' text, the rest)
CountTokens = Callable[[Sequence[str]], list[int]]
CutTokens = Callable[[str, int], tuple[str, str]]


def _shingles(text: str) -> frozenset[str]:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = " ".join(re.sub(r"[^\w]+", " ", text).split())
    if len(text) <= _SHINGLE:
        return frozenset([text]) if text else frozenset()
    return frozenset(text[i : i + _SHINGLE] for i in range(len(text) - _SHINGLE + 1))


def is_repeat(candidate: frozenset[str], kept: Sequence[frozenset[str]]) -> bool:
    """Whether most of ``candidate`` (or of a kept sentence it contains) was already said."""
    if not candidate:
        return True
    for other in kept:
        if not other:
            continue
        overlap = len(candidate & other) / min(len(candidate), len(other))
        if overlap >= DUPLICATE_CONTAINMENT:
            return True
    return False


def dedupe_sentences(sentences: Sequence[str]) -> list[str]:
    """The sentences, in order, without near-duplicates of an earlier one."""
    kept: list[str] = []
    seen: list[frozenset[str]] = []
    for sentence in sentences:
        sh = _shingles(sentence)
        if sentence.strip() and not is_repeat(sh, seen):
            kept.append(sentence.strip())
            seen.append(sh)
    return kept


def fuse_outputs(outputs: Sequence[str], language: str) -> list[str]:
    """One summary from the windows' outputs: their sentences in order, repeats dropped."""
    sentences = [s for text in outputs if text for s in split_sentences(text, language)]
    return dedupe_sentences(sentences)


def _article_paragraphs(article: Article, with_title: bool) -> list[str]:
    paras = [" ".join(p.split()) for p in article.paragraphs]
    if with_title and not article.title_derived and article.title.strip():
        paras.insert(0, " ".join(article.title.split()))
    return [p for p in paras if p]


def reading_order(event: Event, cross_lingual: bool) -> tuple[list[str], list[list[str]]]:
    """(the representative's paragraphs, the other articles' paragraphs in reading order)."""
    rep = event.articles[0]
    same = [a for a in event.articles[1:] if a.language == rep.language]
    other = [a for a in event.articles[1:] if a.language != rep.language] if cross_lingual else []
    return _article_paragraphs(rep, True), [_article_paragraphs(a, True) for a in same + other]


def plan_windows(
    event: Event,
    *,
    budget: int,
    max_windows: int,
    count: CountTokens,
    cut: CutTokens,
    cross_lingual: bool = False,
) -> list[str]:
    """The texts the model reads for ``event``: 1..max_windows windows of ≤ ``budget`` tokens.

    See the module docstring for the order. Empty only for an event without any text.
    """
    if not event.articles or budget < 1 or max_windows < 1:
        return []
    language = event.articles[0].language
    rep, others = reading_order(event, cross_lingual)
    langs = [a.language for a in event.articles[1:] if a.language == language]
    if cross_lingual:
        langs += [a.language for a in event.articles[1:] if a.language != language]

    rep_queue = [s for p in rep for s in split_sentences(p, language) or [p]]
    rounds: list[str] = []
    for i in range(max((len(p) for p in others), default=0)):
        for paras, lang in zip(others, langs, strict=True):
            if i < len(paras):
                rounds.extend(split_sentences(paras[i], lang) or [paras[i]])

    windows: list[list[str]] = [[]]
    used = [0]
    seen: list[frozenset[str]] = []

    def pieces(queue: list[str]) -> list[tuple[str, int]]:
        """Sentences with their token counts, those over the budget cut by tokens."""
        out: list[tuple[str, int]] = []
        for sentence, n in zip(queue, count(queue) if queue else [], strict=True):
            while n > budget:
                head, sentence = cut(sentence, budget)
                out.append((head, budget))
                n = count([sentence])[0] if sentence.strip() else 0
            if n:
                out.append((sentence, n))
        return out

    # Window 1: the representative's lead, as far as it fits.
    rep_pieces = pieces(rep_queue)
    k = 0
    while k < len(rep_pieces) and used[0] + rep_pieces[k][1] <= budget:
        text, n = rep_pieces[k]
        sh = _shingles(text)
        if not is_repeat(sh, seen):
            seen.append(sh)
            windows[0].append(text)
            used[0] += n
        k += 1
    rest = rep_pieces[k:]
    if rest and max_windows > 1:
        windows.append([])
        used.append(0)
    if not rest or max_windows > 1:
        # Then the other reports' leads, then the rest of the representative.
        for text, n in pieces(rounds) + rest:
            sh = _shingles(text)
            if is_repeat(sh, seen):
                continue
            if used[-1] + n > budget:
                if len(windows) >= max_windows:
                    break
                windows.append([])
                used.append(0)
            seen.append(sh)
            windows[-1].append(text)
            used[-1] += n

    filled = [(w, u) for w, u in zip(windows, used, strict=True) if w]
    if len(filled) > 1 and filled[-1][1] < MIN_WINDOW_TOKENS:
        filled.pop()
    return [" ".join(w) for w, _ in filled]
