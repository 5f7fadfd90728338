from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from services.funds.validation import PastDate


class CardCreate(BaseModel):
    """A household's 一卡通 (惠农补贴一卡通) account: where its subsidies are paid."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "bank": "峄城区农村商业银行",
                    "card_number": "6228480402564890018",
                    "registered_on": "2018-02-01",
                }
            ]
        },
    )

    bank: str = Field(min_length=2, max_length=64)
    card_number: str = Field(pattern=r"^\d{12,19}$", description="digits only; stored encrypted")
    registered_on: PastDate


class CardRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
                    "household_id": "0f6c2d4e-8b1a-4c3d-9e5f-7a6b5c4d3e2f",
                    "bank": "峄城区农村商业银行",
                    "card_masked": "6228***********0018",
                    "registered_on": "2018-02-01",
                    "created_by": "liu.finance",
                    "created_at": "2018-02-01T09:30:00+08:00",
                }
            ]
        },
    )

    id: uuid.UUID
    household_id: uuid.UUID
    bank: str
    card_masked: str
    registered_on: date
    created_by: str
    created_at: datetime
