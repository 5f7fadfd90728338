from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.funds.codes import ProjectKind
from services.funds.money import Amount, AmountIn, PositiveAmountIn
from services.funds.validation import PastDate, VillageCode, Year


class AssetCreate(BaseModel):
    """资产确权: an asset an accepted project formed, quantified to a village collective."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "东于村100kW村级光伏电站",
                    "kind": "solar_pv",
                    "value": "800000.00",
                    "village_code": "370404104001",
                    "formed_on": "2018-10-20",
                }
            ]
        },
    )

    name: str = Field(min_length=1, max_length=200)
    kind: ProjectKind
    value: AmountIn
    village_code: VillageCode | None = Field(
        default=None, description="the owning collective; defaults to the project's village"
    )
    formed_on: PastDate


class IncomeCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"year": 2019, "amount": "96000.00", "received_on": "2019-12-20"}]
        },
    )

    year: Year
    amount: PositiveAmountIn
    received_on: PastDate


class DistributionCreate(BaseModel):
    """收益分配: equal shares to the named poor households of the asset's village; those
    without labour capacity (无劳动能力) are paid first while the year's income lasts."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "year": 2019,
                    "share": "1000.00",
                    "paid_on": "2019-12-28",
                    "households": [
                        "0f6c2d4e-8b1a-4c3d-9e5f-7a6b5c4d3e2f",
                        "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
                    ],
                }
            ]
        },
    )

    year: Year
    share: PositiveAmountIn
    paid_on: PastDate
    households: list[uuid.UUID] = Field(min_length=1, max_length=1000)

    @field_validator("households")
    @classmethod
    def _distinct(cls, value: list[uuid.UUID]) -> list[uuid.UUID]:
        if len(set(value)) != len(value):
            raise ValueError("a household is named twice")
        return value


class IncomeYear(BaseModel):
    year: int
    income: Amount
    distributed: Amount
    undistributed: Amount


class AssetRead(BaseModel):
    id: uuid.UUID
    project_id: uuid.UUID
    name: str
    kind: ProjectKind
    value: Amount
    town_code: str
    village_code: str
    formed_on: date
    incomes: list[IncomeYear]
    created_by: str
    created_at: datetime


class SharePaid(BaseModel):
    household_id: uuid.UUID
    without_labour: bool
    amount: Amount
    card_masked: str
    txn_id: int


class ShareUnpaid(BaseModel):
    household_id: uuid.UUID
    without_labour: bool
    reason: str


class DistributionResult(BaseModel):
    batch_id: uuid.UUID
    asset_id: uuid.UUID
    year: int
    share: Amount
    paid: list[SharePaid]
    unpaid: list[ShareUnpaid]
    remaining: Amount = Field(description="the year's income left undistributed")
