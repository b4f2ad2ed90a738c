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
