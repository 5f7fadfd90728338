"""HTTP endpoints of registered households: parse, call, answer. Member endpoints are in
`member_router.py` and included here, so the app registers one router."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.deps import IdCipherDep
from services.registry.households import history, reading, records, service
from services.registry.households.fields import Cause, IdentificationStandard, PovertyStatus
from services.registry.households.member_router import plain_router
from services.registry.households.member_router import router as member_router
from services.registry.households.reading import HouseholdFilters
from services.registry.households.routing import (
    IF_MATCH,
    NOT_FOUND,
    DataYear,
    HealthReader,
    HouseholdId,
    Reader,
    StatusWriter,
    Writer,
    YearQuery,
    cursor_id,
    cursor_uuid,
    if_match,
    if_match_to_replace,
    page_of,
)
from services.registry.households.schemas import HouseholdCreate, HouseholdUpdate, HouseholdYearIn
from services.registry.households.summaries import HouseholdSummary
from services.registry.households.views import (
    HistoryEntry,
    HouseholdRead,
    WarningRead,
    warning_read,
)
from shared.auth import Principal
from shared.db import DbReadSession, DbSession, read_connection
from shared.etag import etag_of
from shared.idempotency import IdempotentRoute
from shared.pagination import Cursor, Limit, Page, encode_cursor

router = APIRouter(prefix="/v1", tags=["households"], route_class=IdempotentRoute)


def _answer(
    document: reading.Document, *, status_code: int = 200, location: str | None = None
) -> Response:
    """The household's document as PostgreSQL built it (see reading.py), with its ETag.

    Returned as a Response, so FastAPI does not validate it against `response_model` again
    (the model still documents it)."""
    headers = {"ETag": etag_of(document.version)}
    if location is not None:
        headers["Location"] = location
    return Response(
        document.json, status_code=status_code, headers=headers, media_type="application/json"
    )


async def _written(
    session: AsyncSession, principal: Principal, household_id: uuid.UUID, year: int | None = None
) -> reading.Document:
    """A household just written, read in the write's own transaction."""
    driver = await reading.session_driver(session)
    return await reading.read_household(driver, principal, household_id, year)


@router.post(
    "/households",
    response_model=HouseholdRead,
    status_code=201,
    summary="Register a household (建档立卡) with its members and the data year's records",
    responses={409: {"description": "Idempotency-Key in flight, or 户编号 already registered"}},
)
async def create_household(
    data: HouseholdCreate, session: DbSession, principal: Writer, cipher: IdCipherDep
) -> Any:
    household = await service.create_household(session, principal, cipher, data)
    document = await _written(session, principal, household.id, data.data_year)
    return _answer(document, status_code=201, location=f"/v1/households/{household.id}")


