"""What a parameter is: a definition (meaning, unit, how long a value lasts) and dated values.

A dated value always names its source — a section of the plan (e.g. "专栏21") or the document
an official entered it from — so that every amount the engine computes can be traced back.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

NonBlank = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
ParameterName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")]

Unit = Literal[
    "yuan",
    "rate",
    "multiple",
    "years",
    "months",
    "days",
    "persons",
    "grade",
    "m2",
    "mu",
    "kwh",
    "index",
    "codes",
]
"""`index` is a price index with the previous year = 100; `codes` is a list of check codes."""

Validity = Literal["until_next", "calendar_year"]
"""`until_next`: a value applies from its date until the next one (RULES.md conventions).
`calendar_year`: a value applies only within its own year — the yearly poverty lines and price
indices, where carrying 2015's line into 2016 would silently use a wrong standard."""

ParameterValue = Decimal | tuple[str, ...]


class ParameterDefinition(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: ParameterName
    description: NonBlank
    unit: Unit
    validity: Validity = "until_next"
    index: ParameterName | None = Field(
        default=None,
        description="Index parameter deriving a missing year: value(N) = value(N−1) × index(N) ÷ 100",
    )
    derivation_source: str | None = Field(
        default=None, description="Where the plan states the derivation method"
    )


class ParameterRecord(BaseModel):
    """One dated value as the database stores it: (name, effective, value, source)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: ParameterName
    effective: date
    value: ParameterValue
    source: NonBlank
    note: str | None = None


class DatedValue(ParameterRecord):
    """The value found for a date; a derived value lists the values it was derived from."""

    derived_from: tuple[DatedValue, ...] = ()

    @property
    def number(self) -> Decimal:
        if not isinstance(self.value, Decimal):
            raise TypeError(f"parameter {self.name} is a list of codes, not a number")
        return self.value

    @property
    def codes(self) -> tuple[str, ...]:
        if isinstance(self.value, Decimal):
            raise TypeError(f"parameter {self.name} is a number, not a list of codes")
        return self.value
