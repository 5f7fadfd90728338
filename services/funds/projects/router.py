"""Projects and their procedure. Town offices propose in their own town; the procedure
table (`procedure.py`) says who records each stage; reads are scoped to the caller's area."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

from fastapi import APIRouter, Request, Response

from services.funds.codes import ProjectKind, Stage
from services.funds.projects import service
from services.funds.projects.schemas import (
    ProjectCreate,
    ProjectRead,
    ProjectUpdate,
    StageCreate,
)
from services.funds.roles import Proposer, Reader, StageRecorder
from services.funds.validation import TownCode, VillageCode, next_timestamp_cursor, timestamp_cursor
from shared.db import DbSession
from shared.etag import require_if_match, set_etag
from shared.idempotency import IdempotentRoute
from shared.pagination import Cursor, Limit, Page

router = APIRouter(prefix="/v1", tags=["projects"], route_class=IdempotentRoute)

_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such project in the caller's area"}
}


@router.post(
    "/projects",
    response_model=ProjectRead,
    status_code=201,
    summary="Propose a project in your town (town officer): 申请",
    responses={403: {"description": "Not a town officer, or the town is not yours"}},
)
async def propose(
    data: ProjectCreate, session: DbSession, actor: Proposer, response: Response
) -> Any:
    project = await service.propose(session, actor, data)
    set_etag(response, project.version)
    return (await service.read_projects(session, [project]))[0]


@router.get("/projects", response_model=Page[ProjectRead], summary="Projects in your area")
async def list_projects(
    session: DbSession,
    actor: Reader,
    year: int | None = None,
    town_code: TownCode | None = None,
    village_code: VillageCode | None = None,
    kind: ProjectKind | None = None,
    stage: Stage | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    projects = await service.list_projects(
        session,
        actor,
        year=year,
        town_code=town_code,
        village_code=village_code,
        kind=kind,
        stage=stage,
        after=timestamp_cursor(cursor),
        limit=limit,
    )
    return Page[ProjectRead](
        items=await service.read_projects(session, projects),
        next_cursor=next_timestamp_cursor(projects, limit),
    )


@router.get(
    "/projects/{project_id}",
    response_model=ProjectRead,
    summary="A project with its stages and money; ETag for updates",
    responses=_NOT_FOUND,
)
async def get_project(
    project_id: uuid.UUID, session: DbSession, actor: Reader, response: Response
) -> Any:
    project = await service.get_project(session, actor, project_id)
    set_etag(response, project.version)
    return (await service.read_projects(session, [project]))[0]


@router.patch(
    "/projects/{project_id}",
    response_model=ProjectRead,
    summary="Correct a project before its village review (If-Match required)",
    responses={
        **_NOT_FOUND,
        409: {"description": "Already under review: it can no longer change"},
        412: {"description": "If-Match is stale"},
        428: {"description": "If-Match is missing"},
    },
)
async def update_project(
    project_id: uuid.UUID,
    data: ProjectUpdate,
    request: Request,
    session: DbSession,
    actor: Proposer,
    response: Response,
) -> Any:
    project = await service.update(
        session, actor, project_id, data, partial(require_if_match, request)
    )
    set_etag(response, project.version)
    return (await service.read_projects(session, [project]))[0]


@router.post(
    "/projects/{project_id}/stages",
    response_model=ProjectRead,
    status_code=201,
    summary="Record the next stage of the procedure, with its public notice",
    responses={
        **_NOT_FOUND,
        403: {"description": "Your role does not record this stage"},
        409: {"description": "Out of order, or before the previous notice has run"},
    },
)
async def record_stage(
    project_id: uuid.UUID,
    data: StageCreate,
    session: DbSession,
    actor: StageRecorder,
    response: Response,
) -> Any:
    project = await service.record_stage(session, actor, project_id, data)
    set_etag(response, project.version)
    return (await service.read_projects(session, [project]))[0]
