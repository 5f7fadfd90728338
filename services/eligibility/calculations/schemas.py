"""Requests and answers of the benefit endpoints; the engine's own models are reused for
results (`BenefitResult`, `EntitlementLine`), so the API says exactly what the rules say."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.eligibility.entitlements import EntitlementLine
from services.eligibility.results import AmountUnit, BenefitResult

HOUSING_FACTS: dict[str, Any] = {
    "targeted": True,
    "housing_grade": "D",
    "method": "rebuild",
    "actual_investment": "32000.00",
    "household_size": 3,
    "planned_floor_area": "55.00",
}


class CalculationRequest(BaseModel):
    """The date the rule is applied on (parameters in force that day) and the benefit's facts."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"date": "2019-06-30", "facts": HOUSING_FACTS}]},
    )

    date: date
    facts: dict[str, Any] = Field(
        description="The facts `GET /v1/benefits/{code}` lists; unknown facts are refused"
    )


CALCULATION_EXAMPLE: dict[str, Any] = {
    "code": "housing_renovation",
    "eligible": True,
    "amount": "25000.00",
    "unit": "yuan",
    "period": "once",
    "items": [{"label": "D rebuild", "amount": "25000.00", "period": "once", "unit": "yuan"}],
    "totals": {"once": "25000.00"},
    "figures": {},
    "reasons": [],
    "trace": {
        "rule": "housing_renovation",
        "section": "专栏8, 专栏9, 第五章第一节二",
        "on": "2019-06-30",
        "reading": "1–3-person households at most 60 m²",
        "parameters": [
            {"name": "housing_renovation.rebuild_d", "effective": "2016-01-01", "value": "25000",
             "source": "专栏9", "note": None, "derived_from": []},
        ],
        "inputs": HOUSING_FACTS,
        "steps": [{"label": "min(standard, actual investment)", "value": "25000.00"}],
    },
}  # fmt: skip


class Total(BaseModel):
    period: Literal["year", "once"]
    unit: AmountUnit
    amount: Decimal


class BenefitTotal(Total):
    code: str


class EntitlementsRead(BaseModel):
    """一户一策: every line the household is entitled to in the year, with the rules' results."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "household_id": "0f6c2d4e-8b1a-4c3d-9e5f-7a6b5c4d3e2f",
                    "year": 2019,
                    "targeted": True,
                    "targeting_reading": "Exit takes effect at the end of the exit year …",
                    "facts_reading": "Registry codes map to the national codes; …",
                    "lines": [
                        {"code": "elderly_allowance", "member_id": "5b0e8a52-3c1d-4f7e-9a61-0d2f4c8b7a13",
                         "label": "高龄补贴 80–89", "amount": "360.00", "period": "year",
                         "unit": "yuan", "months": 12},
                    ],
                    "totals": [{"period": "year", "unit": "yuan", "amount": "360.00"}],
                    "by_benefit": [
                        {"code": "elderly_allowance", "period": "year", "unit": "yuan", "amount": "360.00"}
                    ],
                    "results": [CALCULATION_EXAMPLE],
                }
            ]
        }
    )  # fmt: skip

    household_id: str
    year: int
    targeted: bool
    targeting_reading: str
    facts_reading: str
    lines: list[EntitlementLine]
    totals: list[Total]
    by_benefit: list[BenefitTotal]
    results: list[BenefitResult]
