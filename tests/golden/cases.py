"""The CLI commands whose JSON output is held fixed through refactors (P10 step 1).

Each case is a command line; ``record.py`` writes its ``--json`` output to ``<name>.json`` and
``test_golden.py`` checks that today's output still holds every recorded value. Dates and seeds
are pinned so nothing depends on the day or on a random stream. ``{csv}`` stands for a
temporary table whose rows are held fixed as well.
"""

from __future__ import annotations

CASES: dict[str, list[str]] = {
    "night_k51_2g_7": ["night", "--product", "K51", "--dose", "2g", "--at", "22:30", "--wake", "06:30",
                       "--nights", "7", "--date", "2026-01-05"],
    "night_k51_8g_1_linear": ["night", "--product", "K51", "--dose", "8g", "--nights", "1", "--no-autoinhibition",
                              "--date", "2026-01-05"],
    "night_7oh_mg": ["night", "--dose", "2mg:7-hydroxymitragynine", "--nights", "3", "--extrapolate",
                     "--date", "2026-01-05"],
    "night_with_zolpidem": ["night", "--product", "K51", "--dose", "2g", "--nights", "3", "--with", "zolpidem:10mg",
                            "--date", "2026-01-05"],
    "simulate_k51": ["simulate", "--product", "K51", "--dose", "2g", "--every", "24h", "--count", "3", "--grid",
                     "1h", "--date", "2026-01-05", "--out", "{csv}"],
    "compare_aids": ["compare", "--aid", "kratom:K51:2g", "--aid", "zolpidem:10mg", "--aid", "suvorexant:10mg",
                     "--nights", "3"],
    "receptors_k51": ["receptors", "--product", "K51", "--dose", "4g", "--nights", "3"],
    "interact_midazolam": ["interact", "--victim", "midazolam", "--product", "K51", "--dose", "4g", "--nights", "7"],
    "population_small": ["population", "--product", "K51", "--dose", "2g", "--nights", "3", "--subjects", "2000",
                         "--seed", "7", "--workers", "1"],
    "products": ["products"],
    "compounds": ["compounds"],
    "strains": ["strains"],
    "validate": ["validate"],
}
