from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from services.funds.money import Amount


class GroupBy(StrEnum):
    source = "source"
    level = "level"
    fund_kind = "fund_kind"
    year = "year"
    project_kind = "project_kind"
    town = "town"
    village = "village"


SOURCE_SIDE = frozenset({GroupBy.source, GroupBy.level, GroupBy.fund_kind, GroupBy.year})


class ExecutionRow(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "key": "370404104",
                    "appropriated": None,
                    "budget": "2400000.00",
                    "allocated": "2100000.00",
                    "disbursed": "1680000.00",
                    "execution_rate": "0.8000",
                    "projects": 6,
                }
            ]
        }
    )

    key: str | None = Field(
        description="the group: a source id, level, kind, year, town or village"
    )
    appropriated: Amount | None = Field(
        default=None, description="source-side groupings: what the sources brought in"
    )
    budget: Amount | None = Field(
        default=None, description="project-side groupings: the projects' budgets"
    )
    allocated: Amount
    disbursed: Amount
    execution_rate: str | None = Field(description="disbursed ÷ allocated, four places")
    projects: int


class Execution(BaseModel):
    group_by: GroupBy
    year: int | None
    rows: list[ExecutionRow]
    total_allocated: Amount
    total_disbursed: Amount
    execution_rate: str | None


class IntegratedFundsYear(BaseModel):
    """第十二章第三节一: at least 20 % of integrated agricultural funds go to poverty work.

    Reading: the base is the sources' amount less the part settled on actuals
    (据实结算的普惠性资金, `exempt`); what counts is what was allocated to poverty
    projects, net of reversals; the required amount is rounded up to the fen."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "year": 2018,
                    "sources": 2,
                    "amount": "10000000.00",
                    "exempt": "2000000.00",
                    "base": "8000000.00",
                    "required": "1600000.00",
                    "allocated": "1750000.00",
                    "disbursed": "1200000.00",
                    "share": "0.2188",
                    "compliant": True,
                    "shortfall": "0.00",
                }
            ]
        }
    )

    year: int
    sources: int
    amount: Amount
    exempt: Amount
    base: Amount
    required: Amount
    allocated: Amount
    disbursed: Amount
    share: str | None
    compliant: bool
    shortfall: Amount


class AssetVillage(BaseModel):
    town_code: str
    village_code: str
    assets: int
    value: Amount
    income: Amount
    distributed: Amount
    undistributed: Amount
    households_paid: int
    households_paid_without_labour: int
