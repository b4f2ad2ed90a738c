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
from .outlets import Registry, load_registry
from .quantities import (
    RUNNING_CONCEPTS,
    Quantity,
    compatible,
    conflicts,
    label,
    parse_quantities,
    same_quantity,
)
from .similarity import CachedEmbedder, mutual_matches
from .text import fold
from .types import Article, Claim, Event, SummarySentence

SUPPORT_MIN = 0.86
SUPPORT_GAP = 0.04


def attribute_sentence(text: str, event: Event, embedder: CachedEmbedder) -> SummarySentence:
    from .group import salient_numbers

    vec = embedder.embed([text])[0]
    figures = salient_numbers(text)
    days = weekdays(text)
    sentence = SummarySentence(text=text)
    for article in event.articles:
        sents = embedder.facts(article)
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


def extract_claims(event: Event, embedder: CachedEmbedder,
                   registry: Registry | None = None) -> list[Claim]:
    """Align the event's sentences across articles and languages into ranked claims.

    Two sentences of different articles state the same claim when they are each other's best
    match with a clear margin (``similarity.mutual_matches``: cosine >= MATCH_MIN and a margin of
    MATCH_MARGIN over both sentences' runner-up neighbours); claims are the connected groups
    of such matches. A claim is shown in the event's language when one of its sources says it
    in that language, else in the first source's words. Shared claims whose independent
    sources give incompatible values for one quantity are conflicts (``_differences``; an
    article's version is all its sentences in the claim). Ranking: most
    distinct articles first, then the position in the representative article.
    """
    arts = event.articles
    sents = [[s for s in embedder.facts(a) if s != a.title] for a in arts]
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

    origin = independent_origins(arts, registry)
    by_id = {a.id: a for a in arts}
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
        independent = list(dict.fromkeys(origin[i] for i in evidence))
        kind = "shared" if len(independent) > 1 else "single-source"
        differs = _differences(said, by_id, origin) if kind == "shared" else []
        if differs:
            kind = "conflict"
        claims.append((members[0], Claim("", sents[ai][si], arts[ai].language,
                                         list(evidence), evidence, kind,
                                         independent_sources=independent, differs=differs)))
    claims.sort(key=lambda c: (-len(c[1].independent_sources), -len(c[1].sources), c[0]))
    out = []
    for k, (_, claim) in enumerate(claims, 1):
        claim.id = f"{event.id}-c{k}"
        out.append(claim)
    return out


# --- independent sources -----------------------------------------------------------------

# Two reports whose word 4-grams overlap this much are one text (a copy, a syndicated or
# lightly edited relay); the later one counts with the earlier one's origin.
COPY_OVERLAP = 0.5


def independent_origins(articles: list[Article],
                        registry: Registry | None = None) -> dict[str, str]:
    """Each article's origin: the source whose report it is, so copies count once.

    An article that relays an agency (registry, credit or source line: ``Article.relays``)
    counts as that agency, and as whatever that agency relays in turn: when the agency's own
    report is in the event, or when the article, besides the agency it names as its source
    (``via``), cites another registered agency as the source of the story (Namaban via ISNA,
    "according to Syria's official news agency": SANA's report). An article whose text
    repeats an earlier one's (word 4-gram overlap >= COPY_OVERLAP) counts with the earlier
    one. Otherwise the article is its own outlet's report (its id when the outlet is unknown).
    """
    registry = registry or load_registry()
    outlet_relays: dict[str, str] = {}
    base: dict[str, str] = {}
    for a in articles:
        name = a.relays or a.outlet or a.id
        if a.via:
            own = {fold(x) for x in (a.outlet, a.via) if x}
            cited = [o for o in registry.mentioned(a.title + "\n" + a.body)
                     if fold(o.name) not in own and not any(fold(x) in own for x in o.aliases)]
            if cited:
                outlet_relays.setdefault(fold(a.via), cited[0].name)
        base[a.id] = name
        if a.outlet and a.relays and fold(a.relays) != fold(a.outlet):
            outlet_relays.setdefault(fold(a.outlet), a.relays)

    def follow(name: str) -> str:
        seen = {fold(name)}
        while fold(name) in outlet_relays and fold(outlet_relays[fold(name)]) not in seen:
            name = outlet_relays[fold(name)]
            seen.add(fold(name))
        return name

    order = sorted(range(len(articles)),
                   key=lambda k: (articles[k].published or "9999", k))
    grams = {a.id: _grams(a.body) for a in articles}
    origin: dict[str, str] = {}
    done: list[Article] = []
    for k in order:
        a = articles[k]
        copied = next((b for b in done if _overlap(grams[a.id], grams[b.id]) >= COPY_OVERLAP),
                      None)
        if copied is not None:
            origin[a.id] = origin[copied.id]
        else:
            origin[a.id] = follow(base[a.id])
        done.append(a)
    return origin


