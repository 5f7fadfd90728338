"""Batch runs: start one (202), follow its progress, read its summary and per-household results."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Path, Query, Response

from services.eligibility.clock import Now
from services.eligibility.deps import ParamsRevision, Runs
from services.eligibility.openapi import NOT_IN_FORCE, Responses, page_of
from services.eligibility.paging import after_text, after_uuid
from services.eligibility.roles import CallerToken, Runner, RunReader
from services.eligibility.runs import service
from services.eligibility.runs.schemas import RunCreate, RunRead, RunResultRead
from shared.db import DbSession
from shared.idempotency import IdempotentRoute
from shared.pagination import Cursor, Limit, Page, encode_cursor

router = APIRouter(prefix="/v1/runs", tags=["batch runs"], route_class=IdempotentRoute)

_NOT_FOUND: Responses = {404: {"description": "No such run in your area"}}
HouseholdId = Annotated[str, Path(max_length=64, examples=["0f6c2d4e-8b1a-4c3d-9e5f-7a6b5c4d3e2f"])]


@router.post(
    "",
    response_model=RunRead,
    status_code=202,
    summary="Assess every household of an area for a year (exit and entitlements), in the background",
    responses={404: {"description": "The area is outside yours"}, **NOT_IN_FORCE},
)
async def create_run(
    data: RunCreate,
    session: DbSession,
    principal: Runner,
    token: CallerToken,
    params_revision: ParamsRevision,
    runs: Runs,
    now: Now,
    background: BackgroundTasks,
    response: Response,
) -> Any:
    params, revision = params_revision
    run = await service.create_run(session, principal, params, revision, now, data)
    # Started once the response is sent, i.e. after the request's transaction committed the
    # run; the caller's token fetches the facts, so the registry scopes them to the caller.
    background.add_task(runs.start, run.id, data.area_code, data.year, token, params)
    response.headers["Location"] = f"/v1/runs/{run.id}"
    return service.run_read(run)


@router.get(
    "", response_model=Page[RunRead], summary="Runs of your area", responses=page_of(RunRead)
)
async def list_runs(
    session: DbSession,
    principal: RunReader,
    year: Annotated[int | None, Query(ge=2014, le=2100)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    runs = await service.list_runs(
        session, principal, year=year, after=after_uuid(cursor), limit=limit
    )
    items = [service.run_read(r) for r in runs]
    next_cursor = encode_cursor(str(items[-1].id)) if len(items) == limit else None
    return Page[RunRead](items=items, next_cursor=next_cursor)


@router.get(
    "/{run_id}",
    response_model=RunRead,
    summary="A run: progress while it runs, a summary when done",
    responses=_NOT_FOUND,
)
async def get_run(run_id: uuid.UUID, session: DbSession, principal: RunReader) -> Any:
    return service.run_read(await service.get_run(session, principal, run_id))


@router.get(
    "/{run_id}/results",
    response_model=Page[RunResultRead],
    summary="Per-household results of a run (filter by village, failing condition, eligibility)",
    responses={**_NOT_FOUND, **page_of(RunResultRead)},
)
async def list_results(
    run_id: uuid.UUID,
    session: DbSession,
    principal: RunReader,
    village_code: Annotated[str | None, Query(pattern=r"^\d{12}$")] = None,
    failing: Annotated[str | None, Query(examples=["stable_income"])] = None,
    exit_eligible: bool | None = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Any:
    run = await service.get_run(session, principal, run_id)
    rows = await service.results(
        session, run, village_code=village_code, failing=failing, exit_eligible=exit_eligible,
        household_id=None, after=after_text(cursor), limit=limit,
    )  # fmt: skip
    items = [service.result_read(r) for r in rows]
    next_cursor = encode_cursor(items[-1].household_id) if len(items) == limit else None
    return Page[RunResultRead](items=items, next_cursor=next_cursor)


@router.get(
    "/{run_id}/results/{household_id}",
    response_model=RunResultRead,
    summary="One household's result in a run",
    responses={404: {"description": "No such run in your area, or no such household in it"}},
)
async def get_result(
    run_id: uuid.UUID, household_id: HouseholdId, session: DbSession, principal: RunReader
) -> Any:
    run = await service.get_run(session, principal, run_id)
    return service.result_read(await service.get_result(session, run, household_id))
