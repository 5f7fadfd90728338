"""What every report answers: the envelope, the state of each upstream's part, and the
small figure types the rows are made of."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, Field, PlainSerializer, WithJsonSchema

RowT = TypeVar("RowT", bound=BaseModel)
TotalsT = TypeVar("TotalsT", bound=BaseModel)


class SourceState(StrEnum):
    fresh = "fresh"  # asked now, answered now
    cached = "cached"  # the upstream could not answer: its last answer, `age_seconds` old
    missing = "missing"  # neither: its figures are null


class SourceStatus(BaseModel):
    state: SourceState
    age_seconds: float | None = Field(
        description="How old the part's figures are: 0 when fresh, null when missing"
    )
    fetched_at: datetime | None = Field(description="When the upstream gave these figures")
    error: str | None = Field(
        default=None, description="Why the upstream was not asked or did not answer"
    )


class Area(BaseModel):
    code: str = Field(examples=["370404"])
    level: str = Field(examples=["district"], description="district, town or village")
    name: str | None = Field(examples=["峄城区"])


class Report(BaseModel, Generic[RowT, TotalsT]):
    report: str = Field(examples=["rolling-plan"])
    title: str
    area: Area
    year: int | None = None
    generated_at: datetime
    partial: bool = Field(
        description="True when an upstream's part is missing: its figures are null, never 0"
    )
    sources: dict[str, SourceStatus]
    rows: list[RowT]
    totals: TotalsT
    notes: list[str] = Field(default_factory=list)


def _ratio_text(value: Decimal) -> str:
    return f"{value:.4f}"


# A share or rate as a decimal string with four places ("0.0153" = 1.53 %).
Ratio = Annotated[
    Decimal,
    PlainSerializer(_ratio_text, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "examples": ["0.8282"], "description": "ratio, 4 places"}),
]
# Yuan as a decimal string with two places.
Yuan = Annotated[
    Decimal,
    PlainSerializer(lambda v: f"{v:.2f}", return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "examples": ["8000.00"], "description": "yuan"}),
]


def ratio(part: int | Decimal | None, whole: int | Decimal | None) -> Decimal | None:
    """part ÷ whole to four places; None when either is unknown or the whole is empty."""
    if part is None or whole is None or whole == 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


class PlannedActual(BaseModel):
    """A figure of the plan beside the same figure computed from the services' data."""

    planned: int | None = Field(description="The plan's published figure; null where it has none")
    actual: int | None = Field(description="From the data; null when its upstream is missing")


def add(*values: int | None) -> int | None:
    """A sum that stays unknown when any part is unknown (never silently short)."""
    total = 0
    for v in values:
        if v is None:
            return None
        total += v
    return total


_FRESH: dict[str, Any] = {
    "state": "fresh",
    "age_seconds": 0.0,
    "fetched_at": "2019-01-05T08:00:00Z",
    "error": None,
}
MISSING_EXAMPLE: dict[str, Any] = {
    "state": "missing",
    "age_seconds": None,
    "fetched_at": None,
    "error": "registry cannot be reached: ConnectError",
}


def report_example(
    name: str,
    title: str,
    rows: Any,
    totals: dict[str, Any],
    *,
    year: int | None = None,
    sources: dict[str, dict[str, Any] | None],
) -> dict[str, Any]:
    """The OpenAPI example of a report's envelope (`None` in `sources`: fresh)."""
    partial = any(s is not None and s["state"] == "missing" for s in sources.values())
    return {
        "examples": [
            {
                "report": name,
                "title": title,
                "area": {"code": "370404", "level": "district", "name": "峄城区"},
                "year": year,
                "generated_at": "2019-01-05T08:00:00Z",
                "partial": partial,
                "sources": {k: v or _FRESH for k, v in sources.items()},
                "rows": rows,
                "totals": totals,
                "notes": [],
            }
        ]
    }
