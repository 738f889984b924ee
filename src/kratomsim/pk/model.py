"""Linear compartment models as matrices: dx/dt = A x, with doses as impulses into a gut depot.

Each compound has a gut depot, a central compartment and up to two peripheral compartments.
A metabolite (7-hydroxymitragynine from mitragynine) is formed from its parent's gut depot on first
pass (presystemic) and from its parent's central elimination (systemic). Amounts are in micromoles
so that parent and metabolite share one mass balance; parameters are apparent (CL/F, V/F) as the
human studies report them, so amounts are "per unit bioavailability".

Every parameter may be a scalar or an array over subjects; ``A`` has shape (subjects, n, n). A
population block keeps A sparse (:class:`SparseSystem`); the dense A is built from the same entries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike

from kratomsim.pk.rates import BoolArray, FloatArray, SparseRates


@dataclass(frozen=True)
class Disposition:
    """Apparent disposition of one compound. Units: 1/h, L/h, L, h.

    ``cl`` is the total apparent clearance from the central compartment (CL/F), including any part
    that forms a metabolite. ``q2``/``v2`` and ``q3``/``v3`` add peripheral compartments when > 0.
    ``lag`` is one value for all subjects (absorption lag is not varied between subjects).
    """

    ka: ArrayLike
    cl: ArrayLike
    v1: ArrayLike
    q2: ArrayLike = 0.0
    v2: ArrayLike = 0.0
    q3: ArrayLike = 0.0
    v3: ArrayLike = 0.0
    lag: float = 0.0

    @property
    def n_peripheral(self) -> int:
        return int(np.any(np.asarray(self.q2) > 0)) + int(np.any(np.asarray(self.q3) > 0))


@dataclass(frozen=True)
class Formation:
    """Parent -> metabolite formation (molar fractions, 0..1).

    ``presystemic``: fraction of the parent leaving the gut depot that reaches the metabolite's
    central compartment on first pass instead of the parent's. ``systemic``: fraction of the parent's
    central elimination that forms the metabolite.
    """

    parent: str
    metabolite: str
    presystemic: ArrayLike = 0.0
    systemic: ArrayLike = 0.0


@dataclass(frozen=True)
class DoseEvent:
    """An oral dose of one compound at ``time_h`` (hours from the scenario's start), in micromoles.

    ``amount_umol`` may be an array over subjects (for product-content variability).
    """

    time_h: float
    compound: str
    amount_umol: ArrayLike


@dataclass(frozen=True)
class LinearSystem:
    """The assembled model: state names, the rate matrix per subject and where things are."""

    states: tuple[str, ...]
    A: FloatArray  # (subjects, n, n), 1/h
    depot: Mapping[str, int]
    central: Mapping[str, int]
    volume: Mapping[str, FloatArray]  # central volume per subject, L
    lag: Mapping[str, float]
    sinks: Mapping[str, int] = field(default_factory=dict)

    @property
    def n_subjects(self) -> int:
        return int(self.A.shape[0])

    @property
    def compounds(self) -> tuple[str, ...]:
        return tuple(self.central)


@dataclass(frozen=True)
class SparseSystem:
    """A :class:`LinearSystem` whose A is kept as its nonzero entries (see :mod:`kratomsim.pk.rates`).

    Population blocks use it to build modes without the dense (subjects, n, n) matrix; ``A`` and
    :meth:`dense` build that matrix on demand, e.g. for the few subjects the expm engine recomputes.
    """

    states: tuple[str, ...]
    rates: SparseRates
    depot: Mapping[str, int]
    central: Mapping[str, int]
    volume: Mapping[str, FloatArray]  # central volume per subject, L
    lag: Mapping[str, float]
    sinks: Mapping[str, int] = field(default_factory=dict)

    @property
    def n_subjects(self) -> int:
        return self.rates.n_subjects

    @property
    def compounds(self) -> tuple[str, ...]:
        return tuple(self.central)

    @cached_property
    def A(self) -> FloatArray:
        """The dense rate matrix (subjects, n, n), built on first use."""
        return self.rates.dense()

    def dense(self) -> LinearSystem:
        """The same system with A dense."""
        return LinearSystem(self.states, self.A, self.depot, self.central, self.volume, self.lag, self.sinks)

    def subset(self, mask: BoolArray) -> SparseSystem:
        """The subjects where ``mask`` is True."""
        return replace(self, rates=self.rates.subset(mask), volume={k: v[mask] for k, v in self.volume.items()})


def _as_subjects(value: ArrayLike, n: int) -> FloatArray:
    array = np.asarray(value, dtype=float)
    if array.ndim == 0:
        return np.full(n, float(array))
    if array.shape != (n,):
        raise ValueError(f"parameter has shape {array.shape}, expected () or ({n},)")
    return array


def _count_subjects(values: Sequence[ArrayLike]) -> int:
    sizes = {np.asarray(v).size for v in values if np.asarray(v).ndim > 0}
    if len(sizes) > 1:
        raise ValueError(f"parameters disagree on the number of subjects: {sorted(sizes)}")
    return sizes.pop() if sizes else 1


@dataclass(frozen=True)
class _Layout:
    """Where each compound's states sit in the state vector."""

    states: tuple[str, ...]
    depot: dict[str, int]
    central: dict[str, int]
    peripheral: dict[str, list[int]]
    sinks: dict[str, int]


def _layout(dispositions: Mapping[str, Disposition], with_sinks: bool) -> _Layout:
    states: list[str] = []
    depot: dict[str, int] = {}
    central: dict[str, int] = {}
    peripheral: dict[str, list[int]] = {}
    sinks: dict[str, int] = {}
    for name, d in dispositions.items():
        depot[name] = len(states)
        states.append(f"{name}.gut")
        central[name] = len(states)
        states.append(f"{name}.central")
        peripheral[name] = []
        for index, q in ((2, d.q2), (3, d.q3)):
            if np.any(np.asarray(q) > 0):
                peripheral[name].append(len(states))
                states.append(f"{name}.peripheral{index}")
        if with_sinks:
            sinks[name] = len(states)
            states.append(f"{name}.eliminated")
    return _Layout(tuple(states), depot, central, peripheral, sinks)


def _formed_fractions(
    dispositions: Mapping[str, Disposition], formations: Sequence[Formation], n_sub: int
) -> tuple[dict[str, FloatArray], dict[str, FloatArray]]:
    """Per parent: the fraction of its systemic and of its presystemic clearance that forms metabolites."""
    systemic_out = {name: np.zeros(n_sub) for name in dispositions}
    presystemic_out = {name: np.zeros(n_sub) for name in dispositions}
    for f in formations:
        if f.parent not in dispositions or f.metabolite not in dispositions:
            raise ValueError(f"formation {f.parent}->{f.metabolite} names a compound without a model")
        systemic_out[f.parent] = systemic_out[f.parent] + _as_subjects(f.systemic, n_sub)
        presystemic_out[f.parent] = presystemic_out[f.parent] + _as_subjects(f.presystemic, n_sub)
    return systemic_out, presystemic_out


def _add_disposition(
    A: SparseRates, layout: _Layout, name: str, d: Disposition, out: tuple[FloatArray, FloatArray]
) -> FloatArray:
    """Fill one compound's block of A (absorption, elimination, distribution); return its central volume."""
    n_sub = A.n_subjects
    systemic_out, presystemic_out = out
    g, c = layout.depot[name], layout.central[name]
    ka, cl, v1 = (_as_subjects(x, n_sub) for x in (d.ka, d.cl, d.v1))
    A.subtract(g, g, ka)
    A.add(c, g, ka * (1.0 - presystemic_out))
    ke = cl / v1
    A.subtract(c, c, ke)
    if name in layout.sinks:
        A.add(layout.sinks[name], c, ke * (1.0 - systemic_out))
    peripheral = layout.peripheral[name]
    pairs = [(d.q2, d.v2), (d.q3, d.v3)][: len(peripheral)]
    for p, (q_raw, v_raw) in zip(peripheral, pairs, strict=True):
        q, vp = _as_subjects(q_raw, n_sub), _as_subjects(v_raw, n_sub)
        A.add(p, c, q / v1)
        A.subtract(c, c, q / v1)
        A.add(c, p, q / vp)
        A.subtract(p, p, q / vp)
    return v1


def _add_formation(A: SparseRates, layout: _Layout, f: Formation, parent_d: Disposition) -> None:
    """Route the formed share of the parent's clearance (systemic and presystemic) into the metabolite."""
    n_sub = A.n_subjects
    ka = _as_subjects(parent_d.ka, n_sub)
    ke = _as_subjects(parent_d.cl, n_sub) / _as_subjects(parent_d.v1, n_sub)
    m_c = layout.central[f.metabolite]
    A.add(m_c, layout.central[f.parent], ke * _as_subjects(f.systemic, n_sub))
    A.add(m_c, layout.depot[f.parent], ka * _as_subjects(f.presystemic, n_sub))


def build_sparse_system(
    dispositions: Mapping[str, Disposition],
    formations: Sequence[Formation] = (),
    with_sinks: bool = False,
) -> SparseSystem:
    """Assemble dx/dt = A x for several compounds (one block each, linked by formations), A kept sparse.

    ``with_sinks`` adds one 'eliminated' state per compound so that the total amount is conserved
    (used by the mass-balance tests and by reports of what has left the body).
    """
    all_values: list[ArrayLike] = []
    for d in dispositions.values():
        all_values += [d.ka, d.cl, d.v1, d.q2, d.v2, d.q3, d.v3]
    for f in formations:
        all_values += [f.presystemic, f.systemic]
    n_sub = _count_subjects(all_values)

    layout = _layout(dispositions, with_sinks)
    A = SparseRates(n_sub, len(layout.states))
    systemic_out, presystemic_out = _formed_fractions(dispositions, formations, n_sub)
    volume = {name: _add_disposition(A, layout, name, d, (systemic_out[name], presystemic_out[name]))
              for name, d in dispositions.items()}
    for f in formations:
        _add_formation(A, layout, f, dispositions[f.parent])
    return SparseSystem(
        states=layout.states,
        rates=A,
        depot=layout.depot,
        central=layout.central,
        volume=volume,
        lag={name: float(d.lag) for name, d in dispositions.items()},
        sinks=layout.sinks,
    )


def build_system(
    dispositions: Mapping[str, Disposition],
    formations: Sequence[Formation] = (),
    with_sinks: bool = False,
) -> LinearSystem:
    """:func:`build_sparse_system` with A as a dense (subjects, n, n) matrix."""
    return build_sparse_system(dispositions, formations, with_sinks).dense()
