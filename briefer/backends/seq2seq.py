"""Abstractive summaries from a Hugging Face seq2seq model (default: mT5 fine-tuned on XL-Sum).

The default model is licensed CC BY-NC-SA 4.0 (non-commercial); pass ``model=`` to use
another checkpoint. torch and transformers are imported only when the model is loaded, so
importing this module (and ``briefer --help``) stays instant.

Loading never waits on the network when it need not: a local directory or a model already in
the Hugging Face cache is loaded with ``local_files_only`` under offline mode, and an uncached
id is only fetched after a quick TCP probe of the hub (:func:`model_status`).
"""

from __future__ import annotations

import logging
import os
import re
import socket
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..errors import ModelError, UsageError
from ..text import split_sentences
from . import EventSummary, register_summarizer

if TYPE_CHECKING:
    from ..types import Event

log = logging.getLogger(__name__)

DEFAULT_MODEL = "csebuetnlp/mT5_multilingual_XLSum"

# Generation settings from the XL-Sum model card.
DEFAULT_NUM_BEAMS = 4
DEFAULT_NO_REPEAT_NGRAM_SIZE = 2
DEFAULT_MAX_LENGTH = 84
DEFAULT_MAX_INPUT_TOKENS = 512

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


@register_summarizer("seq2seq")
class Seq2SeqSummarizer:
    """Summarise each event's representative article with a seq2seq model.

    Only ``event.articles[0]`` (the most representative article) is read: XL-Sum-style
    models are single-document and see at most ``max_input_tokens`` tokens anyway.
    Events are batched by input length so short articles do not pay for long ones' padding.
    """

    id = "seq2seq"

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        *,
        device: str | None = None,
        batch_size: int = 4,
        num_beams: int = DEFAULT_NUM_BEAMS,
        max_length: int = DEFAULT_MAX_LENGTH,
        no_repeat_ngram_size: int = DEFAULT_NO_REPEAT_NGRAM_SIZE,
        max_input_tokens: int = DEFAULT_MAX_INPUT_TOKENS,
    ) -> None:
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
        self.max_input_tokens = _int_option("max_input_tokens", max_input_tokens)
        self._tokenizer: Any = None
        self._model: Any = None

    def __repr__(self) -> str:
        return f"Seq2SeqSummarizer(model={self.model!r}, device={self.device!r})"

    # -- loading -------------------------------------------------------------------------

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def load(self) -> None:
        """Load tokenizer and model once; raises ModelError with a one-sentence reason."""
        if self._model is not None:
            return
        kind, detail = _locate(self.model)
        if kind == "missing":
            raise ModelError(f"Could not load model {self.model}: {detail}.")
        if kind == "hub":
            ok, reason = model_status(self.model)
            if not ok:
                raise ModelError(f"Could not load model {self.model}: {reason}.")

        import torch
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        device = self._resolve_device(torch)
        source = str(Path(self.model).expanduser()) if kind == "local" else self.model
        local = kind in ("local", "cached")
        log.info("loading summariser model %s (%s) on %s", self.model, detail, device)
        try:
            with _hub_offline() if local else nullcontext():
                tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=local)
                model, info = AutoModelForSeq2SeqLM.from_pretrained(
                    source, local_files_only=local, output_loading_info=True
                )
        except ImportError as exc:
            raise ModelError(
                f"Could not load model {self.model}: {_short_reason(exc)} "
                "(pip install sentencepiece protobuf may fix it)."
            ) from exc
        except Exception as exc:  # any loader failure is one user-facing sentence
            raise ModelError(f"Could not load model {self.model}: {_short_reason(exc)}.") from exc

        if info.get("missing_keys"):
            # transformers fills them with random values and goes on; the output will be noise.
            log.warning(
                "model %s lacks %d weights (e.g. %s); its summaries will be unreliable",
                self.model,
                len(info["missing_keys"]),
                sorted(info["missing_keys"])[0],
            )
        if not getattr(tokenizer, "model_max_length", None) or tokenizer.model_max_length > 100_000:
            tokenizer.model_max_length = self.max_input_tokens
        try:
            model.to(device)
        except (RuntimeError, AssertionError) as exc:
            raise ModelError(
                f"Could not move model {self.model} to {device}: {_short_reason(exc)}."
            ) from exc
        model.eval()
        self.device = str(device)
        self._tokenizer, self._model = tokenizer, model

    def _resolve_device(self, torch: Any) -> Any:
        if self.device is None:
            return torch.device("cuda" if torch.cuda.is_available() else "cpu")
        try:
            device = torch.device(self.device)
        except (RuntimeError, TypeError, ValueError):
            raise UsageError(f"Unknown device {self.device!r}; try 'cpu' or 'cuda'.") from None
        if device.type == "cuda" and not torch.cuda.is_available():
            raise UsageError(f"Device {self.device!r} was requested but CUDA is not available.")
        return device

    # -- preprocess -> generate -> postprocess ----------------------------------------------

    @staticmethod
    def input_text(event: Event) -> str:
        """The text the model reads: the representative article's title and body."""
        article = event.articles[0]
        parts = [] if article.title_derived else [article.title]
        parts.append(article.body)
        return " ".join(" ".join(parts).split())

    def prepare_inputs(self, events: Sequence[Event]) -> list[list[int]]:
        """Token ids per event, truncated to ``max_input_tokens`` (loads the model)."""
        self.load()
        texts = [self.input_text(e) for e in events]
        if not texts:
            return []
        encoded = self._tokenizer(texts, truncation=True, max_length=self.max_input_tokens)
        return [list(ids) for ids in encoded["input_ids"]]

    def generate(self, batch: Sequence[Sequence[int]]) -> list[str]:
        """Generate one decoded text per tokenised input, in order."""
        import torch

        self.load()
        padded = self._tokenizer.pad(
            {"input_ids": [list(ids) for ids in batch]}, return_tensors="pt"
        )
        with torch.inference_mode():
            out = self._model.generate(
                input_ids=padded["input_ids"].to(self._model.device),
                attention_mask=padded["attention_mask"].to(self._model.device),
                num_beams=self.num_beams,
                no_repeat_ngram_size=self.no_repeat_ngram_size,
                max_length=self.max_length,
            )
        texts = self._tokenizer.batch_decode(out, skip_special_tokens=True)
        return [t.strip() for t in texts]

    def summarize(self, events: Sequence[Event]) -> list[EventSummary]:
        """One EventSummary per event, in order; empty output gets a note, not an error."""
        events = list(events)
        results: list[EventSummary | None] = [None] * len(events)
        todo: list[int] = []
        for i, event in enumerate(events):
            if event.articles:
                todo.append(i)
            else:
                results[i] = EventSummary(
                    [], language=event.language, note="No article to summarise."
                )
        if todo:
            ids = self.prepare_inputs([events[i] for i in todo])
            # Sort by length (stable) so each batch pads little; results go back by index.
            order = sorted(range(len(todo)), key=lambda k: len(ids[k]))
            for start in range(0, len(order), self.batch_size):
                chunk = order[start : start + self.batch_size]
                texts = self.generate([ids[k] for k in chunk])
                for k, text in zip(chunk, texts, strict=True):
                    event = events[todo[k]]
                    results[todo[k]] = self._to_summary(text, event.articles[0].language)
        assert all(r is not None for r in results)
        return results  # type: ignore[return-value]

    @staticmethod
    def _to_summary(text: str, language: str) -> EventSummary:
        sentences = split_sentences(text, language) if text else []
        if not sentences:
            return EventSummary([], language=language, note=NO_TEXT_NOTE)
        return EventSummary(sentences, language=language)
