"""Build a tiny, real mT5 checkpoint on disk so the seq2seq backend can be tested offline.

No model can be downloaded in CI, and a randomly initialised mT5 is useless as a fixture
(its output is noise or, at real sizes, only padding). So we train a sentencepiece vocabulary
on the seed articles and overfit a ~0.3M-parameter mT5 for a few dozen steps to map each seed
(title + body) to its first body line. The result loads through the ``Auto*`` classes exactly
like a hub checkpoint and emits real, deterministic text under the XL-Sum generation settings.

``langid=True`` builds a cross-lingual model laid out like CrossSum (csebuetnlp/mT5_m2m_crossSum),
as far as its published files show: the tokenizer has no ``<extra_id_N>`` tokens (``extra_ids``
0) but vocabulary pieces spelled ``▁<extra_id_N>`` that are declared special tokens, and
``config.task_specific_params["langid_map"]`` maps a language name to ``[index, token]``; the
decoder starts with that token to write that language. Which token and index belong to which
language in the real model is not verifiable offline, so the assignments below are ours; briefer
only ever reads them from the config. The tiny model is trained to write the first body line
after the English token and the title after the French one, so a test can see which token the
decoder started from.
"""

from __future__ import annotations

import io
from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parents[1] / "seeds"

# Small enough to build in a few seconds on two cores, big enough to memorise five targets.
D_MODEL = 64
NUM_LAYERS = 2
NUM_HEADS = 4
EXTRA_IDS = 100
TRAIN_STEPS = 60
SOURCE_TOKENS = 128
TARGET_TOKENS = 40
LANGID_MAP = {
    "english": [0, "▁<extra_id_64>"],
    "french": [1, "▁<extra_id_62>"],
    "indonesian": [2, "▁<extra_id_80>"],
    "persian": [3, "▁<extra_id_90>"],
}


def seed_texts() -> list[str]:
    """The seed articles' raw text (first line is the title)."""
    return [p.read_text(encoding="utf-8") for p in sorted(SEEDS_DIR.glob("*.txt"))]


def _pairs(texts: list[str]) -> list[tuple[str, str]]:
    """(source, target) pairs: the whole article in, its first body line out."""
    pairs = []
    for text in texts:
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if not lines:
            continue
        source = " ".join(" ".join(lines).split())
        target = lines[1] if len(lines) > 1 else lines[0]
        pairs.append((source, target))
    if not pairs:
        raise ValueError("build_tiny_mt5 needs at least one non-empty text")
    return pairs


def _title(text: str) -> str:
    return next(line.strip() for line in text.splitlines() if line.strip())


def train_sentencepiece(
    texts: list[str], target_dir: Path, symbols: tuple[str, ...] = ()
) -> Path:
    import sentencepiece as spm

    lines = [line.strip() for text in texts for line in text.splitlines() if line.strip()]
    proto = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=proto,
        model_type="unigram",
        vocab_size=1500,
        hard_vocab_limit=False,  # the seeds alone only support ~960 pieces
        character_coverage=1.0,  # keep every Persian and accented Latin character
        pad_id=0,  # T5 layout: <pad>=0 (also the decoder start), </s>=1, <unk>=2, no <s>
        eos_id=1,
        unk_id=2,
        bos_id=-1,
        num_threads=2,
        minloglevel=2,
        user_defined_symbols=list(symbols),
    )
    path = target_dir / "spiece.model"
    path.write_bytes(proto.getvalue())
    return path


