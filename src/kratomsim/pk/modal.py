"""Exact modal solution of the kratom compartment models, vectorised over many subjects.

Why a second solver: :func:`kratomsim.pk.engine.propagate` multiplies dense per-subject matrix
exponentials, which is exact but costs O(n^2) per subject and step. Populations of a million
subjects need the same exact answer for less. Every compound's disposition block (central plus
peripherals, a mammillary system) is similar to a symmetric matrix, so its eigenvalues are real and
negative and its eigenvectors orthogonal; the gut is one more exponential, and formation of a
metabolite is a convolution of exponentials. The concentration after a unit dose is therefore an
exact sum of exponentials ``sum_k c_k exp(lambda_k t)`` whose rates and coefficients we compute in
closed form per subject. Any dosing schedule is a superposition of shifted copies, evaluated in
modal coordinates (one decaying amplitude per mode and dosed compound).

A subject whose convolutions meet two (nearly) equal rates is *defective* (a Jordan block: the
partial fractions lose precision). Such subjects are flagged and recomputed with
:func:`kratomsim.pk.engine.propagate`, which steps with ``scipy.linalg.expm``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from kratomsim.pk.engine import concentrations_nM, propagate
from kratomsim.pk.model import DoseEvent, FloatArray, LinearSystem, SparseSystem
from kratomsim.pk.rates import SparseRates

BoolArray = NDArray[np.bool_]

DEFECTIVE_TOL = 1e-6  # relative gap between two convolved rates under which a subject is defective
_TIME_DECIMALS = 9  # as in the engine: instants equal to 1e-9 h are one instant


@dataclass
class ExpSum:
    """A sum of exponentials per subject: ``sum_k coef[k] * exp(rate[label k] * t)``."""

    labels: tuple[int, ...]
    coef: FloatArray  # (K, subjects)

    def scaled(self, factor: FloatArray) -> ExpSum:
        return ExpSum(self.labels, self.coef * factor)


@dataclass
class ModalModel:
    """Per-subject modes of a linear system: rates and the concentration response to each input.

    ``response[compound][input]`` is an :class:`ExpSum` giving the plasma concentration (nM) of
    ``compound`` per micromole given into the gut of ``input``.
    """

    rates: FloatArray  # (labels, subjects), 1/h, all <= 0
    label_names: tuple[str, ...]
    response: dict[str, dict[str, ExpSum]]
    lag: Mapping[str, float]
    defective: BoolArray  # (subjects,)
    system: LinearSystem | SparseSystem = field(repr=False)  # as given to build_modal

    @property
    def n_subjects(self) -> int:
        return int(self.rates.shape[1])

    @property
    def inputs(self) -> tuple[str, ...]:
        found: list[str] = []
        for by_input in self.response.values():
            found += [x for x in by_input if x not in found]
        return tuple(found)

    def compound_terms(self, compound: str) -> tuple[tuple[int, ...], dict[str, FloatArray]]:
        """The labels of ``compound``'s modes and, per input, its coefficients aligned to them."""
        by_input = self.response[compound]
        labels: list[int] = []
        for expsum in by_input.values():
            labels += [k for k in expsum.labels if k not in labels]
        aligned: dict[str, FloatArray] = {}
        for name, expsum in by_input.items():
            coef = np.zeros((len(labels), self.n_subjects))
            for row, k in enumerate(expsum.labels):
                coef[labels.index(k)] += expsum.coef[row]
            aligned[name] = coef
        return tuple(labels), aligned


