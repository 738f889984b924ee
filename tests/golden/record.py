"""Write the golden outputs: ``python -m tests.golden.record`` from the repository root.

Run it only to accept a change on purpose, and name in the commit the defect that change fixes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.golden.cases import CASES
from tests.golden.run import run_json

HERE = Path(__file__).parent


def main(names: list[str]) -> None:
    for name in names or list(CASES):
        (HERE / f"{name}.json").write_text(json.dumps(run_json(CASES[name]), indent=1, sort_keys=True) + "\n")
        print("recorded", name)


if __name__ == "__main__":
    main(sys.argv[1:])
