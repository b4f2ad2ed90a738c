"""Sentence translation with M2M100 (default ``facebook/m2m100_418M``, MIT) or NLLB-200.

Both are many-to-many models of the same architecture (``M2M100ForConditionalGeneration``):
the encoder reads ``[source-language token] pieces </s>``, the decoder starts from ``</s>``
followed by the target-language token (``__fr__`` for M2M100, ``fra_Latn`` for NLLB).
``facebook/nllb-200-distilled-600M`` is licensed CC BY-NC 4.0 (non-commercial), so it is
never chosen by ``auto``; pass ``--translator nllb`` to use it.

As for the summariser (:mod:`briefer.backends.seq2seq`, whose model lookup this reuses), the
model runs int8 through CTranslate2 on a CPU, converted once and kept under the cache
directory; ``int8=False`` or CUDA use PyTorch. At run time only sentencepiece and
ctranslate2 are needed: the tokenizer's vocabulary is read once through transformers and
kept next to the int8 copy.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import ModelError, UsageError
from ..languages import display_name, normalize_code
from . import register_translator
from .seq2seq import (
    GENERATION_ERRORS,
    _hub_offline,
    _int_option,
    _locate,
    _short_reason,
    failure_reason,
    model_files,
    model_status,
)

log = logging.getLogger(__name__)

DEFAULT_MODEL = "facebook/m2m100_418M"
NLLB_MODEL = "facebook/nllb-200-distilled-600M"
M2M100_LICENCE = "MIT"
NLLB_LICENCE = "CC BY-NC 4.0 (non-commercial use only)"
DEFAULT_NUM_BEAMS = 4
# Sentences translated together (sorted by length first, so padding stays small).
DEFAULT_BATCH_SIZE = 16
# Pieces of one input the model reads; the translate stage splits longer sentences first.
DEFAULT_MAX_INPUT_TOKENS = 200
MAX_OUTPUT_TOKENS = 256
# Bump when what goes into or comes out of the model changes, so cached translations go.
TRANSLATION_VERSION = 1

# The 100 languages of M2M100 (their codes in the tokenizer, ``__xx__``; from the model card).
M2M100_LANGUAGES = frozenset((
    "af", "am", "ar", "ast", "az", "ba", "be", "bg", "bn", "br", "bs", "ca", "ceb", "cs",
    "cy", "da", "de", "el", "en", "es", "et", "fa", "ff", "fi", "fr", "fy", "ga", "gd",
    "gl", "gu", "ha", "he", "hi", "hr", "ht", "hu", "hy", "id", "ig", "ilo", "is", "it",
    "ja", "jv", "ka", "kk", "km", "kn", "ko", "lb", "lg", "ln", "lo", "lt", "lv", "mg",
    "mk", "ml", "mn", "mr", "ms", "my", "ne", "nl", "no", "ns", "oc", "or", "pa", "pl",
    "ps", "pt", "ro", "ru", "sd", "si", "sk", "sl", "so", "sq", "sr", "ss", "su", "sv",
    "sw", "ta", "th", "tl", "tn", "tr", "uk", "ur", "uz", "vi", "wo", "xh", "yi", "yo",
    "zh", "zu",
))  # fmt: skip
# Codes py3langid (or a user) may give for a language M2M100 knows under another code (or
# whose written form is one M2M100 writes: Egyptian and Moroccan Arabic, Wu Chinese).
_M2M100_ALIASES = {"nb": "no", "nn": "no", "iw": "he", "fil": "tl", "jw": "jv", "in": "id",
                   "nso": "ns", "ary": "ar", "arz": "ar", "wuu": "zh", "yue": "zh"}  # fmt: skip

# ISO 639-1 -> NLLB-200 (FLORES-200) code, for every py3langid language NLLB-200 covers,
# plus a few common others. Written for briefer from the FLORES-200 language list.
NLLB_CODES: dict[str, str] = {
    "af": "afr_Latn", "am": "amh_Ethi", "ar": "arb_Arab", "as": "asm_Beng", "az": "azj_Latn",
    "ba": "bak_Cyrl", "be": "bel_Cyrl", "bg": "bul_Cyrl", "bn": "ben_Beng", "bo": "bod_Tibt",
    "bs": "bos_Latn", "ca": "cat_Latn", "cs": "ces_Latn", "cy": "cym_Latn", "da": "dan_Latn",
    "de": "deu_Latn", "dz": "dzo_Tibt", "el": "ell_Grek", "en": "eng_Latn", "eo": "epo_Latn",
    "es": "spa_Latn", "et": "est_Latn", "eu": "eus_Latn", "fa": "pes_Arab", "fi": "fin_Latn",
    "fo": "fao_Latn", "fr": "fra_Latn", "ga": "gle_Latn", "gd": "gla_Latn", "gl": "glg_Latn",
    "gu": "guj_Gujr", "ha": "hau_Latn", "he": "heb_Hebr", "hi": "hin_Deva", "hr": "hrv_Latn",
    "ht": "hat_Latn", "hu": "hun_Latn", "hy": "hye_Armn", "id": "ind_Latn", "ig": "ibo_Latn",
    "is": "isl_Latn", "it": "ita_Latn", "ja": "jpn_Jpan", "jv": "jav_Latn", "ka": "kat_Geor",
    "kk": "kaz_Cyrl", "km": "khm_Khmr", "kn": "kan_Knda", "ko": "kor_Hang", "ku": "kmr_Latn",
    "ky": "kir_Cyrl", "lb": "ltz_Latn", "lo": "lao_Laoo", "lt": "lit_Latn", "lv": "lvs_Latn",
    "mg": "plt_Latn", "mk": "mkd_Cyrl", "ml": "mal_Mlym", "mn": "khk_Cyrl", "mr": "mar_Deva",
    "ms": "zsm_Latn", "mt": "mlt_Latn", "my": "mya_Mymr", "nb": "nob_Latn", "ne": "npi_Deva",
    "nl": "nld_Latn", "nn": "nno_Latn", "no": "nob_Latn", "oc": "oci_Latn", "or": "ory_Orya",
    "pa": "pan_Guru", "pl": "pol_Latn", "ps": "pbt_Arab", "pt": "por_Latn", "qu": "quy_Latn",
    "ro": "ron_Latn", "ru": "rus_Cyrl", "rw": "kin_Latn", "sd": "snd_Arab", "si": "sin_Sinh",
    "sk": "slk_Latn", "sl": "slv_Latn", "so": "som_Latn", "sq": "als_Latn", "sr": "srp_Cyrl",
    "sv": "swe_Latn", "sw": "swh_Latn", "ta": "tam_Taml", "te": "tel_Telu", "tg": "tgk_Cyrl",
    "th": "tha_Thai", "tl": "tgl_Latn", "tr": "tur_Latn", "ug": "uig_Arab", "uk": "ukr_Cyrl",
    "ur": "urd_Arab", "uz": "uzn_Latn", "vi": "vie_Latn", "xh": "xho_Latn", "yo": "yor_Latn",
    "zh": "zho_Hans", "zh-cn": "zho_Hans", "zh-tw": "zho_Hant", "zu": "zul_Latn",
    # py3langid's ISO 639-3 codes
    "ace": "ace_Latn", "ary": "ary_Arab", "arz": "arz_Arab", "crh": "crh_Latn",
    "fuv": "fuv_Latn", "gug": "grn_Latn", "kab": "kab_Latn", "kik": "kik_Latn",
    "lg": "lug_Latn", "lij": "lij_Latn", "ln": "lin_Latn", "ltg": "ltg_Latn", "nso": "nso_Latn",
    "om": "gaz_Latn", "sa": "san_Deva", "sn": "sna_Latn", "st": "sot_Latn", "tk": "tuk_Latn",
    "tt": "tat_Cyrl", "vec": "vec_Latn", "yue": "yue_Hant", "wuu": "zho_Hans",
}  # fmt: skip


def m2m100_code(language: str) -> str | None:
    """The M2M100 code of ISO code ``language`` (``nb`` -> ``no``), or None."""
    code = normalize_code(language)
    for key in (code, code.split("-")[0]):
        key = _M2M100_ALIASES.get(key, key)
        if key in M2M100_LANGUAGES:
            return key
    return None


def nllb_code(language: str) -> str | None:
    code = normalize_code(language)
    return NLLB_CODES.get(code) or NLLB_CODES.get(code.split("-")[0])


def _tree_digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


class _Pieces:
    """The model's sentencepiece model and vocabulary, without transformers."""

    def __init__(self, workdir: Path) -> None:
        import sentencepiece as spm

        info = json.loads((workdir / "translator-info.json").read_text(encoding="utf-8"))
        self.sp = spm.SentencePieceProcessor(model_file=str(workdir / "sentencepiece.model"))
        self.vocab: dict[str, int] = info["vocab"]
        self.tokens = {i: t for t, i in self.vocab.items()}
        self.specials: set[str] = set(info["specials"])
        self.pad_id, self.eos_id, self.unk_id = info["pad_id"], info["eos_id"], info["unk_id"]
        self.eos = self.tokens[self.eos_id]
        self.start_id = info["decoder_start_id"]

    def pieces(self, text: str) -> list[str]:
        return list(self.sp.encode(text, out_type=str))

    def ids(self, pieces: Sequence[str]) -> list[int]:
        return [self.vocab.get(p, self.unk_id) for p in pieces]

    def text(self, tokens: Sequence[str]) -> str:
        kept = [t for t in tokens if t not in self.specials]
        return self.sp.decode_pieces(kept).strip()


