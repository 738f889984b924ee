"""The REST API under ``/api/``: one endpoint per CLI command, over the same functions.

Request models check types and the API's limits (which bound the work of one request); the
scientific checks stay in the library functions, whose :class:`~kratomsim.errors.InputError`
becomes HTTP 422 with the same one-line message the CLI prints.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, HTTPException, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from kratomsim.errors import InputError
from kratomsim.jsonsafe import json_safe
from kratomsim.limits import NIGHTS
from kratomsim.units import parse_clock, parse_duration_h
from kratomsim.web.chart import chart_block, key_instants, night_markers, occupancy_chart

# Limits per request: each bounds the time and memory one request can take. Nights are the shared
# limit of the CLI (limits.NIGHTS); the simulate table's doses stay bounded by its response size.
MAX_NIGHTS = int(NIGHTS.high)
MAX_SIM_DOSES = 60
MIN_GRID_MIN = 5.0
MAX_SIM_HOURS = 61 * 24.0
MAX_TEXT_BYTES = 100_000
MAX_NAME = 200
MAX_FIELD = 100
MAX_COMEDICATIONS = 5
MAX_AIDS = 6
MAX_SUBJECTS = 1_000  # simulated people in night, simulate, compare and receptors
MAX_POPULATION_SUBJECTS = 100_000  # in /api/population, which returns only summary metrics
MAX_SEED = 2**63 - 1
LIMITS = {
    "nights": f"1 to {MAX_NIGHTS}",
    "grid": f"{MIN_GRID_MIN:g} min or more",
    "simulate_hours": f"at most {MAX_SIM_HOURS:g} h (61 days)",
    "simulate_count": f"1 to {MAX_SIM_DOSES} doses",
    "audit_text": f"at most {MAX_TEXT_BYTES:,} bytes (100 kB) of UTF-8",
    "scenario_name": f"1 to {MAX_NAME} characters",
    "comedications": f"at most {MAX_COMEDICATIONS} per night report",
    "aids": f"1 to {MAX_AIDS} per comparison",
    "subjects": f"1 to {MAX_SUBJECTS:,} simulated people (night, simulate, compare, receptors)",
    "population_subjects": f"1 to {MAX_POPULATION_SUBJECTS:,} simulated people (population)",
    "level": "more than 0 and less than 1 (0.9 = the 5-95% interval)",
    "seed": f"0 to {MAX_SEED}",
}

router = APIRouter(prefix="/api")

Short = Annotated[str, Field(min_length=1, max_length=MAX_FIELD)]
Nights = Annotated[int, Field(ge=1, le=MAX_NIGHTS, description=f"nights with one dose each, {LIMITS['nights']}")]
Subjects = Annotated[int, Field(ge=1, le=MAX_SUBJECTS, description=(
    f"simulated people, {LIMITS['subjects'].split(' (')[0]}; 1 is the typical subject (no intervals), "
    "more adds the median and prediction interval"))]
Seed = Annotated[int, Field(ge=0, le=MAX_SEED, description="random seed of the simulated people; "
                            "the same seed gives the same numbers")]
Level = Annotated[float, Field(gt=0, lt=1, description="prediction interval level with subjects > 1: "
                               "0.9 is the 5-95% interval")]


def _library_product(value: str) -> str:
    """The API takes library ids only: a file path would let a client read files on the server."""
    from kratomsim.library import library_products

    known = library_products()
    by_upper = {k.upper(): k for k in known}  # ids such as FDA_30a are not all upper case
    if value.upper() in by_upper:
        return by_upper[value.upper()]
    raise InputError(f"unknown product {value!r}; the API accepts library ids: {', '.join(sorted(known))}")


def _grid(value: str) -> str:
    hours = parse_duration_h(value, "grid step")
    if hours * 60.0 < MIN_GRID_MIN - 1e-9:
        raise InputError(f"grid step {value!r} is finer than the API's limit; accepted: {LIMITS['grid']}")
    return value


class _Request(BaseModel):
    # strict: "7" is not 7 and true is not 1; a client's wrong type is a 422, never coerced.
    model_config = ConfigDict(extra="forbid", strict=True)


class _Population(_Request):
    """``--subjects``, ``--seed`` and ``--level`` of the CLI (``--dask`` is not offered over the web)."""

    subjects: Subjects = 1
    seed: Seed = 0
    level: Level = 0.90

    def population_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of the library call; none for one subject, so the call is exactly the CLI's."""
        if self.subjects <= 1:
            return {}
        return {"subjects": self.subjects, "seed": self.seed, "level": self.level}


