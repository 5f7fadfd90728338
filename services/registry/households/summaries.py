"""The household list's items: a line per household for a cadre's phone or an official's
screen, which then opens the one it wants (`GET /v1/households/{id}`, a `HouseholdRead`).
Whole documents in bulk are the NDJSON export's."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from services.registry.households.views import MoneyOut


class HouseholdSummary(BaseModel):
    """A household as of one data year, without its members and records: `year` is the data
    year shown (the requested one, else the latest), `size` and `head_name` (户主姓名) are of
    the members counted in it, as in `HouseholdRead`."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "0f6c2d4e-8b1a-4c3d-9e5f-7a6b5c4d3e2f",
                    "national_number": "3704041040010012",
                    "village_code": "370404104001",
                    "town_code": "370404104",
                    "head_name": "张建国",
                    "size": 3,
                    "status": "not_exited",
                    "assistance_type": "general",
                    "identification_standard": "provincial",
                    "identification_year": 2016,
                    "exit_year": None,
                    "main_cause": "illness",
                    "year": 2019,
                    "per_capita_net_income": "4060.00",
                    "version": 3,
                    "updated_at": "2019-11-20T08:40:00Z",
                }
            ]
        }
    )

    id: uuid.UUID
    national_number: str | None
    village_code: str
    town_code: str
    head_name: str | None
    size: int
    status: str
    assistance_type: str
    identification_standard: str
    identification_year: int
    exit_year: int | None
    main_cause: str
    year: int | None
    per_capita_net_income: MoneyOut | None
    version: int
    updated_at: datetime
