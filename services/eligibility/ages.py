"""Ages in completed years, as the rules count them."""

from __future__ import annotations

from datetime import date


def age_on(birth: date, on: date) -> int:
    """Completed years on `on`; a birthday falling on `on` counts (born 29 February: 1 March)."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def first_of_month(on: date) -> date:
    return on.replace(day=1)
