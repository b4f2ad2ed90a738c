"""Abstractive summaries from a Hugging Face seq2seq model (default: mT5 fine-tuned on XL-Sum).

Each event is summarised from all its articles (see :mod:`briefer.backends.packing` for what
the model reads), in the language of its representative article, or, with ``lang=``, in one
language for the whole brief through a cross-lingual model (CrossSum): such a model picks its
output language by the decoder start token, given per language in
``config.task_specific_params["langid_map"]``.

The default models are licensed CC BY-NC-SA 4.0 (non-commercial); pass ``model=`` to use
another checkpoint. torch and transformers are imported only when a model is first prepared
(tokenizer saved, int8 conversion) or run by PyTorch, so importing this module (and
``briefer --help``) stays instant, and a run whose summaries are all cached loads nothing.

On a CPU the model runs int8 through CTranslate2 (converted once, cached under the briefer
cache directory, keyed by model and revision); ``int8=False`` or CUDA use PyTorch.

Loading never waits on the network when it need not: a local directory or a model already in
the Hugging Face cache is loaded with ``local_files_only`` under offline mode, and an uncached
id is only fetched after a quick TCP probe of the hub (:func:`model_status`).
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import os
import re
import socket
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..errors import ModelError, UsageError
from ..languages import code_of, display_name, model_language_name, normalize_code
from . import EventSummary, register_summarizer
from .packing import fuse_outputs, plan_windows

if TYPE_CHECKING:
    from ..types import Event

log = logging.getLogger(__name__)

DEFAULT_MODEL = "csebuetnlp/mT5_multilingual_XLSum"
# Many-to-many cross-lingual summariser: the default when a target language is given.
CROSSLINGUAL_MODEL = "csebuetnlp/mT5_m2m_crossSum"

# Generation settings from the XL-Sum model card.
DEFAULT_NUM_BEAMS = 4
DEFAULT_NO_REPEAT_NGRAM_SIZE = 2
DEFAULT_MAX_LENGTH = 84
DEFAULT_MAX_INPUT_TOKENS = 512
DEFAULT_MAX_WINDOWS = 2
# Windows generated together. On 2 cores, CTranslate2 int8, mT5-base shape, 512 -> 64 tokens,
# 4 beams: 1.95 s/window in batches of 4, 1.45 s in 8, 1.49 s in 16 (+500 MB); 8 it is.
DEFAULT_BATCH_SIZE = 8
# Bump when what the model reads for an event changes, so cached summaries are not reused.
INPUT_VERSION = 1

DEFAULT_HUB = "https://huggingface.co"
NO_TEXT_NOTE = "The model produced no text for this event."
_WEIGHT_FILES = (
    "model.safetensors",
    "model.safetensors.index.json",
    "pytorch_model.bin",
    "pytorch_model.bin.index.json",
)
_TRUE = {"1", "on", "yes", "true"}


def _env_true(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in _TRUE


def _hub_offline_requested() -> bool:
    return _env_true("HF_HUB_OFFLINE") or _env_true("TRANSFORMERS_OFFLINE")


def _looks_like_path(model: str) -> bool:
    """True for strings that cannot be a hub id (``org/name`` or ``name``)."""
    return (
        os.path.isabs(model)
        or model.startswith((".", "~"))
        or model.endswith(("/", os.sep))
        or model.count("/") > 1
        or "\\" in model
    )


def _is_cached(model: str) -> bool:
    """Whether config and weights of hub id ``model`` are in the local HF cache."""
    from huggingface_hub import try_to_load_from_cache

    def cached(filename: str) -> bool:
        return isinstance(try_to_load_from_cache(model, filename), str)

    return cached("config.json") and any(cached(f) for f in _WEIGHT_FILES)


def _locate(model: str) -> tuple[str, str]:
    """Where ``model`` would load from, without touching the network.

    Returns (kind, detail) with kind one of "local", "cached", "hub" or "missing"; for
    "missing", detail says why.
    """
    path = Path(model).expanduser()
    if path.is_dir():
        if (path / "config.json").is_file():
            return "local", "local directory"
        return "missing", "the directory has no config.json"
    if path.exists():
        return "missing", "it is a file, not a model directory"
    if _looks_like_path(model):
        return "missing", "no such directory"
    try:
        if _is_cached(model):
            return "cached", "cached"
    except ValueError:  # huggingface_hub rejects malformed repo ids
        return "missing", "it is neither a directory nor a valid Hugging Face model id"
    return "hub", "not in the local Hugging Face cache"


def _hub_address() -> tuple[str, int]:
    """Host and port a download would connect to first (the proxy, when one applies)."""
    import urllib.request  # pulls in ssl and http; only needed here

    url = urlsplit(os.environ.get("HF_ENDPOINT") or DEFAULT_HUB)
    scheme = url.scheme or "https"
    host = url.hostname or "huggingface.co"
    port = url.port or (443 if scheme == "https" else 80)
    proxy = urllib.request.getproxies().get(scheme)
    if proxy and not urllib.request.proxy_bypass(host):
        purl = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        if purl.hostname:
            return purl.hostname, purl.port or (443 if purl.scheme == "https" else 80)
    return host, port


def model_status(model: str, timeout: float = 3.0) -> tuple[bool, str]:
    """Decide quickly whether ``model`` (hub id or directory) can be loaded.

    Used by ``auto`` backend selection, so it must never stall: local checks first, then
    HF_HUB_OFFLINE, then one TCP connect to the hub bounded by ``timeout`` seconds (a failed
    download otherwise takes ~49 s to give up). "Reachable" does not prove the id exists.
    """
    kind, detail = _locate(model)
    if kind == "local" or kind == "cached":
        return True, detail
    if kind == "missing":
        return False, detail
    if _hub_offline_requested():
        return False, "not in the local Hugging Face cache and HF_HUB_OFFLINE is set"
    host, port = _hub_address()
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError:
        return False, f"not in the local Hugging Face cache and the hub ({host}) is unreachable"
    return True, "hub"


@contextmanager
def _hub_offline() -> Iterator[None]:
    """Offline mode for the duration of a local load.

    huggingface_hub reads HF_HUB_OFFLINE once, at import, so setting the variable is not
    enough: the module constant is switched too. Besides avoiding network stalls, this stops
    transformers from starting a background safetensors-conversion request to the hub for
    cached ``.bin`` checkpoints (the default model is one).
    """
    from huggingface_hub import constants

    old_env = os.environ.get("HF_HUB_OFFLINE")
    old_const = constants.HF_HUB_OFFLINE
    os.environ["HF_HUB_OFFLINE"] = "1"
    constants.HF_HUB_OFFLINE = True
    try:
        yield
    finally:
        constants.HF_HUB_OFFLINE = old_const
        if old_env is None:
            os.environ.pop("HF_HUB_OFFLINE", None)
        else:
            os.environ["HF_HUB_OFFLINE"] = old_env


def _short_reason(exc: BaseException) -> str:
    """First line of an exception message, trimmed to one readable clause."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    text = lines[0] if lines else type(exc).__name__
    text = re.sub(r"\s+", " ", text).rstrip(" .:!")
    return text if len(text) <= 200 else text[:197].rstrip() + "..."