class KratomDose(_Request):
    product: Short = Field("K51", description="library product id, e.g. K51")
    dose: Short = Field("2g", description="grams of leaf ('2g') or mg of one alkaloid ('20mg:mitragynine')")

    @field_validator("product")
    @classmethod
    def _product(cls, v: str) -> str:
        return _library_product(v)


class NightRequest(_Population, KratomDose):
    """The night report: a nightly dose at bedtime, up to the morning after the last night."""

    extrapolate: bool = Field(False, description="allow a dose of mg of 7-hydroxymitragynine (a concentrate): "
                              "no human PK study exists, so it is simulated only as a stated extrapolation")
    at: Short = Field("22:30", description="bedtime (dose) clock time, 24-hour")
    wake: Short = Field("06:30", description="wake-up clock time, 24-hour")
    nights: Nights = 7
    weight: Short = Field("70kg", description="body weight, e.g. 70kg or 154lb")
    morning: Short = Field("09:00", description="a morning clock time to read exposure at")
    comedications: Annotated[
        list[Short], Field(max_length=MAX_COMEDICATIONS, description="medicines taken at bedtime, e.g. zolpidem:10mg")
    ] = []
    autoinhibition: bool = Field(True, description="mitragynine's own CYP3A4 inactivation over the nights")


class SimulateRequest(_Population, KratomDose):
    """The concentration table of a scenario (the ``simulate`` command)."""

    extrapolate: bool = Field(False, description="allow a dose of mg of 7-hydroxymitragynine (a concentrate): "
                              "no human PK study exists, so it is simulated only as a stated extrapolation")
    at: Short = "22:30"
    every: Short = "24h"
    count: Annotated[int, Field(ge=1, le=MAX_SIM_DOSES, description=LIMITS["simulate_count"])] = 1
    weight: Short = "70kg"
    grid: Short = Field("5min", description=LIMITS["grid"])
    hours: Annotated[float | None, Field(gt=0, le=MAX_SIM_HOURS, description=LIMITS["simulate_hours"])] = None
    date: Annotated[str | None, Field(max_length=10, description="YYYY-MM-DD of the first dose")] = None

    @field_validator("grid")
    @classmethod
    def _grid(cls, v: str) -> str:
        return _grid(v)


class ReceptorsRequest(_Population, KratomDose):
    at: Short = "22:30"
    wake: Short = "06:30"
    nights: Nights = 1
    receptor: Short = Field("mu", description="mu, kappa, delta, 5-HT1A or 5-HT2B")
    receptor_data: Annotated[str | None, Field(max_length=MAX_FIELD)] = None
    fu: Short = Field("default", description="unbound fraction scenario: default, low or high")


class InteractRequest(KratomDose):
    victim: Short = Field(..., description="medicine taken the same night, e.g. midazolam")
    victim_dose: Annotated[str | None, Field(max_length=MAX_FIELD, description="e.g. 2.5mg")] = None
    nights: Nights = 1
    dynamic: bool = True  # the enzyme-turnover model is the default (issue 14)
    at: Short = "22:30"
    wake: Short = "07:00"


class CompareRequest(_Population):
    """Sleep aids side by side, each alone at the same clock time (the ``compare`` command)."""

    aids: Annotated[
        list[Short],
        Field(min_length=1, max_length=MAX_AIDS,
              description="kratom:PRODUCT:DOSE (e.g. kratom:K51:2g) or MEDICINE:DOSE (e.g. zolpidem:10mg)"),
    ] = ["kratom:K51:2g", "zolpidem:10mg"]
    at: Short = "22:30"
    wake: Short = "06:30"
    nights: Nights = 7
    morning: Short = "09:00"
    weight: Short = "70kg"

    @field_validator("aids")
    @classmethod
    def _library_only(cls, aids: list[str]) -> list[str]:
        from kratomsim.night_report import KRATOM, parse_aid

        out = []
        for aid in aids:
            kind, product, dose = parse_aid(aid)
            out.append(f"{KRATOM}:{_library_product(product or 'K51')}:{dose}" if kind == KRATOM else aid)
        return out


class PopulationRequest(KratomDose):
    """Nightly Cmax, wake-up level and sleep-window AUC across many people (``population --json``)."""

    at: Short = Field("22:30", description="bedtime (dose) clock time, 24-hour")
    wake: Short = Field("06:30", description="wake-up clock time, 24-hour")
    nights: Nights = 14
    weight: Short = Field("70kg", description="body weight (allometric scaling)")
    subjects: Annotated[int, Field(ge=1, le=MAX_POPULATION_SUBJECTS, description=(
        f"simulated people, {LIMITS['population_subjects'].split(' (')[0]} per request"))] = 10_000
    seed: Seed = 0
    level: Level = 0.90
    content: bool = Field(False, description="also vary the product's alkaloid content by its assay SD")


