"""One colour per compound, the same on every plot and page (PNG, HTML, the web app's charts).

Alkaloids take the Okabe-Ito colour-blind-safe colours in a fixed order, mitragynine and
7-hydroxymitragynine first; medicines take a second set of colours (Tol's muted scheme) by their
alphabetical place in the library. A curve labelled after a compound ('mitragynine (kratom:K51:2g)',
'zolpidem:10mg', 'zolpidem with kratom') takes that compound's colour. The web app reads the same
table from ``/api/palette``.
"""

from __future__ import annotations

import re
from functools import cache

from kratomsim.medicines import medicine_names

ALKALOID_COLOURS = {
    "mitragynine": "#0072B2",
    "7-hydroxymitragynine": "#D55E00",
    "speciogynine": "#009E73",
    "paynantheine": "#CC79A7",
    "speciociliatine": "#E69F00",
    "mitraciliatine": "#56B4E9",
    "isopaynantheine": "#7F7F7F",
}
MEDICINE_COLOURS = ("#332288", "#117733", "#882255", "#AA4499", "#661100", "#999933", "#44AA99", "#000000",
                    "#6A3D9A", "#B15928")
OTHER = "#555555"
SLEEP_WINDOW = "#4C72B0"
WAKE_MARKER = "#222222"
MORNING_MARKER = "#8C6D1F"
THRESHOLD = "#B2182B"
FOCUS = ("mitragynine", "7-hydroxymitragynine")  # drawn bold; the minor alkaloids thin and pale


def base_name(label: str) -> str:
    """The compound a curve label names: 'mitragynine (kratom:K51:2g)' -> 'mitragynine'."""
    text = re.sub(r" with kratom$", "", label.split(" (")[0].strip())
    return text.split(":")[0].strip().lower()


@cache
def palette() -> dict[str, str]:
    """Compound name -> colour, for every alkaloid and medicine of the library."""
    table = dict(ALKALOID_COLOURS)
    for i, name in enumerate(sorted(medicine_names())):
        table.setdefault(name, MEDICINE_COLOURS[i % len(MEDICINE_COLOURS)])
    return table


def colour_for(label: str) -> str:
    """The colour of a curve: its compound's, or a neutral grey for a name the library does not know."""
    return palette().get(base_name(label), OTHER)
