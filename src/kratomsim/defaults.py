"""The defaults of a scenario and a night, in one place: the CLI, the web app and the Python facade
read them from here, so the three cannot drift apart.

``UNDATED_DAY`` is the calendar day library code uses when no date is given: the library never asks
the clock (results would change with the day they are run); only the edges fill in today.
"""

from __future__ import annotations

from datetime import date

from kratomsim.units import parse_date

PRODUCT = "K51"  # the Tanna 2022 study product, the one the model is calibrated on
DOSE = "2g"
AT = "22:30"
EVERY = "24h"
COUNT = 1
WEIGHT = "70kg"
GRID = "5min"
WAKE = "06:30"
MORNING = "09:00"
NIGHTS = 7
UNDATED_DAY = date(2000, 1, 3)  # a Monday; any fixed day gives the same hours-based results


def first_day(start_date: str | date | None) -> date:
    """The day of the first dose: the one given (text YYYY-MM-DD or a date), else ``UNDATED_DAY``."""
    if isinstance(start_date, date):
        return start_date
    return parse_date(start_date) if start_date else UNDATED_DAY