class AuditRequest(_Request):
    text: str = Field(..., description=LIMITS["audit_text"])

    @field_validator("text")
    @classmethod
    def _size(cls, v: str) -> str:
        from kratomsim.limits import clean_text

        size = len(v.encode("utf-8", errors="surrogatepass"))
        if size > MAX_TEXT_BYTES:
            raise InputError(f"text is {size:,} bytes; the API accepts {LIMITS['audit_text']}")
        return clean_text(v)


class ScenarioIn(_Request):
    name: Annotated[str, Field(min_length=1, max_length=MAX_NAME)]
    kind: Literal["night"] = "night"
    params: NightRequest = Field(default_factory=lambda: NightRequest())


# ------------------------------------------------------------------------------------------ helpers


def _json(payload: Any, status_code: int = 200) -> JSONResponse:
    """JSON with NaN and numpy values made safe, the same way the CLI's --json does."""
    return JSONResponse(json_safe(payload), status_code=status_code)


def night_payload(req: NightRequest) -> dict[str, Any]:
    """The night report's JSON, plus the curves for the chart (ng/mL over clock time).

    With ``subjects`` > 1 each alkaloid's curve carries ``band`` (median, low, high over the
    simulated people, on the same clock) and ``chart.band`` says what the band is.
    """
    from kratomsim.night_report import night_report

    report = night_report(product=req.product, dose=req.dose, at=req.at, wake=req.wake, nights=req.nights,
                          morning=req.morning, weight=req.weight, start_date=date.today(),
                          comedications=req.comedications,
                          autoinhibition=req.autoinhibition, extrapolate=req.extrapolate,
                          **req.population_kwargs())
    series = report.series
    return {
        **report.to_dict(),
        "request": req.model_dump(),
        "chart": {**chart_block(series, "compound", report.windows, report.population,
                                key_instants(report.timeline)), **night_markers(report)},
        "disclaimer": "A prediction from published data; it is not advice on any dose.",
    }


# ----------------------------------------------------------------------------------------- endpoints


@router.get("/limits")
def limits() -> dict[str, Any]:
    """The limits that bound one request; under ``shared``, the table of plausible values the CLI,
    the API and the docs share (kratomsim.limits)."""
    from kratomsim.limits import as_dict

    return {**LIMITS, "shared": as_dict()}


@router.post("/night")
def night(req: NightRequest, request: Request) -> Response:
    """The night report: concentrations across each night, receptor occupancy, notes and sources.

    With ``subjects`` > 1 (at most 1000): ``population`` (median and interval per night and alkaloid)
    and a ``band`` on each alkaloid's chart curve. Finished answers are kept in the app's bounded
    cache (:mod:`kratomsim.web.result_cache`), keyed by the validated request and today's date.
    """
    return Response(content=cached_night(request.app.state.night_cache, req), media_type="application/json")


def cached_night(cache: Any, req: NightRequest) -> bytes:
    """The night answer's body from ``cache``, computed once per request and day."""
    # The answer's clock starts today, so the day is part of the key: after midnight a request is new.
    key = f"{date.today().isoformat()} {req.model_dump_json()}"
    return bytes(cache.get_or_make(key, lambda: bytes(_json(night_payload(req)).body)))


def warm_default_night(cache: Any) -> None:
    """Compute the default night (the page's first request, an empty body) into ``cache``."""
    cached_night(cache, NightRequest())


@router.post("/compare")
def compare(req: CompareRequest) -> JSONResponse:
    """Sleep aids side by side: wake-up and morning levels and accumulation, with the curves."""
    from kratomsim.night_report import compare_aids

    result = compare_aids(req.aids, req.at, req.wake, req.nights, req.morning, req.weight, date.today(),
                          **req.population_kwargs())
    from kratomsim.sleep_medicines import psg_for_aids, psg_sources

    series = result.series
    psg = psg_for_aids(result.aids)
    return _json({
        **result.to_dict(),
        "sleep_stages_psg": {"rows": psg, "sources": psg_sources(psg)},
        "request": req.model_dump(),
        "chart": chart_block(series, "name", result.windows, result.population),
    })


