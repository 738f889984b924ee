"""Benchmark the claim audit on the labelled evaluation set.

Prints precision and recall of claim matching, verdict accuracy on correct matches, and negation /
hedge accuracy, for the dev split (used to choose thresholds), the held-out test split and all
sentences; then one JSON line for machines.

Run: ``python benchmarks/audit.py [--errors]``
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import yaml

from kratomsim.commands._output import print_table
from kratomsim.evidence import audit
from kratomsim.evidence.evaluation import score

EVAL_FILE = Path(__file__).resolve().parents[1] / "tests" / "data" / "audit_eval.yaml"


def main(argv: list[str]) -> int:
    items = yaml.safe_load(EVAL_FILE.read_text(encoding="utf-8"))["items"]
    started = time.perf_counter()
    results = {
        "dev": score([i for i in items if i["split"] == "dev"]),
        "test": score([i for i in items if i["split"] == "test"]),
        "all": score(items),
    }
    elapsed = time.perf_counter() - started
    columns = ["split", "n", "claims", "predicted", "correct", "precision", "recall", "verdict acc",
               "negation acc", "hedge acc"]
    rows = [[name, s.n, s.labelled_claims, s.predicted_claims, s.correct_claims, s.precision, s.recall,
             s.verdict_accuracy, s.negation_accuracy, s.hedge_accuracy] for name, s in results.items()]
    print_table(f"Claim audit on {EVAL_FILE.name} (match threshold {audit.MATCH_THRESHOLD})", columns, rows)
    if "--errors" in argv:
        for err in results["all"].errors:
            print(json.dumps(err))
    payload = {"benchmark": "audit", "threshold": audit.MATCH_THRESHOLD, "seconds": round(elapsed, 2),
               **{name: {k: (round(v, 4) if isinstance(v, float) else v) for k, v in s.summary().items()}
                  for name, s in results.items()}}
    print(json.dumps(payload))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
