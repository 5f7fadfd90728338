"""Aggregates for the reporting service (service token) and officials: `/v1/stats/...`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from services.funds.roles import StatsReader
from services.funds.stats import service
from services.funds.stats.schemas import AssetVillage, Execution, GroupBy, IntegratedFundsYear
from services.funds.validation import TownCode
from shared.db import DbSession

router = APIRouter(prefix="/v1/stats", tags=["stats"])


@router.get(
    "/execution",
    response_model=Execution,
    summary="Allocated, disbursed and execution rate per source, level, kind, year, town, village",
    description="`year` is the sources' budget year; amounts are net of reversals.",
)
async def execution(
    session: DbSession,
    actor: StatsReader,
    group_by: GroupBy = GroupBy.source,
    year: int | None = None,
    town_code: TownCode | None = None,
) -> Any:
    return await service.execution(session, actor, group_by, year=year, town_code=town_code)


@router.get(
    "/integrated-funds",
    response_model=list[IntegratedFundsYear],
    summary="The 20 % rule for integrated agricultural funds, per year (第十二章第三节一)",
)
async def integrated_funds(session: DbSession, _: StatsReader, year: int | None = None) -> Any:
    return await service.integrated_funds(session, year=year)


@router.get(
    "/assets",
    response_model=list[AssetVillage],
    summary="Assets per village collective, their income and its distribution",
)
async def assets(
    session: DbSession,
    actor: StatsReader,
    year: int | None = None,
    town_code: TownCode | None = None,
) -> Any:
    return await service.assets_by_village(session, actor, year=year, town_code=town_code)
