"""Translation: the M2M100 backend on a tiny random model the suite builds, and the stage.

A random model writes noise, so these tests check plumbing (which texts reach the model,
originals kept, guards, cache, language codes), never words.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from markupsafe import escape
from typer.testing import CliRunner

from briefer.backends import TRANSLATORS
from briefer.backends.m2m100 import (
    NLLB_CODES,
    M2M100Translator,
    NllbTranslator,
    m2m100_code,
)
from briefer.cli import app
from briefer.errors import UsageError
from briefer.summary_store import SummaryStore
from briefer.translate import (
    MAX_SEGMENT_CHARS,
    REASON_NAMES,
    REASON_NUMBERS,
    REASON_SCRIPT,
    choose_translator,
    guard,
    numbers,
    segments,
    shown_items,
    translate_events,
)
from briefer.types import Article, Claim, Event, SummarySentence

SEEDS = Path(__file__).parents[1] / "seeds"
runner = CliRunner()


class Recording(M2M100Translator):
    """The real translator, recording what it is asked to translate."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.calls: list[tuple[str, str, list[str]]] = []

    def translate(self, texts, source, target):
        self.calls.append((source, target, list(texts)))
        return super().translate(texts, source, target)


@pytest.fixture()
def translator(tiny_m2m100_dir, tmp_path) -> Recording:
    return Recording(str(tiny_m2m100_dir), cache_dir=tmp_path / "cache", num_beams=2)


def brief_events() -> list[Event]:
    """Two events written for these tests: French, Persian and English texts."""
    fr = Article(id="fr1", title="Le ministre rencontre Vladimir Poutine à Moscou",
                 body="Le ministre a rencontré Vladimir Poutine.", language="fr")  # fmt: skip
    fa = Article(id="fa1", title="دیدار وزیر با رئیس جمهور", body="وزیر دیدار کرد.",
                 language="fa")  # fmt: skip
    en = Article(id="en1", title="Minister meets the president", body="The minister met.",
                 language="en")  # fmt: skip
    one = Event(id="e1", articles=[fr, fa, en], headline=fr.title, language="fr")
    one.summary = [SummarySentence("Le ministre a signé 12 500 accords le mardi.", ["fr1"]),
                   SummarySentence("Une délégation est arrivée.", ["fr1", "fa1"])]
    one.claims = [
        Claim("c1", "Le ministre a rencontré le président.", "fr", ["fr1", "en1"],
              {"fr1": "Le ministre a rencontré le président.", "en1": "The minister met."},
              "shared"),
        Claim("c2", "Trois morts.", "fr", ["fr1", "fa1"],
              {"fr1": "Trois morts.", "fa1": "وزیر دیدار کرد."}, "conflict"),
    ]  # fmt: skip
    two = Event(id="e2", articles=[en], headline=en.title, language="en")
    two.summary = [SummarySentence("The minister met the president.", ["en1"])]
    return [one, two]


# -- language codes -----------------------------------------------------------------------


def _py3langid_languages() -> set[str]:
    import py3langid.langid as langid

    return set(langid._get_identifier().nb_classes)


def test_every_py3langid_language_m2m100_covers_is_mapped(tiny_m2m100_dir, tmp_path):
    """Every language py3langid can return that the M2M100 tokenizer has a token for (the
    tokenizer's list, not ours) reaches the encoder with that token; a few codes M2M100
    spells differently map to its spelling; the rest are refused in one sentence."""
    from transformers import AutoTokenizer

    tokens = AutoTokenizer.from_pretrained(str(tiny_m2m100_dir)).lang_token_to_id
    assert len(tokens) == 100
    t = M2M100Translator(str(tiny_m2m100_dir), cache_dir=tmp_path)
    t.load()
    languages = _py3langid_languages()
    covered = {c for c in languages if f"__{c}__" in tokens}
    assert len(covered) > 80
    for code in covered:
        assert t.supports(code)
        assert t.encode("Ab 1.", code)[0] == f"__{code}__"
    for code, token in {"nn": "__no__", "nso": "__ns__", "arz": "__ar__", "yue": "__zh__"}.items():
        assert code in languages
        assert t.encode("Ab 1.", code)[0] == token
    for code in ("eo", "qu", "la", "eu"):  # not among M2M100's 100 languages
        assert code in languages and not t.supports(code)
        with pytest.raises(UsageError) as err:
            t.check_target(code)
        assert "\n" not in str(err.value) and "cannot translate into" in str(err.value)


