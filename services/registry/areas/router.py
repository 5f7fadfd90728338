"""Towns, villages, key-village designations and yearly village records.

Reads: every role, inside its area. Villages and their yearly records: district admin, or
a town officer inside their town. Designations are decided by the province and the city,
so only the district records them; the eligibility service (service token) may also set
the exit year once a village exit is approved.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic.config import JsonDict

from services.registry.areas import reading, service
from services.registry.areas.schemas import (
    VILLAGE_CODE,
    VILLAGE_EXAMPLE,
    DesignationCode,
    DesignationCreate,
    DesignationRead,
    DesignationUpdate,
    TownRead,
    VillageCreate,
    VillageDetail,
    VillageRead,
    VillageUpdate,
    VillageYearRead,
    VillageYearWrite,
    Year,
)
from shared.auth import CurrentPrincipal, Principal, Role, require_roles
from shared.db import DbReadSession, DbSession
from shared.errors import FieldError, InvalidInput, PreconditionFailed
from shared.etag import require_if_match
from shared.idempotency import IdempotentRoute
from shared.pagination import Cursor, Limit, Page, decode_cursor, encode_cursor

router = APIRouter(prefix="/v1", tags=["areas"], route_class=IdempotentRoute)

AreaEditor = Annotated[Principal, Depends(require_roles(Role.district_admin, Role.town_officer))]
DistrictAdmin = Annotated[Principal, Depends(require_roles(Role.district_admin))]
ExitRecorder = Annotated[Principal, Depends(require_roles(Role.district_admin, Role.service))]
VillageCode = Annotated[str, Path(pattern=VILLAGE_CODE, examples=["370404100001"])]

_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such village in the caller's area"}
}
_UPDATE: dict[int | str, dict[str, Any]] = {
    **_NOT_FOUND,
    412: {"description": "If-Match is stale: read again and reapply"},
    428: {"description": "If-Match is missing"},
}


def if_match(request: Request) -> Callable[[int], None]:
    """The service checks the ETag against the row it has locked."""
    return partial(require_if_match, request)


def if_match_or_absent(request: Request) -> Callable[[int | None], None]:
    """PUT semantics: creating needs no If-Match; replacing needs a current one."""

    def check(version: int | None) -> None:
        if version is not None:
            require_if_match(request, version)
        elif request.headers.get("if-match") is not None:
            raise PreconditionFailed("there is no record to match; send no If-Match to create it")

    return check


def page_example(item: JsonDict, next_cursor: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI example of a page, built from its item's example."""
    page = {"items": [item], "next_cursor": next_cursor}
    return {200: {"content": {"application/json": {"example": page}}}}


def after_code(cursor: str | None) -> str | None:
    position = decode_cursor(cursor)
    if position is None:
        return None
    if len(position) != 1 or not isinstance(position[0], str):
        raise InvalidInput(
            "the cursor is not one this service issued",
            errors=[FieldError(("query", "cursor"), "malformed cursor")],
        )
    return position[0]


@router.get("/towns", response_model=list[TownRead], summary="Towns and sub-districts (乡镇/街道)")
async def list_towns(session: DbReadSession, principal: CurrentPrincipal) -> Any:
    return await reading.list_towns(session, principal)


