"""Attribute: tie every summary sentence to the articles that support it.

A source article supports a summary sentence when its best-matching sentence

- has cosine >= SUPPORT_MIN with the summary sentence, and
- beats that article's mean similarity to the summary sentence by SUPPORT_GAP.

The first test asks for the same content; the second rejects matches that are only "about
the same topic" (every sentence of a same-topic article scores high, so the best one does not
stand out). Both values were chosen on the seeds: cross-language parallel sentences score
0.865-0.904 with gaps of 0.04-0.09, while sentences of the other event with the same actors
reach 0.864 but with gaps under 0.04 (README, "Attribution"). The best source sentence is kept
as evidence so a reader can check the claim in the outlet's own words.

A sentence that states figures (a date, a toll, a score) is supported only by sources that
state the same figures somewhere: similar wording around a different number is another fact.
Days of the week are checked more loosely: a source that names none is silent on the day (many
reports leave it out) and may support the sentence, but one that names days, none of them the
sentence's ("on Friday" against "ce jeudi"), reports another day and cannot.
"""

from __future__ import annotations

import numpy as np

from .datetext import weekdays
from .similarity import CachedEmbedder, mutual_matches
from .types import Claim, Event, SummarySentence

SUPPORT_MIN = 0.86
SUPPORT_GAP = 0.04


def attribute_sentence(text: str, event: Event, embedder: CachedEmbedder) -> SummarySentence:
    from .group import salient_numbers

    vec = embedder.embed([text])[0]
    figures = salient_numbers(text)
    days = weekdays(text)
    sentence = SummarySentence(text=text)
    for article in event.articles:
        sents = embedder.sentences(article)
        whole = article.title + "\n" + article.body
        if not sents or not figures <= salient_numbers(whole):
            continue  # a source that never states the sentence's figures cannot support it
        if days and (named := weekdays(whole)) and not days & named:
            continue  # it names other days of the week: another day's report
        sims = embedder.embed(sents) @ vec
        best = int(np.argmax(sims))
        if (sims[best] >= SUPPORT_MIN and sims[best] - float(sims.mean()) >= SUPPORT_GAP) or (
            len(sents) == 1 and sims[best] >= SUPPORT_MIN + SUPPORT_GAP
        ):
            sentence.sources.append(article.id)
            sentence.evidence[article.id] = sents[best]
    return sentence


def attribute_event(event: Event, sentences: list[str], embedder: CachedEmbedder) -> Event:
    """Fill ``event.summary``; unsupported sentences stay, marked by an empty source list."""
    event.summary = [attribute_sentence(s, event, embedder) for s in sentences]
    return event


# --- claims ----------------------------------------------------------------------------------


def extract_claims(event: Event, embedder: CachedEmbedder) -> list[Claim]:
    """Align the event's sentences across articles and languages into ranked claims.

    Two sentences of different articles state the same claim when they are each other's best
    match with a clear margin (``similarity.mutual_matches``: cosine >= MATCH_MIN and a margin of
    MATCH_MARGIN over both sentences' runner-up neighbours); claims are the connected groups
    of such matches. A claim is shown in the event's language when one of its sources says it
    in that language, else in the first source's words. Shared claims whose sources give
    different figures, or name different days of the week, are conflicts (an article's version
    is all its sentences in the claim: a chain of matches can pull in a neighbouring sentence,
    whose "since Saturday" is no answer to another's "from Thursday"). Ranking: most
    distinct articles first, then the position in the representative article.
    """
    arts = event.articles
    sents = [[s for s in embedder.sentences(a) if s != a.title] for a in arts]
    vecs = [embedder.embed(s) if s else None for s in sents]
    nodes = [(ai, si) for ai in range(len(arts)) for si in range(len(sents[ai]))]
    parent = {n: n for n in nodes}

    def find(n: tuple[int, int]) -> tuple[int, int]:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for a in range(len(arts)):
        for b in range(a + 1, len(arts)):
            if vecs[a] is None or vecs[b] is None:
                continue
            for i, j, _ in mutual_matches(vecs[a], vecs[b]):
                ra, rb = find((a, i)), find((b, j))
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)

    groups: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for n in nodes:
        groups.setdefault(find(n), []).append(n)

    claims = []
    for members in groups.values():
        members.sort()
        evidence: dict[str, str] = {}
        said: dict[str, list[str]] = {}  # all of each article's sentences in the claim
        for ai, si in members:
            evidence.setdefault(arts[ai].id, sents[ai][si])
            said.setdefault(arts[ai].id, []).append(sents[ai][si])
        own = [m for m in members if arts[m[0]].language == event.language]
        ai, si = (own or members)[0]
        kind = "shared" if len(evidence) > 1 else "single-source"
        if kind == "shared" and _versions_disagree([" ".join(s) for s in said.values()]):
            kind = "conflict"
        claims.append((members[0], Claim("", sents[ai][si], arts[ai].language,
                                         list(evidence), evidence, kind)))
    claims.sort(key=lambda c: (-len(c[1].sources), c[0]))
    out = []
    for k, (_, claim) in enumerate(claims, 1):
        claim.id = f"{event.id}-c{k}"
        out.append(claim)
    return out


def _versions_disagree(versions: list[str]) -> bool:
    """True when two versions both state figures, or both name days of the week, and each
    has one the other lacks ("41 killed" and "58 killed"; "on Thursday" and "vendredi")."""
    from .group import salient_numbers

    for facts in ([salient_numbers(v) for v in versions], [weekdays(v) for v in versions]):
        if any(a and b and (a - b) and (b - a)
               for k, a in enumerate(facts) for b in facts[k + 1 :]):
            return True
    return False