class _Builder:
    """Accumulates labelled modes and convolutions for one system."""

    def __init__(self, n_subjects: int, tol: float) -> None:
        self.rates: list[FloatArray] = []
        self.names: list[str] = []
        self.defective = np.zeros(n_subjects, dtype=bool)
        self.tol = tol

    def mode(self, name: str, rate: FloatArray) -> int:
        self.rates.append(np.asarray(rate, dtype=float))
        self.names.append(name)
        return len(self.rates) - 1

    def convolve(self, a: ExpSum, b: ExpSum) -> ExpSum:
        """Exact convolution: e^(at) * e^(bt) = (e^(at) - e^(bt)) / (a - b); flags near-equal rates."""
        if set(a.labels) & set(b.labels):
            raise ValueError("convolving a response with itself: the model has a cycle")
        ca = np.zeros_like(a.coef)
        cb = np.zeros_like(b.coef)
        for i, la in enumerate(a.labels):
            ra = self.rates[la]
            for j, lb in enumerate(b.labels):
                rb = self.rates[lb]
                gap = ra - rb
                close = np.abs(gap) <= self.tol * np.maximum(np.abs(ra), np.abs(rb))
                weight = a.coef[i] * b.coef[j]
                close &= weight != 0
                if close.any():
                    self.defective |= close
                    gap = np.where(close, 1.0, gap)
                with np.errstate(divide="ignore", invalid="ignore"):
                    term = np.where(weight == 0, 0.0, weight / gap)
                ca[i] += term
                cb[j] -= term
        return ExpSum(a.labels + b.labels, np.concatenate([ca, cb]))


def _add(parts: Sequence[ExpSum], n_subjects: int) -> ExpSum:
    labels: list[int] = []
    for part in parts:
        labels += [k for k in part.labels if k not in labels]
    coef = np.zeros((len(labels), n_subjects))
    for part in parts:
        for row, k in enumerate(part.labels):
            coef[labels.index(k)] += part.coef[row]
    return ExpSum(tuple(labels), coef)


