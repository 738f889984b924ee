"""Benchmark the claim audit on the labelled evaluation set.

Prints precision and recall of claim matching over (sentence, claim) pairs, verdict accuracy on
correct pairs, negation / hedge accuracy and the share of sentences whose claims are all exactly
right, for the dev split (used to choose thresholds, margins and catalog wording), the two held-out
splits (``test``, and ``holdout``, added with clause matching) and all sentences; then one JSON line
for machines.

Run: ``python benchmarks/audit.py [--errors | --errors=all]`` (``--errors`` lists dev errors only, so
that looking at them cannot leak the held-out sentences into tuning).
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
        "holdout": score([i for i in items if i["split"] == "holdout"]),
        "all": score(items),
    }
    elapsed = time.perf_counter() - started
    columns = ["split", "n", "claims", "predicted", "correct", "precision", "recall", "verdict acc",
               "negation acc", "hedge acc", "exact"]
    rows = [[name, s.n, s.labelled_claims, s.predicted_claims, s.correct_claims, s.precision, s.recall,
             s.verdict_accuracy, s.negation_accuracy, s.hedge_accuracy, s.exact_sentences]
            for name, s in results.items()]
    print_table(f"Claim audit on {EVAL_FILE.name} (match threshold {audit.MATCH_THRESHOLD}, near-miss margin "
                f"{audit.NEAR_MISS_MARGIN}, second-best margin {audit.SECOND_BEST_MARGIN})", columns, rows)
    if "--errors" in argv or "--errors=all" in argv:
        for err in results["all" if "--errors=all" in argv else "dev"].errors:
            print(json.dumps(err))
    payload = {"benchmark": "audit", "threshold": audit.MATCH_THRESHOLD,
               "near_miss_margin": audit.NEAR_MISS_MARGIN, "second_best_margin": audit.SECOND_BEST_MARGIN,
               "seconds": round(elapsed, 2),
               **{name: {k: (round(v, 4) if isinstance(v, float) else v) for k, v in s.summary().items()}
                  for name, s in results.items()}}
    print(json.dumps(payload))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
