"""Population benchmark: the modal solver against scipy solve_ivp and R deSolve, in one run.

Scenario: K51 2 g at 22:30 every night for 14 nights, 5-minute grid, 70 kg, published spreads.
Measures subjects per second for (a) the nightly metrics of the whole population (what
``kratomsim population`` does) and (b) full time courses on the grid, against per-subject ODE
solves of the same linear model on the same grid. Prints a table and one JSON line.

    python benchmarks/population.py                 # 1,000,000 subjects
    python benchmarks/population.py --subjects 20000
    python benchmarks/population.py --cli            # and the CLI's million-person night, timed
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
from scipy.integrate import solve_ivp

from kratomsim.pk import modal, modal_peaks
from kratomsim.pk.engine import concentrations_nM, propagate
from kratomsim.pk.model import DoseEvent, LinearSystem, build_system
from kratomsim.populations import population_spec, run_population, sample_subjects, subject_doses, subject_model
from kratomsim.scenario import make_scenario


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def machine_peak_gflops(size: int = 2000, repeats: int = 3) -> float:
    """Peak float64 rate estimated by a BLAS matrix product (best of a few)."""
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((size, size)), rng.standard_normal((size, size))
    best = np.inf
    for _ in range(repeats):
        t = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t)
    return 2.0 * size**3 / best / 1e9


class PeakFlops:
    """Counts floating-point operations of the peak search's vectorised kernels, here and not in the solver.

    Wraps :mod:`kratomsim.pk.modal_peaks`' two kernels for the run: one evaluation of f and the split
    slope (per mode: the product rate * t, its exp, and a multiply and an add for f and each slope
    part) and the scan's values and slopes (multiply, add and exp count 1 each; the O(subjects) end
    values and integrals and the Newton step itself are left out, so the figure is a lower bound).
    Worker threads add under a lock; worker processes (the default for several workers) are not counted.
    """

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()
        self._saved = (modal_peaks._Slopes.evaluate, modal_peaks._values_slopes)

    def __enter__(self) -> PeakFlops:
        evaluate, values_slopes = self._saved

        def counted_evaluate(slopes, powers, parts=modal_peaks.ALL_PARTS, out=None):  # type: ignore[no-untyped-def]
            cells = int(np.broadcast(slopes.coef[0], *[p for p in powers if p is not None]).size)
            terms = sum((2 if powers[k] is not None else 0) + 2 * sum(
                (slopes.coef[k], slopes.rise[k], slopes.fall[k], slopes.rise_curve[k],
                 slopes.fall_curve[k])[part] is not None for part in parts) for k in range(len(slopes.coef)))
            self._add(cells * terms)
            return evaluate(slopes, powers, parts, out)

        def counted_values_slopes(coef, rates, power):  # type: ignore[no-untyped-def]
            self._add(power.size * 4)
            return values_slopes(coef, rates, power)

        modal_peaks._Slopes.evaluate = counted_evaluate  # type: ignore[method-assign]
        modal_peaks._values_slopes = counted_values_slopes
        return self

    def __exit__(self, *exc: object) -> None:
        modal_peaks._Slopes.evaluate, modal_peaks._values_slopes = self._saved  # type: ignore[method-assign]

    def _add(self, n: int) -> None:
        with self._lock:
            self.count += n


def sample_system(n: int, seed: int) -> tuple[LinearSystem, list[DoseEvent], np.ndarray]:
    scenario = make_scenario(product="K51", dose="2g", at="22:30", count=14, grid="5min")
    spec = population_spec(scenario, seed)
    subjects = sample_subjects(n, seed, 0, spec.spreads)
    dispositions, formations = subject_model(spec.base, spec.formations, subjects)
    return build_system(dispositions, formations), subject_doses(spec.doses, subjects), scenario.times_h()


def arrivals(system: LinearSystem, doses: list[DoseEvent], subject: int) -> list[tuple[float, int, float]]:
    return sorted((round(d.time_h + system.lag[d.compound], 9), system.depot[d.compound],
                   float(np.asarray(d.amount_umol)[subject])) for d in doses)


def solve_ivp_subject(system: LinearSystem, doses: list[DoseEvent], times: np.ndarray, subject: int,
                      method: str = "LSODA") -> np.ndarray:
    """States on the grid by an ODE solver at rtol 1e-8, restarting at each dose."""
    A = system.A[subject]
    n = A.shape[0]
    state = np.zeros(n)
    out = np.zeros((times.size, n))
    events = arrivals(system, doses, subject)
    instants = sorted({t for t, _, _ in events})
    bounds = [*instants, times[-1] + 1.0]
    for i, start in enumerate(instants):
        for t, depot, amount in events:
            if t == start:
                state[depot] += amount
        stop = bounds[i + 1]
        sel = np.nonzero((times >= start) & (times < stop))[0]
        end = min(stop, times[-1])
        if end <= start:
            continue
        sol = solve_ivp(lambda _t, x: A @ x, (start, end), state, method=method, rtol=1e-8, atol=1e-12,
                        t_eval=times[sel] if sel.size else None, jac=lambda _t, _x: A)
        if sel.size:
            out[sel] = sol.y.T
        state = sol.y[:, -1] if not sel.size or times[sel[-1]] == end else \
            solve_ivp(lambda _t, x: A @ x, (times[sel[-1]], end), sol.y[:, -1], method=method, rtol=1e-8,
                      atol=1e-12, jac=lambda _t, _x: A).y[:, -1]
    return out


R_SCRIPT = r"""
suppressMessages(library(deSolve))
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
A <- as.matrix(read.csv(file.path(dir, "A.csv"), header = FALSE))
ev <- read.csv(file.path(dir, "events.csv"))
times <- scan(file.path(dir, "times.csv"), quiet = TRUE)
n <- as.integer(args[2]); k <- nrow(A) / n
rhs <- function(t, x, M) list(M %*% x)
elapsed <- system.time({
  for (s in seq_len(n)) {
    M <- A[((s - 1) * k + 1):(s * k), ]
    e <- ev[ev$subject == s, c("var", "time", "value", "method")]
    y0 <- setNames(rep(0, k), paste0("s", seq_len(k)))
    out <- lsoda(y0, sort(unique(c(times, e$time))), rhs, M, rtol = 1e-8, atol = 1e-12,
                 events = list(data = e))
  }
})[["elapsed"]]
cat(sprintf("%.6f\n", elapsed))
"""


def desolve_seconds_per_subject(system: LinearSystem, doses: list[DoseEvent], times: np.ndarray,
                                n: int) -> float | None:
    """Time per subject of R deSolve lsoda on the same model, or None without Rscript/deSolve."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        np.savetxt(folder / "A.csv", system.A[:n].reshape(-1, system.A.shape[2]), delimiter=",")
        np.savetxt(folder / "times.csv", times)
        rows = ["subject,var,time,value,method"]
        for s in range(n):
            rows += [f"{s + 1},{depot + 1},{t!r},{amount!r},add" for t, depot, amount in arrivals(system, doses, s)]
        (folder / "events.csv").write_text("\n".join(rows) + "\n")
        (folder / "run.R").write_text(R_SCRIPT)
        done = subprocess.run([rscript, str(folder / "run.R"), str(folder), str(n)], capture_output=True,
                              text=True, check=False)
        if done.returncode != 0:
            print(f"deSolve skipped: {done.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
            return None
        return float(done.stdout.strip().splitlines()[-1]) / n


CLI_COMMAND = ["night", "--subjects", "1000000", "--nights", "14", "--json"]


def time_cli(command: list[str]) -> dict[str, float]:
    """Wall time and CPU (user + sys) of ``python -m kratomsim.cli <command>`` in a fresh process.

    (Its peak RSS is not read here: RUSAGE_CHILDREN's maximum includes this process's pages at the fork;
    measure it with ``/usr/bin/time -v``.)
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()[0]
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kratomsim.cli", *command], check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"cli_wall_s": round(wall, 2), "cli_cpu_s": round(cpu, 2), "cli_load_average_1min_before": round(load, 2),
            "cli_load_average_1min_after": round(os.getloadavg()[0], 2)}


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--chunk-size", type=int, default=65536)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--ode-subjects", type=int, default=4, help="subjects for solve_ivp")
    parser.add_argument("--desolve-subjects", type=int, default=8, help="subjects for deSolve")
    parser.add_argument("--course-subjects", type=int, default=2000, help="subjects for full time courses")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cli", action="store_true", help="also time `kratomsim " + " ".join(CLI_COMMAND) + "`")
    return parser.parse_args(argv)


def measure_population(args: argparse.Namespace) -> dict[str, float]:
    """1. The population metrics, streamed in chunks: wall, CPU, counted operations, peak RSS after."""
    scenario = make_scenario(product="K51", dose="2g", at="22:30", count=14, grid="5min")
    cpu = time.process_time() + _children_cpu_s()
    t = time.perf_counter()
    with PeakFlops() as counter:
        result = run_population(scenario, args.subjects, seed=args.seed, chunk_size=args.chunk_size,
                                workers=args.workers, progress=sys.stderr.isatty(), band_subjects=2000)
    return {"population_s": time.perf_counter() - t,
            "population_cpu_s": time.process_time() + _children_cpu_s() - cpu,
            "flops": float(counter.count), "rss": peak_rss_mb(), "defective": float(result.defective)}


def _children_cpu_s() -> float:
    """CPU (user + sys) of this process's ended children: the run's worker processes, once they have ended."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure_courses(args: argparse.Namespace) -> dict[str, float | None]:
    """2. Full time courses on the grid, modal vs engine vs ODE solvers (same subjects): seconds per subject."""
    system, doses, times = sample_system(max(args.course_subjects, args.ode_subjects, args.desolve_subjects),
                                         args.seed)
    t = time.perf_counter()
    courses = modal.modal_concentrations(modal.build_modal(system, sorted({d.compound for d in doses})), doses, times)
    course_per_subject = (time.perf_counter() - t) / system.n_subjects
    ivp_times = []
    worst = 0.0
    for s in range(args.ode_subjects):
        t = time.perf_counter()
        states = solve_ivp_subject(system, doses, times, s)
        ivp_times.append(time.perf_counter() - t)
        for c, index in system.central.items():
            conc = states[:, index] / system.volume[c][s] * 1000.0
            worst = max(worst, float(np.max(np.abs(conc - courses[c][s])) / np.max(np.abs(courses[c][s]))))
    first = np.arange(system.n_subjects) < 200
    sub = modal._subset(system, first)
    t = time.perf_counter()
    concentrations_nM(sub, propagate(sub, modal._subset_doses(doses, first, system.n_subjects), times))
    return {"course": course_per_subject, "ivp": float(np.mean(ivp_times)), "worst": worst,
            "engine": (time.perf_counter() - t) / 200,
            "desolve": desolve_seconds_per_subject(system, doses, times, args.desolve_subjects)}


def build_report(args: argparse.Namespace, pop: dict[str, float], per: dict[str, float | None],
                 peak: float) -> dict[str, object]:
    metrics_rate = args.subjects / pop["population_s"]
    course_rate = 1.0 / float(per["course"] or 1.0)
    ivp, desolve, engine = float(per["ivp"] or 0.0), per["desolve"], float(per["engine"] or 1.0)
    achieved = pop["flops"] / pop["population_s"] / 1e9  # 0 when the chunks ran in worker processes (not counted)
    return {
        "subjects": args.subjects, "nights": 14, "grid_min": 5,
        "population_s": round(pop["population_s"], 2), "population_subjects_per_s": round(metrics_rate),
        "population_cpu_s": round(pop["population_cpu_s"], 2), "load_average_1min": round(os.getloadavg()[0], 2),
        "course_subjects_per_s": round(course_rate), "engine_expm_subjects_per_s": round(1.0 / engine),
        "solve_ivp_lsoda_subjects_per_s": round(1.0 / ivp, 2), "solve_ivp_max_rel_diff": per["worst"],
        "speedup_vs_solve_ivp_metrics": round(metrics_rate * ivp),
        "speedup_vs_solve_ivp_courses": round(course_rate * ivp),
        "desolve_lsoda_subjects_per_s": None if desolve is None else round(1.0 / desolve, 2),
        "speedup_vs_desolve_metrics": None if desolve is None else round(metrics_rate * desolve),
        "speedup_vs_desolve_courses": None if desolve is None else round(course_rate * desolve),
        "peak_rss_mb_population": round(pop["rss"]), "peak_rss_mb": round(peak_rss_mb()),
        "solver_gflops": round(achieved, 3), "machine_peak_gflops": round(peak, 2),
        "fraction_of_peak": round(achieved / peak, 4), "workers": args.workers,
        "defective_subjects": int(pop["defective"]), "cpu_count": os.cpu_count(),
    }


def print_report(report: dict[str, Any]) -> None:
    metrics_rate, course_rate = report["population_subjects_per_s"], report["course_subjects_per_s"]
    ivp, desolve = report["solve_ivp_lsoda_subjects_per_s"], report["desolve_lsoda_subjects_per_s"]
    rows = [
        ("population metrics (modal, chunked)", f"{metrics_rate:,.0f}", "1"),
        ("full time courses (modal)", f"{course_rate:,.0f}", ""),
        ("full time courses (expm engine)", f"{report['engine_expm_subjects_per_s']:,.0f}", ""),
        ("full time courses (solve_ivp LSODA 1e-8)", f"{ivp:,.2f}",
         f"{report['speedup_vs_solve_ivp_metrics']:,.0f}x / {report['speedup_vs_solve_ivp_courses']:,.0f}x"),
        ("full time courses (deSolve lsoda 1e-8)", "skipped (no Rscript)" if desolve is None else f"{desolve:,.2f}",
         "" if desolve is None else
         f"{report['speedup_vs_desolve_metrics']:,.0f}x / {report['speedup_vs_desolve_courses']:,.0f}x"),
    ]
    print(f"{'method':44} {'subjects/s':>22} {'modal speed-up (metrics / courses)':>36}")
    for name, rate, ratio in rows:
        print(f"{name:44} {rate:>22} {ratio:>36}")
    print(f"{report['subjects']:,} subjects x 14 nights in {report['population_s']:.1f} s; peak RSS "
          f"{report['peak_rss_mb']:.0f} MB; {report['solver_gflops']:.2f} GFLOP/s of "
          f"{report['machine_peak_gflops']:.1f} peak ({100 * report['fraction_of_peak']:.2f} %); "
          f"solve_ivp max rel diff {report['solve_ivp_max_rel_diff']:.1e}")
    if "cli_wall_s" in report:
        print(f"kratomsim {' '.join(CLI_COMMAND)}: {report['cli_wall_s']} s wall, {report['cli_cpu_s']} s CPU "
              f"(load {report['cli_load_average_1min_before']} -> {report['cli_load_average_1min_after']})")
    print(json.dumps(report))


def main(argv: list[str] | None = None) -> dict[str, object]:
    args = _arguments(argv)
    peak = machine_peak_gflops()
    report = build_report(args, measure_population(args), measure_courses(args), peak)
    if args.cli:
        report.update(time_cli(CLI_COMMAND))
    print_report(report)
    return report


if __name__ == "__main__":
    main()
