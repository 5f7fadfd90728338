"""Reading towns, villages, designations and yearly records, and assembling what the API shows.

ETags are the row's `xmin`, the id of the transaction that wrote that row version: every
write by any path changes it, and no version column is needed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from services.registry.areas.models import KeyVillageDesignation, Town, Village, VillageYear
from services.registry.areas.schemas import (
    TOWN_KIND_ZH,
    VILLAGE_KIND_ZH,
    DesignationRead,
    TownRead,
    VillageDetail,
    VillageRead,
    VillageYearRead,
    VillageYearWrite,
)
from shared.auth import AreaLevel, Principal
from shared.errors import NotFound
from shared.etag import etag_of
from shared.scoping import area_clause

T = TypeVar("T")
_TOWN_KIND = {zh: en for en, zh in TOWN_KIND_ZH.items()}
_VILLAGE_KIND = {zh: en for en, zh in VILLAGE_KIND_ZH.items()}
_YEAR_FIELDS = tuple(VillageYearWrite.model_fields)


def row_version(table: str) -> ColumnElement[int]:
    """The row's xmin as an integer version for ETags (see the module docstring)."""
    return sa.literal_column(f"{table}.xmin::text::bigint", sa.BigInteger)


VILLAGE_VERSION = row_version("village")
DESIGNATION_VERSION = row_version("key_village_designation")
YEAR_VERSION = row_version("village_year")


def visible_villages(principal: Principal) -> ColumnElement[bool]:
    # `.expression`: area_clause is typed for Core columns, not ORM attributes.
    return area_clause(
        principal, village=Village.code.expression, town=Village.town_code.expression
    )


def visible_towns(principal: Principal) -> ColumnElement[bool]:
    # A village cadre sees the town their village lies in, a town officer their own town.
    if principal.level is AreaLevel.district:
        return Town.code.startswith(principal.area_code)
    return Town.code == principal.area_code[:9]


async def list_towns(session: AsyncSession, principal: Principal) -> list[TownRead]:
    towns = await session.scalars(
        sa.select(Town).where(visible_towns(principal)).order_by(Town.code)
    )
    return [
        TownRead.model_validate({"code": t.code, "name": t.name, "kind": _TOWN_KIND[t.kind]})
        for t in towns
    ]


async def list_villages(
    session: AsyncSession,
    principal: Principal,
    *,
    town_code: str | None,
    designation: str | None,
    key: bool | None,
    after: str | None,
    limit: int,
) -> list[VillageRead]:
    query = (
        sa.select(Village, VILLAGE_VERSION)
        .where(visible_villages(principal))
        .order_by(Village.code)
        .limit(limit)
    )
    if town_code is not None:
        query = query.where(Village.town_code == town_code)
    if after is not None:
        query = query.where(Village.code > after)
    designated = sa.select(KeyVillageDesignation.id).where(
        KeyVillageDesignation.village_code == Village.code
    )
    if designation is not None:
        query = query.where(
            designated.where(KeyVillageDesignation.designation == designation).exists()
        )
    if key is not None:
        query = query.where(designated.exists() if key else ~designated.exists())
    rows = (await session.execute(query)).all()
    designations = await designations_of(session, [v.code for v, _ in rows])
    return [village_read(v, version, designations.get(v.code, [])) for v, version in rows]


async def get_village(session: AsyncSession, principal: Principal, code: str) -> VillageDetail:
    found = await session.scalar(
        sa.select(Village.code).where(Village.code == code, visible_villages(principal))
    )
    if found is None:
        raise NotFound(f"no village {code}")
    return await detail(session, code)


async def get_year(
    session: AsyncSession, principal: Principal, code: str, year: int
) -> VillageYearRead:
    row = await one(
        session,
        sa.select(VillageYear, YEAR_VERSION)
        .join(Village, Village.code == VillageYear.village_code)
        .where(VillageYear.village_code == code, VillageYear.year == year)
        .where(visible_villages(principal)),
    )
    if row is None:
        raise NotFound(f"no record of village {code} for {year}")
    return year_read(*row)


async def one(session: AsyncSession, query: sa.Select[T, int]) -> sa.Row[T, int] | None:
    return (await session.execute(query)).one_or_none()


async def detail(session: AsyncSession, code: str) -> VillageDetail:
    return (await details(session, [code]))[code]


async def details(session: AsyncSession, codes: Sequence[str]) -> dict[str, VillageDetail]:
    details: dict[str, VillageDetail] = {}
    for chunk in chunks(codes, 500):
        query = sa.select(Village, VILLAGE_VERSION).where(Village.code.in_(chunk))
        rows = (await session.execute(query)).all()
        designations = await designations_of(session, chunk)
        years = await years_of(session, chunk)
        for village, version in rows:
            read = village_read(village, version, designations.get(village.code, []))
            details[village.code] = VillageDetail(
                **read.model_dump(), years=years.get(village.code, [])
            )
    return details


async def designations_of(
    session: AsyncSession, codes: Sequence[str]
) -> dict[str, list[DesignationRead]]:
    if not codes:
        return {}
    rows = await session.execute(
        sa.select(KeyVillageDesignation, DESIGNATION_VERSION)
        .where(KeyVillageDesignation.village_code.in_(codes))
        .order_by(KeyVillageDesignation.designated_year, KeyVillageDesignation.designation)
    )
    found: dict[str, list[DesignationRead]] = {}
    for record, version in rows:
        found.setdefault(record.village_code, []).append(designation_read(record, version))
    return found


async def years_of(session: AsyncSession, codes: Sequence[str]) -> dict[str, list[VillageYearRead]]:
    if not codes:
        return {}
    rows = await session.execute(
        sa.select(VillageYear, YEAR_VERSION)
        .where(VillageYear.village_code.in_(codes))
        .order_by(VillageYear.year)
    )
    found: dict[str, list[VillageYearRead]] = {}
    for record, version in rows:
        found.setdefault(record.village_code, []).append(year_read(record, version))
    return found


def village_facts(village: Village) -> dict[str, Any]:
    return {
        "name": village.name,
        "kind": _VILLAGE_KIND[village.kind],
        "code_generated": village.code_generated,
        "name_generated": village.name_generated,
    }


def village_read(
    village: Village, version: int, designations: list[DesignationRead]
) -> VillageRead:
    return VillageRead(
        code=village.code,
        town_code=village.town_code,
        etag=etag_of(version),
        designations=designations,
        **village_facts(village),
    )


def designation_read(record: KeyVillageDesignation, version: int) -> DesignationRead:
    return DesignationRead.model_validate(
        {
            "designation": record.designation,
            "designated_year": record.designated_year,
            "exit_year": record.exit_year,
            "etag": etag_of(version),
        }
    )


def year_facts(record: VillageYear) -> dict[str, Any]:
    return {name: getattr(record, name) for name in _YEAR_FIELDS}


def year_read(record: VillageYear, version: int) -> VillageYearRead:
    return VillageYearRead(
        village_code=record.village_code, year=record.year, etag=etag_of(version),
        **year_facts(record),
    )  # fmt: skip


def chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