@router.get(
    "/households",
    response_model=Page[HouseholdSummary],
    summary="List households in your area (latest year, or the year asked for), summarised",
    description=(
        "A summary per household; `GET /v1/households/{id}` gives one household whole, and "
        "`GET /v1/exports/households.jsonl` every household of an area whole."
    ),
    responses=page_of(HouseholdSummary),
)
async def list_households(
    request: Request,
    principal: Reader,
    village_code: Annotated[str | None, Query(pattern=r"^\d{12}$")] = None,
    town_code: Annotated[str | None, Query(pattern=r"^\d{9}$")] = None,
    status: Annotated[PovertyStatus | None, Query()] = None,
    identification_standard: Annotated[IdentificationStandard | None, Query()] = None,
    main_cause: Annotated[Cause | None, Query()] = None,
    year: YearQuery = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    filters = HouseholdFilters(
        village_code, town_code, status, identification_standard, main_cause, year
    )
    after = cursor_uuid(cursor)
    async with read_connection(request) as driver:
        page = await reading.list_summaries(driver, principal, filters, after=after, limit=limit)
    next_cursor = encode_cursor(str(page.last)) if page.count == limit else None
    return Response(page.json(next_cursor), media_type="application/json")


@router.get(
    "/households/{household_id}",
    response_model=HouseholdRead,
    summary="A household with its members and one year's records; ETag for If-Match",
    responses=NOT_FOUND,
)
async def get_household(
    household_id: HouseholdId, request: Request, principal: Reader, year: YearQuery = None
) -> Any:
    # The hottest endpoint: one statement on a pooled connection's driver, no session.
    async with read_connection(request) as driver:
        document = await reading.read_household(driver, principal, household_id, year)
    return _answer(document)


@router.patch(
    "/households/{household_id}",
    response_model=HouseholdRead,
    summary="Change a household's stable facts, status or village (If-Match required)",
    responses=IF_MATCH,
)
async def update_household(
    household_id: HouseholdId,
    data: HouseholdUpdate,
    request: Request,
    session: DbSession,
    principal: StatusWriter,
) -> Any:
    precondition = if_match(request)
    await service.update_household(session, principal, household_id, data, precondition)
    return _answer(await _written(session, principal, household_id))


@router.put(
    "/households/{household_id}/years/{year}",
    response_model=HouseholdRead,
    summary="Record a year's income survey and living conditions; 人均纯收入 is computed",
    description=(
        "Creating a year needs no If-Match; replacing one needs the household's ETag "
        "(`GET /v1/households/{id}`): 428 without it, 412 when stale."
    ),
    responses=IF_MATCH,
)
async def put_household_year(
    household_id: HouseholdId,
    year: DataYear,
    data: HouseholdYearIn,
    request: Request,
    session: DbSession,
    principal: Writer,
) -> Any:
    precondition = if_match_to_replace(request)
    await service.put_year(session, principal, household_id, year, data, precondition)
    return _answer(await _written(session, principal, household_id, year))


@router.get(
    "/households/{household_id}/history",
    response_model=Page[HistoryEntry],
    summary="Who changed the household, when, and what it was before and after",
    responses={**NOT_FOUND, **page_of(HistoryEntry)},
)
async def household_history(
    household_id: HouseholdId,
    session: DbReadSession,
    principal: HealthReader,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    await records.get_household(session, principal, household_id)
    entries = await history.list_history(
        session, household_id, after=cursor_id(cursor), limit=limit
    )
    items = [HistoryEntry.model_validate(e) for e in entries]
    next_cursor = encode_cursor(items[-1].id) if len(items) == limit else None
    return Page[HistoryEntry](items=items, next_cursor=next_cursor)


@router.get(
    "/households/{household_id}/warnings",
    response_model=Page[WarningRead],
    summary="Data-quality warnings and flags stored for the household",
    responses={**NOT_FOUND, **page_of(WarningRead)},
)
async def household_warnings(
    household_id: HouseholdId,
    session: DbReadSession,
    principal: HealthReader,
    year: YearQuery = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Any:
    await records.get_household(session, principal, household_id)
    found = await history.list_warnings(
        session,
        principal,
        household_id=household_id,
        year=year,
        after=cursor_id(cursor),
        limit=limit,
    )
    return _warning_page(found, limit)


@router.get(
    "/quality-warnings",
    response_model=Page[WarningRead],
    summary="Data-quality warnings and flags of households in your area",
    responses=page_of(WarningRead),
)
async def quality_warnings(
    session: DbReadSession,
    principal: HealthReader,
    year: YearQuery = None,
    severity: Annotated[str | None, Query(pattern="^(warning|flag)$")] = None,
    rule: str | None = None,
    village_code: Annotated[str | None, Query(pattern=r"^\d{12}$")] = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Any:
    found = await history.list_warnings(
        session,
        principal,
        year=year,
        severity=severity,
        rule=rule,
        village_code=village_code,
        after=cursor_id(cursor),
        limit=limit,
    )
    return _warning_page(found, limit)


def _warning_page(found: list[Any], limit: int) -> Page[WarningRead]:
    items = [warning_read(w) for w in found]
    next_cursor = encode_cursor(items[-1].id) if len(items) == limit else None
    return Page[WarningRead](items=items, next_cursor=next_cursor)


router.include_router(member_router)
router.include_router(plain_router)
