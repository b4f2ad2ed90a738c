"""Generation engines behind the ``seq2seq`` summariser.

Both take token ids and one decoder start token per input (the target-language token of a
cross-lingual model, else the model's own start token) and return, per input, the decoder
sequence: the start token followed by the generated ids, without end-of-sequence or padding.

- :class:`CTranslate2Engine`: int8 on a CPU. The model is converted once (see
  :func:`convert_to_ctranslate2`) and loaded without torch or transformers. On two cores it
  is several times faster than PyTorch fp32 at the same output (README, "Performance";
  benchmarks/summarize.py).
- :class:`TorchEngine`: ``AutoModelForSeq2SeqLM.generate``; used on CUDA, with
  ``--no-int8``, or when ctranslate2 is not installed.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)


class Engine(Protocol):
    name: str

    def generate(
        self,
        inputs: Sequence[Sequence[int]],
        starts: Sequence[int],
        *,
        num_beams: int,
        no_repeat_ngram_size: int,
        max_new_tokens: int,
        min_new_tokens: int = 0,
    ) -> list[list[int]]: ...


def cpu_threads() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def ctranslate2_available() -> bool:
    try:
        import ctranslate2  # noqa: F401
    except ImportError:
        return False
    return True


def log_missing_weights(model: str, info: dict) -> None:
    """transformers fills missing weights with random values and goes on: say so."""
    missing = info.get("missing_keys") or []
    if missing:
        log.warning(
            "model %s lacks %d weights (e.g. %s); its summaries will be unreliable",
            model, len(missing), sorted(missing)[0],
        )  # fmt: skip


def convert_to_ctranslate2(
    model_dir: Path,
    out_dir: Path,
    *,
    quantization: str = "int8",
    name: str | None = None,
    t5_fixes: bool = True,
) -> Path:
    """Convert the transformers checkpoint in ``model_dir`` into ``out_dir`` (once).

    Two fixes over the stock converter for mT5, both needed under transformers 5
    (MEASURED.md); ``t5_fixes=False`` (M2M100, NLLB) converts as the stock converter does.

    - transformers 5 runs mT5 without rescaling the decoder output, but the converter
      scales the output by ``d_model ** -0.5`` whenever ``tie_word_embeddings`` is set, and
      transformers 5 always sets it for mT5. Greedy output survives a constant scale, beam
      search does not (repeated tokens). The flag is cleared before the spec is built.
    - The decoder start token is left unset (``null``) in the converted config, so each
      input's start token is given as its one-token target prefix: a cross-lingual model
      starts with the target language's token, and the prefix *is* the decoder's first
      input, exactly as ``decoder_start_token_id`` is in transformers.

    The conversion is written to a temporary directory and renamed, so an interrupted run
    leaves no half model; two runs converting at once both succeed.
    """
    from ctranslate2.converters import TransformersConverter

    label = name or str(model_dir)

    class _Converter(TransformersConverter):
        def load_model(self, model_class: Any, path: str, **kwargs: Any) -> Any:
            model, info = model_class.from_pretrained(path, output_loading_info=True, **kwargs)
            log_missing_weights(label, info)
            if t5_fixes:
                model.config.tie_word_embeddings = False
            return model

        def load_tokenizer(self, tokenizer_class: Any, path: str, **kwargs: Any) -> Any:
            tokenizer = tokenizer_class.from_pretrained(path, **kwargs)
            if getattr(tokenizer, "lang_token_to_id", None):
                return _WithLanguageTokens(tokenizer)
            return tokenizer

    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_dir.with_name(f"{out_dir.name}.tmp-{os.getpid()}")
    try:
        _Converter(str(model_dir)).convert(str(tmp), quantization=quantization, force=True)
        if t5_fixes:
            config_path = tmp / "config.json"
            config = json.loads(config_path.read_text(encoding="utf-8"))
            config["decoder_start_token"] = None
            config_path.write_text(json.dumps(config, indent=2), encoding="utf-8")
        try:
            os.replace(tmp, out_dir)
        except OSError:
            if not (out_dir / "model.bin").is_file():  # not a concurrent conversion: a failure
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out_dir


class _WithLanguageTokens:
    """An M2M100 tokenizer whose ``get_vocab`` includes its ``__xx__`` language tokens.

    Under transformers 5 the M2M100 tokenizer keeps those tokens (ids after the
    sentencepiece vocabulary) out of ``get_vocab`` and of its special-tokens map, so the
    stock converter builds a vocabulary 100 tokens short of the model's and refuses it.
    """

    def __init__(self, tokenizer: Any) -> None:
        self._tokenizer = tokenizer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tokenizer, name)

    def get_vocab(self) -> dict[str, int]:
        return {**self._tokenizer.get_vocab(), **self._tokenizer.lang_token_to_id}


def _read_vocabulary(ct2_dir: Path) -> list[str]:
    path = ct2_dir / "shared_vocabulary.json"
    if path.is_file():
        return list(json.loads(path.read_text(encoding="utf-8")))
    text = (ct2_dir / "shared_vocabulary.txt").read_text(encoding="utf-8")
    return text.split("\n")[:-1] if text.endswith("\n") else text.split("\n")


class CTranslate2Engine:
    """A converted model run by CTranslate2 (int8 by default)."""

    def __init__(
        self,
        ct2_dir: Path,
        *,
        device: str = "cpu",
        compute_type: str = "int8",
        threads: int | None = None,
    ) -> None:
        import ctranslate2

        self.name = f"ctranslate2-{compute_type}"
        self.path = Path(ct2_dir)
        self.vocabulary = _read_vocabulary(self.path)
        self._ids: dict[str, int] = {}
        for i, token in enumerate(self.vocabulary):
            self._ids.setdefault(token, i)
        self._translator = ctranslate2.Translator(
            str(self.path),
            device=device,
            compute_type=compute_type,
            inter_threads=1,
            intra_threads=threads or cpu_threads(),
        )

    def generate(
        self,
        inputs: Sequence[Sequence[int]],
        starts: Sequence[int],
        *,
        num_beams: int,
        no_repeat_ngram_size: int,
        max_new_tokens: int,
        min_new_tokens: int = 0,
    ) -> list[list[int]]:
        if not inputs:
            return []
        vocab = self.vocabulary
        results = self._translator.translate_batch(
            [[vocab[i] for i in ids] for ids in inputs],
            target_prefix=[[vocab[s]] for s in starts],
            beam_size=num_beams,
            no_repeat_ngram_size=no_repeat_ngram_size,
            max_decoding_length=max_new_tokens,
            min_decoding_length=min_new_tokens,
            max_input_length=0,  # the caller has already cut inputs to the model's window
        )
        unk = self._ids.get("<unk>", 0)
        return [
            [start, *(self._ids.get(t, unk) for t in r.hypotheses[0])]
            for start, r in zip(starts, results, strict=True)
        ]


class TorchEngine:
    """``AutoModelForSeq2SeqLM.generate`` on CUDA or CPU (fp32)."""

    def __init__(
        self, model_dir: Path, *, device: Any, pad_id: int, eos_id: int, name: str
    ) -> None:
        from transformers import AutoModelForSeq2SeqLM

        model, info = AutoModelForSeq2SeqLM.from_pretrained(
            str(model_dir), local_files_only=True, output_loading_info=True
        )
        log_missing_weights(name, info)
        model.to(device)
        model.eval()
        self.name = f"torch-{device.type}"
        self.model = model
        self.device = device
        self.pad_id = pad_id
        self.eos_id = eos_id

    def generate(
        self,
        inputs: Sequence[Sequence[int]],
        starts: Sequence[int],
        *,
        num_beams: int,
        no_repeat_ngram_size: int,
        max_new_tokens: int,
        min_new_tokens: int = 0,
    ) -> list[list[int]]:
        import torch

        if not inputs:
            return []
        width = max(len(ids) for ids in inputs)
        ids = torch.full((len(inputs), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(inputs), width), dtype=torch.long)
        for row, seq in enumerate(inputs):
            ids[row, : len(seq)] = torch.tensor(list(seq), dtype=torch.long)
            mask[row, : len(seq)] = 1
        with torch.inference_mode():
            out = self.model.generate(
                input_ids=ids.to(self.device),
                attention_mask=mask.to(self.device),
                # one start token per row (a list); not decoder_input_ids, which generate()
                # would prefix with the config's start token
                decoder_start_token_id=starts[0] if len(set(starts)) == 1 else list(starts),
                num_beams=num_beams,
                no_repeat_ngram_size=no_repeat_ngram_size,
                max_new_tokens=max_new_tokens,
                min_new_tokens=min_new_tokens,
            )
        sequences = []
        for row in out.tolist():
            seq = [row[0]]
            for token in row[1:]:
                if token == self.eos_id:
                    break
                if token != self.pad_id:
                    seq.append(token)
            sequences.append(seq)
        return sequences
