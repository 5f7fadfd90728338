"""Assistance cadres (帮扶责任人) and their pairings with households (结对帮扶).

Reads: every role, inside its area. Writes: district admin, or a town officer inside
their town; pairings are assigned by the town, so village cadres only read them.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from services.registry.areas.router import if_match, page_example
from services.registry.cadres import service
from services.registry.cadres.schemas import (
    CADRE_EXAMPLE,
    CadreCreate,
    CadreRead,
    CadreUpdate,
    HouseholdCadreRead,
    PairingCreate,
    PairingEnd,
    PairingRead,
)
from shared.auth import CurrentPrincipal, Principal, Role, require_roles
from shared.db import DbReadSession, DbSession
from shared.errors import FieldError, InvalidInput
from shared.idempotency import IdempotentRoute
from shared.pagination import Cursor, Limit, Page, decode_cursor, encode_cursor

router = APIRouter(prefix="/v1", tags=["cadres"], route_class=IdempotentRoute)

CadreEditor = Annotated[Principal, Depends(require_roles(Role.district_admin, Role.town_officer))]
Active = Annotated[
    bool | None,
    Query(description="Only pairings running today (true) or ended (false); all when absent"),
]
_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such cadre in the caller's area"}
}


def _after(cursor: str | None) -> tuple[str, str, uuid.UUID] | None:
    position = decode_cursor(cursor)
    if position is None:
        return None
    try:
        town_code, name, cadre_id = position
        return str(town_code), str(name), uuid.UUID(str(cadre_id))
    except ValueError as exc:  # wrong length or not a UUID
        raise InvalidInput(
            "the cursor is not one this service issued",
            errors=[FieldError(("query", "cursor"), "malformed cursor")],
        ) from exc


@router.get(
    "/cadres",
    response_model=Page[CadreRead],
    summary="Assistance cadres (帮扶责任人)",
    responses=page_example(CADRE_EXAMPLE, "WyIzNzA0MDQxMDQiLCAi5a2Z56uL5pawIiwgIi4uLiJd"),
)
async def list_cadres(
    session: DbReadSession,
    principal: CurrentPrincipal,
    town_code: Annotated[str | None, Query(pattern=r"^370404\d{3}$")] = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Any:
    cadres = await service.list_cadres(
        session, principal, town_code=town_code, after=_after(cursor), limit=limit + 1
    )
    more = len(cadres) > limit
    cadres = cadres[:limit]
    last = cadres[-1] if cadres else None
    next_cursor = encode_cursor(last.town_code, last.name, last.id) if more and last else None
    return Page[CadreRead](items=cadres, next_cursor=next_cursor)


@router.get(
    "/cadres/{cadre_id}", response_model=CadreRead, summary="One cadre", responses=_NOT_FOUND
)
async def get_cadre(
    cadre_id: uuid.UUID, session: DbReadSession, principal: CurrentPrincipal, response: Response
) -> Any:
    cadre = await service.get_cadre(session, principal, cadre_id)
    response.headers["ETag"] = cadre.etag
    return cadre


@router.post(
    "/cadres",
    response_model=CadreRead,
    status_code=201,
    summary="Register a cadre (district admin; town officer in their town)",
)
async def create_cadre(
    data: CadreCreate, session: DbSession, principal: CadreEditor, response: Response
) -> Any:
    cadre = await service.create_cadre(session, principal, data)
    response.headers["ETag"] = cadre.etag
    response.headers["Location"] = f"/v1/cadres/{cadre.id}"
    return cadre


@router.patch(
    "/cadres/{cadre_id}",
    response_model=CadreRead,
    summary="Change a cadre's details (If-Match required)",
    responses={
        **_NOT_FOUND,
        412: {"description": "If-Match is stale"},
        428: {"description": "If-Match is missing"},
    },
)
async def update_cadre(
    cadre_id: uuid.UUID,
    data: CadreUpdate,
    request: Request,
    session: DbSession,
    principal: CadreEditor,
    response: Response,
) -> Any:
    cadre = await service.update_cadre(session, principal, cadre_id, data, if_match(request))
    response.headers["ETag"] = cadre.etag
    return cadre


@router.delete(
    "/cadres/{cadre_id}",
    status_code=204,
    summary="Remove a cadre who was never paired (409 otherwise: end the pairings)",
    responses={**_NOT_FOUND, 409: {"description": "The cadre has pairings"}},
)
async def delete_cadre(cadre_id: uuid.UUID, session: DbSession, principal: CadreEditor) -> Response:
    await service.delete_cadre(session, principal, cadre_id)
    return Response(status_code=204)


@router.get(
    "/cadres/{cadre_id}/pairings",
    response_model=list[PairingRead],
    summary="The cadre's pairings with households of the caller's area",
    responses=_NOT_FOUND,
)
async def cadre_pairings(
    cadre_id: uuid.UUID, session: DbReadSession, principal: CurrentPrincipal, active: Active = None
) -> Any:
    return await service.cadre_pairings(session, principal, cadre_id, active=active)


@router.post(
    "/cadres/{cadre_id}/pairings",
    response_model=HouseholdCadreRead,
    status_code=201,
    summary="Pair the cadre with a household from a date (结对帮扶)",
    responses={**_NOT_FOUND, 409: {"description": "Already paired in an overlapping period"}},
)
async def add_pairing(
    cadre_id: uuid.UUID, data: PairingCreate, session: DbSession, principal: CadreEditor
) -> Any:
    return await service.add_pairing(session, principal, cadre_id, data)


@router.post(
    "/cadres/{cadre_id}/pairings/{pairing_id}/end",
    response_model=HouseholdCadreRead,
    summary="End a pairing on a date",
    responses={
        404: {"description": "No such pairing in the caller's area"},
        409: {"description": "The pairing has already ended"},
    },
)
async def end_pairing(
    cadre_id: uuid.UUID,
    pairing_id: uuid.UUID,
    data: PairingEnd,
    session: DbSession,
    principal: CadreEditor,
) -> Any:
    return await service.end_pairing(session, principal, cadre_id, pairing_id, data)


@router.get(
    "/households/{household_id}/cadres",
    response_model=list[HouseholdCadreRead],
    summary="Who helps this household, and since when",
    responses={404: {"description": "No such household in the caller's area"}},
)
async def household_cadres(
    household_id: uuid.UUID,
    session: DbReadSession,
    principal: CurrentPrincipal,
    active: Active = None,
) -> Any:
    return await service.household_cadres(session, principal, household_id, active=active)