@router.post(
    "/simulate",
    responses={200: {"content": {"application/json": {}, "text/csv": {}}}},
)
def simulate(
    req: SimulateRequest,
    format: Annotated[Literal["json", "csv"] | None, Query(description="csv for a download")] = None,
    accept: Annotated[str | None, Header()] = None,
) -> Response:
    """Concentrations of every alkaloid over time, one row per time and compound (JSON or CSV).

    With ``subjects`` > 1 the rows carry the median and the ``level`` interval over that many people
    (``conc_nM_median``, ``conc_nM_low``, ``conc_nM_high`` and ng/mL), as ``simulate --subjects``.
    """
    from kratomsim.exposure import exposure_peaks, run, tidy
    from kratomsim.market import check_oral_seven_oh, seven_oh_notes
    from kratomsim.scenario import make_scenario

    check_oral_seven_oh(req.dose, req.extrapolate)  # the night command's refusal, same message
    scenario = make_scenario(req.product, req.dose, req.at, req.every, req.count, req.weight, req.grid,
                             req.hours, req.date or date.today())
    if scenario.horizon_h > MAX_SIM_HOURS:
        raise InputError(f"the horizon is {scenario.horizon_h:g} h; the API accepts {LIMITS['simulate_hours']}")
    wants_csv = format == "csv" or (format is None and accept is not None and "text/csv" in accept)
    if req.subjects > 1:
        return _simulate_population(req, scenario, wants_csv)
    exposure = run(scenario)
    return _table(tidy(exposure), wants_csv, scenario, peaks=exposure_peaks(exposure),
                  notes=[*seven_oh_notes(scenario.alkaloid_doses_mg()), *exposure.notes])


def _table(frame: Any, wants_csv: bool, scenario: Any, **facts: Any) -> Response:
    """The simulate table as CSV, or as JSON: the scenario, the row count, ``facts`` and the rows."""
    if wants_csv:
        return _csv(frame)
    frame["clock"] = frame["clock"].dt.strftime("%Y-%m-%dT%H:%M:%S")
    return _json({"scenario": scenario.describe(), "rows": len(frame), **facts,
                  "data": frame.to_dict(orient="records")})


