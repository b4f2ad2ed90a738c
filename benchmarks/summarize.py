"""Summarisation speed: the naive transformers loop against briefer's seq2seq path.

Usage: .venv/bin/python benchmarks/summarize.py [--quick] [--model-dir DIR]   (make bench-summarize)

No real checkpoint can be downloaded here, so the benchmark builds one with exactly the shape
of mT5-base (and so of XL-Sum and CrossSum): d_model 768, d_ff 2048, 12 encoder + 12 decoder
layers, 12 heads, vocabulary 250112, gated-gelu, a separate (untied) output layer, random
weights. Compute depends only on that shape and on the token counts, which are fixed here:
every article is 512 input tokens and every summary exactly 64 new tokens
(min_new_tokens = max_new_tokens), with the model card's 4 beams and no repeated bigrams on
both sides. The tokenizer is sentencepiece trained on the seeds (as tests/tiny_model.py
does, ~1,600 pieces): only the model's 250112-way embedding and output layer cost compute,
and CTranslate2's converter pads its vocabulary to the model's size, so a full-size
tokenizer would change nothing measured. The model is built once and kept in
``$BRIEFER_CACHE_DIR/bench`` (default ``~/.cache/briefer/bench``, ~3 GB with its int8 copy).

Compared in one run, each in its own process (so each peak RSS is its own):
(a) naive: ``AutoModelForSeq2SeqLM.generate`` on one article at a time, fp32, PyTorch
    defaults (all cores), as a user without briefer would write it;
(b) briefer: ``Seq2SeqSummarizer.generate_ids``, i.e. the CTranslate2 int8 engine with
    inputs batched by length, exactly what ``briefer build`` runs on a CPU.
The one-time int8 conversion is timed and printed on its own; it is not in (b)'s rate.
Then ``briefer build seeds --summarizer seq2seq --model <benchmark model>`` runs twice with a
fresh cache directory (the converted model linked in, so conversion is not counted): the
first run embeds and generates, the second reads the embedding and summary caches. Done for
all four formats and for JSON only, since rendering (the PDF above all) is paid every run.

The last line is machine-readable: ``speedup=X.XX`` (briefer / naive, articles per second).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

INPUT_TOKENS = 512
NEW_TOKENS = 64
NUM_BEAMS = 4
NO_REPEAT_NGRAM_SIZE = 2
# mT5-base's config (google/mt5-base; XL-Sum and CrossSum fine-tune it unchanged).
MT5_BASE = dict(
    vocab_size=250112, d_model=768, d_kv=64, d_ff=2048, num_layers=12,
    num_decoder_layers=12, num_heads=12, relative_attention_num_buckets=32,
    feed_forward_proj="gated-gelu", dropout_rate=0.0, layer_norm_epsilon=1e-6,
    pad_token_id=0, eos_token_id=1, decoder_start_token_id=0, tie_word_embeddings=False,
)  # fmt: skip
STAMP = "bench-model.json"
MODEL_VERSION = 2  # bump when build_model changes, so a kept model is rebuilt


def _cpu_s() -> float:
    """CPU seconds this process has used, all threads (user + system)."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def _peak_rss_mb() -> float:
    """This process's peak resident set size (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- the benchmark model ------------------------------------------------------------------


def build_model(target: Path) -> Path:
    """A randomly initialised mT5-base-shaped checkpoint with a seeds tokenizer, in ``target``."""
    import torch
    from transformers import MT5Config, MT5ForConditionalGeneration, T5Tokenizer

    from tests.tiny_model import seed_texts, train_sentencepiece

    if (target / STAMP).is_file():
        stamp = json.loads((target / STAMP).read_text())
        if stamp.get("config") == MT5_BASE and stamp.get("version") == MODEL_VERSION:
            return target
    shutil.rmtree(target, ignore_errors=True)
    tmp = target.with_name(target.name + f".tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    train_sentencepiece(seed_texts(), tmp)
    tokenizer = T5Tokenizer.from_pretrained(str(tmp), extra_ids=100)
    tokenizer.model_max_length = INPUT_TOKENS
    torch.manual_seed(0)
    config = MT5Config(**MT5_BASE)
    config.tie_word_embeddings = False  # MT5Config may force True under transformers 5
    model = MT5ForConditionalGeneration(config).eval()
    # Untying under transformers 5 also unties the encoder's and decoder's input embeddings;
    # mT5 shares one input embedding and has a separate output layer (~582M parameters).
    model.set_input_embeddings(model.shared)
    assert model.lm_head.weight.data_ptr() != model.shared.weight.data_ptr(), "output layer tied"
    # Random weights would end a summary after a token or two (or write only padding), so a
    # build would hardly generate. With their output rows zeroed, </s> and <pad> score 0
    # against random logits of the order of +-100: every summary runs to the length limit,
    # like a real model's long summaries. Compute per token is unchanged.
    with torch.no_grad():
        model.lm_head.weight[[config.pad_token_id, config.eos_token_id]] = 0.0
    model.save_pretrained(str(tmp))
    tokenizer.save_pretrained(str(tmp))
    params = sum(p.numel() for p in model.parameters())
    (tmp / STAMP).write_text(
        json.dumps({"config": MT5_BASE, "version": MODEL_VERSION, "parameters": params})
    )
    os.replace(tmp, target)
    return target


def article_inputs(model_dir: Path, n: int) -> list[list[int]]:
    """``n`` distinct token-id inputs of exactly INPUT_TOKENS (the seeds' text, cycled)."""
    from tokenizers import Tokenizer

    from tests.tiny_model import seed_texts

    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    stream = [i for t in seed_texts() for i in tok.encode(t, add_special_tokens=False).ids]
    body = INPUT_TOKENS - 1
    inputs = []
    for k in range(n):
        start = (k * 131) % len(stream)
        ids = (stream[start:] + stream) * (body // len(stream) + 2)
        inputs.append([*ids[:body], 1])  # 1 is </s>
    return inputs


# -- workers (each in its own process) -------------------------------------------------------


def work_build(args: dict) -> dict:
    t0 = time.perf_counter()
    path = build_model(Path(args["model_dir"]))
    stamp = json.loads((path / STAMP).read_text())
    return {"seconds": time.perf_counter() - t0, "parameters": stamp["parameters"]}


def _summarizer(args: dict, batch_size: int | None = None):
    from briefer.backends.seq2seq import DEFAULT_BATCH_SIZE, Seq2SeqSummarizer

    return Seq2SeqSummarizer(
        model=args["model_dir"], cache_dir=args["cache_dir"],
        batch_size=batch_size or DEFAULT_BATCH_SIZE,
        num_beams=NUM_BEAMS, no_repeat_ngram_size=NO_REPEAT_NGRAM_SIZE,
        max_input_tokens=INPUT_TOKENS,
    )  # fmt: skip


def work_convert(args: dict) -> dict:
    s = _summarizer(args)
    ct2 = s.work_dir() / "ctranslate2-int8"
    record = s.work_dir() / "bench-conversion.json"  # what the one-time conversion took
    cached = (ct2 / "model.bin").is_file()
    t0 = time.perf_counter()
    s.load()
    seconds = time.perf_counter() - t0
    if not cached:
        record.write_text(json.dumps({"seconds": seconds}))
    earlier = json.loads(record.read_text())["seconds"] if record.is_file() else None
    size = sum(f.stat().st_size for f in ct2.iterdir() if f.is_file())
    return {"seconds": seconds, "cached": cached, "earlier_s": earlier, "int8_bytes": size,
            "engine": s.engine.name}  # fmt: skip


def work_naive(args: dict) -> dict:
    import torch
    from transformers import AutoModelForSeq2SeqLM

    inputs = article_inputs(Path(args["model_dir"]), args["n"])
    t0 = time.perf_counter()
    model = AutoModelForSeq2SeqLM.from_pretrained(args["model_dir"]).eval()
    load = time.perf_counter() - t0
    params = sum(p.numel() for p in model.parameters())
    lengths = []
    t0, c0 = time.perf_counter(), _cpu_s()
    with torch.inference_mode():
        for ids in inputs:
            out = model.generate(
                input_ids=torch.tensor([ids]), num_beams=NUM_BEAMS,
                no_repeat_ngram_size=NO_REPEAT_NGRAM_SIZE,
                min_new_tokens=NEW_TOKENS, max_new_tokens=NEW_TOKENS,
            )  # fmt: skip
            lengths.append(out.shape[1] - 1)  # minus the decoder start token
    seconds, cpu = time.perf_counter() - t0, _cpu_s() - c0
    return {"seconds": seconds, "cpu_s": cpu, "load_s": load, "new_tokens": lengths,
            "parameters": params, "threads": torch.get_num_threads(),
            "peak_rss_mb": _peak_rss_mb()}  # fmt: skip


def work_briefer(args: dict) -> dict:
    s = _summarizer(args, batch_size=args["batch_size"])
    inputs = article_inputs(Path(args["model_dir"]), args["n"])
    t0 = time.perf_counter()
    s.load()
    load = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), _cpu_s()
    out = s.generate_ids(inputs, [0] * len(inputs), min_new_tokens=NEW_TOKENS,
                         max_new_tokens=NEW_TOKENS)  # fmt: skip
    seconds, cpu = time.perf_counter() - t0, _cpu_s() - c0
    return {"seconds": seconds, "cpu_s": cpu, "load_s": load,
            "new_tokens": [len(o) - 1 for o in out], "engine": s.engine.name,
            "batch_size": s.batch_size, "peak_rss_mb": _peak_rss_mb()}  # fmt: skip


WORKERS = {"build": work_build, "convert": work_convert, "naive": work_naive,
           "briefer": work_briefer}  # fmt: skip


def run_worker(name: str, **args: object) -> dict:
    """Run one worker in a fresh interpreter; its last stdout line is its JSON result."""
    env = {**os.environ, "TRANSFORMERS_VERBOSITY": "error", "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", name, json.dumps(args)],
        stdout=subprocess.PIPE, text=True, env=env, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        sys.exit(f"benchmark step {name!r} failed (exit {proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def time_build(
    model_dir: Path, bench_cache: Path, formats: str
) -> tuple[float, float, float, bool]:
    """Seconds of a first ``briefer build`` (fresh cache dir), of a re-run on the same inputs
    (nothing to do: the output is up to date) and of a ``--force`` re-run (every stage runs,
    summaries come from the cache); are the summaries the same?"""
    briefer = Path(sys.executable).with_name("briefer")
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        cache = Path(tmp) / "cache"
        cache.mkdir()
        os.symlink(bench_cache / "models", cache / "models")  # the int8 copy, made once
        out = Path(tmp) / "out"
        times, briefs = [], []
        for extra in ([], [], ["--force"]):
            cmd = [str(briefer), "build", str(ROOT / "seeds"), "--out", str(out), "--quiet",
                   "--summarizer", "seq2seq", "--model", str(model_dir),
                   "--cache-dir", str(cache), "--format", formats, *extra]  # fmt: skip
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
            times.append(time.perf_counter() - t0)
            brief = json.loads((out / "brief.json").read_text(encoding="utf-8"))
            briefs.append([(e["id"], e["summary"], e.get("note")) for e in brief["events"]])
        return times[0], times[1], times[2], briefs[0] == briefs[1] == briefs[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer articles (< 5 minutes)")
    parser.add_argument("--model-dir", type=Path, help="where the benchmark model is kept")
    parser.add_argument("--batch-size", type=int, help="briefer's batch size [its default]")
    parser.add_argument("--no-build", action="store_true", help="skip the briefer build timing")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("args", nargs="?", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.worker:
        print(json.dumps(WORKERS[opts.worker](json.loads(opts.args))))
        return

    from briefer.store import default_cache_dir

    bench_cache = default_cache_dir() / "bench"
    model_dir = (opts.model_dir or bench_cache / "mt5-base-random").resolve()
    n_naive, n_briefer = (1, 8) if opts.quick else (4, 16)
    common = {"model_dir": str(model_dir), "cache_dir": str(bench_cache)}
    print(f"model: random mT5-base shape ({model_dir}); {INPUT_TOKENS} input tokens, "
          f"{NEW_TOKENS} new tokens, {NUM_BEAMS} beams, no_repeat_ngram_size "
          f"{NO_REPEAT_NGRAM_SIZE}; {os.cpu_count()} CPUs", flush=True)  # fmt: skip
    built = run_worker("build", **common)
    print(f"model ready in {built['seconds']:.1f} s ({built['parameters'] / 1e6:.0f}M "
          "parameters)", flush=True)  # fmt: skip
    conv = run_worker("convert", **common)
    if conv["cached"]:
        took = (f"{conv['earlier_s']:.1f} s when it ran" if conv["earlier_s"] else "earlier")
        how = f"converted {took}; this run only loaded it, {conv['seconds']:.1f} s"
    else:
        how = f"{conv['seconds']:.1f} s, this run"
    print(f"int8 conversion (once per model, not in the rates below): {how}; int8 model "
          f"{conv['int8_bytes'] / 1e6:.0f} MB", flush=True)  # fmt: skip

    naive = run_worker("naive", **common, n=n_naive)
    fast = run_worker("briefer", **common, n=n_briefer, batch_size=opts.batch_size)
    for name, r in (("naive", naive), ("briefer", fast)):
        assert set(r["new_tokens"]) == {NEW_TOKENS}, f"{name} output lengths {r['new_tokens']}"
    rows = []
    for label, r, n in (
        (f"naive   (transformers fp32, 1 article at a time, {naive['threads']} threads)",
         naive, n_naive),
        (f"briefer ({fast['engine']}, batches of {fast['batch_size']})", fast, n_briefer),
    ):  # fmt: skip
        rate = n / r["seconds"]
        rows.append(rate)
        print(f"{label}: {n} articles in {r['seconds']:.1f} s = {r['seconds'] / n:.2f} "
              f"s/article ({r['cpu_s'] / n:.2f} CPU s/article), {rate:.3f} articles/s, "
              f"{rate * NEW_TOKENS:.1f} output tokens/s; model load {r['load_s']:.1f} s; "
              f"peak RSS {r['peak_rss_mb']:.0f} MB",
              flush=True)  # fmt: skip
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average now: {load} (other processes on these cores slow both paths, the "
          "one-at-a-time PyTorch path most: compare runs on an idle machine)", flush=True)
    speedup = rows[1] / rows[0]
    print(f"briefer / naive: {speedup:.2f}x articles per second (target >= 5x)", flush=True)

    if not opts.no_build:
        # All four formats (the default), then JSON only: what rendering costs every run.
        for formats in ("json,html,pdf,txt", "json"):
            first, again, forced, same = time_build(model_dir, bench_cache, formats)
            print(f"briefer build seeds --format {formats}: first run {first:.1f} s; re-run on "
                  f"the same inputs {again:.2f} s = {first / again:.1f}x (target >= 20x); "
                  f"--force re-run (summaries from the cache, every other stage again) "
                  f"{forced:.1f} s = {first / forced:.1f}x; same summaries: {same}",
                  flush=True)  # fmt: skip
    print(f"speedup={speedup:.2f}")


if __name__ == "__main__":
    main()
