"""Reading households: one household, or a page of them, as of a data year."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.households.models import Household, HouseholdYear, Member, MemberYear
from services.registry.households.records import MEMBER_ORDER, get_household, in_area
from services.registry.households.views import HouseholdRead, household_read, sees_health
from shared.auth import Principal


@dataclass(frozen=True, slots=True)
class HouseholdFilters:
    village_code: str | None = None
    town_code: str | None = None
    status: str | None = None
    identification_standard: str | None = None
    main_cause: str | None = None
    year: int | None = None


async def list_households(
    session: AsyncSession,
    principal: Principal,
    filters: HouseholdFilters,
    *,
    after: uuid.UUID | None,
    limit: int,
) -> list[HouseholdRead]:
    query = sa.select(Household).where(in_area(principal)).order_by(Household.id).limit(limit)
    for column, value in (
        (Household.village_code, filters.village_code),
        (Household.town_code, filters.town_code),
        (Household.status, filters.status),
        (Household.identification_standard, filters.identification_standard),
        (Household.main_cause, filters.main_cause),
    ):
        if value is not None:
            query = query.where(column == value)
    if filters.year is not None:
        query = query.where(
            sa.exists().where(
                HouseholdYear.household_id == Household.id, HouseholdYear.year == filters.year
            )
        )
    if after is not None:
        query = query.where(Household.id > after)
    households = list((await session.scalars(query)).all())
    return await render(session, principal, households, filters.year)


async def read_household(
    session: AsyncSession, principal: Principal, household_id: uuid.UUID, year: int | None
) -> HouseholdRead:
    household = await get_household(session, principal, household_id)
    return (await render(session, principal, [household], year))[0]


async def render(
    session: AsyncSession, principal: Principal, households: list[Household], year: int | None
) -> list[HouseholdRead]:
    """Households as of `year` (else each one's latest), in three queries for any page size."""
    if not households:
        return []
    ids = [h.id for h in households]
    year_query = sa.select(HouseholdYear).where(HouseholdYear.household_id.in_(ids))
    if year is not None:
        year_query = year_query.where(HouseholdYear.year == year)
    else:  # the latest record of each household
        year_query = year_query.order_by(HouseholdYear.household_id, HouseholdYear.year.desc()).ext(
            distinct_on(HouseholdYear.household_id)
        )
    records = {r.household_id: r for r in await session.scalars(year_query)}
    member_query = (
        sa.select(Member)
        .where(Member.household_id.in_(ids))
        .order_by(Member.household_id, *MEMBER_ORDER)
    )
    members = list((await session.scalars(member_query)).all())
    shown = {hid: r.year for hid, r in records.items()}
    member_years: dict[tuple[uuid.UUID, int], MemberYear] = {}
    if shown and members:
        year_rows = await session.scalars(
            sa.select(MemberYear).where(
                MemberYear.member_id.in_([m.id for m in members]),
                MemberYear.year.in_(set(shown.values())),
            )
        )
        member_years = {(y.member_id, y.year): y for y in year_rows}
    by_household: dict[uuid.UUID, list[Member]] = defaultdict(list)
    for member in members:
        by_household[member.household_id].append(member)
    show_health = sees_health(principal)
    result = []
    for household in households:
        shown_year = shown.get(household.id)
        mine = [
            (m, member_years.get((m.id, shown_year)) if shown_year is not None else None)
            for m in by_household[household.id]
        ]
        size = sum(
            1 for m, y in mine if y is not None and (m.left_on is None or m.left_on.year > y.year)
        )
        result.append(
            household_read(
                household, records.get(household.id), mine, size=size, show_health=show_health
            )
        )
    return result