# What an engine raises when one batch cannot run: torch.OutOfMemoryError is a RuntimeError,
# CTranslate2 raises RuntimeError or (std::bad_alloc) MemoryError. Anything else is a bug.
GENERATION_ERRORS: tuple[type[BaseException], ...] = (MemoryError, RuntimeError)


def failure_reason(exc: BaseException) -> str:
    """A short reason for a generation failure: "out of memory" when it is one."""
    text = str(exc).lower()
    if isinstance(exc, MemoryError) or type(exc).__name__ == "OutOfMemoryError" or any(
        word in text for word in ("out of memory", "not enough memory", "can't allocate",
                                  "cannot allocate", "failed to allocate", "bad_alloc")
    ):  # fmt: skip
        return "out of memory"
    return _short_reason(exc)


def _release_memory() -> None:
    """Give back what a failed batch held before retrying (CUDA keeps freed blocks cached)."""
    gc.collect()
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        torch.cuda.empty_cache()


def _int_option(name: str, value: Any, minimum: int = 1) -> int:
    """An integer option (config files and flags may give digit strings) at least ``minimum``."""
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        number = int(value)
    if number is None or number < minimum:
        raise UsageError(f"Option {name} must be an integer of at least {minimum}, not {value!r}.")
    return number



def model_files(model: str) -> tuple[Path, str] | None:
    """(local directory, revision) of ``model`` when it is on disk, without any network.

    The revision is the commit of a Hugging Face cache snapshot, or, for a plain directory,
    a fingerprint of its files (names, sizes, modification times), so replacing a model's
    weights in place is a new revision.
    """
    kind, _ = _locate(model)
    if kind == "local":
        path = Path(model).expanduser().resolve()
        return path, _fingerprint(path)
    if kind == "cached":
        from huggingface_hub import try_to_load_from_cache

        config = try_to_load_from_cache(model, "config.json")
        if isinstance(config, str):
            snapshot = Path(config).parent
            return snapshot, snapshot.name
    return None


