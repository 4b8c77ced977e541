"""Calendar arithmetic every app uses (fiscal years, quarters, yearly recurrences).

`add_months` is a plain function, not an `Organization` method: it knows nothing about an
organisation, and the roadmap's calendar and views call it on bare dates.
"""

from __future__ import annotations

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier, when negative), clamped to the end of a
    shorter month: 31 January + 1 month is 28 (or 29) February."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# Times from outside (imports, the API, xAPI) are refused outside these years: a year-1 time
# with an offset cannot even be converted to UTC, and no learning record is that old or new.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2100


def plausible_year(moment: date) -> bool:
    """Whether a date or time from outside falls in the years this product accepts."""
    return EARLIEST_YEAR <= moment.year <= LATEST_YEAR
