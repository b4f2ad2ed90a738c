"""Shared fixtures: no test touches the user's caches or the network; a tiny mT5 built here."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tiny_model import build_tiny_m2m100, build_tiny_mt5


@pytest.fixture(autouse=True, scope="session")
def isolated_briefer_dirs(tmp_path_factory):
    """The embedding and summary caches and int8 conversions in a temporary directory,
    shared by the session (cached vectors are the computed ones, bit for bit, so sharing only
    saves time; a test that counts generations points BRIEFER_CACHE_DIR elsewhere), and no
    ``--state`` from the user's environment. Session-scoped so module fixtures that build
    briefs get it too.
    """
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BRIEFER_CACHE_DIR", str(tmp_path_factory.mktemp("briefer-cache")))
        mp.delenv("BRIEFER_STATE", raising=False)
        yield


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory, monkeypatch):
    """An empty Hugging Face cache and offline mode, in the env *and* in huggingface_hub.

    huggingface_hub copies these variables into ``constants`` when first imported, so setting
    only the environment would depend on which test imported it first.
    """
    home = tmp_path_factory.mktemp("hf-home")
    monkeypatch.setenv("HF_HOME", str(home))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.delenv("BRIEFER_DEBUG", raising=False)
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(home / "hub"))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)


@pytest.fixture(scope="session")
def tiny_mt5_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real (tiny, overfitted) mT5 saved with save_pretrained: the seq2seq path runs for real."""
    return build_tiny_mt5(tmp_path_factory.mktemp("tiny-mt5"))


@pytest.fixture(scope="session")
def crosssum_mt5_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny cross-lingual mT5 laid out like CrossSum (langid_map in its config)."""
    return build_tiny_mt5(tmp_path_factory.mktemp("crosssum-mt5"), langid=True)


@pytest.fixture(scope="session")
def silent_mt5_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny mT5 trained to emit nothing, to exercise the empty-output fallback."""
    return build_tiny_mt5(tmp_path_factory.mktemp("silent-mt5"), steps=30, silent=True)


@pytest.fixture(scope="session")
def tiny_m2m100_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random M2M100 (the translator's architecture) saved with save_pretrained."""
    return build_tiny_m2m100(tmp_path_factory.mktemp("tiny-m2m100"))