def build_tiny_mt5(
    target_dir: Path,
    texts: list[str] | None = None,
    *,
    steps: int = TRAIN_STEPS,
    silent: bool = False,
    langid: bool = False,
) -> Path:
    """Write a tiny mT5 checkpoint (model + tokenizer) into ``target_dir`` and return it.

    ``texts`` are articles whose first line is the title (default: the seed files). The
    model is overfitted on them with a fixed seed, so its output is deterministic; on other
    inputs it still emits (garbled) text rather than nothing. ``silent=True`` instead trains
    it to end every output at once (empty text), to exercise the "model said nothing" path.
    ``langid=True`` makes it cross-lingual, CrossSum-style (see the module docstring).
    Raises AssertionError if the saved checkpoint does not load back or misbehaves.
    """
    import torch
    from transformers import (
        AutoModelForSeq2SeqLM,
        AutoTokenizer,
        MT5Config,
        MT5ForConditionalGeneration,
        T5Tokenizer,
    )

    texts = seed_texts() if texts is None else texts
    target_dir = Path(target_dir)
    target_dir.mkdir(parents=True, exist_ok=True)

    lang_tokens = tuple(token for _, token in LANGID_MAP.values()) if langid else ()
    train_sentencepiece(texts, target_dir, lang_tokens)
    # T5Tokenizer(vocab_file=...) would silently build a specials-only vocabulary;
    # from_pretrained on a dir holding spiece.model converts the real one.
    tokenizer = T5Tokenizer.from_pretrained(
        str(target_dir), extra_ids=0 if langid else EXTRA_IDS
    )
    if langid:
        tokenizer.add_special_tokens({"additional_special_tokens": list(lang_tokens)})
    assert tokenizer.pad_token_id == 0 and tokenizer.eos_token_id == 1
    assert tokenizer.unk_token_id == 2

    torch.manual_seed(0)
    config = MT5Config(
        vocab_size=len(tokenizer),
        d_model=D_MODEL,
        d_kv=D_MODEL // NUM_HEADS,
        d_ff=2 * D_MODEL,
        num_layers=NUM_LAYERS,
        num_heads=NUM_HEADS,
        dropout_rate=0.0,
        pad_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=0,
        task_specific_params={"langid_map": LANGID_MAP} if langid else None,
    )
    model = MT5ForConditionalGeneration(config)

    sources, targets = zip(*_pairs(texts), strict=True)
    if silent:
        targets = tuple("" for _ in targets)  # labels become just </s>
    starts = [0] * len(sources)
    if langid:
        titles = [_title(t) for t in texts if t.strip()]
        # English and French are enough to tell start tokens apart, at half the training.
        runs = [(name, tokenizer.convert_tokens_to_ids(LANGID_MAP[name][1]))
                for name in ("english", "french")]
        starts = [start for _, start in runs for _ in sources]
        targets = tuple(
            t for name, _ in runs for t in (titles if name == "french" else targets)
        )
        sources = sources * len(runs)
    batch = tokenizer(
        list(sources),
        max_length=SOURCE_TOKENS,
        truncation=True,
        padding=True,
        return_tensors="pt",
    )
    labels = tokenizer(
        list(targets),
        max_length=TARGET_TOKENS,
        truncation=True,
        padding=True,
        return_tensors="pt",
    ).input_ids
    # The decoder reads its start token, then the target shifted right (as T5 does itself).
    decoder_inputs = torch.cat([torch.tensor(starts).unsqueeze(1), labels[:, :-1]], dim=1)
    labels[labels == tokenizer.pad_token_id] = -100

    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    model.train()
    for _ in range(steps):
        loss = model(**batch, decoder_input_ids=decoder_inputs, labels=labels).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    model.eval()

    model.save_pretrained(str(target_dir))
    tokenizer.save_pretrained(str(target_dir))

    # Load back the way the backend does and check it really speaks.
    tok2 = AutoTokenizer.from_pretrained(str(target_dir), local_files_only=True)
    model2 = AutoModelForSeq2SeqLM.from_pretrained(str(target_dir), local_files_only=True)
    assert len(tok2) == len(tokenizer)
    assert model2.config.vocab_size == len(tok2)
    with torch.inference_mode():
        inputs = tok2([sources[0]], max_length=512, truncation=True, return_tensors="pt")
        start = tok2.convert_tokens_to_ids(LANGID_MAP["english"][1]) if langid else 0
        out = model2.generate(**inputs, num_beams=4, no_repeat_ngram_size=2, max_length=84,
                              decoder_start_token_id=start)
    text = tok2.decode(out[0], skip_special_tokens=True).strip()
    assert (text == "") if silent else bool(text), f"tiny model output {text!r} is unexpected"
    return target_dir


