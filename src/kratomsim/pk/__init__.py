"""Pharmacokinetic engine: linear compartment models solved exactly with the matrix exponential."""

from kratomsim.pk.engine import propagate
from kratomsim.pk.model import Disposition, DoseEvent, Formation, LinearSystem, build_system

__all__ = ["Disposition", "DoseEvent", "Formation", "LinearSystem", "build_system", "propagate"]
