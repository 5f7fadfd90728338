from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.funds.codes import FundKind, FundLevel
from services.funds.money import Amount, AmountIn, PositiveAmountIn
from services.funds.validation import PastDate, Year


class SourceCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "year": 2018,
                    "level": "central",
                    "kind": "special_poverty",
                    "name": "2018年中央财政专项扶贫资金",
                    "document_number": "枣财农指〔2018〕12号",
                    "amount": "3200000.00",
                    "received_on": "2018-03-15",
                },
                {
                    "year": 2018,
                    "level": "district",
                    "kind": "integrated_agricultural",
                    "name": "2018年区级统筹整合涉农资金",
                    "document_number": "峄财农〔2018〕7号",
                    "amount": "10000000.00",
                    "exempt_amount": "2000000.00",
                    "received_on": "2018-04-20",
                },
            ]
        },
    )

    year: Year
    level: FundLevel
    kind: FundKind
    name: str = Field(min_length=1, max_length=200)
    document_number: str = Field(min_length=1, max_length=100, description="文号")
    amount: PositiveAmountIn
    exempt_amount: AmountIn = Field(
        default=0,
        description="integrated agricultural funds only: 据实结算的普惠性资金, outside the "
        "20 % rule's base",
    )
    received_on: PastDate

    @model_validator(mode="after")
    def _exempt(self) -> Self:
        if self.exempt_amount and self.kind is not FundKind.integrated_agricultural:
            raise ValueError("exempt_amount applies only to integrated_agricultural funds")
        if self.exempt_amount > self.amount:
            raise ValueError("exempt_amount cannot exceed amount")
        return self


class SourceRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "6f1c7e0a-1b2c-4d3e-8f90-a1b2c3d4e5f6",
                    "year": 2018,
                    "level": "central",
                    "kind": "special_poverty",
                    "name": "2018年中央财政专项扶贫资金",
                    "document_number": "枣财农指〔2018〕12号",
                    "amount": "3200000.00",
                    "exempt_amount": "0.00",
                    "received_on": "2018-03-15",
                    "withdrawn": False,
                    "allocated": "2500000.00",
                    "available": "700000.00",
                    "disbursed": "1800000.00",
                    "account_id": 17,
                    "funding_txn_id": 41,
                    "created_by": "liu.finance",
                    "created_at": "2018-03-15T10:00:00+08:00",
                }
            ]
        }
    )

    id: uuid.UUID
    year: int
    level: FundLevel
    kind: FundKind
    name: str
    document_number: str
    amount: Amount
    exempt_amount: Amount
    received_on: date
    withdrawn: bool = Field(description="its funding transaction was reversed")
    allocated: Amount = Field(description="allocated to projects, net of reversals")
    available: Amount = Field(description="left to allocate: the source account's balance")
    disbursed: Amount = Field(description="paid out of its allocations, net of reversals")
    account_id: int
    funding_txn_id: int
    created_by: str
    created_at: datetime
