"""Assets formed by projects (资产收益扶贫): registered by the district, income recorded and
distributed by the finance office."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter

from services.funds.assets import service
from services.funds.assets.schemas import (
    AssetCreate,
    AssetRead,
    DistributionCreate,
    DistributionResult,
    IncomeCreate,
)
from services.funds.deps import Registry
from services.funds.roles import AssetRegistrar, CallerToken, Finance, Reader
from services.funds.validation import VillageCode
from shared.db import DbSession
from shared.idempotency import IdempotentRoute
from shared.pagination import Limit

router = APIRouter(prefix="/v1", tags=["assets"], route_class=IdempotentRoute)


@router.post(
    "/projects/{project_id}/assets",
    response_model=AssetRead,
    status_code=201,
    summary="Register an asset an accepted project formed (district admin): 资产确权",
)
async def register_asset(
    project_id: uuid.UUID, data: AssetCreate, session: DbSession, actor: AssetRegistrar
) -> Any:
    asset = await service.register_asset(session, actor, project_id, data)
    return (await service.read_assets(session, [asset]))[0]


@router.get("/assets", response_model=list[AssetRead], summary="Assets in your area")
async def list_assets(
    session: DbSession,
    actor: Reader,
    project_id: uuid.UUID | None = None,
    village_code: VillageCode | None = None,
    limit: Limit = 100,
) -> Any:
    assets = await service.list_assets(
        session, actor, project_id=project_id, village_code=village_code, limit=limit
    )
    return await service.read_assets(session, assets)


@router.get("/assets/{asset_id}", response_model=AssetRead, summary="An asset and its income")
async def get_asset(asset_id: uuid.UUID, session: DbSession, actor: Reader) -> Any:
    asset = await service.get_asset(session, actor, asset_id)
    return (await service.read_assets(session, [asset]))[0]


@router.post(
    "/assets/{asset_id}/incomes",
    response_model=AssetRead,
    status_code=201,
    summary="Record a year's income of an asset (finance officer)",
)
async def record_income(
    asset_id: uuid.UUID, data: IncomeCreate, session: DbSession, actor: Finance
) -> Any:
    await service.record_income(session, actor, asset_id, data)
    asset = await service.get_asset(session, actor, asset_id)
    return (await service.read_assets(session, [asset]))[0]


@router.post(
    "/assets/{asset_id}/distributions",
    response_model=DistributionResult,
    status_code=201,
    summary="Distribute a year's income: households without labour capacity first",
    responses={
        409: {"description": "No income that year, not one share left, or a 一卡通 missing"},
        422: {"description": "A household is unknown, outside the village, or not poor"},
    },
)
async def distribute(
    asset_id: uuid.UUID,
    data: DistributionCreate,
    session: DbSession,
    actor: Finance,
    registry: Registry,
    token: CallerToken,
) -> Any:
    return await service.distribute(session, actor, asset_id, data, registry=registry, token=token)
