"""A sparse rate matrix gives the very model a dense one does, bit for bit.

Population blocks build their modes from :class:`SparseSystem` (no dense (subjects, n, n) A); every
other caller builds them from the dense A of :func:`build_system`. Both must give the same rates,
coefficients, defective subjects and, through the expm recomputation of those, the same results.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from kratomsim.pk.modal import ModalModel, _subset, build_modal, modal_concentrations
from kratomsim.pk.model import Disposition, DoseEvent, Formation, build_sparse_system, build_system
from kratomsim.pk.nightly import nightly_metrics
from kratomsim.pk.rates import SparseRates
from kratomsim.population_subjects import _Spec, sample_subjects, subject_modal, subject_model
from kratomsim.populations import population_spec
from kratomsim.scenario import make_scenario


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal values, shape and dtype, and the same bytes (so also the same signs of zero)."""
    return a.dtype == b.dtype and np.array_equal(a, b) and a.tobytes() == b.tobytes()


def _assert_same_model(sparse: ModalModel, dense: ModalModel) -> None:
    assert _same(sparse.rates, dense.rates)
    assert sparse.label_names == dense.label_names
    assert _same(sparse.defective, dense.defective)
    assert dict(sparse.lag) == dict(dense.lag)
    assert sparse.response.keys() == dense.response.keys()
    for compound, by_input in sparse.response.items():
        assert by_input.keys() == dense.response[compound].keys(), compound
        for source, expsum in by_input.items():
            other = dense.response[compound][source]
            assert expsum.labels == other.labels, (compound, source)
            assert _same(expsum.coef, other.coef), (compound, source)


def _k51_spec(seed: int) -> _Spec:
    return population_spec(make_scenario(product="K51", dose="2g", at="22:30", count=14, grid="5min"), seed)


def _both(spec: _Spec, start: int, stop: int) -> tuple[ModalModel, ModalModel, list[DoseEvent]]:
    """The population pipeline's model (sparse A) and the same subjects' model from the dense A."""
    sparse, doses = subject_modal(spec, start, stop)
    subjects = sample_subjects(stop - start, spec.seed, start, spec.spreads, spec.content)
    dispositions, formations = subject_model(spec.base, spec.formations, subjects)
    dense = build_modal(build_system(dispositions, formations), sorted({d.compound for d in doses}))
    return sparse, dense, doses


@pytest.mark.parametrize("seed", [1, 7, 12345])
def test_k51_population_model_is_the_dense_one(seed: int) -> None:
    sparse, dense, _ = _both(_k51_spec(seed), 100_000, 103_000)
    assert sparse.n_subjects == 3000 and len(sparse.inputs) == 6
    _assert_same_model(sparse, dense)


def test_parent_and_metabolite_dosed_together() -> None:
    """K51 plus a dose of 7-hydroxymitragynine itself: its own gut mode beside the formed one."""
    k51 = _k51_spec(5)
    spec = replace(k51, doses=[*k51.doses, DoseEvent(1.5, "7-hydroxymitragynine", 20.0)])
    sparse, dense, _ = _both(spec, 0, 4000)
    assert "7-hydroxymitragynine.gut" in sparse.label_names and len(sparse.inputs) == 7
    assert set(sparse.response["7-hydroxymitragynine"]) == {"mitragynine", "7-hydroxymitragynine"}
    _assert_same_model(sparse, dense)


@pytest.mark.parametrize("with_sinks", [False, True])
def test_dense_matrix_is_the_sparse_entries(with_sinks: bool) -> None:
    spec = _k51_spec(2)
    subjects = sample_subjects(500, spec.seed, 0, spec.spreads, spec.content)
    dispositions, formations = subject_model(spec.base, spec.formations, subjects)
    sparse = build_sparse_system(dispositions, formations, with_sinks)
    dense = build_system(dispositions, formations, with_sinks)
    assert sparse.states == dense.states and sparse.sinks == dense.sinks
    assert _same(sparse.A, dense.A)
    from_dense = SparseRates.from_dense(dense.A)
    assert set(from_dense.entries) <= set(sparse.rates.entries)
    mask = np.arange(500) % 7 == 3
    assert _same(_subset(sparse, mask).A, _subset(dense, mask).A)
    assert all(_same(_subset(sparse, mask).volume[c], dense.volume[c][mask]) for c in dense.central)


def _defective_case() -> tuple[dict[str, Disposition], list[Formation], list[DoseEvent], np.ndarray]:
    """A parent (two compartments) forming a metabolite; some subjects' ka equals the metabolite's ke."""
    n = 60
    rng = np.random.default_rng(4)
    cl_m, v_m = rng.uniform(5, 20, n), rng.uniform(50, 150, n)
    ka = rng.uniform(0.5, 3.0, n)
    equal = np.arange(n) % 9 == 0
    ka[equal] = cl_m[equal] / v_m[equal]
    dispositions = {
        "p": Disposition(ka=ka, cl=rng.uniform(20, 60, n), v1=rng.uniform(100, 300, n),
                         q2=rng.uniform(5, 15, n), v2=rng.uniform(200, 600, n), lag=0.25),
        "m": Disposition(ka=1.7, cl=cl_m, v1=v_m),
    }
    formations = [Formation("p", "m", presystemic=rng.uniform(0.05, 0.2, n), systemic=rng.uniform(0, 0.3, n))]
    doses = [DoseEvent(24.0 * k, "p", 100.0) for k in range(3)] + [DoseEvent(30.0, "m", rng.uniform(5, 10, n))]
    return dispositions, formations, doses, equal


def test_defective_subjects_are_recomputed_from_the_same_matrix() -> None:
    """The expm recomputation takes the defective subjects' dense A from the sparse entries."""
    dispositions, formations, doses, equal = _defective_case()
    sparse = build_modal(build_sparse_system(dispositions, formations), ["m", "p"])
    dense = build_modal(build_system(dispositions, formations), ["m", "p"])
    assert np.all(sparse.defective[equal]) and sparse.defective.sum() == equal.sum()
    _assert_same_model(sparse, dense)
    times = np.arange(0.0, 80.0, 0.25)
    course, reference = modal_concentrations(sparse, doses, times), modal_concentrations(dense, doses, times)
    for c in reference:
        assert _same(course[c], reference[c]), c
    windows = [(24.0 * k + 1.0, 24.0 * k + 9.0) for k in range(3)]
    metrics, _ = nightly_metrics(sparse, doses, windows, ("p", "m"))
    expected, _ = nightly_metrics(dense, doses, windows, ("p", "m"))
    for name in ("cmax", "cwake", "auc"):
        assert _same(getattr(metrics, name), getattr(expected, name)), name
