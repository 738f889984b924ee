"""A rate matrix A (subjects, n, n) kept as its nonzero entries, one (subjects,) array each.

Why: a population work block of 8,192 subjects has 20 states but only about 40 transfers; the dense
A is 26 MB of mostly zeros, and allocating, filling and scanning it cost more than building the
modal solution from it. The entries are accumulated with the same arithmetic, in the same order, as
in-place fills of a zeroed A, so every entry is the same float and :meth:`SparseRates.dense` equals
that A bit for bit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass
class SparseRates:
    """The entries of A that may be nonzero: {(row, col): (subjects,)}; all others are exactly 0."""

    n_subjects: int
    n_states: int
    entries: dict[tuple[int, int], FloatArray] = field(default_factory=dict)

    @classmethod
    def from_dense(cls, A: FloatArray) -> SparseRates:
        """The entries of a dense A that are nonzero for some subject (views into A, no copies)."""
        rows, cols = np.nonzero(np.any(A != 0, axis=0))
        entries = {(int(r), int(c)): A[:, r, c] for r, c in zip(rows, cols, strict=True)}
        return cls(int(A.shape[0]), int(A.shape[1]), entries)

    def add(self, row: int, col: int, value: FloatArray) -> None:
        """``A[:, row, col] += value``, starting from 0.0 as a zeroed A does (same floats)."""
        self.entries[(row, col)] = self.entries.get((row, col), 0.0) + value

    def subtract(self, row: int, col: int, value: FloatArray) -> None:
        """``A[:, row, col] -= value``, starting from 0.0 as a zeroed A does (same floats)."""
        self.entries[(row, col)] = self.entries.get((row, col), 0.0) - value

    def get(self, row: int, col: int) -> FloatArray:
        """Entry (row, col) per subject: the stored array, or zeros."""
        found = self.entries.get((row, col))
        return np.zeros(self.n_subjects) if found is None else found

    def coupled(self, row: int, col: int) -> bool:
        """Whether any subject has a transfer into ``row`` from ``col``."""
        found = self.entries.get((row, col))
        return found is not None and bool(np.any(found != 0))

    def block(self, index: Sequence[int]) -> FloatArray:
        """``A[:, index][:, :, index]``, shape (subjects, m, m), built from the entries."""
        out = np.zeros((self.n_subjects, len(index), len(index)))
        for i, row in enumerate(index):
            for j, col in enumerate(index):
                found = self.entries.get((row, col))
                if found is not None:
                    out[:, i, j] = found
        return out

    def subset(self, mask: BoolArray) -> SparseRates:
        """The subjects where ``mask`` is True."""
        entries = {key: value[mask] for key, value in self.entries.items()}
        return SparseRates(int(np.count_nonzero(mask)), self.n_states, entries)

    def dense(self) -> FloatArray:
        """A itself, (subjects, n, n)."""
        A = np.zeros((self.n_subjects, self.n_states, self.n_states))
        for (row, col), value in self.entries.items():
            A[:, row, col] = value
        return A