@register_translator("m2m100")
class M2M100Translator:
    """Translate sentences with an M2M100 checkpoint (a hub id or a local directory).

    Inputs are sorted by length and run ``batch_size`` at a time with ``num_beams`` beams;
    an input longer than ``max_input_tokens`` pieces is cut (the caller splits long
    sentences before). Nothing is loaded until the first translation.
    """

    id = "m2m100"
    default_model = DEFAULT_MODEL
    known_licence = M2M100_LICENCE

    def __init__(
        self,
        model: str | None = None,
        *,
        device: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        num_beams: int = DEFAULT_NUM_BEAMS,
        max_input_tokens: int = DEFAULT_MAX_INPUT_TOKENS,
        int8: bool = True,
        cache_dir: str | Path | None = None,
        min_new_tokens: int = 0,
        max_new_tokens: int | None = None,
    ) -> None:
        model = model or self.default_model
        if not isinstance(model, str) or not model.strip():
            raise UsageError("Option model must name a Hugging Face model id or a directory.")
        self.model = model
        self.device = device
        self.batch_size = _int_option("batch_size", batch_size)
        self.num_beams = _int_option("num_beams", num_beams)
        self.max_input_tokens = _int_option("max_input_tokens", max_input_tokens, 2)
        self.int8 = bool(int8)
        self.cache_dir = Path(cache_dir).expanduser() if cache_dir else None
        # Output length bounds (None: twice the input plus 10); fixed ones are for benchmarks.
        self.min_new_tokens = _int_option("min_new_tokens", min_new_tokens, 0)
        self.max_new_tokens = (
            None if max_new_tokens is None else _int_option("max_new_tokens", max_new_tokens)
        )
        self.engine_name: str | None = None
        self._pieces: _Pieces | None = None
        self._ct2: Any = None
        self._torch: Any = None
        self._files: tuple[Path, str] | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model={self.model!r}, int8={self.int8})"

    # -- languages ------------------------------------------------------------------------

    def language_token(self, language: str) -> str | None:
        code = m2m100_code(language)
        return f"__{code}__" if code else None

    def supports(self, language: str) -> bool:
        return bool(language) and self.language_token(language) is not None

    def check_target(self, language: str) -> None:
        """UsageError (one sentence) unless the model can write ``language``."""
        if not self.supports(language):
            raise UsageError(
                f"Translator {self.id} ({self.model}) cannot translate into "
                f"{display_name(language)} ({language!r}); choose another --lang or "
                "--translator none."
            )

    @property
    def licence(self) -> str:
        """The licence of the model (known for the default; else from its model card)."""
        if self.model == self.default_model:
            return self.known_licence
        from ..models import card_licence

        files = self._files or model_files(self.model)
        return (card_licence(files[0]) if files else None) or "see the model card"

    # -- finding and loading -------------------------------------------------------------

    def available(self) -> tuple[bool, str]:
        """Whether the model is on this machine (a directory or the HF cache); no network."""
        kind, detail = _locate(self.model)
        return kind in ("local", "cached"), detail

    def check(self) -> None:
        kind, detail = _locate(self.model)
        if kind == "missing":
            raise ModelError(f"Could not load translation model {self.model}: {detail}.")

    def work_dir(self) -> Path:
        """Where briefer keeps what it derives from this model revision (vocabulary, int8)."""
        from .seq2seq import Seq2SeqSummarizer

        return Seq2SeqSummarizer(self.model, cache_dir=self.cache_dir).work_dir()

    def load(self) -> None:
        """Prepare tokenizer and engine once; ModelError/UsageError with one sentence."""
        if self._pieces is not None:
            return
        self.check()
        if _locate(self.model)[0] == "hub":
            ok, reason = model_status(self.model)
            if not ok:
                raise ModelError(f"Could not load translation model {self.model}: {reason}.")
            from ..models import fetch_model

            fetch_model(self.model)
        files = model_files(self.model)
        if files is None:
            raise ModelError(f"Could not load translation model {self.model}: not downloaded.")
        self._files = files
        workdir = self.work_dir()
        try:
            self._prepare_tokenizer(files[0], workdir)
            pieces = _Pieces(workdir)
            self._make_engine(files[0], workdir)
        except (ModelError, UsageError):
            raise
        except ImportError as exc:
            raise ModelError(
                f"Could not load translation model {self.model}: {_short_reason(exc)} "
                "(pip install sentencepiece protobuf may fix it)."
            ) from exc
        except Exception as exc:
            raise ModelError(
                f"Could not load translation model {self.model}: {_short_reason(exc)}."
            ) from exc
        self._pieces = pieces

    def _prepare_tokenizer(self, model_dir: Path, workdir: Path) -> None:
        """Vocabulary and sentencepiece model, saved once (later runs skip transformers)."""
        info_path = workdir / "translator-info.json"
        if info_path.is_file() and (workdir / "sentencepiece.model").is_file():
            return
        from transformers import AutoTokenizer

        with _hub_offline():
            tokenizer = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
        spm_file = next(
            (p for p in (model_dir / "sentencepiece.bpe.model", model_dir / "spiece.model")
             if p.is_file()), None,
        )  # fmt: skip
        if spm_file is None:
            raise ModelError(
                f"Could not load translation model {self.model}: its directory has no "
                "sentencepiece.bpe.model."
            )
        vocab = {str(t): int(i) for t, i in tokenizer.get_vocab().items()}
        # transformers 5 keeps M2M100's __xx__ tokens out of get_vocab
        vocab.update(getattr(tokenizer, "lang_token_to_id", None) or {})
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        info = {
            "vocab": vocab,
            "specials": sorted(set(tokenizer.all_special_tokens) | set(self._lang_tokens(vocab))),
            "pad_id": tokenizer.pad_token_id,
            "eos_id": tokenizer.eos_token_id,
            "unk_id": tokenizer.unk_token_id,
            "decoder_start_id": config.get("decoder_start_token_id", tokenizer.eos_token_id),
        }
        workdir.mkdir(parents=True, exist_ok=True)
        tmp = workdir / f"sentencepiece.model.tmp-{os.getpid()}"
        shutil.copyfile(spm_file, tmp)
        os.replace(tmp, workdir / "sentencepiece.model")
        tmp = workdir / f"tokenizer-info.json.tmp-{os.getpid()}"
        tmp.write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, info_path)

    def _lang_tokens(self, vocab: dict[str, int]) -> list[str]:
        return [t for t in vocab if len(t) > 4 and t.startswith("__") and t.endswith("__")]

    def _make_engine(self, model_dir: Path, workdir: Path) -> None:
        from .engines import convert_to_ctranslate2, cpu_threads, ctranslate2_available

        device = self._resolve_device()
        if self.int8 and device == "cpu":
            if ctranslate2_available():
                import ctranslate2

                ct2_dir = workdir / "ctranslate2-int8"
                if not (ct2_dir / "model.bin").is_file():
                    log.info("converting %s to int8 (once) into %s", self.model, ct2_dir)
                    try:
                        with _hub_offline():
                            convert_to_ctranslate2(
                                model_dir, ct2_dir, name=self.model, t5_fixes=False
                            )
                    except Exception as exc:
                        raise ModelError(
                            f"Could not convert translation model {self.model} for the int8 "
                            f"engine: {_short_reason(exc)}; pass --no-int8 to run it with "
                            "PyTorch."
                        ) from exc
                self._ct2 = ctranslate2.Translator(
                    str(ct2_dir), device="cpu", compute_type="int8", inter_threads=1,
                    intra_threads=cpu_threads(),
                )  # fmt: skip
                self.device, self.engine_name = "cpu", "ctranslate2-int8"
                return
            log.warning("ctranslate2 is not installed (pip install ctranslate2); translating "
                        "with PyTorch fp32, several times slower")  # fmt: skip
        import torch
        from transformers import AutoModelForSeq2SeqLM

        with _hub_offline():
            model = AutoModelForSeq2SeqLM.from_pretrained(str(model_dir), local_files_only=True)
        try:
            model.to(torch.device(device))
        except (RuntimeError, AssertionError) as exc:
            raise ModelError(
                f"Could not move translation model {self.model} to {device}: "
                f"{_short_reason(exc)}."
            ) from exc
        self._torch = model.eval()
        self.device, self.engine_name = device, f"torch-{torch.device(device).type}"

    def _resolve_device(self) -> str:
        from .seq2seq import Seq2SeqSummarizer

        probe = Seq2SeqSummarizer(self.model, device=self.device, int8=self.int8)
        return probe._resolve_device()

    # -- translating ----------------------------------------------------------------------

    def encode(self, text: str, source: str) -> list[str]:
        """The encoder's input tokens: source-language token, pieces (cut), </s>."""
        assert self._pieces is not None
        token = self.language_token(source)
        if token is None:
            raise UsageError(f"Translator {self.id} cannot read {display_name(source)}.")
        pieces = self._pieces.pieces(text)[: self.max_input_tokens - 2]
        return [token, *pieces, self._pieces.eos]

    def generate_tokens(
        self,
        inputs: Sequence[Sequence[str]],
        target: str,
        *,
        min_new_tokens: int = 0,
        max_new_tokens: int | None = None,
    ) -> list[list[str]]:
        """Output tokens (target-language token and specials dropped) of one batch, in order.

        ``max_new_tokens`` None: twice the longest input plus 10, at most 256.
        """
        self.load()
        assert self._pieces is not None
        if not inputs:
            return []
        token = self.language_token(target)
        if token is None:
            raise UsageError(f"Translator {self.id} cannot write {display_name(target)}.")
        longest = max(len(i) for i in inputs)
        limit = max_new_tokens or min(MAX_OUTPUT_TOKENS, 2 * longest + 10)
        if self._ct2 is not None:
            results = self._ct2.translate_batch(
                [list(i) for i in inputs], target_prefix=[[token]] * len(inputs),
                beam_size=self.num_beams, max_decoding_length=limit + 1,
                min_decoding_length=min_new_tokens + 1 if min_new_tokens else 0,
                max_input_length=0,
            )  # fmt: skip
            return [[t for t in r.hypotheses[0] if t != token] for r in results]
        return self._torch_generate(inputs, token, min_new_tokens, limit)

    def _torch_generate(
        self, inputs: Sequence[Sequence[str]], token: str, min_new: int, max_new: int
    ) -> list[list[str]]:
        import torch

        p = self._pieces
        assert p is not None
        width = max(len(i) for i in inputs)
        ids = torch.full((len(inputs), width), p.pad_id, dtype=torch.long)
        mask = torch.zeros((len(inputs), width), dtype=torch.long)
        for row, seq in enumerate(inputs):
            ids[row, : len(seq)] = torch.tensor(p.ids(seq), dtype=torch.long)
            mask[row, : len(seq)] = 1
        start = torch.tensor([[p.start_id, p.vocab[token]]] * len(inputs), dtype=torch.long)
        device = self._torch.device
        with torch.inference_mode():
            out = self._torch.generate(
                input_ids=ids.to(device), attention_mask=mask.to(device),
                decoder_input_ids=start.to(device), num_beams=self.num_beams,
                max_new_tokens=max_new, min_new_tokens=min_new,
            )  # fmt: skip
        sequences = []
        for row in out.tolist():
            tokens = []
            for i in row[2:]:
                if i == p.eos_id:
                    break
                if i != p.pad_id:
                    tokens.append(p.tokens.get(i, ""))
            sequences.append(tokens)
        return sequences

    def translate(self, texts: Sequence[str], source: str, target: str) -> list[str | None]:
        """``texts`` (one language, ``source``) in ``target``, in order; ``None`` where the
        engine failed on that text (a failed batch is retried one text at a time)."""
        texts = list(texts)
        if not texts:
            return []
        self.load()
        assert self._pieces is not None
        inputs = [self.encode(t, source) for t in texts]
        order = sorted(range(len(texts)), key=lambda k: len(inputs[k]))
        out: list[str | None] = [None] * len(texts)

        def run(chunk: list[int]) -> None:
            batch = self.generate_tokens(
                [inputs[k] for k in chunk], target,
                min_new_tokens=self.min_new_tokens, max_new_tokens=self.max_new_tokens,
            )  # fmt: skip
            for k, tokens in zip(chunk, batch, strict=True):
                out[k] = self._pieces.text(tokens) if self._pieces else None

        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            try:
                run(chunk)
                continue
            except GENERATION_ERRORS as exc:
                log.warning("translation failed on a batch of %d (%s); retrying one at a time",
                            len(chunk), failure_reason(exc))  # fmt: skip
            for k in chunk:
                try:
                    run([k])
                except GENERATION_ERRORS as exc:
                    log.warning("translation failed on one sentence (%s)", failure_reason(exc))
        return out

    def cache_key(self, text: str, source: str, target: str) -> str | None:
        """Model and revision, settings, the language pair and the text; None while the
        model is only on the hub (no revision yet)."""
        files = self._files or model_files(self.model)
        if files is None:
            return None
        return _tree_digest(
            self.id, str(TRANSLATION_VERSION), self.model, files[1],
            f"{self.num_beams}/{self.max_input_tokens}/{'int8' if self.int8 else 'fp32'}",
            normalize_code(source), normalize_code(target), text,
        )  # fmt: skip


@register_translator("nllb")
class NllbTranslator(M2M100Translator):
    """NLLB-200 (default ``facebook/nllb-200-distilled-600M``, CC BY-NC 4.0: non-commercial).

    Same architecture and engines as M2M100; languages are FLORES-200 codes (``fra_Latn``).
    """

    id = "nllb"
    default_model = NLLB_MODEL
    known_licence = NLLB_LICENCE

    def language_token(self, language: str) -> str | None:
        return nllb_code(language)

    def _lang_tokens(self, vocab: dict[str, int]) -> list[str]:
        return [t for t in vocab if len(t) == 8 and t[3] == "_" and t[:3].islower()]