def test_nllb_codes_are_nllb_language_tokens():
    from transformers.models.nllb.tokenization_nllb import FAIRSEQ_LANGUAGE_CODES

    assert set(NLLB_CODES.values()) <= set(FAIRSEQ_LANGUAGE_CODES)
    assert NllbTranslator().language_token("fa") == "pes_Arab"
    assert NllbTranslator().licence.startswith("CC BY-NC")
    assert M2M100Translator().licence == "MIT"
    assert set(TRANSLATORS) >= {"m2m100", "nllb"}
    assert m2m100_code("FR") == "fr" and m2m100_code("zh-tw") == "zh"


# -- the backend ----------------------------------------------------------------------------


def test_int8_conversion_keeps_the_model(tiny_m2m100_dir, tmp_path):
    """The CTranslate2 copy (float32, so exact) decodes the same tokens as transformers:
    same vocabulary (the 100 language tokens included), same start, same weights."""
    import ctranslate2

    from briefer.backends.engines import convert_to_ctranslate2

    ct2 = convert_to_ctranslate2(tiny_m2m100_dir, tmp_path / "ct2", quantization="float32",
                                 t5_fixes=False)  # fmt: skip
    torch_t = M2M100Translator(str(tiny_m2m100_dir), cache_dir=tmp_path, int8=False,
                               num_beams=1)  # fmt: skip
    torch_t.load()
    assert torch_t.engine_name == "torch-cpu"
    inputs = [torch_t.encode(s, "fr") for s in ("Le ministre parle.", "Une délégation.")]
    want = torch_t.generate_tokens(inputs, "en", max_new_tokens=12)
    got = ctranslate2.Translator(str(ct2), compute_type="float32").translate_batch(
        inputs, target_prefix=[["__en__"]] * 2, beam_size=1, max_decoding_length=13
    )
    assert [[t for t in r.hypotheses[0] if t != "__en__"] for r in got] == want
    assert all(len(w) == 12 for w in want)  # random weights: no early </s> here


def test_int8_engine_is_the_default_on_cpu(translator):
    out = translator.translate(["Le ministre parle.", "Une délégation."], "fr", "en")
    assert translator.engine_name == "ctranslate2-int8"
    assert len(out) == 2 and all(isinstance(o, str) for o in out)
    assert (translator.work_dir() / "ctranslate2-int8" / "model.bin").is_file()


# -- guards ---------------------------------------------------------------------------------


def test_numbers_are_compared_as_values_in_any_script():
    assert numbers("1,200 people") == numbers("۱٬۲۰۰ نفر") == numbers("1 200 personnes")
    assert numbers("3.5 million") == numbers("3,5 millions")
    assert numbers("٣ قتلى") == numbers("3 dead") == ["3"]
    assert numbers("12 500 accords") != numbers("12 000 accords")


def test_guard_rejects_changed_numbers_names_and_script():
    assert guard("Il y a eu 12 morts.", "There were 12 dead.", "fr", "en") is None
    assert guard("Il y a eu 12 morts.", "There were 13 dead.", "fr", "en") == REASON_NUMBERS
    assert guard("Il y a eu 12 morts.", "There were dead.", "fr", "en") == REASON_NUMBERS
    assert guard("Le ministre a vu Poutine.", "The minister saw Putin.", "fr", "en") is None
    assert guard("Le ministre a vu Poutine.", "The minister saw Biden.", "fr", "en") == (
        REASON_NAMES
    )
    assert guard("Le ministre a vu Poutine.", "وزیر پوتین را دید.", "fr", "en") == REASON_SCRIPT
    assert guard("وزیر پوتین را دید.", "The minister saw Putin.", "fa", "en") is None


def test_long_sentences_are_cut_before_translation():
    sentence = ", ".join(["le ministre a parlé de la coopération militaire"] * 20) + "."
    parts = segments(sentence, "fr")
    assert len(parts) > 1 and all(len(p) <= MAX_SEGMENT_CHARS for p in parts)
    assert " ".join(parts).replace(" ", "") == sentence.replace(" ", "")


# -- the stage ------------------------------------------------------------------------------