def _grams(text: str, n: int = 4) -> frozenset[str]:
    words = fold(text).split()
    return frozenset(" ".join(words[i:i + n]) for i in range(max(0, len(words) - n + 1)))


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Share of the shorter text's 4-grams that the other text also has."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def independent_outlets(event: Event, registry: Registry | None = None) -> list[str]:
    """The event's independent sources, in the order their first report appears."""
    origin = independent_origins(event.articles, registry)
    return list(dict.fromkeys(origin[a.id] for a in event.articles))


# --- conflicts -------------------------------------------------------------------------------

def _differences(said: dict[str, list[str]], articles: dict[str, Article],
                 origin: dict[str, str]) -> list[dict]:
    """What independent sources state differently in one claim: for each disputed quantity,
    its label and each value with the articles and outlets that give it.

    Only articles of different origins are compared: a relay that rounds its agency's figure
    is not a second source disagreeing. A running count (``quantities.RUNNING_CONCEPTS``: a
    toll) from reports published on different days is an update ("12 dead" on the first day,
    "51 dead" three days later), not a dispute. Days of the week are not compared: a weekday
    is the day in the writer's time zone ("Minggu dini hari WIB" is Saturday night in
    Madrid), and often another day than the event's ("Wednesday, a day after the quake"), so
    two weekdays are no disagreement about one value.
    """
    quantities = {aid: [q for s in sents for q in parse_quantities(s, articles[aid].language)]
                  for aid, sents in said.items()}
    ids = list(said)
    disputed: list[list[tuple[Quantity, str]]] = []  # per quantity: (value, article id)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            if origin[a] == origin[b]:
                continue
            day_a, day_b = _day(articles[a]), _day(articles[b])
            other_day = day_a is not None and day_b is not None and day_a != day_b
            for qa, qb in conflicts(quantities[a], quantities[b]):
                if other_day and qa.concept in RUNNING_CONCEPTS:
                    continue
                entry = next((d for d in disputed if same_quantity(qa, d[0][0])), None)
                if entry is None:
                    disputed.append(entry := [])
                for q, aid in ((qa, a), (qb, b)):
                    if not any(aid == x and q == y for y, x in entry):
                        entry.append((q, aid))
    out = []
    for entry in disputed:
        # the disputed values, each with every article stating it (or a compatible one)
        groups: list[tuple[Quantity, list[str]]] = []
        for q, aid in entry:
            group = next((g for g in groups if compatible(g[0], q)), None)
            if group is None:
                groups.append((q, [aid]))
            elif aid not in group[1]:
                group[1].append(aid)
        for aid in ids:
            for group in groups:
                if aid not in group[1] and any(
                        compatible(q, group[0]) and q.concept == group[0].concept
                        for q in quantities[aid]):
                    group[1].append(aid)
        if len(groups) > 1:
            out.append({"quantity": label(entry[0][0]), "values": [
                _value(q, sorted(members, key=ids.index), articles) for q, members in groups]})
    return out


def _day(article: Article) -> str | None:
    """The calendar day an article was published on, when known."""
    return article.published[:10] if article.published else None


def _value(q: Quantity, members: list[str], articles: dict[str, Article]) -> dict:
    return {"text": q.text, "sources": members, "outlets": _outlets(members, articles)}


def _outlets(members: list[str], articles: dict[str, Article]) -> list[str]:
    return list(dict.fromkeys(articles[m].outlet or m for m in members))
