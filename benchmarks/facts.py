"""Facts benchmark: do figures written differently compare as one value, and do different
values make a conflict? And are sentences cut where they end?

Reads the labelled set we wrote in tests/data/facts/ (see its README):

- ``pairs.tsv``: two sentences that state one fact ("same": the same quantity written
  differently, never a conflict), that give incompatible values for one quantity
  ("conflict"), or that state different quantities that only look alike ("different",
  never a conflict);
- ``segmentation.tsv``: paragraphs and the sentences they hold.

A pair is judged exactly as ``attribute`` judges two independent sources' versions of a
claim: ``quantities.conflicts`` on each side's parsed quantities.

Last line: ``facts pairs=N false_conflicts=N missed_conflicts=N segmentation_errors=N``.
Targets: 0 false conflicts, missed <= 5% of the conflict pairs, 0 segmentation errors.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from briefer.quantities import conflicts, parse_quantities
from briefer.text import split_sentences

DATA = Path(__file__).parents[1] / "tests" / "data" / "facts"


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def judge_pair(row: dict[str, str]) -> bool:
    """True when the two sentences conflict."""
    a = parse_quantities(row["sentence_a"], row["lang_a"])
    b = parse_quantities(row["sentence_b"], row["lang_b"])
    return bool(conflicts(a, b))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--verbose", action="store_true", help="print every error")
    args = parser.parse_args()

    pairs = read_tsv(args.data / "pairs.tsv")
    false_conflicts = missed = 0
    by_label: dict[str, int] = {}
    for row in pairs:
        by_label[row["label"]] = by_label.get(row["label"], 0) + 1
        found = judge_pair(row)
        wrong = found != (row["label"] == "conflict")
        if wrong and found:
            false_conflicts += 1
        elif wrong:
            missed += 1
        if wrong and args.verbose:
            print(f"  {'false conflict' if found else 'missed'}: {row['sentence_a']!r} / "
                  f"{row['sentence_b']!r}")
    seg_rows = read_tsv(args.data / "segmentation.tsv")
    seg_errors = 0
    for row in seg_rows:
        got = split_sentences(row["text"], row["language"])
        if got != row["sentences"].split(" || "):
            seg_errors += 1
            if args.verbose:
                print(f"  segmentation ({row['language']}): {got}")
    langs = {r["lang_a"] for r in pairs} | {r["lang_b"] for r in pairs}
    seg_langs = {r["language"] for r in seg_rows}
    print(f"pairs by label: {dict(sorted(by_label.items()))}; {len(langs)} languages")
    print(f"segmentation cases: {len(seg_rows)} in {len(seg_langs)} languages")
    n_conf = by_label.get("conflict", 0)
    print(f"missed conflicts: {missed}/{n_conf} = {missed / max(1, n_conf):.1%} (target <= 5%)")
    print(f"facts pairs={len(pairs)} false_conflicts={false_conflicts} "
          f"missed_conflicts={missed} segmentation_errors={seg_errors}")


if __name__ == "__main__":
    main()
