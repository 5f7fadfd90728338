"""识别 identification of a household against the poverty lines (RULES.md §2)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel

from ..household import IncomeFacts
from ..money import per_capita
from ..parameters.model import DatedValue
from ..parameters.store import ParameterSet


class Identification(BaseModel):
    year: int
    per_capita_net_income: Decimal
    registrable: bool  # below the provincial line: 省定标准
    national_standard: bool  # also below the national line: 含国标
    parameters: list[DatedValue]


def identify(income: IncomeFacts, members: int, year: int, params: ParameterSet) -> Identification:
    """Compares net income with line × members, so no rounded per-capita figure decides."""
    year_end = date(year, 12, 31)
    provincial = params.value("poverty_line.provincial", year_end)
    national = params.value("poverty_line.national", year_end)
    return Identification(
        year=year,
        per_capita_net_income=per_capita(income.net, members),
        registrable=income.net < provincial.number * members,
        national_standard=income.net < national.number * members,
        parameters=[provincial, national],
    )
