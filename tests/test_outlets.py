"""The outlet registry: names across scripts resolve to one outlet; bad files are clear errors."""

from __future__ import annotations

import pytest

from briefer.errors import UsageError
from briefer.outlets import load_registry


@pytest.fixture(scope="module")
def registry():
    return load_registry()


@pytest.mark.parametrize("name", ["SANA", "سانا", "Syrian Arab News Agency", "sana", " SANA "])
def test_aliases_across_scripts_resolve_to_one_outlet(registry, name):
    outlet = registry.resolve(name)
    assert outlet is not None and outlet.name == "SANA"
    assert outlet.type == "state agency" and outlet.country == "SY"


@pytest.mark.parametrize("name", ["ISNA", "ایسنا"])
def test_persian_agency_names(registry, name):
    assert registry.resolve(name).name == "ISNA"


def test_unknown_outlet_is_none(registry):
    assert registry.resolve("Some Local Paper") is None
    assert registry.resolve(None) is None


def test_agencies_mentioned_in_text_across_languages(registry):
    text = ("Putin membahas kerja sama, kata kantor berita pemerintah SANA. "
            "Dikatakan bahwa SANA melaporkan hal itu.")
    assert [o.name for o in registry.mentioned(text)] == ["SANA"]
    persian = "براساس بیانیه خبرگزاری رسمی سوریه، در این دیدار"
    assert [o.name for o in registry.mentioned(persian)] == ["SANA"]
    assert registry.mentioned("Sanaa is the capital of Yemen.") == []  # whole words only


def test_a_one_word_agency_name_counts_only_when_written_as_a_name(registry):
    # Indonesian "antara" is "between"; the agency is "ANTARA", or "Antara" inside a sentence
    assert registry.mentioned("Kerja sama antara Iran dan Rusia terus berlanjut.") == []
    assert registry.mentioned("Antara lain, Iran dan Rusia membahas energi.") == []
    assert [o.name for o in registry.mentioned("Jakarta (ANTARA) - Harga naik.")] == ["Antara"]
    assert [o.name for o in registry.mentioned("Hal itu dilaporkan Antara.")] == ["Antara"]


def test_the_seed_relaying_fars_traces_back_to_fars(registry):
    from pathlib import Path

    from briefer.attribute import independent_origins
    from briefer.ingest import ingest

    seeds = Path(__file__).parents[1] / "seeds"
    (article,) = [a for a in ingest([seeds]).articles if a.id.startswith("002")]
    assert independent_origins([article], registry) == {article.id: "Fars News Agency"}


def test_malformed_registry_is_a_usage_error(tmp_path):
    bad = tmp_path / "outlets.toml"
    bad.write_text('[[outlet]]\nname = "X"\nkind = "private"\n', encoding="utf-8")
    with pytest.raises(UsageError, match="unknown key 'kind'"):
        load_registry(bad)
    bad.write_text('[[outlet]]\nname = "X"\ntype = "blog"\n', encoding="utf-8")
    with pytest.raises(UsageError, match="type 'blog'"):
        load_registry(bad)
    bad.write_text("[[outlet]\n", encoding="utf-8")
    with pytest.raises(UsageError, match="not valid TOML"):
        load_registry(bad)
    with pytest.raises(UsageError, match="Cannot read"):
        load_registry(tmp_path / "missing.toml")