def _fingerprint(path: Path) -> str:
    digest = hashlib.sha256()
    for f in sorted(p for p in path.rglob("*") if p.is_file()):
        st = f.stat()
        digest.update(f"{f.relative_to(path)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return "dir-" + digest.hexdigest()[:16]


def read_model_config(model: str) -> dict | None:
    """The model's config.json when it is on disk (None when only the hub has it).

    Raises ModelError when the file is there but unreadable.
    """
    files = model_files(model)
    if files is None:
        return None
    try:
        config = json.loads((files[0] / "config.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ModelError(f"Could not load model {model}: {_short_reason(exc)}.") from None
    if not isinstance(config, dict):
        raise ModelError(f"Could not load model {model}: config.json is not a JSON object.")
    return config


def langid_map(config: dict) -> dict[str, list] | None:
    """The language -> [index, start token] map of a cross-lingual model, if it has one."""
    params = config.get("task_specific_params")
    found = params.get("langid_map") if isinstance(params, dict) else None
    if isinstance(found, dict) and found:
        return found
    return None


def check_target_language(model: str, lang: str, config: dict) -> None:
    """UsageError unless ``model`` (with ``config``) can write language ``lang``."""
    mapping = langid_map(config)
    if mapping is None:
        raise UsageError(
            f"Model {model} cannot write in a chosen language (its config has no "
            f"task_specific_params.langid_map); use --model {CROSSLINGUAL_MODEL} or leave "
            "out --lang."
        )
    if model_language_name(lang, mapping) is None:
        codes = sorted(code_of(name) for name in mapping)
        raise UsageError(
            f"Model {model} cannot write language {lang!r}; it writes: {', '.join(codes)}."
        )


class _Tokens:
    """The model's tokenizer, run by the ``tokenizers`` library (no transformers import)."""

    def __init__(self, path: Path, info: dict) -> None:
        from tokenizers import Tokenizer

        self._tok = Tokenizer.from_file(str(path))
        self._tok.no_truncation()
        self._tok.no_padding()
        self.pad_id = int(info["pad_id"])
        self.eos_id = int(info["eos_id"])

    def encode(self, text: str) -> list[int]:
        return list(self._tok.encode(text, add_special_tokens=False).ids)

    def count(self, texts: Sequence[str]) -> list[int]:
        return [len(e.ids) for e in self._tok.encode_batch(list(texts), add_special_tokens=False)]

    def cut(self, text: str, n: int) -> tuple[str, str]:
        """``text`` split after its first ``n`` tokens (at a token boundary)."""
        offsets = self._tok.encode(text, add_special_tokens=False).offsets
        if len(offsets) <= n:
            return text, ""
        end = offsets[n - 1][1]
        return text[:end].strip(), text[end:].strip()

    def token_id(self, token: str) -> int | None:
        return self._tok.token_to_id(token)

    def id_to_token(self, token_id: int) -> str | None:
        return self._tok.id_to_token(token_id)

    def decode(self, ids: Sequence[int]) -> str:
        return self._tok.decode(list(ids), skip_special_tokens=True).strip()


@register_summarizer("seq2seq")
class Seq2SeqSummarizer:
    """Summarise events with a seq2seq model, from all their articles, in one language each.

    ``lang`` (an ISO code such as ``"fr"``) writes every summary in that language; it needs a
    cross-lingual model with a ``langid_map`` (default then: CrossSum). Without it each event
    is written in its representative article's language. Windows of all events are batched
    by input length.
    """

    id = "seq2seq"

    def __init__(
        self,
        model: str | None = None,
        *,
        device: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        num_beams: int = DEFAULT_NUM_BEAMS,
        max_length: int = DEFAULT_MAX_LENGTH,
        no_repeat_ngram_size: int = DEFAULT_NO_REPEAT_NGRAM_SIZE,
        max_input_tokens: int = DEFAULT_MAX_INPUT_TOKENS,
        max_windows: int = DEFAULT_MAX_WINDOWS,
        lang: str | None = None,
        int8: bool = True,
        cache_dir: str | Path | None = None,
    ) -> None:
        if lang is not None and (not isinstance(lang, str) or not lang.strip()):
            raise UsageError("Option lang must be a language code such as 'fr'.")
        self.lang = normalize_code(lang) if lang else None
        if model is None:
            model = CROSSLINGUAL_MODEL if self.lang else DEFAULT_MODEL
        if not isinstance(model, str) or not model.strip():
            raise UsageError("Option model must name a Hugging Face model id or a directory.")
        self.model = model
        self.device = device
        self.batch_size = _int_option("batch_size", batch_size)
        self.num_beams = _int_option("num_beams", num_beams)
        # generate() counts the decoder start token in max_length, so 1 would mean no output.
        self.max_length = _int_option("max_length", max_length, 2)
        # 0 turns the n-gram block off, as in transformers.
        self.no_repeat_ngram_size = _int_option("no_repeat_ngram_size", no_repeat_ngram_size, 0)
        self.max_input_tokens = _int_option("max_input_tokens", max_input_tokens, 2)
        self.max_windows = _int_option("max_windows", max_windows)
        self.int8 = bool(int8)
        self.cache_dir = Path(cache_dir).expanduser() if cache_dir else None
        self.engine: Any = None
        self._tokens: _Tokens | None = None
        self._config: dict | None = None
        self._files: tuple[Path, str] | None = None

    def __repr__(self) -> str:
        return f"Seq2SeqSummarizer(model={self.model!r}, lang={self.lang!r}, int8={self.int8})"

    # -- finding and loading -------------------------------------------------------------

    @property
    def loaded(self) -> bool:
        return self.engine is not None

    @property
    def langid_map(self) -> dict[str, list] | None:
        return langid_map(self._config) if self._config is not None else None

    def check(self) -> None:
        """Fail fast, without loading anything: a missing model (ModelError) or a target
        language the model cannot write (UsageError). A model that only the hub has is
        checked when it is loaded."""
        kind, detail = _locate(self.model)
        if kind == "missing":
            raise ModelError(f"Could not load model {self.model}: {detail}.")
        config = read_model_config(self.model)
        if config is not None and self.lang:
            check_target_language(self.model, self.lang, config)

    def load(self) -> None:
        """Prepare tokenizer and engine once; ModelError/UsageError with a one-sentence reason."""
        if self.engine is not None:
            return
        self.check()
        if _locate(self.model)[0] == "hub":
            ok, reason = model_status(self.model)
            if not ok:
                raise ModelError(f"Could not load model {self.model}: {reason}.")
            from ..models import fetch_model

            fetch_model(self.model)
        files = model_files(self.model)
        if files is None:
            raise ModelError(f"Could not load model {self.model}: it was not downloaded.")
        config = read_model_config(self.model) or {}
        if self.lang:
            check_target_language(self.model, self.lang, config)
        self._files, self._config = files, config
        workdir = self.work_dir()
        log.debug("loading model %s (revision %s)", self.model, files[1])
        try:
            self._tokens = self._prepare_tokenizer(files[0], workdir)
            self.engine = self._make_engine(files[0], workdir)
        except (ModelError, UsageError):
            raise
        except ImportError as exc:
            raise ModelError(
                f"Could not load model {self.model}: {_short_reason(exc)} "
                "(pip install sentencepiece protobuf may fix it)."
            ) from exc
        except Exception as exc:  # any loader failure is one user-facing sentence
            raise ModelError(f"Could not load model {self.model}: {_short_reason(exc)}.") from exc

    def work_dir(self) -> Path:
        """Where briefer keeps what it derives from this model revision (tokenizer, int8)."""
        from ..store import default_cache_dir

        files = self._files or model_files(self.model)
        source = str(files[0]) if files else self.model
        revision = files[1] if files else "unknown"
        digest = hashlib.sha256(f"{source}\0{revision}".encode()).hexdigest()[:16]
        slug = re.sub(r"[^A-Za-z0-9._-]+", "_", self.model.strip("/"))[-60:]
        return (self.cache_dir or default_cache_dir()) / "models" / f"{slug}-{digest}"

    def _prepare_tokenizer(self, model_dir: Path, workdir: Path) -> _Tokens:
        """The tokenizer as one tokenizer.json (saved once: later runs skip transformers)."""
        path, info_path = workdir / "tokenizer.json", workdir / "tokenizer-info.json"
        if not (path.is_file() and info_path.is_file()):
            from transformers import AutoTokenizer

            with _hub_offline():
                tokenizer = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
            backend = getattr(tokenizer, "backend_tokenizer", None)
            if backend is None:
                raise ModelError(
                    f"Could not load model {self.model}: its tokenizer has no fast "
                    "(tokenizers) version."
                )
            info = {
                "pad_id": tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0,
                "eos_id": tokenizer.eos_token_id if tokenizer.eos_token_id is not None else 1,
            }
            workdir.mkdir(parents=True, exist_ok=True)
            tmp = workdir / f"tokenizer.json.tmp-{os.getpid()}"
            backend.save(str(tmp))
            os.replace(tmp, path)
            info_path.write_text(json.dumps(info), encoding="utf-8")
        return _Tokens(path, json.loads(info_path.read_text(encoding="utf-8")))

    def _make_engine(self, model_dir: Path, workdir: Path) -> Any:
        from .engines import (
            CTranslate2Engine,
            TorchEngine,
            convert_to_ctranslate2,
            ctranslate2_available,
        )

        device = self._resolve_device()
        if self.int8 and device == "cpu":
            if ctranslate2_available():
                ct2_dir = workdir / "ctranslate2-int8"
                if not (ct2_dir / "model.bin").is_file():
                    log.info("converting %s to int8 (once) into %s", self.model, ct2_dir)
                    try:
                        with _hub_offline():
                            convert_to_ctranslate2(model_dir, ct2_dir, name=self.model)
                    except Exception as exc:
                        raise ModelError(
                            f"Could not convert model {self.model} for the int8 engine: "
                            f"{_short_reason(exc)}; pass --no-int8 to run it with PyTorch."
                        ) from exc
                self.device = "cpu"
                return CTranslate2Engine(ct2_dir)
            log.warning(
                "ctranslate2 is not installed (pip install ctranslate2); "
                "summarising with PyTorch fp32, several times slower"
            )
        import torch

        assert self._tokens is not None
        torch_device = torch.device(device)
        try:
            with _hub_offline():
                engine = TorchEngine(
                    model_dir, device=torch_device, pad_id=self._tokens.pad_id,
                    eos_id=self._tokens.eos_id, name=self.model,
                )  # fmt: skip
        except (RuntimeError, AssertionError) as exc:
            if torch_device.type != "cuda":
                raise
            raise ModelError(
                f"Could not move model {self.model} to {device}: {_short_reason(exc)}."
            ) from exc
        self.device = str(torch_device)
        return engine

    def _resolve_device(self) -> str:
        """"cpu" or "cuda"; CUDA when present unless a device was given."""
        if self.device is None:
            if self.int8:
                try:
                    import ctranslate2

                    if ctranslate2.get_cuda_device_count() == 0:
                        return "cpu"  # no GPU at all: decided without importing torch
                except ImportError:
                    pass
            import torch

            return "cuda" if torch.cuda.is_available() else "cpu"
        name = str(self.device).split(":")[0]
        if name == "cpu":
            return "cpu"
        import torch

        try:
            device = torch.device(self.device)
        except (RuntimeError, TypeError, ValueError):
            raise UsageError(f"Unknown device {self.device!r}; try 'cpu' or 'cuda'.") from None
        if device.type == "cuda" and not torch.cuda.is_available():
            raise UsageError(f"Device {self.device!r} was requested but CUDA is not available.")
        return str(device)

    # -- the reader's language ------------------------------------------------------------

    def target(self, event: Event) -> tuple[str, int, str | None]:
        """(language code, decoder start token id, note) for ``event``'s summary.

        A cross-lingual model writes ``lang``, else the representative article's language;
        when it cannot write the latter it writes English and the note says so. A
        monolingual model writes what it reads, from its own start token.
        """
        self.load()
        assert self._tokens is not None and self._config is not None
        source = event.articles[0].language if event.articles else (event.language or "")
        mapping = self.langid_map
        if mapping is None:
            start = self._config.get("decoder_start_token_id")
            return source, int(start if start is not None else self._tokens.pad_id), None
        want = self.lang or source
        name = model_language_name(want, mapping)
        note = None
        if name is None:
            name = "english" if "english" in mapping else sorted(mapping)[0]
            note = (
                f"Written in {display_name(code_of(name))}: the model cannot write "
                f"{display_name(want)}."
            )
        token = str(mapping[name][1])
        start_id = self._tokens.token_id(token)
        if start_id is None:
            raise ModelError(
                f"Could not load model {self.model}: its tokenizer has no token {token!r} "
                f"for {name}."
            )
        return (want if note is None else code_of(name)), start_id, note

    # -- preprocess -> generate -> postprocess ----------------------------------------------

    def windows(self, event: Event) -> list[str]:
        """The texts the model reads for ``event`` (see :mod:`briefer.backends.packing`)."""
        self.load()
        assert self._tokens is not None
        return plan_windows(
            event,
            budget=self.max_input_tokens - 1,  # room for </s>
            max_windows=self.max_windows,
            count=self._tokens.count,
            cut=self._tokens.cut,
            cross_lingual=self.langid_map is not None,
        )

    def encode(self, text: str) -> list[int]:
        """Token ids of one window: at most ``max_input_tokens``, ending with </s>."""
        self.load()
        assert self._tokens is not None
        ids = self._tokens.encode(text)[: self.max_input_tokens - 1]
        return [*ids, self._tokens.eos_id]

    def prepare_inputs(self, events: Sequence[Event]) -> list[list[list[int]]]:
        """Per event, the token ids of each window it is summarised from."""
        return [[self.encode(w) for w in self.windows(e)] for e in events]

    def generate_ids(
        self,
        inputs: Sequence[Sequence[int]],
        starts: Sequence[int],
        *,
        min_new_tokens: int = 0,
        max_new_tokens: int | None = None,
    ) -> list[list[int]]:
        """Decoder sequences (start token first, no </s>) for token-id inputs, in order.

        Inputs are sorted by length and run ``batch_size`` at a time, so short inputs do not
        pay for long ones' padding. An engine failure propagates; see :meth:`try_generate_ids`.
        """
        out, _ = self._generate(inputs, starts, min_new_tokens, max_new_tokens, tolerant=False)
        return out  # type: ignore[return-value]  # not tolerant: every entry is a list

    def try_generate_ids(
        self,
        inputs: Sequence[Sequence[int]],
        starts: Sequence[int],
        *,
        min_new_tokens: int = 0,
        max_new_tokens: int | None = None,
    ) -> tuple[list[list[int] | None], dict[int, str]]:
        """Like :meth:`generate_ids`, but one input the engine cannot run (out of memory, or
        another runtime error) costs only that input: a failed batch is retried one input at
        a time, and an input that fails alone gets ``None`` and, by index, the reason."""
        return self._generate(inputs, starts, min_new_tokens, max_new_tokens, tolerant=True)

    def _generate(
        self,
        inputs: Sequence[Sequence[int]],
        starts: Sequence[int],
        min_new_tokens: int,
        max_new_tokens: int | None,
        *,
        tolerant: bool,
    ) -> tuple[list[list[int] | None], dict[int, str]]:
        self.load()
        if max_new_tokens is None:
            max_new_tokens = self.max_length - 1
        settings = {"num_beams": self.num_beams, "max_new_tokens": max_new_tokens,
                    "no_repeat_ngram_size": self.no_repeat_ngram_size,
                    "min_new_tokens": min_new_tokens}  # fmt: skip

        def run(chunk: list[int]) -> None:
            sequences = self.engine.generate(
                [inputs[k] for k in chunk], [starts[k] for k in chunk], **settings
            )
            if log.isEnabledFor(logging.DEBUG):  # what the decoder started from, per sequence
                firsts = [self.token_name(seq[0]) if seq else None for seq in sequences]
                log.debug("generated %d sequences with %s; decoder start tokens: %s",
                          len(sequences), self.engine.name, firsts)  # fmt: skip
            for k, seq in zip(chunk, sequences, strict=True):
                out[k] = seq

        order = sorted(range(len(inputs)), key=lambda k: len(inputs[k]))
        out: list[list[int] | None] = [None] * len(inputs)
        failed: dict[int, str] = {}
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            try:
                run(chunk)
                continue
            except GENERATION_ERRORS as exc:
                if not tolerant:
                    raise
                reason = failure_reason(exc)
                if len(chunk) == 1:
                    failed[chunk[0]] = reason
                    log.warning("generation failed on one input (%s)", reason)
                    continue
                log.warning("generation failed on a batch of %d (%s); retrying one at a time",
                            len(chunk), reason)  # fmt: skip
            _release_memory()
            for k in chunk:
                try:
                    run([k])
                except GENERATION_ERRORS as exc:
                    failed[k] = failure_reason(exc)
                    log.warning("generation failed on one input (%s)", failed[k])
                    _release_memory()
        return out, failed

    def decode(self, sequence: Sequence[int]) -> str:
        assert self._tokens is not None
        return self._tokens.decode(sequence)

    def token_name(self, token_id: int) -> str | None:
        """The tokenizer's spelling of one token id (for logs and tests)."""
        assert self._tokens is not None
        return self._tokens.id_to_token(token_id)

    def summarize(self, events: Sequence[Event]) -> list[EventSummary]:
        """One EventSummary per event, in order; empty output gets a note, not an error."""
        events = list(events)
        if not events:
            return []
        results: list[EventSummary | None] = [None] * len(events)
        jobs: list[tuple[int, list[int], int]] = []  # (event index, input ids, start token)
        targets: dict[int, tuple[str, str | None]] = {}
        for i, event in enumerate(events):
            if not event.articles:
                results[i] = EventSummary(
                    [], language=event.language, note="No article to summarise."
                )
                continue
            language, start, note = self.target(event)
            targets[i] = (language, note)
            log.debug("event %s: summary in %s, decoder start token %s (id %d)",
                      event.id, language, self.token_name(start), start)  # fmt: skip
            windows = self.windows(event)
            if not windows:
                results[i] = EventSummary([], language=language, note=NO_TEXT_NOTE)
            jobs.extend((i, self.encode(w), start) for w in windows)
        sequences, failed = self.try_generate_ids(
            [ids for _, ids, _ in jobs], [s for _, _, s in jobs]
        )
        outputs: dict[int, list[str]] = {}
        errors: dict[int, str] = {}
        for j, ((i, _, _), seq) in enumerate(zip(jobs, sequences, strict=True)):
            if j in failed or seq is None:
                # A partial summary would silently leave out the failed window's articles.
                errors.setdefault(i, failed.get(j, "no output"))
            else:
                outputs.setdefault(i, []).append(self.decode(seq[1:]))
        for i, reason in errors.items():
            outputs.pop(i, None)
            language, _ = targets[i]
            note = f"The model failed on this event ({reason})."
            results[i] = EventSummary([], language=language, note=note, error=reason)
        for i, texts in outputs.items():
            language, note = targets[i]
            sentences = fuse_outputs(texts, language)
            results[i] = EventSummary(sentences, language=language, note=note)
            if not sentences:
                results[i] = EventSummary([], language=language, note=NO_TEXT_NOTE)
        assert all(r is not None for r in results)
        return results  # type: ignore[return-value]

    # -- the summary cache ----------------------------------------------------------------

    def cache_key(self, event: Event) -> str | None:
        """What identifies this summary: model and revision, generation settings, target
        language and the event's input text. None when the revision is not known yet (a
        model still on the hub)."""
        files = self._files or model_files(self.model)
        if files is None or not event.articles:
            return None
        payload = {
            "backend": self.id,
            "input_version": INPUT_VERSION,
            "model": self.model,
            "revision": files[1],
            "settings": [
                self.num_beams, self.no_repeat_ngram_size, self.max_length,
                self.max_input_tokens, self.max_windows, "int8" if self.int8 else "fp32",
            ],
            "lang": self.lang,
            "input": hashlib.sha256(
                json.dumps(
                    [[a.language, "" if a.title_derived else a.title, a.body]
                     for a in event.articles],
                    ensure_ascii=False,
                ).encode("utf-8", "surrogatepass")
            ).hexdigest(),
        }  # fmt: skip
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
