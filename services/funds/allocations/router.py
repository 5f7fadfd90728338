"""Allocations of sources to projects: the finance office allocates and reverses."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter

from services.funds.allocations import service
from services.funds.allocations.schemas import AllocationCreate, AllocationRead, ReversalCreate
from services.funds.roles import Finance, Reader
from services.funds.validation import next_timestamp_cursor, timestamp_cursor
from shared.db import DbSession
from shared.idempotency import IdempotentRoute
from shared.pagination import Cursor, Limit, Page

router = APIRouter(prefix="/v1", tags=["allocations"], route_class=IdempotentRoute)


@router.post(
    "/allocations",
    response_model=AllocationRead,
    status_code=201,
    summary="Allocate a source's money to an approved project (finance officer)",
    responses={
        404: {"description": "No such source, or no such project in your area"},
        409: {
            "description": "More than the source has left (insufficient-funds), more than "
            "the project's budget (over-budget), or the project is not approved (stage-required)"
        },
    },
)
async def create_allocation(data: AllocationCreate, session: DbSession, actor: Finance) -> Any:
    allocation = await service.create_allocation(session, actor, data)
    return (await service.read_allocations(session, [allocation]))[0]


@router.get("/allocations", response_model=Page[AllocationRead], summary="Allocations in your area")
async def list_allocations(
    session: DbSession,
    actor: Reader,
    project_id: uuid.UUID | None = None,
    source_id: uuid.UUID | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    allocations = await service.list_allocations(
        session,
        actor,
        project_id=project_id,
        source_id=source_id,
        after=timestamp_cursor(cursor),
        limit=limit,
    )
    return Page[AllocationRead](
        items=await service.read_allocations(session, allocations),
        next_cursor=next_timestamp_cursor(allocations, limit),
    )


@router.get(
    "/allocations/{allocation_id}",
    response_model=AllocationRead,
    summary="An allocation with what is left of it",
    responses={404: {"description": "No such allocation in your area"}},
)
async def get_allocation(allocation_id: uuid.UUID, session: DbSession, actor: Reader) -> Any:
    allocation, _ = await service.get_allocation(session, actor, allocation_id)
    return (await service.read_allocations(session, [allocation]))[0]


@router.post(
    "/allocations/{allocation_id}/reversal",
    response_model=AllocationRead,
    status_code=201,
    summary="Reverse an allocation: its money goes back to the source (finance officer)",
    responses={
        409: {"description": "Already reversed, or part of it was paid out (insufficient-funds)"}
    },
)
async def reverse_allocation(
    allocation_id: uuid.UUID, data: ReversalCreate, session: DbSession, actor: Finance
) -> Any:
    allocation = await service.reverse_allocation(session, actor, allocation_id, data)
    return (await service.read_allocations(session, [allocation]))[0]
