"""kratomsim: an evidence-grounded simulator of kratom alkaloids across the night.

It predicts and explains; it never recommends a dose.

The flat facade below is the notebook entry point: numbers are read in the default unit (``dose=2``
is 2 g of leaf, ``hours=72`` is hours, ``weight=70`` is kg) and text with a unit works too. Each
function is a thin layer over the library function it names; the library itself takes a
:class:`~kratomsim.scenario.Scenario`. The modules are imported on first use (PEP 562), so
``import kratomsim`` and ``kratomsim --help`` stay fast; the facade is an edge, like the CLI and the
web app, so its imports sit inside the functions and it alone (below the CLI) fills in today's date.

>>> import kratomsim as ks
>>> ks.Scenario.create(dose=2, start_date="2026-01-05").describe()
'2 g of leaf (Yellow Indonesian Micro Powder (study ID K51)) at 2026-01-05 22:30, 70 kg'
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from importlib import import_module
from typing import TYPE_CHECKING, Any

from kratomsim import defaults

if TYPE_CHECKING:  # names for type checkers only; nothing heavy is imported at run time
    import pandas as pd

    from kratomsim.evidence.audit import AuditReport
    from kratomsim.library import Product
    from kratomsim.night_report import Comparison, NightReport
    from kratomsim.occupancy_report import OccupancyReport
    from kratomsim.populations import PopulationResult
    from kratomsim.receptors import OccupancyResult
    from kratomsim.scenario import Dose, Scenario

__version__ = "0.1.0"
__all__ = ["Scenario", "audit", "compare", "interaction", "night", "occupancy", "occupancy_nights", "population",
           "products", "simulate", "validate"]

_LAZY = {"Scenario": "kratomsim.scenario"}


def __getattr__(name: str) -> Any:
    """Load ``Scenario`` (and its imports) only when first asked for."""
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'kratomsim' has no attribute {name!r}")


def _day(start_date: str | date | None) -> str | date:
    return date.today() if start_date is None else start_date


def _scenario(product: str | None, dose: str | float | Dose, at: str, every: str | float | None, count: int,
              weight: str | float, grid: str | float, hours: str | float | None,
              start_date: str | date | None) -> Scenario:
    from kratomsim.scenario import Scenario

    return Scenario.create(product=product, dose=dose, at=at, every=every, count=count, weight=weight,
                           grid=grid, hours=hours, start_date=_day(start_date))


def simulate(product: str | None = defaults.PRODUCT, dose: str | float = 2, at: str = defaults.AT,
             every: str | float | None = 24, count: int = defaults.COUNT, weight: str | float = 70,
             grid: str | float = defaults.GRID, hours: str | float | None = None,
             start_date: str | date | None = None) -> pd.DataFrame:
    """Plasma concentrations of every alkaloid over time, as a tidy table.

    Parameters
    ----------
    product : library id (``ks.products()``) or a product YAML path; ignored for ``dose="40mg:mitragynine"``
    dose : g of leaf as a number, or text such as ``"2g"`` or ``"40mg:mitragynine"``
    at, every, count : clock time of the first dose, hours between doses, number of doses
    weight, grid, hours : kg, output step, horizon in hours (default: last dose + 48 h)
    start_date : day of the first dose (default: today)

    Returns
    -------
    pandas.DataFrame
        One row per time and compound: ``time_h``, ``clock``, ``compound``, ``conc_nM``, ``conc_ng_per_mL``.

    Examples
    --------
    >>> import kratomsim as ks
    >>> table = ks.simulate(dose=2, hours=24, grid=1, start_date="2026-01-05")
    >>> peak = table[table.compound == "mitragynine"].conc_ng_per_mL.max()
    >>> bool(10 < peak < 100)
    True
    """
    from kratomsim.exposure import run, tidy

    return tidy(run(_scenario(product, dose, at, every, count, weight, grid, hours, start_date)))


def night(product: str = defaults.PRODUCT, dose: str | float = 2, at: str = defaults.AT,
          wake: str = defaults.WAKE, nights: int = defaults.NIGHTS, morning: str = defaults.MORNING,
          weight: str | float = 70, start_date: str | date | None = None, comedications: Sequence[str] = (),
          subjects: int = 1, seed: int = 0) -> NightReport:
    """The night report: levels at bedtime, wake-up and the morning, night after night.

    Parameters are those of ``kratomsim night``; ``subjects`` > 1 adds population bands (``seed``
    fixes them). ``comedications`` are medicine specs such as ``"zolpidem:10mg@22:30"``.

    Examples
    --------
    >>> import kratomsim as ks
    >>> report = ks.night(dose=2, nights=2, start_date="2026-01-05")
    >>> report.timeline.nights
    2
    """
    from kratomsim.night_report import night_report
    from kratomsim.scenario import dose_text, with_unit

    return night_report(product=product, dose=dose_text(dose), at=at, wake=wake, nights=nights, morning=morning,
                        weight=with_unit(weight, "kg", "weight"), start_date=_day(start_date),
                        comedications=tuple(comedications), subjects=subjects, seed=seed)


def compare(aids: Sequence[str], at: str = defaults.AT, wake: str = defaults.WAKE, nights: int = defaults.NIGHTS,
            morning: str = defaults.MORNING, weight: str | float = 70,
            start_date: str | date | None = None) -> Comparison:
    """Sleep aids side by side on the same clock (kratom products and medicines).

    ``aids`` are specs as ``kratomsim compare`` takes them, e.g. ``"kratom:K51:2g"``, ``"zolpidem:10mg"``.

    Examples
    --------
    >>> import kratomsim as ks
    >>> result = ks.compare(["kratom:K51:2g", "zolpidem:10mg"], nights=1, start_date="2026-01-05")
    >>> sorted({entry.aid for entry in result.aids})
    ['kratom:K51:2g', 'zolpidem:10mg', 'zolpidem:10mg + kratom:K51:2g']
    """
    from kratomsim.night_report import compare_aids
    from kratomsim.scenario import with_unit

    return compare_aids(list(aids), at=at, wake=wake, nights=nights, morning=morning,
                        weight=with_unit(weight, "kg", "weight"), start_date=_day(start_date))


def occupancy(product: str | None = defaults.PRODUCT, dose: str | float = 2, receptor: str = "mu",
              data_set: str | None = None, hours: str | float = 24, weight: str | float = 70,
              grid: str | float = defaults.GRID) -> OccupancyResult:
    """Fraction of a receptor occupied by the whole alkaloid mix after one dose, over time.

    ``data_set`` picks the binding constants (default: the receptor's cited default set).

    Examples
    --------
    >>> import kratomsim as ks
    >>> mu = ks.occupancy(dose=2, hours=12, grid=0.5)
    >>> mu.receptor, 0 < float(mu.total.max()) < 1
    ('mu', True)
    """
    from kratomsim.exposure import run
    from kratomsim.receptors import occupancy as receptor_occupancy

    exposure = run(_scenario(product, dose, defaults.AT, None, 1, weight, grid, hours, defaults.UNDATED_DAY))
    return receptor_occupancy(exposure.conc_nM, receptor=receptor, data_set=data_set)


def occupancy_nights(product: str = defaults.PRODUCT, dose: str | float = 2, nights: int = 1, at: str = defaults.AT,
                     wake: str = "06:30", receptor: str = "mu", data_set: str | None = None, fu: str = "default",
                     subjects: int = 1, seed: int = 0, start_date: str | date | None = None) -> OccupancyReport:
    """Receptor occupancy and stimulus at bedtime, at the peak and at wake-up, night by night
    (``kratomsim receptors``); ``subjects`` > 1 adds the median and 90 % interval over simulated people.

    Examples
    --------
    >>> import kratomsim as ks
    >>> rep = ks.occupancy_nights(dose=4, nights=2, start_date="2026-01-05")
    >>> len(rep.nights), rep.receptor, rep.to_frame().shape
    (2, 'mu', (12, 8))
    >>> "kong2017" in rep.sources
    True
    """
    from kratomsim.night_report import make_timeline, nightly_exposure
    from kratomsim.occupancy_report import OccupancyAsked, check_binding, occupancy_report
    from kratomsim.scenario import with_unit
    from kratomsim.units import parse_clock

    binding = (check_binding(receptor, data_set, fu), data_set, fu)
    dose_text = with_unit(dose, "g", "dose")
    exposure = nightly_exposure(product, dose_text, make_timeline(at, wake, nights, start_date=_day(start_date)))
    asked = OccupancyAsked(product=product, dose=dose_text, at=at, wake=wake, nights=nights)
    population = {"seed": seed} if subjects > 1 else {}
    return occupancy_report(exposure, asked, parse_clock(wake, "wake-up time"), binding, subjects, **population)


def interaction(victim: str, product: str | None = defaults.PRODUCT, dose: str | float = 2,
                victim_dose: str | float | None = None, nights: int = 1, at: str = defaults.AT,
                wake: str = "07:00") -> dict[str, Any]:
    """Predicted change in a medicine's exposure when taken with kratom (FDA static and dynamic models).

    ``victim_dose`` is mg as a number or text (``"10mg"``).

    Examples
    --------
    >>> import kratomsim as ks
    >>> result = ks.interaction("midazolam", dose=2)
    >>> result["victim"]
    'midazolam'
    """
    from kratomsim.interactions import interaction as predicted_interaction
    from kratomsim.interactions import kratom_regimen
    from kratomsim.scenario import dose_text, with_unit
    from kratomsim.units import parse_clock, parse_mass_mg

    mg = None if victim_dose is None else parse_mass_mg(with_unit(victim_dose, "mg", "victim dose"), "victim dose")
    regimen = kratom_regimen(product, dose_text(dose), nights, at)
    return predicted_interaction(victim, regimen, mg, parse_clock(wake, "wake-up time")).to_dict()


def population(product: str = defaults.PRODUCT, dose: str | float = 2, nights: int = 1, subjects: int = 100,
               seed: int = 0, level: float = 0.90, at: str = defaults.AT, weight: str | float = 70,
               start_date: str | date | None = None) -> PopulationResult:
    """Many simulated people: median and ``level`` prediction band, and quantiles of nightly metrics.

    The result depends only on the arguments (``seed`` included), never on how the work was split.

    Examples
    --------
    >>> import kratomsim as ks
    >>> people = ks.population(dose=2, subjects=20, seed=1, start_date="2026-01-05")
    >>> people.subjects
    20
    """
    from kratomsim.populations import run_population

    scenario = _scenario(product, dose, at, 24, nights, weight, defaults.GRID, None, start_date)
    return run_population(scenario, subjects, seed=seed, level=level, progress=False, workers=1)


def audit(text: str) -> AuditReport:
    """Each check-worthy sentence of ``text`` matched to the graded claim catalog, with its verdict.

    Examples
    --------
    >>> import kratomsim as ks
    >>> report = ks.audit("Kratom is an opioid receptor agonist.")
    >>> report.sentences
    1
    """
    from kratomsim.evidence.audit import audit_text

    return audit_text(text)


def products() -> dict[str, Product]:
    """The library products with published assays, by id.

    Examples
    --------
    >>> import kratomsim as ks
    >>> round(ks.products()["K51"].alkaloids_mg_per_g["mitragynine"], 2)
    19.48
    """
    from kratomsim.library import library_products

    return dict(library_products())


def validate() -> dict[str, object]:
    """Predicted against observed for every published statistic, with the fold errors.

    Examples
    --------
    >>> import kratomsim as ks
    >>> report = ks.validate()
    >>> "rows" in report
    True
    """
    from kratomsim.validation import validation_report

    return validation_report()
