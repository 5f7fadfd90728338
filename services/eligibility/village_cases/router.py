"""Key-village exit cases (§4): open, read, and one endpoint per step of the procedure."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from services.eligibility.cases.common import if_match
from services.eligibility.cases.schemas import ObjectionCreate, StepNote, Withdrawal
from services.eligibility.clock import Now
from services.eligibility.deps import Params, Registry
from services.eligibility.openapi import NOT_IN_FORCE, REGISTRY_FACTS, UPSTREAM, Responses, page_of
from services.eligibility.paging import after_uuid
from services.eligibility.roles import CallerToken, CaseReader
from services.eligibility.village_cases import service
from services.eligibility.village_cases.procedure import VILLAGE_EXIT
from services.eligibility.village_cases.schemas import (
    DistrictEvaluation,
    VillageExitCaseCreate,
    VillageExitCaseRead,
)
from shared.auth import Principal, require_roles
from shared.db import DbSession
from shared.etag import set_etag
from shared.idempotency import IdempotentRoute
from shared.pagination import Cursor, Limit, Page, encode_cursor

router = APIRouter(
    prefix="/v1/village-exit-cases", tags=["village exit cases"], route_class=IdempotentRoute
)


def _may(*actions: str) -> Any:
    return Depends(require_roles(*VILLAGE_EXIT.roles(*actions)))


TownStep = Annotated[Principal, _may("propose", "publish_notice", "object", "withdraw")]
DistrictStep = Annotated[Principal, _may("district_evaluation", "approve", "deregister")]

_NOT_FOUND: Responses = {404: {"description": "No such village exit case in your area"}}
_STEP: Responses = {
    **_NOT_FOUND,
    409: {"description": "Not allowed at this stage: wrong state, or the period has not ended"},
    412: {"description": "If-Match (optional) names a version that is no longer current"},
}


async def _answer(
    session: DbSession, case: Any, now: Any, response: Response
) -> VillageExitCaseRead:
    read = (await service.reads(session, [case], now))[0]
    set_etag(response, read.version)
    return read


@router.post(
    "",
    response_model=VillageExitCaseRead,
    status_code=201,
    summary="Open a village exit case: the town's assessment finds §4 met",
    responses={
        404: {"description": "No such village in your area"},
        409: {"description": "§4 not met, not such a key village, or a case is open"},
        **REGISTRY_FACTS,
        **UPSTREAM,
    },
)
async def open_case(
    data: VillageExitCaseCreate, session: DbSession, principal: TownStep, token: CallerToken,
    params: Params, registry: Registry, now: Now, response: Response,
) -> Any:  # fmt: skip
    case = await service.open_case(session, principal, registry, token, params, now, data)
    response.headers["Location"] = f"/v1/village-exit-cases/{case.id}"
    return await _answer(session, case, now, response)


@router.get(
    "",
    response_model=Page[VillageExitCaseRead],
    summary="Village exit cases in your area",
    responses=page_of(VillageExitCaseRead),
)
async def list_cases(
    session: DbSession,
    principal: CaseReader,
    now: Now,
    year: Annotated[int | None, Query(ge=2014, le=2100)] = None,
    state: Annotated[str | None, Query(examples=["town_notice", "open"])] = None,
    village_code: Annotated[str | None, Query(pattern=r"^\d{12}$")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    cases = await service.list_cases(
        session, principal, year=year, state=state, village_code=village_code,
        after=after_uuid(cursor), limit=limit,
    )  # fmt: skip
    items = await service.reads(session, cases, now)
    next_cursor = encode_cursor(str(items[-1].id)) if len(items) == limit else None
    return Page[VillageExitCaseRead](items=items, next_cursor=next_cursor)


@router.get(
    "/{case_id}",
    response_model=VillageExitCaseRead,
    summary="A village exit case and its events",
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
    response_model=VillageExitCaseRead,
    summary="Publish the town's 7-day notice (公示)",
    responses={**_STEP, **NOT_IN_FORCE},
)
async def publish_notice(
    case_id: uuid.UUID, data: StepNote, request: Request, session: DbSession,
    principal: TownStep, params: Params, now: Now, response: Response,
) -> Any:  # fmt: skip
    case = await service.take_step(
        session, principal, params, now, case_id, "publish_notice", partial(if_match, request),
        note=data.note,
    )  # fmt: skip
    return await _answer(session, case, now, response)


@router.post(
    "/{case_id}/objections",
    response_model=VillageExitCaseRead,
    summary="Record an objection during the notice or announcement: back to the town",
    responses=_STEP,
)
async def record_objection(
    case_id: uuid.UUID, data: ObjectionCreate, request: Request, session: DbSession,
    principal: TownStep, params: Params, now: Now, response: Response,
) -> Any:  # fmt: skip
    case = await service.take_step(
        session, principal, params, now, case_id, "object", partial(if_match, request),
        note=data.objection, details={"lodged_by": data.lodged_by} if data.lodged_by else None,
    )  # fmt: skip
    return await _answer(session, case, now, response)


@router.post(
    "/{case_id}/district-evaluation",
    response_model=VillageExitCaseRead,
    summary="District (or third-party) evaluation after the notice: approve (re-assessed) or reject",
    responses={**_STEP, **REGISTRY_FACTS, **UPSTREAM},
)
async def district_evaluation(
    case_id: uuid.UUID, data: DistrictEvaluation, request: Request, session: DbSession,
    principal: DistrictStep, params: Params, registry: Registry, token: CallerToken, now: Now,
    response: Response,
) -> Any:  # fmt: skip
    action = "district_evaluation" if data.decision == "approved" else "district_reject"
    case = await service.take_step(
        session, principal, params, now, case_id, action, partial(if_match, request),
        note=data.note, evaluator=data.evaluator, registry=registry, token=token,
    )  # fmt: skip
    return await _answer(session, case, now, response)


@router.post(
    "/{case_id}/approval",
    response_model=VillageExitCaseRead,
    summary="Approve the exit and publish the 5-day announcement (审定并公告)",
    responses={**_STEP, **NOT_IN_FORCE},
)
async def approve(
    case_id: uuid.UUID, data: StepNote, request: Request, session: DbSession,
    principal: DistrictStep, params: Params, now: Now, response: Response,
) -> Any:  # fmt: skip
    case = await service.take_step(
        session, principal, params, now, case_id, "approve", partial(if_match, request),
        note=data.note,
    )  # fmt: skip
    return await _answer(session, case, now, response)


@router.post(
    "/{case_id}/deregistration",
    response_model=VillageExitCaseRead,
    summary="File with the city and deregister: records the designation's exit year in the registry",
    responses={**_STEP, **UPSTREAM},
)
async def deregister(
    case_id: uuid.UUID, data: StepNote, request: Request, session: DbSession,
    principal: DistrictStep, params: Params, registry: Registry, now: Now, response: Response,
) -> Any:  # fmt: skip
    case = await service.take_step(
        session, principal, params, now, case_id, "deregister", partial(if_match, request),
        note=data.note, registry=registry,
    )  # fmt: skip
    return await _answer(session, case, now, response)


@router.post(
    "/{case_id}/withdrawal",
    response_model=VillageExitCaseRead,
    summary="Withdraw a village exit case that has not been deregistered",
    responses=_STEP,
)
async def withdraw(
    case_id: uuid.UUID, data: Withdrawal, request: Request, session: DbSession,
    principal: TownStep, params: Params, now: Now, response: Response,
) -> Any:  # fmt: skip
    case = await service.take_step(
        session, principal, params, now, case_id, "withdraw", partial(if_match, request),
        note=data.reason,
    )  # fmt: skip
    return await _answer(session, case, now, response)
