"""Aggregates for the reporting service and dashboards: exit cases counted per village and
state. Counts only, no personal data: every role reads them, inside its own area."""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy.ext.asyncio import AsyncSession

from services.eligibility.cases.models import ExitCase
from services.eligibility.cases.service import in_area
from services.eligibility.roles import Anyone
from shared.auth import Principal
from shared.db import DbSession

router = APIRouter(prefix="/v1/stats", tags=["stats"])


class ExitCaseCount(BaseModel):
    town_code: str
    village_code: str
    state: str
    cases: int


class ExitCaseStats(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "year": 2019,
                    "items": [
                        {"town_code": "370404104", "village_code": "370404104001",
                         "state": "deregistered", "cases": 12},
                        {"town_code": "370404104", "village_code": "370404104001",
                         "state": "village_notice", "cases": 3},
                    ],
                }
            ]
        }
    )  # fmt: skip

    year: int
    items: list[ExitCaseCount]


async def exit_case_counts(
    session: AsyncSession, principal: Principal, year: int, town_code: str | None
) -> ExitCaseStats:
    query = (
        sa.select(ExitCase.town_code, ExitCase.village_code, ExitCase.state, sa.func.count())
        .where(in_area(principal), ExitCase.year == year)
        .group_by(ExitCase.town_code, ExitCase.village_code, ExitCase.state)
        .order_by(ExitCase.village_code, ExitCase.state)
    )
    if town_code is not None:
        query = query.where(ExitCase.town_code == town_code)
    rows = (await session.execute(query)).all()
    return ExitCaseStats(
        year=year,
        items=[ExitCaseCount(town_code=t, village_code=v, state=s, cases=n) for t, v, s, n in rows],
    )


@router.get(
    "/exit-cases",
    response_model=ExitCaseStats,
    summary="Exit cases of a year per village and state (counts only), inside your area",
)
async def exit_case_stats(
    session: DbSession,
    principal: Anyone,
    year: Annotated[int, Query(ge=2014, le=2100, description="The exit year of the cases")],
    town_code: Annotated[str | None, Query(pattern=r"^370404\d{3}$")] = None,
) -> Any:
    return await exit_case_counts(session, principal, year, town_code)
