"""Requests and answers of the key-village exit-case endpoints."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.eligibility.cases.schemas import CaseEventRead, Note

Designation = Literal["provincial", "city", "city_2018"]  # 省定, 市定, 新认定


class VillageExitCaseCreate(BaseModel):
    """The town's assessment proposes the village's exit from a key-village designation."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "village_code": "370404104001",
                    "year": 2019,
                    "designation": "provincial",
                    "note": "峨山镇2019年11月初评",
                }
            ]
        },
    )

    village_code: str = Field(pattern=r"^370404\d{6}$")
    year: int = Field(ge=2014, le=2100)
    designation: Designation = "provincial"
    note: Note | None = None


class DistrictEvaluation(BaseModel):
    """The district's evaluation (or the third party it commissioned) after the notice."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"decision": "approved", "evaluator": "枣庄学院第三方评估组", "note": "实地核查"}
            ]
        },
    )

    decision: Literal["approved", "rejected"]
    evaluator: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
    ]
    note: Note | None = None


class VillageExitCaseRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b",
                    "village_code": "370404104001",
                    "town_code": "370404104",
                    "designation": "provincial",
                    "year": 2019,
                    "state": "town_notice",
                    "period": "notice",
                    "period_started_at": "2019-11-06T09:00:00+08:00",
                    "period_ends_at": "2019-11-13T09:00:00+08:00",
                    "assessment": {"eligible": True, "reasons": []},
                    "evaluator": None,
                    "opened_by": "li.town",
                    "opened_at": "2019-11-05T16:00:00+08:00",
                    "closed_at": None,
                    "registry_record": None,
                    "version": 2,
                    "next_actions": ["object", "withdraw"],
                    "events": [],
                }
            ]
        }
    )

    id: uuid.UUID
    village_code: str
    town_code: str
    designation: str
    year: int
    state: str
    period: str | None
    period_started_at: datetime | None
    period_ends_at: datetime | None
    assessment: dict[str, Any]
    evaluator: str | None
    opened_by: str
    opened_at: datetime
    closed_at: datetime | None
    registry_record: dict[str, Any] | None
    version: int
    next_actions: list[str]
    events: list[CaseEventRead]
