"""Ingest on the real seeds: substance survives, page furniture does not, metadata is found."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefer.ingest import ingest, parse_article
from briefer.text import fold

SEEDS = Path(__file__).parents[1] / "seeds"

# Lines of the seed files that are page furniture, written down by reading the files.
JUNK = {
    "000": ["Share:"],
    "001": ["سامان تهرانی", "نویسنده", "انتهای پیام", "منبع: ایسنا", "اشتراک گذاری:",
            "بدون دیدگاه", "قیمت زنده طلا، سکه، دلار و ارز",
            "قاب تاریخ | فخری خوروش در ۴۵ سالگی و در کنار عزتالله انتظامی"],
    "002": ["Sumber : FARS-OANA", "Artikel ini ditulis oleh:", "Editor: Andy Abdul Hamid"],
    "003": [],
    "004": ["A.Ch."],
}
# Datelines and lead attributions that become metadata: (prefix, outlet, via, place).
SOURCE_META = {
    "000": ("Moskow, Suarathailand- ", "Suarathailand", None, "Moskow"),
    "001": ("به گزارش نمابان و به نقل از ایسنا، ", "نمابان", "ایسنا", None),
    "002": ("Teheran, Aktual.com – ", "Aktual.com", "FARS-OANA", "Teheran"),
    "003": ("MOSCOW (MNTV) — ", "MNTV", None, "MOSCOW"),
    "004": ("Moscou, (SANA) – ", "SANA", None, "Moscou"),
}
EXPECTED_LANG = {"000": "id", "001": "fa", "002": "id", "003": "en", "004": "fr"}


@pytest.fixture(scope="module")
def seeds():
    result = ingest([SEEDS])
    assert not result.skipped
    return {a.id[:3]: a for a in result.articles}


def seed_lines(prefix: str) -> list[str]:
    path = next(SEEDS.glob(prefix + "_*.txt"))
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("key", sorted(JUNK))
def test_every_substantive_paragraph_survives(seeds, key):
    article = seeds[key]
    body = fold(article.body)
    body_words = set(body.split())
    lines = seed_lines(key)
    for line in lines:
        if line in JUNK[key] or fold(line) == fold(article.title):
            continue
        dateline = SOURCE_META[key][0]
        text = line[len(dateline):] if line.startswith(dateline) else line
        if fold(text) in body:
            continue
        # A deck that repeats a later paragraph: its wording must be kept there.
        words = fold(text).split()
        kept = sum(w in body_words for w in words) / len(words)
        assert kept >= 0.9, f"{key}: lost paragraph {line[:80]!r}"


@pytest.mark.parametrize("key", sorted(JUNK))
def test_page_furniture_is_removed(seeds, key):
    paragraphs = {fold(p) for p in seeds[key].paragraphs}
    for junk in JUNK[key]:
        assert fold(junk) not in paragraphs, f"{key}: kept {junk!r}"
    assert all(not p.startswith(("share", "اشتراک")) for p in paragraphs)


def test_repeated_title_and_byline_are_gone(seeds):
    persian = seeds["001"]
    assert persian.body.count("دیدار محرمانه وزیران سوریه") == 0
    assert "سامان تهرانی" not in persian.body
    # the deck (a standfirst that repeats a later paragraph) of 003 appears once, not twice
    assert seeds["003"].body.count("discuss expanding cooperation in military industries") == 1


@pytest.mark.parametrize("key", sorted(SOURCE_META))
def test_source_lines_become_metadata(key):
    prefix, outlet, via, place = SOURCE_META[key]
    path = next(SEEDS.glob(key + "_*.txt"))
    article = parse_article(path.read_text(encoding="utf-8"), path.stem, str(path))
    assert article.outlet == outlet
    assert article.via == via
    assert article.place == place
    assert not article.body.startswith(prefix.strip())


@pytest.mark.parametrize("key", sorted(EXPECTED_LANG))
def test_language_is_identified(seeds, key):
    assert seeds[key].language == EXPECTED_LANG[key]


def test_headlines(seeds):
    expected = "Syrian ministers discuss military, economic cooperation with Putin"
    assert seeds["003"].title == expected
    assert not seeds["003"].title_derived
    for key in ("002", "004"):  # these files open with a dateline lead, not a headline
        article = seeds[key]
        assert article.title_derived
        assert len(article.title) <= 160
        assert not article.title.startswith(SOURCE_META[key][0].strip())
        first_line = seed_lines(key)[0]
        assert article.title != first_line


def test_front_matter_overrides_heuristics(tmp_path):
    path = tmp_path / "x.md"
    path.write_text(
        "---\ntitle: Given title\nurl: https://example.org/a\noutlet: Example Times\n"
        "published: 2025-07-01\nlanguage: en\n---\n"
        "PARIS (AFP) — A lead paragraph that would otherwise become the title. "
        "It has two sentences.\n\n"
        "A second paragraph with enough words to be a paragraph of the story.\n",
        encoding="utf-8",
    )
    (article,) = ingest([path]).articles
    assert article.title == "Given title"
    assert article.url == "https://example.org/a"
    assert article.outlet == "Example Times"
    assert article.published == "2025-07-01"
    assert article.id == "x"


def test_bad_files_are_skipped_and_the_run_goes_on(tmp_path):
    (tmp_path / "good.txt").write_text("A headline\n\nA body sentence that says something.\n",
                                       encoding="utf-8")
    (tmp_path / "empty.txt").write_text("   \n\n", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (tmp_path / "ignored.pdf").write_bytes(b"%PDF-1.4")
    result = ingest([tmp_path, tmp_path / "missing.txt"])
    assert [a.id for a in result.articles] == ["good"]
    reasons = {Path(s.path).name: s.reason for s in result.skipped}
    assert set(reasons) == {"empty.txt", "binary.txt", "missing.txt"}
    assert reasons["binary.txt"] == "binary file, not text"


LEGACY = {
    # file: (bytes, expected text fragment, expected repair note fragment)
    "latin1.txt": ("Crème brûlée\n\nLe chef a préparé la crème brûlée pour les invités du dîner."
                   .encode("latin-1"), "préparé la crème", "decoded as cp1252"),
    "cp1256.txt": ("خبر عاجل\n\nقال المتحدث إن الاجتماع عقد في العاصمة يوم الثلاثاء وناقش التعاون."
                   .encode("cp1256"), "الاجتماع عقد", "decoded as cp1256"),
    "utf16.txt": ("Titre du jour\n\nUn article encodé en UTF-16 avec BOM.".encode("utf-16"),
                  "encodé en UTF-16", "UTF-16"),
    "onebad.txt": (b"A headline\n\nText with one bad byte \xff inside a sentence of words.",
                   "one bad byte \ufffd inside", "repaired 1 invalid UTF-8 byte"),
}


@pytest.mark.parametrize("name", sorted(LEGACY))
def test_legacy_encodings_are_decoded_and_reported(tmp_path, name):
    data, fragment, note = LEGACY[name]
    (tmp_path / name).write_bytes(data)
    result = ingest([tmp_path])
    (article,) = result.articles
    assert fragment in article.body
    (repair,) = result.repaired
    assert note in repair.reason


def test_huge_single_line_is_truncated_not_fatal(tmp_path):
    (tmp_path / "long.txt").write_text("Headline\n\n" + "word " * 400_000, encoding="utf-8")
    (article,) = ingest([tmp_path]).articles
    assert len(article.body) <= 200_000


def test_markdown_headline_and_links(tmp_path):
    article = parse_article(
        "# Storm hits the coast\n\nThe [weather service](https://x.example) said **winds** rose.\n",
        "storm", "storm.md",
    )
    assert article.title == "Storm hits the coast"
    assert article.body == "The weather service said winds rose."


# Written down from the seeds and briefer/outlets.toml: (outlet, via, type, relays).
RESOLVED = {
    "000": ("Suara Thailand", None, "private", "SANA"),
    "001": ("Namaban", "ISNA", "private", "ISNA"),
    "002": ("Aktual.com", "Fars News Agency", "private", "Fars News Agency"),
    "003": ("MNTV", None, None, "SANA"),  # not in the registry; cites SANA
    "004": ("SANA", None, "state agency", None),  # SANA itself relays nobody
}


@pytest.mark.parametrize("key", sorted(RESOLVED))
def test_outlets_resolve_through_the_registry(seeds, key):
    outlet, via, kind, relays = RESOLVED[key]
    article = seeds[key]
    assert (article.outlet, article.via, article.outlet_type, article.relays) == (
        outlet, via, kind, relays)


def test_an_unreadable_file_is_skipped_with_its_reason(tmp_path):
    """A file that fails on read (even for root: /proc/self/mem gives EIO at offset 0)."""
    import os

    if not Path("/proc/self/mem").exists():
        pytest.skip("needs Linux /proc")
    (tmp_path / "good.txt").write_text("A headline\n\nA paragraph of news.\n", encoding="utf-8")
    unreadable = tmp_path / "unreadable.txt"
    if os.geteuid() == 0:  # permissions do not stop root
        unreadable.symlink_to("/proc/self/mem")
    else:
        unreadable.write_text("secret", encoding="utf-8")
        unreadable.chmod(0)
    result = ingest([tmp_path])
    assert [a.id for a in result.articles] == ["good"]
    (skip,) = result.skipped
    assert skip.path == str(unreadable) and skip.reason
