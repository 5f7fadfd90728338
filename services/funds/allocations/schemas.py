from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from services.funds.money import Amount, PositiveAmountIn
from services.funds.validation import PastDate


class AllocationCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "source_id": "6f1c7e0a-1b2c-4d3e-8f90-a1b2c3d4e5f6",
                    "project_id": "0c9f3a5e-7d1b-4e2f-9a8c-6b5d4e3f2a10",
                    "amount": "800000.00",
                    "allocated_on": "2018-05-02",
                    "document_number": "峄扶贫发〔2018〕21号",
                }
            ]
        },
    )

    source_id: uuid.UUID
    project_id: uuid.UUID
    amount: PositiveAmountIn
    allocated_on: PastDate
    document_number: str | None = Field(default=None, min_length=1, max_length=100)


class ReversalCreate(BaseModel):
    """A correction: the mirror-image entries of the movement, never an edit of it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"reversed_on": "2018-06-01", "reason": "一卡通账户已销户, 银行退回"}]
        },
    )

    reversed_on: PastDate
    reason: str = Field(min_length=1, max_length=250)


class AllocationRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "2d4c6e8a-0b1c-4d2e-8f3a-5b6c7d8e9f01",
                    "source_id": "6f1c7e0a-1b2c-4d3e-8f90-a1b2c3d4e5f6",
                    "project_id": "0c9f3a5e-7d1b-4e2f-9a8c-6b5d4e3f2a10",
                    "amount": "800000.00",
                    "allocated_on": "2018-05-02",
                    "document_number": "峄扶贫发〔2018〕21号",
                    "available": "40000.00",
                    "disbursed": "760000.00",
                    "reversed": False,
                    "reversal_txn_id": None,
                    "account_id": 23,
                    "txn_id": 57,
                    "created_by": "liu.finance",
                    "created_at": "2018-05-02T10:00:00+08:00",
                }
            ]
        }
    )

    id: uuid.UUID
    source_id: uuid.UUID
    project_id: uuid.UUID
    amount: Amount
    allocated_on: date
    document_number: str | None
    available: Amount = Field(description="not yet paid out: the allocation account's balance")
    disbursed: Amount = Field(description="paid out, net of reversals")
    reversed: bool
    reversal_txn_id: int | None
    account_id: int
    txn_id: int
    created_by: str
    created_at: datetime
