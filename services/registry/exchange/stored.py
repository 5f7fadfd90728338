"""What the database already holds for a batch of imported households, read in four
set-based queries over the request's own connection (asyncpg, no ORM objects).

Rows come back as tuples in `tables`' column orders, so the importer compares what a file
says with what is stored without building ORM objects.
"""

# SQL text is built only from the fixed names in tables.py; values are always bound.
# ruff: noqa: S608

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from services.registry.exchange import tables

Driver = Any  # asyncpg.Connection (asyncpg ships no type information)


@dataclass(frozen=True, slots=True)
class VillageEntry:
    code: str
    town_code: str
    name: str
    town_name: str


@dataclass(frozen=True, slots=True)
class Directory:
    """Every village, by code and by (town name, village name): a district has ~345."""

    by_code: dict[str, VillageEntry]
    by_name: dict[tuple[str, str], list[VillageEntry]]


async def load_directory(driver: Driver) -> Directory:
    rows = await driver.fetch(
        "SELECT v.code, v.town_code, v.name, t.name AS town_name"
        " FROM village v JOIN town t ON t.code = v.town_code"
    )
    by_code: dict[str, VillageEntry] = {}
    by_name: dict[tuple[str, str], list[VillageEntry]] = defaultdict(list)
    for r in rows:
        entry = VillageEntry(r["code"], r["town_code"], r["name"], r["town_name"])
        by_code[entry.code] = entry
        by_name[(entry.town_name, entry.name)].append(entry)
    return Directory(by_code, dict(by_name))


@dataclass(slots=True)
class StoredMember:
    row: tuple[Any, ...]  # tables.MEMBER minus the ciphertext (None in its place)
    year_row: tuple[Any, ...] | None  # tables.MEMBER_YEAR of the latest year <= the import's

    @property
    def id(self) -> uuid.UUID:
        member_id: uuid.UUID = self.row[0]
        return member_id


@dataclass(slots=True)
class StoredHousehold:
    row: tuple[Any, ...]  # tables.HOUSEHOLD
    year_row: tuple[Any, ...] | None  # tables.YEAR of the latest year <= the import's
    members: list[StoredMember] = field(default_factory=list)  # current members

    @property
    def id(self) -> uuid.UUID:
        household_id: uuid.UUID = self.row[0]
        return household_id


def _select(columns: Sequence[str], table: str, alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    return f"SELECT {', '.join(prefix + c for c in columns)} FROM {table} {alias}"


_MEMBER_READ = [c if c != "id_number_cipher" else "NULL::bytea" for c in tables.MEMBER]


async def load_stored(
    driver: Driver, numbers: Collection[str], year: int, *, lock: bool
) -> dict[str, StoredHousehold]:
    """Households with these 户编号, their latest year record up to `year`, and their
    current members with theirs. `lock` takes the household rows FOR UPDATE (commit)."""
    query = _select(tables.HOUSEHOLD, "household") + " WHERE national_number = ANY($1::text[])"
    rows = await driver.fetch(query + (" FOR UPDATE" if lock else ""), list(numbers))
    if not rows:
        return {}
    found = {r["national_number"]: StoredHousehold(tuple(r), None) for r in rows}
    by_id = {h.id: h for h in found.values()}
    ids = list(by_id)
    years = await driver.fetch(
        _select(tables.YEAR, "household_year")
        + " WHERE household_id = ANY($1::uuid[]) AND year <= $2"
        " ORDER BY household_id, year DESC",
        ids,
        year,
    )
    for r in years:
        household = by_id[r["household_id"]]
        if household.year_row is None:  # the first is the latest
            household.year_row = tuple(r)
    members = await driver.fetch(
        f"SELECT {', '.join(_MEMBER_READ)} FROM member"
        " WHERE household_id = ANY($1::uuid[]) AND left_on IS NULL",
        ids,
    )
    by_member: dict[uuid.UUID, StoredMember] = {}
    for r in members:
        member = StoredMember(tuple(r), None)
        by_member[member.id] = member
        by_id[r["household_id"]].members.append(member)
    if by_member:
        member_years = await driver.fetch(
            _select(tables.MEMBER_YEAR, "member_year")
            + " WHERE member_id = ANY($1::uuid[]) AND year <= $2 ORDER BY member_id, year DESC",
            list(by_member),
            year,
        )
        for r in member_years:
            stored = by_member[r["member_id"]]
            if stored.year_row is None:
                stored.year_row = tuple(r)
    return found