def test_every_shown_text_not_in_the_reader_language_is_translated(translator):
    events = brief_events()
    originals = {id(i): (i.text, i.language) for i in shown_items(events)}
    report = translate_events(events, translator, "en")
    sent = {(src, text) for src, tgt, texts in translator.calls for text in texts}
    assert {tgt for _, tgt, _ in translator.calls} == {"en"}
    # one call per language pair, every French and Persian text, no English one
    assert sorted(src for src, _, _ in translator.calls) == ["fa", "fr"]
    expected = {("fr", "Le ministre rencontre Vladimir Poutine à Moscou"),
                ("fr", "Le ministre a signé 12 500 accords le mardi."),
                ("fr", "Une délégation est arrivée."),
                ("fr", "Le ministre a rencontré le président."), ("fr", "Trois morts."),
                ("fa", "دیدار وزیر با رئیس جمهور"), ("fa", "وزیر دیدار کرد.")}  # fmt: skip
    assert sent == expected
    assert not any(src == "en" for src, _ in sent)
    assert len(originals) == 13 and report.already == 4  # e1's English title, e2's three
    one, two = events
    # each item is translated (original kept) or shown as it was (language and reason)
    items = [(one.headline_original, one.headline_untranslated),
             *[(s.original, s.untranslated) for s in one.summary],
             *[(c.original, c.untranslated) for c in one.claims],
             *[(a.title_original, a.title_untranslated) for a in one.articles[:2]]]  # fmt: skip
    for original, untranslated in items:
        assert (original is None) != (untranslated is None)
    assert one.summary[0].untranslated is not None  # random output never keeps "12500"
    assert one.summary[0].untranslated.reason == REASON_NUMBERS
    assert one.summary[0].text == "Le ministre a signé 12 500 accords le mardi."
    assert report.translated + report.rejected + report.failed == 9
    assert two.headline_original is None and two.summary[0].original is None  # English
    for s in one.summary:
        if s.original is not None:
            assert s.original.text != s.text and s.original.language == "fr"
    data = one.to_dict()
    assert json.dumps(data, ensure_ascii=False)  # brief.json can hold it
    assert "untranslated" in data["summary"][0]


def test_unchanged_inputs_translate_nothing_the_second_time(tiny_m2m100_dir, tmp_path):
    store_path = tmp_path / "summaries.sqlite"
    first = Recording(str(tiny_m2m100_dir), cache_dir=tmp_path / "cache", num_beams=2)
    store = SummaryStore.open(store_path)
    events = brief_events()
    report = translate_events(events, first, "en", store=store)
    store.close()
    assert report.segments == 7 and report.cached == 0
    again = Recording(str(tiny_m2m100_dir), cache_dir=tmp_path / "cache", num_beams=2)
    store = SummaryStore.open(store_path)
    events2 = brief_events()
    report2 = translate_events(events2, again, "en", store=store)
    store.close()
    assert report2.segments == 0 and report2.cached == 7
    assert again.calls == [] and again.engine_name is None  # the model was never loaded
    assert [e.to_dict() for e in events2] == [e.to_dict() for e in events]


def test_auto_without_a_model_warns_once_and_decides_fast(tmp_path):
    t0 = time.perf_counter()
    translator, warnings = choose_translator("auto", None, "en", cache_dir=tmp_path)
    assert time.perf_counter() - t0 < 3
    assert translator is None and len(warnings) == 1
    assert "facebook/m2m100_418M" in warnings[0] and "briefer models fetch" in warnings[0]
    assert choose_translator("auto", None, None) == (None, [])
    assert choose_translator("none", None, "en") == (None, [])


def test_auto_uses_a_local_directory(tiny_m2m100_dir, tmp_path):
    translator, warnings = choose_translator("auto", str(tiny_m2m100_dir), "fr",
                                             cache_dir=tmp_path)  # fmt: skip
    assert warnings == [] and translator is not None and translator.id == "m2m100"


# -- end to end -----------------------------------------------------------------------------


def _build(out: Path, *extra: str, formats: str = "json,html,txt"):
    return runner.invoke(app, ["build", str(SEEDS), "--out", str(out), "--summarizer",
                               "extractive", "--lang", "en", "--format", formats,
                               "-q", *extra], catch_exceptions=False)  # fmt: skip


def test_build_translates_into_the_reader_language(tiny_m2m100_dir, tmp_path):
    result = _build(tmp_path, "--translator", "m2m100", "--translator-model",
                    str(tiny_m2m100_dir), "--detail", "full",
                    formats="json,html,txt,pdf")  # fmt: skip
    assert result.exit_code == 0, result.output
    brief = json.loads((tmp_path / "brief.json").read_text(encoding="utf-8"))
    info = brief["translation"]
    assert info["translator"] == "m2m100" and info["target"] == "en"
    assert info["translated"] + info["kept_original"] > 0
    seen_original = seen_kept = 0
    for event in brief["events"]:
        for article in event["articles"]:
            if article["language"] != "en":
                assert ("title_original" in article) != ("title_untranslated" in article)
                seen_original += "title_original" in article
                seen_kept += "title_untranslated" in article
            else:
                assert "title_original" not in article
        for s in event["summary"]:
            if "original" in s:
                assert s["original"]["language"] != "en"
    assert seen_original + seen_kept > 0
    # the summaries went through the translator, not the extractive "cannot translate" note
    assert not any("cannot translate" in (e.get("note") or "") for e in brief["events"])
    assert info["kept_original"] == info["rejected_by_guards"] + info["failed"]
    html = (tmp_path / "brief.html").read_text(encoding="utf-8")
    originals = [o for e in brief["events"] for o in
                 [e.get("headline_original"), *[s.get("original") for s in e["summary"]],
                  *[c.get("original") for c in e["claims"]],
                  *[a.get("title_original") for a in e["articles"]]] if o]  # fmt: skip
    assert originals  # the random model's noise passes the guards now and then
    assert f"Translated texts in their original words ({len(originals)})" in html
    for o in originals:  # every original is one click away: on its mark or in the list
        assert escape(o["text"]) in html
    assert "Translated into English by m2m100" in html
    from pypdf import PdfReader

    pdf = " ".join(p.extract_text() for p in PdfReader(tmp_path / "brief.pdf").pages)
    pdf = " ".join(pdf.split())
    assert "Translated texts in their original words" in pdf  # the appendix is printed
    names = {"fa": "Persian", "fr": "French", "id": "Indonesian"}
    assert any(f"from {names[o['language']]}" in pdf for o in originals)
    assert "Translated into English" in (tmp_path / "brief.txt").read_text(encoding="utf-8")


