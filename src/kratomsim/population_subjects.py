"""The subjects of a population run and the one pipeline that turns them into a modal model.

Why: nightly metrics, bands over time and concentrations at chosen instants must see the very same
people; they all go through :func:`subject_modal`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kratomsim.errors import InputError
from kratomsim.library import kratom_dispositions, library_products
from kratomsim.pk.modal import ModalModel, build_modal, modal_concentrations
from kratomsim.pk.model import Disposition, DoseEvent, FloatArray, Formation, build_sparse_system
from kratomsim.pk.nightly import NightMetrics, nightly_metrics
from kratomsim.population_spreads import _PARAMETERS, SHARED_F, Spread, variability_spreads

BLOCK = 1024  # subjects per random-number block: fixed forever, so seeds stay reproducible


@lru_cache(maxsize=1)
def _dimensions() -> tuple[tuple[str, str], ...]:
    """The fixed order of random draws per subject, independent of scenario and options."""
    names = sorted(set(kratom_dispositions()[0]) | {c for p in library_products().values()
                                                     for c in p.alkaloids_mg_per_g})
    dims = [(c, p) for c in names for p in _PARAMETERS]
    dims += [(c, "formation") for c in names]
    dims += [(c, "content") for c in names]
    dims += [SHARED_F]  # appended last: the draws above stay what they were
    return tuple(dims)


def _normals(seed: int, start: int, stop: int) -> NDArray[np.float64]:
    """Standard normal draws (dims, stop - start): block b always comes from SeedSequence(seed, (b,))."""
    dims = len(_dimensions())
    out = np.empty((dims, stop - start))
    first, last = start // BLOCK, (stop - 1) // BLOCK
    for block in range(first, last + 1):
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(block,))))
        draws = rng.standard_normal((dims, BLOCK))
        lo, hi = max(start, block * BLOCK), min(stop, (block + 1) * BLOCK)
        out[:, lo - start:hi - start] = draws[:, lo - block * BLOCK:hi - block * BLOCK]
    return out


@dataclass(frozen=True)
class Subjects:
    """Per-subject multipliers of the typical (70 kg, median) parameters, subjects start..start+n."""

    start: int
    count: int
    factors: dict[tuple[str, str], FloatArray]  # (compound, parameter) -> (n,)

    def __len__(self) -> int:
        return self.count

    def factor(self, compound: str, parameter: str) -> FloatArray | float:
        return self.factors.get((compound, parameter), 1.0)


def sample_subjects(
    n: int,
    seed: int,
    start: int = 0,
    spreads: Sequence[Spread] | None = None,
    content: Sequence[Spread] = (),
) -> Subjects:
    """Log-normal multipliers for subjects ``start .. start+n`` (median 1; content: mean 1)."""
    if n < 0 or start < 0:
        raise InputError("the number of subjects must be 0 or more")
    spreads = variability_spreads() if spreads is None else spreads
    z = _normals(int(seed), start, start + n) if n else np.empty((len(_dimensions()), 0))
    index = {d: i for i, d in enumerate(_dimensions())}
    factors: dict[tuple[str, str], FloatArray] = {}
    for s in spreads:
        if s.parameter == "bioavailability":
            factors[(s.compound, s.parameter)] = np.exp(s.omega * z[index[SHARED_F]])
        elif (s.compound, s.parameter) in index:
            factors[(s.compound, s.parameter)] = np.exp(s.omega * z[index[(s.compound, s.parameter)]])
    for s in content:
        if (s.compound, "content") in index:
            factors[(s.compound, "content")] = np.exp(s.omega * z[index[(s.compound, "content")]] - 0.5 * s.omega**2)
    return Subjects(start, n, factors)


def subject_model(
    base: Mapping[str, Disposition], formations: Sequence[Formation], subjects: Subjects
) -> tuple[dict[str, Disposition], list[Formation]]:
    """Dispositions and formations for these subjects: typical values times their multipliers."""
    out: dict[str, Disposition] = {}
    for name, d in base.items():
        f_bio = subjects.factor(name, "bioavailability")  # apparent CL/F, Q/F and V/F all divide by F
        f_v = subjects.factor(name, "volume") / f_bio
        out[name] = replace(
            d,
            cl=np.asarray(d.cl) * subjects.factor(name, "cl") / f_bio,
            q2=np.asarray(d.q2) / f_bio,
            q3=np.asarray(d.q3) / f_bio,
            v1=np.asarray(d.v1) * f_v,
            v2=np.asarray(d.v2) * f_v,
            v3=np.asarray(d.v3) * f_v,
            ka=np.asarray(d.ka) * subjects.factor(name, "ka"),
        )
    varied = []
    for f in formations:
        k = subjects.factor(f.metabolite, "formation")
        varied.append(replace(f, presystemic=np.minimum(np.asarray(f.presystemic) * k, 1.0),
                              systemic=np.minimum(np.asarray(f.systemic) * k, 1.0)))
    n = len(subjects)

    def each(value: Any) -> FloatArray:
        return np.broadcast_to(np.asarray(value, dtype=float), (n,))

    for name, d in out.items():  # broadcast every parameter to the subjects
        out[name] = replace(d, ka=each(d.ka), cl=each(d.cl), v1=each(d.v1), q2=each(d.q2), v2=each(d.v2),
                            q3=each(d.q3), v3=each(d.v3))
    varied = [replace(f, presystemic=np.broadcast_to(np.asarray(f.presystemic, dtype=float), (n,)),
                      systemic=np.broadcast_to(np.asarray(f.systemic, dtype=float), (n,))) for f in varied]
    return out, varied


def subject_doses(doses: Sequence[DoseEvent], subjects: Subjects) -> list[DoseEvent]:
    """The scenario's doses with each subject's product-content factor (1 when not varied)."""
    return [replace(d, amount_umol=np.asarray(d.amount_umol, dtype=float) * subjects.factor(d.compound, "content")
                    * np.ones(len(subjects))) for d in doses]


@dataclass(frozen=True)
class _Spec:
    """Everything a chunk needs; small and picklable, sent once to each worker."""

    base: dict[str, Disposition]
    formations: list[Formation]
    doses: list[DoseEvent]
    windows: list[tuple[float, float]]
    grid_h: float
    compounds: tuple[str, ...]
    seed: int
    spreads: tuple[Spread, ...]
    content: tuple[Spread, ...]
    instants: tuple[float, ...] = ()  # hours after the first dose: each subject's levels there, beside the metrics


def subject_modal(spec: _Spec, start: int, stop: int) -> tuple[ModalModel, list[DoseEvent]]:
    """The one per-subject pipeline: subjects start..stop sampled, their model, modes and doses."""
    subjects = sample_subjects(stop - start, spec.seed, start, spec.spreads, spec.content)
    dispositions, formations = subject_model(spec.base, spec.formations, subjects)
    doses = subject_doses(spec.doses, subjects)
    system = build_sparse_system(dispositions, formations)  # no dense (subjects, n, n) A: see pk.rates
    return build_modal(system, sorted({d.compound for d in doses})), doses


def solve_subjects(spec: _Spec, start: int, stop: int) -> tuple[NightMetrics, int, FloatArray | None]:
    """Nightly metrics of subjects start..stop (one work block), and their levels at ``spec.instants``.

    The levels (subjects, instants, compounds; nM) come from the same modal model as the metrics, as
    views of (compounds, instants, subjects) memory; None without instants.
    """
    model, doses = subject_modal(spec, start, stop)
    metrics, levels = nightly_metrics(model, doses, spec.windows, spec.compounds, spec.instants)
    return metrics, int(model.defective.sum()), None if levels is None else levels.transpose(2, 1, 0)


def subject_concentrations(
    spec: _Spec, start: int, stop: int, times_h: FloatArray
) -> dict[str, FloatArray]:
    """Concentrations (nM), {compound: (subjects, times)}, of subjects start..stop of a run.

    The same subjects, model and solver as the run's nightly metrics, for values the metrics do
    not hold (e.g. a morning level, or receptor occupancy over a window). Call it on blocks of a
    few thousand subjects: the result holds subjects x times values per compound.
    """
    model, doses = subject_modal(spec, start, stop)
    conc = modal_concentrations(model, doses, np.asarray(times_h, dtype=float))
    return {c: conc[c] for c in spec.compounds if c in conc}

