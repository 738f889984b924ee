"""CLI start-up: ``kratomsim --help`` against ``python -c "import numpy"``, as a ratio in one run.

Why a ratio: start-up time depends on the machine, its disk cache and its load; both commands
are timed alternately in the same run, so the ratio is what carries over. Each is a fresh
interpreter (subprocess); the median of ``--runs`` runs is reported, after one warm-up each.

    python benchmarks/cli_start.py [--runs 15]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BASELINE = [sys.executable, "-c", "import numpy"]
HELP = [sys.executable, "-m", "kratomsim.cli", "--help"]
# The installed console script (what a user types), when it sits beside this interpreter.
SCRIPT = Path(sys.executable).with_name("kratomsim")


def seconds(command: list[str]) -> float:
    """Wall time of one fresh interpreter running ``command``."""
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    script = [sys.executable, str(SCRIPT), "--help"] if SCRIPT.exists() else None
    seconds(BASELINE), seconds(HELP)  # warm the disk cache
    numpy_s, help_s, script_s = [], [], []
    for _ in range(args.runs):
        numpy_s.append(seconds(BASELINE))
        help_s.append(seconds(HELP))
        if script:
            script_s.append(seconds(script))
    base, helped = statistics.median(numpy_s), statistics.median(help_s)
    print(f"python -c 'import numpy': median {1000 * base:.0f} ms; kratomsim --help: median "
          f"{1000 * helped:.0f} ms; ratio {helped / base:.2f} (target at most 2) over {args.runs} runs")
    extra = {}
    if script_s:
        scripted = statistics.median(script_s)
        extra = {"script_help_ms": round(1000 * scripted, 1), "script_ratio": round(scripted / base, 3)}
        print(f"the console script {SCRIPT.name} --help: median {1000 * scripted:.0f} ms; ratio {scripted / base:.2f}")
    print(json.dumps({"benchmark": "cli_start", "runs": args.runs, "numpy_import_ms": round(1000 * base, 1),
                      "help_ms": round(1000 * helped, 1), "ratio": round(helped / base, 3), **extra,
                      "load_average_1min": round(os.getloadavg()[0], 2)}))


if __name__ == "__main__":
    main()
