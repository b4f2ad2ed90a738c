"""Translation speed: the naive transformers loop against briefer's M2M100 translator.

Usage: .venv/bin/python benchmarks/translate.py [--quick]   (make bench-translate)

No real checkpoint can be downloaded here, so the benchmark builds one with exactly the shape
of facebook/m2m100_418M: d_model 1024, 12 encoder + 12 decoder layers, 16 heads, FFN 4096,
ReLU, scaled embeddings, a 128112-token vocabulary (128004 pieces, 100 language tokens, 8
"madeup" words), random weights. The tokenizer is sentencepiece trained on the seeds (as
tests/tiny_model.py does), its vocabulary padded with unused entries to the real size, so
the embedding and output layers (what decoding pays for per token) are full size.

The inputs are 200 sentences of the seeds (news, ours) in four languages (Indonesian,
Persian, English, French), each cut or extended to 30 pieces; every output is exactly 32 new
tokens (min = max), with 4 beams on both sides, so both paths do the same work.

Compared, each in its own process (so each peak RSS is its own):
(a) naive: ``AutoModelForSeq2SeqLM.generate`` on one sentence at a time, fp32, PyTorch's
    threads (the cores this process may use), as a user without briefer would write it;
(b) briefer: ``M2M100Translator.translate`` per language pair, i.e. the CTranslate2 int8
    engine with sentences sorted by length and batched, exactly what ``briefer build`` runs.
The one-time int8 conversion is timed and printed on its own; it is not in (b)'s time.
With --quick the naive path runs 20 sentences and its time is scaled to all of them (said
so in the output); without it, both run all 200.

The last line is machine-readable:
``translate speedup=X.XX sentences=N naive_s=S briefer_s=S`` (naive_s / briefer_s).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

INPUT_PIECES = 30
NEW_TOKENS = 32
NUM_BEAMS = 4
SENTENCES = 200
LANGUAGES = ("id", "fa", "en", "fr")  # the seeds' languages
# facebook/m2m100_418M's config (from its model card's config.json).
M2M100_418M = dict(
    vocab_size=128112, d_model=1024, encoder_layers=12, decoder_layers=12,
    encoder_attention_heads=16, decoder_attention_heads=16, encoder_ffn_dim=4096,
    decoder_ffn_dim=4096, activation_function="relu", max_position_embeddings=1024,
    scale_embedding=True, dropout=0.0, attention_dropout=0.0, activation_dropout=0.0,
    pad_token_id=1, bos_token_id=0, eos_token_id=2, decoder_start_token_id=2,
)  # fmt: skip
ENCODER_SIZE = 128004
STAMP = "bench-model.json"
MODEL_VERSION = 1


def _cpu_s() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- the benchmark model ------------------------------------------------------------------


def build_model(target: Path) -> Path:
    """A randomly initialised m2m100_418M-shaped checkpoint with a seeds tokenizer."""
    import sentencepiece as spm
    import torch
    from transformers import M2M100Config, M2M100ForConditionalGeneration, M2M100Tokenizer

    from tests.tiny_model import M2M_SPECIALS, seed_texts

    if (target / STAMP).is_file():
        stamp = json.loads((target / STAMP).read_text())
        if stamp.get("config") == M2M100_418M and stamp.get("version") == MODEL_VERSION:
            return target
    shutil.rmtree(target, ignore_errors=True)
    tmp = target.with_name(target.name + f".tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    import io

    lines = [ln.strip() for t in seed_texts() for ln in t.splitlines() if ln.strip()]
    proto = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines), model_writer=proto, model_type="unigram",
        vocab_size=1200, hard_vocab_limit=False, character_coverage=1.0,
        bos_id=0, pad_id=1, eos_id=2, unk_id=3, num_threads=2, minloglevel=2,
    )  # fmt: skip
    (tmp / "sentencepiece.bpe.model").write_bytes(proto.getvalue())
    sp = spm.SentencePieceProcessor(model_file=str(tmp / "sentencepiece.bpe.model"))
    vocab = {sp.id_to_piece(i): i for i in range(sp.get_piece_size())}
    vocab.update({t: i for i, t in enumerate(M2M_SPECIALS)})
    for i in range(len(vocab), ENCODER_SIZE):  # unused entries up to the real vocabulary
        vocab[f"<unused{i}>"] = i
    (tmp / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), "utf-8")
    tokenizer = M2M100Tokenizer(vocab_file=str(tmp / "vocab.json"),
                                spm_file=str(tmp / "sentencepiece.bpe.model"))  # fmt: skip
    size = tokenizer.encoder_size + len(tokenizer.lang_token_to_id) + tokenizer.num_madeup_words
    assert size == M2M100_418M["vocab_size"], size
    torch.manual_seed(0)
    model = M2M100ForConditionalGeneration(M2M100Config(**M2M100_418M)).eval()
    model.save_pretrained(str(tmp))
    tokenizer.save_pretrained(str(tmp))
    params = sum(p.numel() for p in model.parameters())
    (tmp / STAMP).write_text(
        json.dumps({"config": M2M100_418M, "version": MODEL_VERSION, "parameters": params})
    )
    os.replace(tmp, target)
    return target


def sentences(model_dir: Path) -> list[tuple[str, str]]:
    """SENTENCES (language, text) pairs: seed sentences cut or extended to INPUT_PIECES."""
    import sentencepiece as spm

    from briefer.text import split_sentences
    from tests.tiny_model import seed_texts

    sp = spm.SentencePieceProcessor(model_file=str(model_dir / "sentencepiece.bpe.model"))
    seeds = dict(zip(("id", "fa", "id2", "en", "fr"), seed_texts(), strict=True))
    pools = {lang: split_sentences(seeds[lang] + "\n" + seeds.get(lang + "2", ""), lang)
             for lang in LANGUAGES}  # fmt: skip
    out = []
    for k in range(SENTENCES):
        lang = LANGUAGES[k % len(LANGUAGES)]
        pool = pools[lang]
        pieces: list[str] = []
        j = k // len(LANGUAGES)
        while len(pieces) < INPUT_PIECES:
            pieces += sp.encode(pool[j % len(pool)], out_type=str)
            j += 1
        out.append((lang, sp.decode_pieces(pieces[:INPUT_PIECES])))
    return out


def _target(lang: str) -> str:
    return "fr" if lang == "en" else "en"


# -- workers (each in its own process) -------------------------------------------------------


def work_build(args: dict) -> dict:
    t0 = time.perf_counter()
    path = build_model(Path(args["model_dir"]))
    stamp = json.loads((path / STAMP).read_text())
    return {"seconds": time.perf_counter() - t0, "parameters": stamp["parameters"]}


def _translator(args: dict):
    from briefer.backends.m2m100 import M2M100Translator

    return M2M100Translator(args["model_dir"], cache_dir=args["cache_dir"],
                            num_beams=NUM_BEAMS, min_new_tokens=NEW_TOKENS,
                            max_new_tokens=NEW_TOKENS)  # fmt: skip


def work_convert(args: dict) -> dict:
    t = _translator(args)
    ct2 = t.work_dir() / "ctranslate2-int8"
    record = t.work_dir() / "bench-conversion.json"
    cached = (ct2 / "model.bin").is_file()
    t0 = time.perf_counter()
    t.load()
    seconds = time.perf_counter() - t0
    if not cached:
        record.write_text(json.dumps({"seconds": seconds}))
    earlier = json.loads(record.read_text())["seconds"] if record.is_file() else None
    size = sum(f.stat().st_size for f in ct2.iterdir() if f.is_file())
    return {"seconds": seconds, "cached": cached, "earlier_s": earlier, "int8_bytes": size}


def work_naive(args: dict) -> dict:
    import torch
    from transformers import AutoModelForSeq2SeqLM

    t = _translator(args)
    t._prepare_tokenizer(Path(args["model_dir"]), t.work_dir())
    from briefer.backends.m2m100 import _Pieces

    pieces = _Pieces(t.work_dir())
    todo = sentences(Path(args["model_dir"]))[: args["n"]]
    t0 = time.perf_counter()
    model = AutoModelForSeq2SeqLM.from_pretrained(args["model_dir"]).eval()
    load = time.perf_counter() - t0
    lengths = []
    t0, c0 = time.perf_counter(), _cpu_s()
    with torch.inference_mode():
        for lang, text in todo:
            ids = pieces.ids([f"__{lang}__", *pieces.pieces(text), pieces.eos])
            start = [pieces.start_id, pieces.vocab[f"__{_target(lang)}__"]]
            out = model.generate(
                input_ids=torch.tensor([ids]), decoder_input_ids=torch.tensor([start]),
                num_beams=NUM_BEAMS, min_new_tokens=NEW_TOKENS, max_new_tokens=NEW_TOKENS,
            )  # fmt: skip
            lengths.append(out.shape[1] - 2)
    return {"seconds": time.perf_counter() - t0, "cpu_s": _cpu_s() - c0, "load_s": load,
            "new_tokens": lengths, "threads": torch.get_num_threads(),
            "peak_rss_mb": _peak_rss_mb()}  # fmt: skip


def work_briefer(args: dict) -> dict:
    t = _translator(args)
    todo = sentences(Path(args["model_dir"]))
    t0 = time.perf_counter()
    t.load()
    load = time.perf_counter() - t0
    by_pair: dict[str, list[str]] = {}
    for lang, text in todo:
        by_pair.setdefault(lang, []).append(text)
    t0, c0 = time.perf_counter(), _cpu_s()
    done = 0
    for lang, texts in by_pair.items():
        done += sum(o is not None for o in t.translate(texts, lang, _target(lang)))
    seconds, cpu = time.perf_counter() - t0, _cpu_s() - c0
    lang, texts = next(iter(by_pair.items()))  # output lengths, checked on one batch
    check = t.generate_tokens([t.encode(x, lang) for x in texts[:4]], _target(lang),
                              min_new_tokens=NEW_TOKENS, max_new_tokens=NEW_TOKENS)  # fmt: skip
    return {"seconds": seconds, "cpu_s": cpu, "load_s": load, "done": done,
            "new_tokens": [len(c) for c in check], "engine": t.engine_name,
            "batch_size": t.batch_size, "peak_rss_mb": _peak_rss_mb()}  # fmt: skip


WORKERS = {"build": work_build, "convert": work_convert, "naive": work_naive,
           "briefer": work_briefer}  # fmt: skip


def run_worker(name: str, **args: object) -> dict:
    env = {**os.environ, "TRANSFORMERS_VERBOSITY": "error", "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", name, json.dumps(args)],
        stdout=subprocess.PIPE, text=True, env=env, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        sys.exit(f"benchmark step {name!r} failed (exit {proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="the naive path on 20 sentences, scaled to 200")  # fmt: skip
    parser.add_argument("--model-dir", type=Path, help="where the benchmark model is kept")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("args", nargs="?", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.worker:
        print(json.dumps(WORKERS[opts.worker](json.loads(opts.args))))
        return

    from briefer.store import default_cache_dir

    bench_cache = default_cache_dir() / "bench"
    model_dir = (opts.model_dir or bench_cache / "m2m100-418m-random").resolve()
    common = {"model_dir": str(model_dir), "cache_dir": str(bench_cache)}
    n_naive = 20 if opts.quick else SENTENCES
    print(f"model: random m2m100_418M shape ({model_dir}); {SENTENCES} sentences of "
          f"{INPUT_PIECES} pieces in {', '.join(LANGUAGES)}; {NEW_TOKENS} new tokens each, "
          f"{NUM_BEAMS} beams; {os.cpu_count()} CPUs", flush=True)  # fmt: skip
    built = run_worker("build", **common)
    print(f"model ready in {built['seconds']:.1f} s ({built['parameters'] / 1e6:.0f}M "
          "parameters)", flush=True)  # fmt: skip
    conv = run_worker("convert", **common)
    if conv["cached"]:
        took = f"{conv['earlier_s']:.1f} s when it ran" if conv["earlier_s"] else "earlier"
        how = f"converted {took}; this run only loaded it, {conv['seconds']:.1f} s"
    else:
        how = f"{conv['seconds']:.1f} s, this run"
    print(f"int8 conversion (once per model, not in the times below): {how}; int8 model "
          f"{conv['int8_bytes'] / 1e6:.0f} MB", flush=True)  # fmt: skip

    load_before = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    naive = run_worker("naive", **common, n=n_naive)
    fast = run_worker("briefer", **common)
    assert set(naive["new_tokens"]) == {NEW_TOKENS}, f"naive lengths {naive['new_tokens']}"
    assert set(fast["new_tokens"]) == {NEW_TOKENS}, f"briefer lengths {fast['new_tokens']}"
    assert fast["done"] == SENTENCES, f"briefer translated {fast['done']} of {SENTENCES}"
    naive_s = naive["seconds"] * SENTENCES / n_naive
    scaled = f" (measured on {n_naive}, scaled to {SENTENCES})" if n_naive != SENTENCES else ""
    print(f"naive   (transformers fp32, 1 sentence at a time, {naive['threads']} threads): "
          f"{n_naive} sentences in {naive['seconds']:.1f} s = {naive['seconds'] / n_naive:.2f} "
          f"s/sentence ({naive['cpu_s'] / n_naive:.2f} CPU s); {SENTENCES} sentences "
          f"{naive_s:.1f} s{scaled}; model load {naive['load_s']:.1f} s; peak RSS "
          f"{naive['peak_rss_mb']:.0f} MB", flush=True)  # fmt: skip
    print(f"briefer ({fast['engine']}, batches of {fast['batch_size']} sorted by length, per "
          f"language pair): {SENTENCES} sentences in {fast['seconds']:.1f} s = "
          f"{fast['seconds'] / SENTENCES:.3f} s/sentence ({fast['cpu_s'] / SENTENCES:.3f} CPU "
          f"s); model load {fast['load_s']:.1f} s; peak RSS {fast['peak_rss_mb']:.0f} MB",
          flush=True)  # fmt: skip
    load_after = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average before: {load_before}; after: {load_after} (the machine is shared; "
          "other processes slow both paths, the one-at-a-time path most)", flush=True)
    speedup = naive_s / fast["seconds"]
    print(f"briefer / naive: {speedup:.2f}x sentences per second (target >= 5x)", flush=True)
    print(f"translate speedup={speedup:.2f} sentences={SENTENCES} naive_s={naive_s:.1f} "
          f"briefer_s={fast['seconds']:.1f}")


if __name__ == "__main__":
    main()
