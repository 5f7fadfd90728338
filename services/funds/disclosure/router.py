"""阳光扶贫: the public, unauthenticated, read-only view of projects and funds."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter

from services.funds.codes import ProjectKind, code_lists
from services.funds.disclosure import service
from services.funds.disclosure.schemas import PublicProject, PublicSource, PublicVillage
from services.funds.validation import TownCode, VillageCode, next_timestamp_cursor, timestamp_cursor
from shared.db import DbSession
from shared.pagination import Cursor, Limit, Page

router = APIRouter(prefix="/v1/disclosure", tags=["public disclosure"])


@router.get(
    "/projects",
    response_model=Page[PublicProject],
    summary="Projects with their stages, notices, sources and money (public)",
)
async def projects(
    session: DbSession,
    year: int | None = None,
    town_code: TownCode | None = None,
    village_code: VillageCode | None = None,
    kind: ProjectKind | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    rows = await service.list_projects(
        session,
        year=year,
        town_code=town_code,
        village_code=village_code,
        kind=kind,
        after=timestamp_cursor(cursor),
        limit=limit,
    )
    return Page[PublicProject](
        items=await service.public_projects(session, rows),
        next_cursor=next_timestamp_cursor(rows, limit),
    )


@router.get("/projects/{project_id}", response_model=PublicProject, summary="One project (public)")
async def project(project_id: uuid.UUID, session: DbSession) -> Any:
    return (
        await service.public_projects(session, [await service.get_project(session, project_id)])
    )[0]


@router.get("/villages", response_model=list[PublicVillage], summary="Totals per village (public)")
async def villages(
    session: DbSession, year: int | None = None, town_code: TownCode | None = None
) -> Any:
    return await service.villages(session, year=year, town_code=town_code)


@router.get("/sources", response_model=list[PublicSource], summary="Fund sources (public)")
async def sources(session: DbSession, year: int | None = None) -> Any:
    return await service.sources(session, year=year)


@router.get("/codes", summary="The code lists with their Chinese labels (public)")
async def codes() -> dict[str, list[dict[str, str]]]:
    return code_lists()