def _csv(frame: Any) -> Response:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return Response(buffer.getvalue(), media_type="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="kratomsim-simulate.csv"'})


def _simulate_population(req: SimulateRequest, scenario: Any, wants_csv: bool) -> Response:
    """The table with median, low and high columns and each person's peak, as ``simulate --subjects``."""
    from kratomsim.exposure import scenario_notes
    from kratomsim.market import seven_oh_notes
    from kratomsim.populations import population_table

    frame, peaks, facts = population_table(scenario, req.subjects, req.seed, req.level)
    return _table(frame, wants_csv, scenario, population=facts, peaks=peaks,
                  notes=[*seven_oh_notes(scenario.alkaloid_doses_mg()), *scenario_notes(scenario),
                         "Between-subject spreads come from published ranges of a few people (docs/population.md): "
                         "treat the intervals as indicative."])


@router.post("/receptors")
def receptors(req: ReceptorsRequest) -> JSONResponse:
    """Receptor occupancy and stimulus night by night, with the curves for a chart.

    With ``subjects`` > 1 (at most 1000): ``population.nights``, occupancy and stimulus as median and interval.
    """
    from kratomsim import receptors as rx
    from kratomsim.night_report import make_timeline, nightly_exposure
    from kratomsim.occupancy_report import OccupancyAsked, check_binding, occupancy_report

    wake = parse_clock(req.wake, "wake-up time")
    binding = (check_binding(req.receptor, req.receptor_data, req.fu), req.receptor_data, req.fu)
    exposure = nightly_exposure(req.product, req.dose, make_timeline(req.at, req.wake, req.nights,
                                                                         start_date=date.today()))
    asked = OccupancyAsked(product=req.product, dose=req.dose, at=req.at, wake=req.wake, nights=req.nights)
    report = occupancy_report(exposure, asked, wake, binding, **req.population_kwargs())
    curves = rx.occupancy_curves(exposure, binding[0], report.data_set)
    return _json({
        "request": req.model_dump(),
        **report.to_dict(),
        "chart": occupancy_chart(exposure.times_h, exposure.clock, curves, list(report.windows)),
    })


@router.post("/population")
def population(req: PopulationRequest) -> JSONResponse:
    """Nightly Cmax, level at wake-up and sleep-window AUC over up to 100,000 people per request (population --json)."""
    from kratomsim.populations import run_population
    from kratomsim.scenario import make_scenario
    from kratomsim.units import sleep_hours

    wake_h = sleep_hours(req.at, req.wake)
    scenario = make_scenario(product=req.product, dose=req.dose, at=req.at, every="24h", count=req.nights,
                             weight=req.weight, start_date=date.today())
    result = run_population(scenario, req.subjects, seed=req.seed, level=req.level, progress=False,
                            wake_offset_h=wake_h, content=req.content)
    return _json({
        "scenario": scenario.describe(), "subjects": result.subjects, "seed": result.seed,
        "level": result.level, "wake_offset_h": wake_h, "elapsed_s": result.elapsed_s,
        "defective_subjects": result.defective, "band_subjects": result.band_subjects,
        "metrics": result.metrics_table().to_dict(orient="records"), "sources": result.sources(),
        "request": req.model_dump(),
    })


@router.post("/interact")
def interact(req: InteractRequest) -> JSONResponse:
    """Predicted AUC and Cmax ratios of a medicine taken with kratom, and its next-morning level."""
    from kratomsim.interactions import interaction, kratom_regimen
    from kratomsim.units import parse_clock, parse_mass_mg

    regimen = kratom_regimen(req.product, req.dose, req.nights, req.at)
    mg = parse_mass_mg(req.victim_dose, "victim dose") if req.victim_dose else None
    return _json(interaction(req.victim, regimen, mg, parse_clock(req.wake, "wake-up time"), req.dynamic).to_dict())


@router.post("/audit")
def audit(req: AuditRequest) -> JSONResponse:
    """Grade each claim a text makes about kratom and sleep against the cited claim catalog."""
    from kratomsim.evidence.audit import audit_text

    return _json(audit_text(req.text).to_dict())


@router.get("/products")
def products() -> JSONResponse:
    """Products with published assays (mg alkaloid per g leaf) and their sources."""
    from kratomsim.datafiles import references
    from kratomsim.library import library_products

    refs = references()
    return _json([
        {"id": p.id, "name": p.name, "form": p.form, "alkaloids_mg_per_g": p.alkaloids_mg_per_g,
         "below_loq": list(p.below_loq), "sources": [refs[k].short() if k in refs else k for k in p.sources]}
        for p in library_products().values()
    ])


@router.get("/compounds")
def compounds() -> JSONResponse:
    """Alkaloids with molecular weights and sources."""
    from kratomsim.datafiles import references
    from kratomsim.library import compounds as library_compounds

    refs = references()
    return _json([
        {"name": c.name, "abbreviation": c.abbreviation, "formula": c.formula,
         "molecular_weight_g_per_mol": c.molecular_weight,
         "sources": [refs[k].short() if k in refs else k for k in c.sources]}
        for c in library_compounds().values()
    ])


@router.get("/palette")
def palette() -> JSONResponse:
    """The colour of each compound, the same on every chart and plot (kratomsim.report.palette)."""
    from kratomsim.report import palette as colours

    return _json({"colours": colours.palette(), "other": colours.OTHER})


@router.get("/medicines")
def medicines() -> JSONResponse:
    """Medicines the interaction model knows (names for the interactions form)."""
    from kratomsim import interactions
    from kratomsim.medicines import medicine_names

    return _json({"victims": interactions.known_victims(), "medicines": medicine_names()})


@router.get("/validate")
def validate() -> JSONResponse:
    """Predicted against observed for every published statistic, with fold errors and GMFE."""
    from kratomsim.validation import validation_report

    return _json(validation_report())


# --------------------------------------------------------------------------------- saved scenarios

_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "no scenario with this id"}}


def _store(request: Request) -> Any:
    return request.app.state.store


@router.post("/scenarios", status_code=201)
def create_scenario(item: ScenarioIn, request: Request) -> JSONResponse:
    """Save a scenario; a 201 answer means it is committed to disk."""
    saved = _store(request).create(item.name, item.kind, item.params.model_dump())
    return _json(saved.to_dict(), status_code=201)


@router.get("/scenarios")
def list_scenarios(request: Request) -> JSONResponse:
    """Saved scenarios, oldest first."""
    return _json([s.to_dict() for s in _store(request).list()])


@router.get("/scenarios/{scenario_id}", responses=_NOT_FOUND)
def open_scenario(scenario_id: Annotated[str, Path(max_length=64)], request: Request) -> JSONResponse:
    """One saved scenario."""
    saved = _store(request).get(scenario_id)
    if saved is None:
        raise HTTPException(404, f"no saved scenario with id {scenario_id!r}")
    return _json(saved.to_dict())


@router.delete("/scenarios/{scenario_id}", status_code=204, responses=_NOT_FOUND)
def delete_scenario(scenario_id: Annotated[str, Path(max_length=64)], request: Request) -> Response:
    """Delete a saved scenario."""
    if not _store(request).delete(scenario_id):
        raise HTTPException(404, f"no saved scenario with id {scenario_id!r}")
    return Response(status_code=204)
