"""Assistance cadres (帮扶责任人) and their pairings (结对帮扶) as the API shows them."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.config import JsonDict

# Mobile (1xx xxxx xxxx) or a landline with its area code (枣庄 0632).
PHONE = r"^(1\d{10}|0\d{2,3}-?\d{7,8})$"
TOWN_CODE = r"^370404\d{3}$"

CADRE_EXAMPLE: JsonDict = {
    "id": "5f0c7a0e-3b7e-4d0a-9c55-2b1f0f6f2a11",
    "name": "孙立新",
    "organisation": "峄城区财政局",
    "phone": "13963210001",
    "town_code": "370404104",
    "etag": '"20931"',
}
_PAIRING_EXAMPLE: JsonDict = {
    "id": "0a6e4f61-8d0b-4a53-a7a4-9c1e5d0b7f21",
    "cadre_id": "5f0c7a0e-3b7e-4d0a-9c55-2b1f0f6f2a11",
    "household_id": "3d2b9c1a-6f4e-4e1b-8a0d-7c5b4a3e2f10",
    "village_code": "370404104001",
    "start_date": "2016-03-01",
    "end_date": None,
}


class CadreCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "孙立新",
                    "organisation": "峄城区财政局",
                    "phone": "13963210001",
                    "town_code": "370404104",
                }
            ]
        }
    )

    name: str = Field(min_length=1, max_length=64)
    organisation: str = Field(min_length=1, max_length=100, description="帮扶单位")
    phone: str | None = Field(default=None, pattern=PHONE)
    town_code: str = Field(pattern=TOWN_CODE, description="The town the cadre works in")


class CadreUpdate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"organisation": "峄城区教育局", "phone": "0632-7712345"}]}
    )

    name: str | None = Field(default=None, min_length=1, max_length=64)
    organisation: str | None = Field(default=None, min_length=1, max_length=100)
    phone: str | None = Field(default=None, pattern=PHONE)
    town_code: str | None = Field(default=None, pattern=TOWN_CODE)


class CadreRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [CADRE_EXAMPLE]})

    id: uuid.UUID
    name: str
    organisation: str
    phone: str | None
    town_code: str
    etag: str = Field(description="Send as If-Match to change the cadre")


class PairingCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"household_id": "3d2b9c1a-6f4e-4e1b-8a0d-7c5b4a3e2f10", "start_date": "2016-03-01"}
            ]
        }
    )

    household_id: uuid.UUID
    start_date: date
    end_date: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> PairingCreate:
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError("end_date cannot be before start_date")
        return self


class PairingEnd(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"end_date": "2019-12-31"}]})

    end_date: date


class PairingRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_PAIRING_EXAMPLE]})

    id: uuid.UUID
    cadre_id: uuid.UUID
    household_id: uuid.UUID
    village_code: str
    start_date: date
    end_date: date | None


class HouseholdCadreRead(PairingRead):
    """A pairing of the household, with the cadre who helps it."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{**_PAIRING_EXAMPLE, "cadre": CADRE_EXAMPLE}]}
    )

    cadre: CadreRead
