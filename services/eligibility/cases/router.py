"""Household exit cases (§3): open, read, and one endpoint per step of the procedure."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from services.eligibility.cases import service
from services.eligibility.cases.common import if_match
from services.eligibility.cases.procedure import HOUSEHOLD_EXIT
from services.eligibility.cases.schemas import (
    ExitCaseCreate,
    ExitCaseRead,
    ObjectionCreate,
    ReviewDecision,
    StepNote,
    Withdrawal,
)
from services.eligibility.clock import Now
from services.eligibility.deps import Params, Registry
from services.eligibility.openapi import NOT_IN_FORCE, REGISTRY_FACTS, UPSTREAM, Responses, page_of
from services.eligibility.paging import after_uuid
from services.eligibility.roles import CallerToken, CaseReader
from shared.auth import Principal, require_roles
from shared.db import DbSession
from shared.etag import set_etag
from shared.idempotency import IdempotentRoute
from shared.pagination import Cursor, Limit, Page, encode_cursor

router = APIRouter(prefix="/v1/exit-cases", tags=["exit cases"], route_class=IdempotentRoute)


def _may(*actions: str) -> Any:
    return Depends(require_roles(*HOUSEHOLD_EXIT.roles(*actions)))


Proposer = Annotated[Principal, _may("propose")]
VillageStep = Annotated[Principal, _may("publish_notice", "object")]
TownStep = Annotated[Principal, _may("town_review", "announce")]
Deregistrar = Annotated[Principal, _may("deregister")]
Withdrawer = Annotated[Principal, _may("withdraw")]

_NOT_FOUND: Responses = {404: {"description": "No such exit case in your area"}}
_STEP: Responses = {
    **_NOT_FOUND,
    409: {"description": "Not allowed at this stage: wrong state, or the period has not ended"},
    412: {"description": "If-Match (optional) names a version that is no longer current"},
}


async def _answer(session: DbSession, case: Any, now: Any, response: Response) -> ExitCaseRead:
    read = (await service.reads(session, [case], now))[0]
    set_etag(response, read.version)
    return read


@router.post(
    "",
    response_model=ExitCaseRead,
    status_code=201,
    summary="Open an exit case: the village review proposes a household that meets §3",
    responses={
        404: {"description": "No such household in your area"},
        409: {"description": "The household does not meet §3, is not poor, or has an open case"},
        **REGISTRY_FACTS,
        **UPSTREAM,
    },
)
async def open_case(
    data: ExitCaseCreate,
    session: DbSession,
    principal: Proposer,
    token: CallerToken,
    params: Params,
    registry: Registry,
    now: Now,
    response: Response,
) -> Any:
    case = await service.open_case(session, principal, registry, token, params, now, data)
    response.headers["Location"] = f"/v1/exit-cases/{case.id}"
    return await _answer(session, case, now, response)


@router.get(
    "",
    response_model=Page[ExitCaseRead],
    summary="Exit cases in your area (state=open for every case still running)",
    responses=page_of(ExitCaseRead),
)
async def list_cases(
    session: DbSession,
    principal: CaseReader,
    now: Now,
    year: Annotated[int | None, Query(ge=2014, le=2100)] = None,
    state: Annotated[str | None, Query(examples=["village_notice", "open"])] = None,
    village_code: Annotated[str | None, Query(pattern=r"^\d{12}$")] = None,
    household_id: uuid.UUID | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    cases = await service.list_cases(
        session, principal, year=year, state=state, village_code=village_code,
        household_id=household_id, after=after_uuid(cursor), limit=limit,
    )  # fmt: skip
    items = await service.reads(session, cases, now)
    next_cursor = encode_cursor(str(items[-1].id)) if len(items) == limit else None
    return Page[ExitCaseRead](items=items, next_cursor=next_cursor)


@router.get(
    "/{case_id}",
    response_model=ExitCaseRead,
    summary="An exit case and its events",
    responses=_NOT_FOUND,
)
async def get_case(
    case_id: uuid.UUID, session: DbSession, principal: CaseReader, now: Now, response: Response
) -> Any:
    return await _answer(
        session, await service.get_case(session, principal, case_id), now, response
    )


@router.post(
    "/{case_id}/notice",
    response_model=ExitCaseRead,
    summary="Publish the 7-day village notice (公示); objections may be lodged while it runs",
    responses={**_STEP, **NOT_IN_FORCE},
)
async def publish_notice(
    case_id: uuid.UUID, data: StepNote, request: Request, session: DbSession,
    principal: VillageStep, params: Params, now: Now, response: Response,
) -> Any:  # fmt: skip
    case = await service.take_step(
        session, principal, params, now, case_id, "publish_notice", partial(if_match, request),
        note=data.note,
    )  # fmt: skip
    return await _answer(session, case, now, response)


@router.post(
    "/{case_id}/objections",
    response_model=ExitCaseRead,
    summary="Record an objection lodged during the notice or announcement: back to review",
    responses=_STEP,
)
async def record_objection(
    case_id: uuid.UUID, data: ObjectionCreate, request: Request, session: DbSession,
    principal: VillageStep, params: Params, now: Now, response: Response,
) -> Any:  # fmt: skip
    case = await service.take_step(
        session, principal, params, now, case_id, "object", partial(if_match, request),
        note=data.objection, details={"lodged_by": data.lodged_by} if data.lodged_by else None,
    )  # fmt: skip
    return await _answer(session, case, now, response)


@router.post(
    "/{case_id}/town-review",
    response_model=ExitCaseRead,
    summary="Town review and spot check after the notice: approve (re-assessed) or reject",
    responses={**_STEP, **REGISTRY_FACTS, **UPSTREAM},
)
async def town_review(
    case_id: uuid.UUID, data: ReviewDecision, request: Request, session: DbSession,
    principal: TownStep, params: Params, registry: Registry, token: CallerToken, now: Now,
    response: Response,
) -> Any:  # fmt: skip
    action = "town_review" if data.decision == "approved" else "town_reject"
    case = await service.take_step(
        session, principal, params, now, case_id, action, partial(if_match, request),
        note=data.note, registry=registry, token=token,
    )  # fmt: skip
    return await _answer(session, case, now, response)


@router.post(
    "/{case_id}/announcement",
    response_model=ExitCaseRead,
    summary="Publish the 5-day announcement (公告) in the village after the town review",
    responses={**_STEP, **NOT_IN_FORCE},
)
async def announce(
    case_id: uuid.UUID, data: StepNote, request: Request, session: DbSession,
    principal: TownStep, params: Params, now: Now, response: Response,
) -> Any:  # fmt: skip
    case = await service.take_step(
        session, principal, params, now, case_id, "announce", partial(if_match, request),
        note=data.note,
    )  # fmt: skip
    return await _answer(session, case, now, response)


@router.post(
    "/{case_id}/deregistration",
    response_model=ExitCaseRead,
    summary="Deregister (销号) after the announcement: records 已脱贫 and the exit year in the registry",
    responses={**_STEP, **UPSTREAM},
)
async def deregister(
    case_id: uuid.UUID, data: StepNote, request: Request, session: DbSession,
    principal: Deregistrar, params: Params, registry: Registry, now: Now, response: Response,
) -> Any:  # fmt: skip
    case = await service.take_step(
        session, principal, params, now, case_id, "deregister", partial(if_match, request),
        note=data.note, registry=registry,
    )  # fmt: skip
    return await _answer(session, case, now, response)


@router.post(
    "/{case_id}/withdrawal",
    response_model=ExitCaseRead,
    summary="Withdraw a case that has not been deregistered",
    responses=_STEP,
)
async def withdraw(
    case_id: uuid.UUID, data: Withdrawal, request: Request, session: DbSession,
    principal: Withdrawer, params: Params, now: Now, response: Response,
) -> Any:  # fmt: skip
    case = await service.take_step(
        session, principal, params, now, case_id, "withdraw", partial(if_match, request),
        note=data.reason,
    )  # fmt: skip
    return await _answer(session, case, now, response)
