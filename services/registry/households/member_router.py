"""HTTP endpoints of household members, person search and ID reveal: parse, call, answer."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from services.registry.deps import IdCipherDep
from services.registry.households import member_history, members
from services.registry.households.member_history import MemberHistoryEntry
from services.registry.households.routing import (
    IF_MATCH,
    NOT_FOUND,
    DataYear,
    DistrictAdmin,
    HealthReader,
    HouseholdId,
    MemberId,
    Reader,
    Writer,
    cursor_id,
    if_match,
    if_match_to_replace,
    page_of,
)
from services.registry.households.schemas import (
    MemberAdd,
    MemberRemove,
    MemberUpdate,
    MemberYearIn,
    PersonSearch,
)
from services.registry.households.views import (
    MemberRead,
    PersonMatch,
    RevealedId,
    member_read,
    sees_health,
)
from shared.db import DbReadSession, DbSession
from shared.etag import set_etag
from shared.idempotency import IdempotentRoute
from shared.pagination import Cursor, Limit, Page, encode_cursor

router = APIRouter(tags=["households"], route_class=IdempotentRoute)
# Endpoints whose answers must never be stored by the idempotency layer (a revealed ID
# number) or whose bodies are nothing but an ID number (its unkeyed fingerprint would be
# a reversible hash of it): plain routes.
plain_router = APIRouter(tags=["households"])


@router.post(
    "/households/{household_id}/members",
    response_model=MemberRead,
    status_code=201,
    summary="Add a member (新增人口: birth, marriage in) from a data year on",
    responses=NOT_FOUND,
)
async def add_member(
    household_id: HouseholdId,
    data: MemberAdd,
    session: DbSession,
    principal: Writer,
    cipher: IdCipherDep,
    response: Response,
) -> Any:
    member = await members.add_member(session, principal, cipher, household_id, data)
    response.headers["Location"] = f"/v1/households/{household_id}/members/{member.id}"
    set_etag(response, member.version)
    year = await members.member_year(session, member, data.data_year)
    return member_read(member, year, show_health=sees_health(principal))


@router.patch(
    "/households/{household_id}/members/{member_id}",
    response_model=MemberRead,
    summary="Correct a member's stable facts (If-Match with the member's version)",
    responses=IF_MATCH,
)
async def update_member(
    household_id: HouseholdId,
    member_id: MemberId,
    data: MemberUpdate,
    request: Request,
    session: DbSession,
    principal: Writer,
    cipher: IdCipherDep,
    response: Response,
) -> Any:
    precondition = if_match(request)
    member = await members.update_member(
        session, principal, cipher, household_id, member_id, data, precondition
    )
    set_etag(response, member.version)
    year = await members.member_year(session, member, None)
    return member_read(member, year, show_health=sees_health(principal))


@router.put(
    "/households/{household_id}/members/{member_id}/years/{year}",
    response_model=MemberRead,
    summary="Record a member's attributes of a data year (schooling, health, labour, work)",
    description=(
        "Creating the member's year needs no If-Match; replacing it (a new household year "
        "copies every member's) needs the household's ETag (`GET /v1/households/{id}`): 428 "
        "without it, 412 when stale. The answer's ETag is the household's new one."
    ),
    responses=IF_MATCH,
)
async def put_member_year(
    household_id: HouseholdId,
    member_id: MemberId,
    year: DataYear,
    data: MemberYearIn,
    request: Request,
    session: DbSession,
    principal: Writer,
    response: Response,
) -> Any:
    household, member, row = await members.put_member_year(
        session, principal, household_id, member_id, year, data, if_match_to_replace(request)
    )
    set_etag(response, household.version)
    return member_read(member, row, show_health=sees_health(principal))


@router.post(
    "/households/{household_id}/members/{member_id}/remove",
    response_model=MemberRead,
    summary="A member leaves (人口减少: death, marriage out, moving away); history is kept",
    responses={**NOT_FOUND, 409: {"description": "Already left, or the last member"}},
)
async def remove_member(
    household_id: HouseholdId,
    member_id: MemberId,
    data: MemberRemove,
    session: DbSession,
    principal: Writer,
    response: Response,
) -> Any:
    member = await members.remove_member(session, principal, household_id, member_id, data)
    set_etag(response, member.version)
    year = await members.member_year(session, member, None)
    return member_read(member, year, show_health=sees_health(principal))


@router.get(
    "/households/{household_id}/members/{member_id}/history",
    response_model=Page[MemberHistoryEntry],
    summary="Who changed the member, when, and the member's part before and after",
    description=(
        "The household's history (`GET /v1/households/{id}/history`) narrowed to one "
        "member, oldest first: registration with the household, joining, corrections "
        "(ID number included, masked), yearly records and leaving, or becoming head when "
        "the head left. `before` and `after` are parts of a member document: stable facts "
        "at the top, the year record under `year`; `before` is null for a creation. "
        "Households imported in bulk name their members by name and masked ID only, so "
        "imports are not listed here. A person who moved has one member row per household: "
        "`POST /v1/persons/search` lists them all, past ones with `left_on` set."
    ),
    responses={
        **page_of(MemberHistoryEntry),
        404: {"description": "No such household in your area, or no such member in it"},
    },
)
async def member_history_page(
    household_id: HouseholdId,
    member_id: MemberId,
    session: DbReadSession,
    principal: HealthReader,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    items = await member_history.list_member_history(
        session,
        principal,
        household_id,
        member_id,
        after=cursor_id(cursor),
        limit=limit,
        show_health=sees_health(principal),
    )
    next_cursor = encode_cursor(items[-1].id) if len(items) == limit else None
    return Page[MemberHistoryEntry](items=items, next_cursor=next_cursor)


@plain_router.post(
    "/households/{household_id}/members/{member_id}/reveal-id",
    response_model=RevealedId,
    summary="The member's full ID number (district office only; every reveal is audited)",
    responses=NOT_FOUND,
)
async def reveal_id(
    household_id: HouseholdId,
    member_id: MemberId,
    session: DbSession,
    principal: DistrictAdmin,
    cipher: IdCipherDep,
    response: Response,
) -> Any:
    response.headers["Cache-Control"] = "no-store"
    return await members.reveal_id(session, principal, cipher, household_id, member_id)


@plain_router.post(
    "/persons/search",
    response_model=Page[PersonMatch],
    summary="Find a person's households by ID number (sent in the body, never the URL)",
    description=(
        "Every membership of the person inside your area: the current one first, then past "
        "ones (the person left: `left_on` and `leave_reason` set), latest departure first. "
        "A person who left one household and joined another has a member row in each; "
        "`GET /v1/households/{household_id}/members/{member_id}/history` gives each one's "
        "history. A household outside your area is left out, whatever the membership."
    ),
    responses=page_of(PersonMatch),
)
async def search_persons(
    data: PersonSearch, session: DbSession, principal: Reader, cipher: IdCipherDep
) -> Any:
    found = await members.search_persons(session, principal, cipher, data.id_number)
    return Page[PersonMatch](items=found)
