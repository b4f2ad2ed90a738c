"""Optional embedder for users with a Hugging Face hub: any sentence-transformers model id."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..errors import ModelError
from . import register_embedder


@register_embedder("sentence-transformers")
class SentenceTransformersEmbedder:
    id = "sentence-transformers"

    def __init__(
        self, *, model: str = "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2",
        batch_size: int = 32,
    ) -> None:
        self.model = model
        self.batch_size = batch_size
        self._model = None

    def _load(self):
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise ModelError(
                "The sentence-transformers embedder needs: "
                "pip install 'briefer[sentence-transformers]'."
            ) from None
        try:
            return SentenceTransformer(self.model)
        except Exception as exc:  # any load failure is a user-fixable model problem
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0].rstrip(".")
            raise ModelError(f"Could not load embedding model {self.model}: {reason}.") from None

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if self._model is None:
            self._model = self._load()
        out = self._model.encode(list(texts), batch_size=self.batch_size,
                                 normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(out, dtype=np.float32)
