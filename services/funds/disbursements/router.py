"""Disbursements: the finance office pays accepted projects' payees, and reverses."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter

from services.funds.allocations.schemas import ReversalCreate
from services.funds.deps import OptionalEligibility, Registry
from services.funds.disbursements import service
from services.funds.disbursements.schemas import DisbursementCreate, DisbursementRead
from services.funds.roles import CallerToken, Finance, Reader
from services.funds.validation import next_timestamp_cursor, timestamp_cursor
from shared.db import DbSession
from shared.idempotency import IdempotentRoute
from shared.pagination import Cursor, Limit, Page

router = APIRouter(prefix="/v1", tags=["disbursements"], route_class=IdempotentRoute)


@router.post(
    "/disbursements",
    response_model=DisbursementRead,
    status_code=201,
    summary="Pay from an allocation of an accepted project (finance officer)",
    description=(
        "Send an `Idempotency-Key`: a retry with the same key and body pays once and "
        "replays the first answer. Nothing moves unless every check passes."
    ),
    responses={
        404: {"description": "No such allocation in your area"},
        409: {
            "description": "Not accepted (stage-required), more than the allocation has left "
            "(insufficient-funds), invoice overpaid (over-budget), no 一卡通 (no-card)"
        },
        422: {
            "description": "Bad amount; the household does not exist or is outside your or the "
            "project's area (payee-refused); the amount differs from the eligibility "
            "service's (amount-mismatch); not eligible"
        },
        503: {"description": "The registry or the eligibility service cannot be reached"},
    },
)
async def disburse(
    data: DisbursementCreate,
    session: DbSession,
    actor: Finance,
    token: CallerToken,
    registry: Registry,
    eligibility: OptionalEligibility,
) -> Any:
    return await service.disburse(
        session, actor, data, token=token, registry=registry, eligibility=eligibility
    )


@router.get(
    "/disbursements", response_model=Page[DisbursementRead], summary="Disbursements in your area"
)
async def list_disbursements(
    session: DbSession,
    actor: Reader,
    project_id: uuid.UUID | None = None,
    allocation_id: uuid.UUID | None = None,
    household_id: uuid.UUID | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    rows = await service.list_disbursements(
        session,
        actor,
        project_id=project_id,
        allocation_id=allocation_id,
        household_id=household_id,
        after=timestamp_cursor(cursor),
        limit=limit,
    )
    return Page[DisbursementRead](
        items=await service.read_disbursements(session, rows),
        next_cursor=next_timestamp_cursor(rows, limit),
    )


@router.get(
    "/disbursements/{disbursement_id}",
    response_model=DisbursementRead,
    summary="A disbursement with its reason (the calculation's trace, or the invoice)",
    responses={404: {"description": "No such disbursement in your area"}},
)
async def get_disbursement(disbursement_id: uuid.UUID, session: DbSession, actor: Reader) -> Any:
    row = await service.get_disbursement(session, actor, disbursement_id)
    return (await service.read_disbursements(session, [row]))[0]


@router.post(
    "/disbursements/{disbursement_id}/reversal",
    response_model=DisbursementRead,
    status_code=201,
    summary="Reverse a disbursement (退回): the money returns to its allocation",
    responses={409: {"description": "Already reversed"}},
)
async def reverse(
    disbursement_id: uuid.UUID, data: ReversalCreate, session: DbSession, actor: Finance
) -> Any:
    row = await service.reverse(session, actor, disbursement_id, data)
    return (await service.read_disbursements(session, [row]))[0]