def _mammillary_modes(block: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Eigenvalues (m, S) of a central+peripheral block and the central-to-central weights (m, S).

    The block is similar to a symmetric matrix (scale peripheral p by sqrt(k_cp/k_pc)), so the
    eigenvalues are real and the weights are squared components of orthonormal eigenvectors.
    """
    m = block.shape[1]
    if m == 1:
        return block[:, 0, 0][None, :].copy(), np.ones((1, block.shape[0]))
    up = block[:, 0, 1:]  # central <- peripheral
    down = block[:, 1:, 0]  # peripheral <- central
    if np.any(up <= 0) or np.any(down <= 0):
        raise ValueError("peripheral compartments must exchange with the central one")
    off_peripheral = block[:, 1:, 1:] - np.einsum("sii->si", block[:, 1:, 1:])[:, :, None] * np.eye(m - 1)
    if np.any(off_peripheral != 0):
        raise ValueError("peripheral compartments must not exchange with each other (mammillary model)")
    coupling = np.sqrt(up * down)
    if m == 2:
        a, d, b = block[:, 0, 0], block[:, 1, 1], coupling[:, 0]
        mean = 0.5 * (a + d)
        radius = np.hypot(0.5 * (a - d), b)
        fast = mean - radius
        slow = (a * d - b * b) / fast  # product of the eigenvalues: no cancellation
        w_fast = (fast - d) / (fast - slow)
        w_slow = (slow - d) / (slow - fast)
        return np.stack([fast, slow]), np.stack([w_fast, w_slow])
    sym = block.copy()
    sym[:, 0, 1:] = coupling
    sym[:, 1:, 0] = coupling
    values, vectors = np.linalg.eigh(sym)
    return values.T.copy(), (vectors[:, 0, :] ** 2).T.copy()


def _own_modes(
    system: LinearSystem | SparseSystem, A: SparseRates, inputs: Sequence[str], builder: _Builder
) -> tuple[dict[str, ExpSum], dict[str, ExpSum]]:
    """Each compound's disposition modes (central response to its own central amount) and each gut's."""
    states = system.states
    green: dict[str, ExpSum] = {}
    for name, c in system.central.items():
        idx = [c] + [i for i, s in enumerate(states) if s.startswith(f"{name}.peripheral")]
        values, weights = _mammillary_modes(A.block(idx))
        labels = tuple(builder.mode(f"{name}.mode{k}", values[k]) for k in range(values.shape[0]))
        green[name] = ExpSum(labels, weights)
    gut: dict[str, ExpSum] = {}
    for name in inputs:
        g = system.depot[name]
        gut[name] = ExpSum((builder.mode(f"{name}.gut", A.get(g, g)),), np.ones((1, system.n_subjects)))
    return green, gut


def build_modal(
    system: LinearSystem | SparseSystem, inputs: Sequence[str] | None = None, tol: float = DEFECTIVE_TOL
) -> ModalModel:
    """Modes and concentration responses of ``system`` for doses into the gut of ``inputs``.

    Only A's nonzero entries are read: a :class:`SparseSystem` gives them directly, a dense A is
    scanned once for them. Either way the model is the same, bit for bit.
    """
    A = system.rates if isinstance(system, SparseSystem) else SparseRates.from_dense(system.A)
    n_sub = system.n_subjects
    names = list(system.central)
    inputs = list(system.depot) if inputs is None else list(inputs)
    builder = _Builder(n_sub, tol)
    green, gut = _own_modes(system, A, inputs, builder)

    memo: dict[tuple[str, str], ExpSum] = {}

    def central_amount(target: str, source: str, visiting: tuple[str, ...]) -> ExpSum:
        key = (target, source)
        if key in memo:
            return memo[key]
        if target in visiting:
            raise ValueError(f"formation cycle through {target}")
        c = system.central[target]
        parts: list[ExpSum] = []
        if A.coupled(c, system.depot[source]):
            parts.append(builder.convolve(gut[source].scaled(A.get(c, system.depot[source])), green[target]))
        for other in names:
            if other == target:
                continue
            if A.coupled(c, system.central[other]):
                rate = A.get(c, system.central[other])
                upstream = central_amount(other, source, (*visiting, target))
                if upstream.labels:
                    parts.append(builder.convolve(upstream.scaled(rate), green[target]))
        memo[key] = _add(parts, n_sub)
        return memo[key]

    response: dict[str, dict[str, ExpSum]] = {}
    for name in names:
        per_input: dict[str, ExpSum] = {}
        for source in inputs:
            amount = central_amount(name, source, ())
            if amount.labels:
                per_input[source] = amount.scaled(1000.0 / system.volume[name])
        response[name] = per_input
    return ModalModel(
        rates=np.stack(builder.rates),
        label_names=tuple(builder.names),
        response=response,
        lag=dict(system.lag),
        defective=builder.defective,
        system=system,
    )


def _used_labels(model: ModalModel) -> dict[str, list[int]]:
    """For each dosed compound, the labels of the modes its doses excite (sorted)."""
    used: dict[str, set[int]] = {x: set() for x in model.inputs}
    for by_input in model.response.values():
        for x, expsum in by_input.items():
            used[x] |= set(expsum.labels)
    return {x: sorted(labels) for x, labels in used.items()}


def _shared(labels: Sequence[int], used: list[int]) -> tuple[list[int], list[int]]:
    """Rows of ``labels`` that an input excites (its other coefficients are zero), and their amplitude rows.

    A compound's modes are the union over its inputs: a metabolite dosed itself has its own gut mode,
    which a dose of its parent never excites.
    """
    rows = [i for i, k in enumerate(labels) if k in used]
    return rows, [used.index(labels[i]) for i in rows]


def _arrivals(model: ModalModel, doses: Sequence[DoseEvent]) -> list[tuple[float, str, FloatArray]]:
    n = model.n_subjects
    out = []
    for dose in doses:
        if dose.compound not in model.system.depot:
            raise ValueError(f"dose of {dose.compound!r}, which has no model in this system")
        at = round(float(dose.time_h) + model.lag[dose.compound], _TIME_DECIMALS)
        out.append((at, dose.compound, np.broadcast_to(np.asarray(dose.amount_umol, dtype=float), (n,))))
    out.sort(key=lambda item: item[0])
    return out


def modal_concentrations(
    model: ModalModel, doses: Sequence[DoseEvent], times_h: FloatArray
) -> dict[str, FloatArray]:
    """Plasma concentrations (nM), {compound: (subjects, times)}, like engine.concentrations_nM.

    Between arrivals every modal amplitude decays as exp(rate * dt), so each stretch of output times
    is one vectorised evaluation. Defective subjects are recomputed with the expm engine.
    """
    times = np.round(np.asarray(times_h, dtype=float), _TIME_DECIMALS)
    n = model.n_subjects
    arrivals = _arrivals(model, doses)
    inputs = model.inputs
    used = _used_labels(model)
    amp = {x: np.zeros((len(used[x]), n)) for x in inputs}
    # (subjects, times) views of (times, subjects) memory: each stretch is written as it is computed
    out = {c: np.zeros((times.size, n)).T for c in model.response}
    instants = sorted({a for a, _, _ in arrivals})
    previous = instants[0] if instants else 0.0
    bounds = [*instants, np.inf]
    terms = {c: model.compound_terms(c) for c in model.response}
    for i, start in enumerate(instants):
        for x in inputs:
            amp[x] *= np.exp(model.rates[used[x]] * (start - previous))
        for at, x, amount in arrivals:
            if at == start and x in amp:
                amp[x] += amount
        previous = start
        sel = np.nonzero((times >= start) & (times < bounds[i + 1]))[0]
        if sel.size == 0:
            continue
        dt = times[sel] - start
        for c, (labels, coefs) in terms.items():
            if not labels:
                continue
            a = np.zeros((len(labels), n))
            for x, coef in coefs.items():
                rows, pos = _shared(labels, used[x])
                a[rows] += coef[rows] * amp[x][pos]
            rates = model.rates[list(labels)]
            steps = np.diff(dt)
            if sel.size > 2 and np.all(np.abs(steps - steps[0]) <= 1e-12 * max(1.0, float(dt[-1]))):
                power = _powers(rates, float(dt[0]), float(steps[0]), sel.size)
            else:
                power = np.exp(rates[:, None, :] * dt[None, :, None])
            acc = a[0][None, :] * power[0]
            for k in range(1, len(labels)):
                np.multiply(a[k][None, :], power[k], out=power[k])
                acc += power[k]
            out[c][:, sel] = acc.T
    _fix_defective_courses(model, doses, times, out)
    return out


def _subset(system: LinearSystem | SparseSystem, mask: BoolArray) -> LinearSystem:
    """The subjects where ``mask`` is True, with A dense (a sparse A is made dense for them only)."""
    if isinstance(system, SparseSystem):
        return system.subset(mask).dense()
    return replace(system, A=system.A[mask], volume={k: v[mask] for k, v in system.volume.items()})


def _subset_doses(doses: Sequence[DoseEvent], mask: BoolArray, n: int) -> list[DoseEvent]:
    return [replace(d, amount_umol=np.broadcast_to(np.asarray(d.amount_umol, dtype=float), (n,))[mask]) for d in doses]


def _fix_defective_courses(
    model: ModalModel, doses: Sequence[DoseEvent], times: FloatArray, out: dict[str, FloatArray]
) -> None:
    mask = model.defective
    if not mask.any():
        return
    sub = _subset(model.system, mask)
    conc = concentrations_nM(sub, propagate(sub, _subset_doses(doses, mask, model.n_subjects), times))
    for c in out:
        out[c][mask] = conc[c]


def _powers(rates: FloatArray, first: float, step: float, count: int) -> FloatArray:
    """exp(rate * (first + m*step)) for m < count, shape (K, count, S), by repeated doubling."""
    out = np.empty((rates.shape[0], count, rates.shape[1]))
    out[:, 0, :] = np.exp(rates * first)
    done = 1
    factor = np.exp(rates * step)
    while done < count:
        take = min(done, count - done)
        np.multiply(out[:, :take, :], factor[:, None, :], out=out[:, done:done + take, :])
        factor = factor * factor
        done += take
    return out


def exact_concentrations(
    system: LinearSystem, doses: Sequence[DoseEvent], times_h: FloatArray
) -> dict[str, FloatArray]:
    """Plasma concentrations (nM), {compound: (subjects, times)}, by the fastest exact solver.

    The modal solution evaluates all output times of a stretch at once (a few ms for a week on a
    5-minute grid, against about 50 ms of expm steps); both are exact, and agree to about 1e-13.
    Systems the modal form does not cover (not mammillary, a formation cycle) use the expm engine.
    A sum of exponentials that cancels (just after a dose, before absorption) can round to about
    -1e-16 of the peak; such values are exact zeros in the model, and are returned as 0.
    """
    try:
        model = build_modal(system, sorted({d.compound for d in doses}))
    except ValueError:
        return concentrations_nM(system, propagate(system, doses, np.asarray(times_h, dtype=float)))
    conc = modal_concentrations(model, doses, np.asarray(times_h, dtype=float))
    return {c: np.maximum(values, 0.0) for c, values in conc.items()}
