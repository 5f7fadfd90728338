from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from services.funds.codes import ProjectKind, Stage
from services.funds.money import Amount, PositiveAmountIn
from services.funds.projects.procedure import NOTICES
from services.funds.validation import PastDate, TownCode, VillageCode, Year


class ProjectCreate(BaseModel):
    """农户/村申请: a town office proposes a project in its own town."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "year": 2018,
                    "kind": "solar_pv",
                    "name": "峨山镇东于村村级光伏扶贫电站",
                    "description": "100 kW 村级光伏电站, 收益确权到村集体",
                    "town_code": "370404104",
                    "village_code": "370404104001",
                    "planned_households": 35,
                    "budget": "800000.00",
                    "applied_on": "2018-03-01",
                }
            ]
        },
    )

    year: Year
    kind: ProjectKind
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=4000)
    town_code: TownCode
    village_code: VillageCode | None = None
    planned_households: int = Field(ge=0, le=100_000, description="计划带动贫困户")
    budget: PositiveAmountIn
    applied_on: PastDate

    @model_validator(mode="after")
    def _village_in_town(self) -> Self:
        if self.village_code is not None and not self.village_code.startswith(self.town_code):
            raise ValueError("village_code is not a village of town_code")
        return self


class ProjectUpdate(BaseModel):
    """Corrections while the project is only proposed; If-Match with the ETag read."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"planned_households": 40}]}
    )

    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=4000)  # null clears it
    planned_households: int | None = Field(default=None, ge=0, le=100_000)
    budget: PositiveAmountIn | None = None

    @field_validator("name", "planned_households", "budget", mode="before")
    @classmethod
    def _not_cleared(cls, value: object) -> object:
        # Runs only for fields sent: these may change but never be cleared.
        if value is None:
            raise ValueError("may be changed but not cleared")
        return value


class NoticeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    published_on: date
    days: int = Field(ge=1, le=90)
    place: str = Field(min_length=1, max_length=200, examples=["东于村村务公开栏"])
    text: str = Field(min_length=1, max_length=2000)


class StageCreate(BaseModel):
    """One step of the procedure. The three reviews carry their public notice (榜)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "stage": "village_reviewed",
                    "decided_on": "2018-03-10",
                    "notice": {
                        "published_on": "2018-03-10",
                        "days": 7,
                        "place": "东于村村务公开栏",
                        "text": "东于村光伏扶贫电站项目经村民代表会议评议通过, 现予公示",
                    },
                },
                {"stage": "accepted", "decided_on": "2018-10-20", "note": "区住建局会同验收合格"},
            ]
        },
    )

    stage: Stage
    decided_on: PastDate
    note: str | None = Field(default=None, max_length=1000)
    notice: NoticeIn | None = None

    @model_validator(mode="after")
    def _notice(self) -> Self:
        if self.stage is Stage.proposed:
            raise ValueError("a project is proposed by creating it")
        if self.stage in NOTICES and self.notice is None:
            raise ValueError(f"{self.stage.value} needs its public notice ({NOTICES[self.stage]})")
        if self.stage not in NOTICES and self.notice is not None:
            raise ValueError(f"{self.stage.value} has no public notice in the procedure")
        if self.stage is Stage.rejected and not self.note:
            raise ValueError("a rejection needs a note saying why")
        if self.notice is not None and self.notice.published_on < self.decided_on:
            raise ValueError("the notice cannot be published before the decision")
        return self


class NoticeRead(BaseModel):
    published_on: date
    days: int
    ends_on: date = Field(description="first day after the notice period")
    place: str
    text: str


class StageRead(BaseModel):
    stage: Stage
    decided_on: date
    actor: str
    actor_role: str
    note: str | None
    notice: NoticeRead | None
    recorded_at: datetime


_PROJECT_EXAMPLE: dict[str, Any] = {
    "id": "0c9f3a5e-7d1b-4e2f-9a8c-6b5d4e3f2a10",
    "year": 2018,
    "kind": "solar_pv",
    "name": "峨山镇东于村村级光伏扶贫电站",
    "description": None,
    "town_code": "370404104",
    "village_code": "370404104001",
    "planned_households": 35,
    "budget": "800000.00",
    "stage": "accepted",
    "applied_on": "2018-03-01",
    "proposed_by": "zhao.town",
    "version": 8,
    "allocated": "800000.00",
    "disbursed": "760000.00",
    "available": "40000.00",
    "households_paid": 0,
    "stages": [],
    "created_at": "2018-03-01T09:00:00+08:00",
    "updated_at": "2018-10-20T15:00:00+08:00",
}


class ProjectRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_PROJECT_EXAMPLE]})

    id: uuid.UUID
    year: int
    kind: ProjectKind
    name: str
    description: str | None
    town_code: str
    village_code: str | None
    planned_households: int
    budget: Amount
    stage: Stage
    applied_on: date
    proposed_by: str
    version: int = Field(description="the ETag value for If-Match on updates")
    allocated: Amount = Field(description="allocated to the project, net of reversals")
    disbursed: Amount = Field(description="paid out, net of reversals")
    available: Amount = Field(description="allocated and not yet paid: its allocations' balances")
    households_paid: int
    stages: list[StageRead]
    created_at: datetime
    updated_at: datetime
