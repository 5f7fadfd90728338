"""Who counts as "poor" for poverty-targeted benefits (RULES.md §3, §6; 第十二章第二节五)."""

from __future__ import annotations

from datetime import date

from ..household import CURRENTLY_POOR, EXITED
from ..parameters.model import DatedValue
from ..parameters.store import ParameterSet

POLICY_YEARS = "household_exit.policy_years_after_exit"
READING = (
    "Exit takes effect at the end of the exit year (the assessment is yearly), so 'exited less "
    "than three years before' covers the exit year and the three years after it: a household "
    "exited in E is targeted through E + 3."
)


def policy_years(params: ParameterSet, year: int) -> DatedValue:
    return params.value(POLICY_YEARS, date(year, 12, 31))


def is_targeted(status: str | None, exit_year: int | None, year: int, years_after: int) -> bool:
    """Registered and not exited, or exited at most `years_after` years before `year`."""
    if status in CURRENTLY_POOR:
        return True
    if status in EXITED and exit_year is not None:
        return year - exit_year <= years_after
    return False