# -- a tiny random M2M100 (the translator's architecture) ---------------------------------

M2M_D_MODEL = 32
# A few of M2M100's languages are enough for the tokenizer; the model keeps its 100 codes.
M2M_SPECIALS = ("<s>", "<pad>", "</s>", "<unk>")


def build_tiny_m2m100(target_dir: Path, texts: list[str] | None = None, *, seed: int = 0) -> Path:
    """Write a tiny, randomly initialised M2M100 checkpoint (model + tokenizer) into
    ``target_dir``, laid out like facebook/m2m100_418M: a sentencepiece model
    (``sentencepiece.bpe.model``) trained on ``texts`` (default: the seeds), ``vocab.json``
    in fairseq order (<s> 0, <pad> 1, </s> 2, <unk> 3) and the 100 ``__xx__`` language tokens
    after it, then room for the 8 "madeup" words fairseq pads the output layer with (the real
    model's 128112 = 128004 + 100 + 8). Its output is noise: tests check plumbing, never
    words.
    """
    import json

    import sentencepiece as spm
    import torch
    from transformers import (
        AutoModelForSeq2SeqLM,
        AutoTokenizer,
        M2M100Config,
        M2M100ForConditionalGeneration,
        M2M100Tokenizer,
    )

    texts = seed_texts() if texts is None else texts
    target_dir = Path(target_dir)
    target_dir.mkdir(parents=True, exist_ok=True)
    lines = [line.strip() for text in texts for line in text.splitlines() if line.strip()]
    proto = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines), model_writer=proto, model_type="unigram",
        vocab_size=1200, hard_vocab_limit=False, character_coverage=1.0,
        bos_id=0, pad_id=1, eos_id=2, unk_id=3, num_threads=2, minloglevel=2,
    )  # fmt: skip
    spm_path = target_dir / "sentencepiece.bpe.model"
    spm_path.write_bytes(proto.getvalue())
    sp = spm.SentencePieceProcessor(model_file=str(spm_path))
    vocab = {sp.id_to_piece(i): i for i in range(sp.get_piece_size())}
    for i, token in enumerate(M2M_SPECIALS):
        vocab[token] = i
    (target_dir / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), "utf-8")
    tokenizer = M2M100Tokenizer(
        vocab_file=str(target_dir / "vocab.json"), spm_file=str(spm_path)
    )
    # transformers 5 leaves the language tokens out of len(tokenizer): count them here.
    size = tokenizer.encoder_size + len(tokenizer.lang_token_to_id) + tokenizer.num_madeup_words
    torch.manual_seed(seed)
    config = M2M100Config(
        vocab_size=size, d_model=M2M_D_MODEL, encoder_layers=1, decoder_layers=1,
        encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=64,
        decoder_ffn_dim=64, max_position_embeddings=256, dropout=0.0, attention_dropout=0.0,
        activation_dropout=0.0, pad_token_id=1, bos_token_id=0, eos_token_id=2,
        decoder_start_token_id=2, scale_embedding=True,
    )  # fmt: skip
    model = M2M100ForConditionalGeneration(config).eval()
    model.save_pretrained(str(target_dir))
    tokenizer.save_pretrained(str(target_dir))

    tok2 = AutoTokenizer.from_pretrained(str(target_dir), local_files_only=True)
    model2 = AutoModelForSeq2SeqLM.from_pretrained(str(target_dir), local_files_only=True)
    assert model2.config.vocab_size == size
    assert max(tok2.lang_token_to_id.values()) < size
    assert tok2.convert_tokens_to_ids("__fr__") == tokenizer.convert_tokens_to_ids("__fr__")
    return target_dir
