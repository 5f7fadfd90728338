"""Aggregates for the reporting service and dashboards: counts only, no personal data.

Every role may read them, inside its area (a village cadre gets their village's numbers).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from services.registry.areas.router import after_code
from services.registry.stats import service
from services.registry.stats.schemas import GroupBy, HouseholdStats, VillageStats
from shared.auth import CurrentPrincipal
from shared.db import DbReadSession
from shared.pagination import Cursor, encode_cursor

router = APIRouter(prefix="/v1/stats", tags=["stats"])

StatsYear = Annotated[
    int | None,
    Query(ge=2010, le=2100, description="Register as it stood at the end of this year"),
]


@router.get(
    "/households",
    response_model=HouseholdStats,
    summary="Households and persons per group (town, village, status, cause, years …)",
)
async def household_stats(
    session: DbReadSession,
    principal: CurrentPrincipal,
    group_by: Annotated[
        list[GroupBy],
        Query(description="Repeat to group by several dimensions, e.g. town and exit_year"),
    ] = [],  # noqa: B006 - FastAPI copies query defaults
    year: StatsYear = None,
    town_code: Annotated[str | None, Query(pattern=r"^370404\d{3}$")] = None,
    village_code: Annotated[str | None, Query(pattern=r"^370404\d{6}$")] = None,
) -> Any:
    return await service.household_stats(
        session,
        principal,
        group_by=list(dict.fromkeys(group_by)),  # a repeated dimension groups once
        year=year,
        town_code=town_code,
        village_code=village_code,
    )


@router.get(
    "/villages",
    response_model=VillageStats,
    summary="Per village: rural population, registered and not-exited persons, incidence",
)
async def village_stats(
    session: DbReadSession,
    principal: CurrentPrincipal,
    year: Annotated[int, Query(ge=2010, le=2100, description="Data year")],
    town_code: Annotated[str | None, Query(pattern=r"^370404\d{3}$")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    cursor: Cursor = None,
) -> Any:
    villages = await service.village_stats(
        session,
        principal,
        year=year,
        town_code=town_code,
        after=after_code(cursor),
        limit=limit + 1,
    )
    more = len(villages) > limit
    villages = villages[:limit]
    return VillageStats(
        year=year,
        items=villages,
        next_cursor=encode_cursor(villages[-1].village_code) if more else None,
    )
