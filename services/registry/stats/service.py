"""Household and village aggregates, computed by PostgreSQL (GROUP BY), inside the caller's area.

Definitions, the same in both aggregates:
- *registered*: every household of the register (建档立卡 is cumulative: exited households
  stay registered). With `year`, households identified after that year are left out.
- *persons*: current members; with `year`, members who had not left by the end of it.
- *not exited*: without `year`, a status other than exited (已脱贫, with or without
  policies); pre-exit (预脱贫) and returned (返贫) households count as not exited, since
  they are not deregistered. With `year`: not (exited status and exit year ≤ `year`); an
  exited household with no exit year counts as exited.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from services.registry.areas.models import Village, VillageYear
from services.registry.areas.reading import visible_villages
from services.registry.codes.catalog import EXITED
from services.registry.households.models import Household, Member
from services.registry.stats.schemas import (
    Counts,
    GroupBy,
    HouseholdGroup,
    HouseholdStats,
    VillageIncidence,
)
from shared.auth import Principal
from shared.scoping import area_clause

_DIMENSIONS: dict[GroupBy, sa.orm.InstrumentedAttribute[Any]] = {
    GroupBy.town: Household.town_code,
    GroupBy.village: Household.village_code,
    GroupBy.status: Household.status,
    GroupBy.assistance_type: Household.assistance_type,
    GroupBy.main_cause: Household.main_cause,
    GroupBy.identification_standard: Household.identification_standard,
    GroupBy.identification_year: Household.identification_year,
    GroupBy.exit_year: Household.exit_year,
}


def _not_exited(year: int | None) -> ColumnElement[bool]:
    exited = Household.status.in_(EXITED)
    if year is None:
        return ~exited
    return ~sa.and_(exited, sa.func.coalesce(Household.exit_year <= year, sa.true()))


def _member_present(year: int | None) -> ColumnElement[bool]:
    if year is None:
        return Member.left_on.is_(None)
    return sa.or_(Member.left_on.is_(None), Member.left_on > date(year, 12, 31))


def _counts(year: int | None) -> list[sa.Label[Any]]:
    """households, persons, not_exited_households, not_exited_persons over household ⟕ member."""
    not_exited = _not_exited(year)
    return [
        sa.func.count(sa.distinct(Household.id)).label("households"),
        sa.func.count(Member.id).label("persons"),
        sa.func.count(sa.distinct(Household.id)).filter(not_exited).label("not_exited_households"),
        sa.func.count(Member.id).filter(not_exited).label("not_exited_persons"),
    ]


def _with_members(query: sa.Select[Any], year: int | None) -> sa.Select[Any]:
    return query.select_from(Household).outerjoin(
        Member, sa.and_(Member.household_id == Household.id, _member_present(year))
    )


async def household_stats(
    session: AsyncSession,
    principal: Principal,
    *,
    group_by: Sequence[GroupBy],
    year: int | None,
    town_code: str | None,
    village_code: str | None,
) -> HouseholdStats:
    dimensions = [_DIMENSIONS[g].label(g.value) for g in group_by]
    query = _with_members(sa.select(*dimensions, *_counts(year)), year).where(
        area_clause(
            principal,
            village=Household.village_code.expression,
            town=Household.town_code.expression,
        )
    )
    if year is not None:
        query = query.where(Household.identification_year <= year)
    if town_code is not None:
        query = query.where(Household.town_code == town_code)
    if village_code is not None:
        query = query.where(Household.village_code == village_code)
    if dimensions:
        query = query.group_by(*dimensions).order_by(*dimensions)
    items = []
    for row in (await session.execute(query)).mappings():
        counts = {name: int(row[name]) for name in Counts.model_fields}
        if counts["households"]:  # no groups: one all-zero row comes back
            items.append(HouseholdGroup(group={g.value: row[g.value] for g in group_by}, **counts))
    total = Counts(**{name: sum(getattr(i, name) for i in items) for name in Counts.model_fields})
    return HouseholdStats(group_by=list(group_by), year=year, items=items, total=total)


async def village_stats(
    session: AsyncSession,
    principal: Principal,
    *,
    year: int,
    town_code: str | None,
    after: str | None,
    limit: int,
) -> list[VillageIncidence]:
    """Per village, the inputs of the poverty incidence and the incidence itself."""
    # LATERAL: each village's households are counted through the village index, so a page
    # of villages costs that page's households, not the whole area's.
    per_village = (
        _with_members(sa.select(*_counts(year)), year)
        .where(Household.village_code == Village.code, Household.identification_year <= year)
        .lateral("per_village")
    )
    rural = VillageYear.rural_population
    incidence = sa.func.round(
        sa.cast(per_village.c.not_exited_persons, sa.Numeric) / sa.func.nullif(rural, 0), 4
    )
    query = (
        sa.select(
            Village.code,
            Village.name,
            Village.town_code,
            rural,
            per_village.c.households,
            per_village.c.persons,
            per_village.c.not_exited_households,
            per_village.c.not_exited_persons,
            incidence,
        )
        .outerjoin(
            VillageYear, sa.and_(VillageYear.village_code == Village.code, VillageYear.year == year)
        )
        .join(per_village, sa.true())
        .where(visible_villages(principal))
        .order_by(Village.code)
        .limit(limit)
    )
    if town_code is not None:
        query = query.where(Village.town_code == town_code)
    if after is not None:
        query = query.where(Village.code > after)
    return [
        VillageIncidence(
            village_code=code,
            village_name=name,
            town_code=town,
            rural_population=population,
            registered_households=households,
            registered_persons=persons,
            not_exited_households=ne_households,
            not_exited_persons=ne_persons,
            incidence=ratio,
        )
        for code, name, town, population, households, persons, ne_households, ne_persons, ratio in (
            await session.execute(query)
        ).all()
    ]
