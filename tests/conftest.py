"""Session hooks shared by every test folder: the count of fuzz inputs tried (tests/fuzz_counts.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tests.fuzz_counts import TRIED


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not TRIED:
        return
    terminalreporter.section("fuzz inputs tried")
    for where, count in sorted(TRIED.items()):
        terminalreporter.write_line(f"{count:7,d}  {where}")
    terminalreporter.write_line(f"{sum(TRIED.values()):7,d}  in all")
    target = os.environ.get("KRATOMSIM_FUZZ_COUNTS")
    if target:
        Path(target).write_text(json.dumps(dict(sorted(TRIED.items())), indent=2) + "\n")