@router.get(
    "/villages",
    response_model=Page[VillageRead],
    summary="Villages (行政村) with designations",
    responses=page_example(VILLAGE_EXAMPLE, "WyIzNzA0MDQxMDAwMDEiXQ=="),
)
async def list_villages(
    session: DbReadSession,
    principal: CurrentPrincipal,
    town_code: Annotated[str | None, Query(pattern=r"^370404\d{3}$")] = None,
    designation: Annotated[
        DesignationCode | None, Query(description="Only villages with this designation")
    ] = None,
    key: Annotated[bool | None, Query(description="Only key villages (true) or others")] = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Any:
    villages = await reading.list_villages(
        session,
        principal,
        town_code=town_code,
        designation=designation,
        key=key,
        after=after_code(cursor),
        limit=limit + 1,
    )
    more = len(villages) > limit
    villages = villages[:limit]
    return Page[VillageRead](
        items=villages, next_cursor=encode_cursor(villages[-1].code) if more else None
    )


@router.get(
    "/villages/{code}",
    response_model=VillageDetail,
    summary="A village with its designations and yearly records",
    responses=_NOT_FOUND,
)
async def get_village(
    code: VillageCode, session: DbReadSession, principal: CurrentPrincipal, response: Response
) -> Any:
    detail = await reading.get_village(session, principal, code)
    response.headers["ETag"] = detail.etag
    return detail


@router.post(
    "/villages",
    response_model=VillageDetail,
    status_code=201,
    summary="Create a village (district admin; town officer in their town)",
    responses={409: {"description": "The code, or the name in the town, is taken"}},
)
async def create_village(
    data: VillageCreate, session: DbSession, principal: AreaEditor, response: Response
) -> Any:
    detail = await service.create_village(session, principal, data)
    response.headers["ETag"] = detail.etag
    response.headers["Location"] = f"/v1/villages/{detail.code}"
    return detail


@router.patch(
    "/villages/{code}",
    response_model=VillageDetail,
    summary="Rename or correct a village (If-Match required)",
    responses=_UPDATE,
)
async def update_village(
    code: VillageCode,
    data: VillageUpdate,
    request: Request,
    session: DbSession,
    principal: AreaEditor,
    response: Response,
) -> Any:
    detail = await service.update_village(session, principal, code, data, if_match(request))
    response.headers["ETag"] = detail.etag
    return detail


@router.post(
    "/villages/{code}/designations",
    response_model=DesignationRead,
    status_code=201,
    summary="Designate a key village: 省定, 市定 or 新认定 (district admin)",
    responses={**_NOT_FOUND, 409: {"description": "The village already has it"}},
)
async def add_designation(
    code: VillageCode,
    data: DesignationCreate,
    session: DbSession,
    principal: DistrictAdmin,
    response: Response,
) -> Any:
    designation = await service.add_designation(session, principal, code, data)
    response.headers["ETag"] = designation.etag
    return designation


@router.patch(
    "/villages/{code}/designations/{designation}",
    response_model=DesignationRead,
    summary="Set or withdraw a key village's exit year (If-Match required)",
    responses=_UPDATE,
)
async def update_designation(
    code: VillageCode,
    designation: DesignationCode,
    data: DesignationUpdate,
    request: Request,
    session: DbSession,
    principal: ExitRecorder,
    response: Response,
) -> Any:
    updated = await service.update_designation(
        session, principal, code, designation, data, if_match(request)
    )
    response.headers["ETag"] = updated.etag
    return updated


@router.get(
    "/villages/{code}/years/{year}",
    response_model=VillageYearRead,
    summary="The village's record of one data year",
    responses={404: {"description": "No such village in the caller's area, or no such year"}},
)
async def get_year(
    code: VillageCode,
    year: Annotated[Year, Path()],
    session: DbReadSession,
    principal: CurrentPrincipal,
    response: Response,
) -> Any:
    record = await reading.get_year(session, principal, code, year)
    response.headers["ETag"] = record.etag
    return record


@router.put(
    "/villages/{code}/years/{year}",
    response_model=VillageYearRead,
    summary="Create (201) or replace (200, If-Match required) the record of a data year",
    responses={**_UPDATE, 201: {"description": "Created", "model": VillageYearRead}},
)
async def put_year(
    code: VillageCode,
    year: Annotated[Year, Path()],
    data: VillageYearWrite,
    request: Request,
    session: DbSession,
    principal: AreaEditor,
    response: Response,
) -> Any:
    record, created = await service.put_year(
        session, principal, code, year, data, if_match_or_absent(request)
    )
    response.status_code = 201 if created else 200
    response.headers["ETag"] = record.etag
    return record
