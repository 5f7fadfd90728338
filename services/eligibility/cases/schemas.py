"""Requests and answers of the exit-case endpoints (household and village cases alike)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


class ExitCaseCreate(BaseModel):
    """The village representatives' review proposes this household's exit in `year`."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "household_id": "0f6c2d4e-8b1a-4c3d-9e5f-7a6b5c4d3e2f",
                    "year": 2019,
                    "note": "2019年11月5日村民代表评议通过",
                }
            ]
        },
    )

    household_id: uuid.UUID
    year: int = Field(ge=2014, le=2100)
    note: Note | None = None


class StepNote(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"note": "公示于村务公开栏"}]}
    )

    note: Note | None = None


class ObjectionCreate(BaseModel):
    """An objection lodged during a notice or announcement; the case goes back to review."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"objection": "该户2019年务工收入不实", "lodged_by": "村民代表 李某"}]
        },
    )

    objection: Note
    lodged_by: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = (
        None
    )


class ReviewDecision(BaseModel):
    """A review's decision: approved moves the case on (after a fresh assessment), rejected
    closes it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"decision": "approved", "note": "镇扶贫办入户抽查属实"}]},
    )

    decision: Literal["approved", "rejected"]
    note: Note | None = None


class Withdrawal(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "户主申请暂缓退出"}]}
    )

    reason: Note


class CaseEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    action: str
    from_state: str | None
    to_state: str
    actor: str
    actor_role: str
    note: str | None
    details: dict[str, Any] | None


_EVENT: dict[str, Any] = {
    "at": "2019-11-06T09:00:00+08:00", "action": "publish_notice", "from_state": "review",
    "to_state": "village_notice", "actor": "wang.cadre", "actor_role": "village_cadre",
    "note": "公示于村务公开栏", "details": {"period": "notice", "ends_at": "2019-11-13T09:00:00+08:00"},
}  # fmt: skip


class ExitCaseRead(BaseModel):
    """A case with its events; `next_actions` are the steps the procedure allows now."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "7d1c8f0a-2b3e-4c5d-8e9f-0a1b2c3d4e5f",
                    "household_id": "0f6c2d4e-8b1a-4c3d-9e5f-7a6b5c4d3e2f",
                    "year": 2019,
                    "village_code": "370404104001",
                    "town_code": "370404104",
                    "state": "village_notice",
                    "period": "notice",
                    "period_started_at": "2019-11-06T09:00:00+08:00",
                    "period_ends_at": "2019-11-13T09:00:00+08:00",
                    "assessment": {"eligible": True, "reasons": []},
                    "opened_by": "wang.cadre",
                    "opened_at": "2019-11-05T16:00:00+08:00",
                    "closed_at": None,
                    "registry_record": None,
                    "version": 2,
                    "next_actions": ["object", "withdraw"],
                    "events": [_EVENT],
                }
            ]
        },
    )

    id: uuid.UUID
    household_id: uuid.UUID
    year: int
    village_code: str
    town_code: str
    state: str
    period: str | None
    period_started_at: datetime | None
    period_ends_at: datetime | None
    assessment: dict[str, Any]
    opened_by: str
    opened_at: datetime
    closed_at: datetime | None
    registry_record: dict[str, Any] | None
    version: int = Field(description="The case's ETag value; If-Match on a step is optional")
    next_actions: list[str]
    events: list[CaseEventRead]
