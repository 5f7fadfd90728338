"""Columns of entitlement lines: one amount per household (or per person) and line label."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

import numpy as np

from ..parameters.store import ParameterSet
from ..results import AmountUnit
from .arith import Bool, Int, fen


@dataclass(frozen=True, slots=True)
class Line:
    code: str
    label: str
    period: Literal["year", "once"]
    amount: Int  # hundredths of the unit (fen, or hundredths of a kWh)
    months: Int | None = None  # months due, for a monthly benefit summed over the year
    unit: AmountUnit = "yuan"
    rows: Int | None = None  # sparse line: `amount[k]` belongs to row `rows[k]` (sorted)

    def at(self, row: int) -> tuple[int, int | None]:
        """Amount and months of one row."""
        k = row
        if self.rows is not None:
            k = int(np.searchsorted(self.rows, row))
            if k == len(self.rows) or self.rows[k] != row:
                return 0, None
        return int(self.amount[k]), None if self.months is None else int(self.months[k])

    def by_group(self, group_of_row: Int, groups: int) -> Int:
        """Sum of the line over each group (household) of rows."""
        owners = group_of_row if self.rows is None else group_of_row[self.rows]
        return np.bincount(owners, weights=self.amount, minlength=groups).astype(np.int64)


class Monthly:
    """Sums a monthly benefit over the year and counts the months it was due."""

    def __init__(self, size: int) -> None:
        self.amount = np.zeros(size, dtype=np.int64)
        self.months = np.zeros(size, dtype=np.int64)

    def add(self, amount: Int) -> None:
        self.amount += amount
        self.months += amount > 0

    def line(
        self, code: str, label: str, chosen: Int | None = None, unit: AmountUnit = "yuan"
    ) -> Line:
        """The yearly line; with `chosen`, the sums belong to those (sorted) rows only."""
        return Line(code, label, "year", self.amount, self.months, unit, chosen)


class Reader:
    """Parameter values for one date, as integers the arrays can use."""

    def __init__(self, params: ParameterSet, on: date) -> None:
        self.params, self.on = params, on

    def number(self, name: str) -> Decimal:
        return self.params.number(name, self.on)

    def fen(self, name: str) -> int:
        return fen(self.number(name))

    def int(self, name: str) -> int:
        return int(self.number(name))


def where(mask: Bool, amount: Int | int) -> Int:
    if isinstance(amount, int):  # the common case, and far cheaper than np.where
        return mask.astype(np.int64) * amount
    return np.where(mask, amount, 0).astype(np.int64, copy=False)


def age_on(birth_year: Int, birth_md: Int, on: date) -> Int:
    """Completed years on `on` (see `ages.age_on`)."""
    return on.year - birth_year - (on.month * 100 + on.day < birth_md)


def months_of(year: int) -> list[date]:
    return [date(year, month, 1) for month in range(1, 13)]