def test_translator_none_keeps_the_old_lang_path(tmp_path):
    result = _build(tmp_path, "--translator", "none")
    assert result.exit_code == 0, result.output
    brief = json.loads((tmp_path / "brief.json").read_text(encoding="utf-8"))
    assert "translation" not in brief or brief["translation"]["translator"] is None
    assert any("cannot translate" in (e.get("note") or "") for e in brief["events"])


def test_a_target_m2m100_cannot_write_is_one_line(tiny_m2m100_dir, tmp_path):
    result = runner.invoke(app, ["build", str(SEEDS), "--out", str(tmp_path), "--summarizer",
                                 "extractive", "--lang", "eo", "--translator", "m2m100",
                                 "--translator-model", str(tiny_m2m100_dir), "-q"])  # fmt: skip
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "cannot translate into" in lines[0]


def test_unknown_translator_is_a_usage_error(tmp_path):
    result = _build(tmp_path, "--translator", "deepl")
    assert result.exit_code == 2 and "Unknown translator" in result.output


def test_models_lists_the_translators_with_licences():
    result = runner.invoke(app, ["models", "--json"], catch_exceptions=False)
    rows = {r["id"]: r for r in json.loads(result.stdout)}
    assert rows["facebook/m2m100_418M"]["licence"] == "MIT"
    assert rows["facebook/m2m100_418M"]["available"] is False
    assert "non-commercial" in rows["facebook/nllb-200-distilled-600M"]["licence"]


def test_models_shows_a_local_translator_and_its_int8_copy(tiny_m2m100_dir, tmp_path,
                                                           monkeypatch):  # fmt: skip
    monkeypatch.setenv("BRIEFER_CACHE_DIR", str(tmp_path))
    M2M100Translator(str(tiny_m2m100_dir)).translate(["Bonjour."], "fr", "en")
    result = runner.invoke(app, ["models", "--translator-model", str(tiny_m2m100_dir),
                                 "--json"], catch_exceptions=False)  # fmt: skip
    row = next(r for r in json.loads(result.stdout) if r["id"] == str(tiny_m2m100_dir))
    assert row["available"] and row["bytes"] > 0 and row["int8_bytes"] > 0
    assert row["role"].startswith("translator")


def test_names_in_title_case_text_are_only_acronyms():
    assert guard("Syrian Ministers Meet NATO Chief", "Des ministres syriens voient le chef de "
                 "l'OTAN", "en", "fr") == REASON_NAMES  # fmt: skip
    assert guard("Syrian Ministers Meet NATO Chief", "Les ministres syriens et le chef de "
                 "NATO", "en", "fr") is None  # fmt: skip


def test_translator_table_in_the_config(tmp_path):
    from briefer.config import load_config
    from briefer.errors import ConfigError
    from briefer.run import options_for

    path = tmp_path / "briefer.toml"
    path.write_text('sources = ["news"]\n[summarizer]\nlang = "en"\n'
                    '[translator]\nbackend = "nllb"\nmodel = "/models/nllb"\n')  # fmt: skip
    config = load_config(path)
    assert (config.translator.backend, config.translator.model) == ("nllb", "/models/nllb")
    options = options_for(config)
    assert (options.translator, options.translator_model) == ("nllb", "/models/nllb")
    path.write_text('sources = ["news"]\n[translator]\nbackend = "deepl"\n')
    with pytest.raises(ConfigError, match=r"translator\.backend must be one of"):
        load_config(path)
    path.write_text('sources = ["news"]\n[translator]\nmodle = "x"\n')
    with pytest.raises(ConfigError, match=r"did you mean translator\.model"):
        load_config(path)
