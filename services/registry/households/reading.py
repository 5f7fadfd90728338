"""Reading households: one household, a page of them (whole, for the export), or a page of
their summaries (the list), as of a data year.

A read is one statement, sent straight to asyncpg (shared.db.read_connection, or the
driver under a write's session). PostgreSQL builds each household's response document
(`json_build_object`, `json_agg`) and the service passes the bytes through: no ORM objects,
no response-model validation and no JSON encoding in Python. The documents are the JSON of
`views.HouseholdRead` and the summaries that of `summaries.HouseholdSummary`: their keys are
generated from the response models' fields, in the models' order, and values are written as
pydantic writes them (money as two-place strings, timestamps in UTC with `Z`);
tests/registry/test_households_documents.py holds them equal to the model-built references
for every role and data-year case.

The SQL text depends only on the shape of the request (the caller's area level, which
filters are given, whether a year is asked for), never on values: every variant is a
prepared statement that asyncpg caches per connection.
"""

# SQL text is built only from the response models' field names and fixed fragments; every
# value is a bound parameter.
# ruff: noqa: S608

from __future__ import annotations

import functools
import types
import typing
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.dialects.postgresql.base import PGDialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import BindParameter

from services.registry.households.summaries import HouseholdSummary
from services.registry.households.views import (
    HouseholdRead,
    HouseholdYearRead,
    MemberRead,
    MemberYearRead,
    sees_health,
)
from shared.auth import DISTRICT_CODE, AreaLevel, Principal, Role
from shared.db import Driver, driver_of
from shared.errors import NotFound
from shared.scoping import area_clause


@dataclass(frozen=True, slots=True)
class HouseholdFilters:
    village_code: str | None = None
    town_code: str | None = None
    status: str | None = None
    identification_standard: str | None = None
    main_cause: str | None = None
    year: int | None = None


@dataclass(frozen=True, slots=True)
class Document:
    """A household's response body (JSON, UTF-8) with its id and version (the ETag)."""

    id: uuid.UUID
    version: int
    json: bytes


@dataclass(frozen=True, slots=True)
class SummaryPage:
    """A page of `HouseholdSummary`s: their JSON as PostgreSQL wrote it, joined by commas,
    how many there are and the last one's id (the next page's cursor)."""

    count: int
    last: uuid.UUID | None
    items: bytes

    def json(self, next_cursor: str | None) -> bytes:
        """`Page[HouseholdSummary]` as JSON: {"items": [...], "next_cursor": ...}."""
        cursor = b"null" if next_cursor is None else b'"' + next_cursor.encode() + b'"'
        return b'{"items":[' + self.items + b'],"next_cursor":' + cursor + b"}"


# --- the documents' SQL, generated from the response models --------------------------------


def _mentions(annotation: Any, kind: type) -> bool:
    if annotation is kind:
        return True
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType or origin is typing.Annotated:
        return any(_mentions(a, kind) for a in typing.get_args(annotation))
    return False


# pydantic writes an aware datetime in UTC as 2019-03-02T01:15:00.123456Z, without the
# fraction when it is zero; asyncpg hands timestamptz to it in UTC.
_UTC = (
    "to_char({col} AT TIME ZONE 'UTC', CASE WHEN date_trunc('second', {col}) = {col}"
    """ THEN 'YYYY-MM-DD"T"HH24:MI:SS"Z"' ELSE 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"' END)"""
)


def _json_object(model: type[BaseModel], alias: str, special: Mapping[str, str]) -> str:
    """json_build_object over the model's fields, in order. A field is the column of the
    same name unless `special` says otherwise; money (Decimal, written with two places) is
    numeric(_, 2) as text, a timestamp is written as pydantic writes it."""
    unknown = set(special) - set(model.model_fields)
    if unknown:
        raise ValueError(f"{model.__name__} has no field {sorted(unknown)}")
    pairs = []
    for name, info in model.model_fields.items():
        column = f"{alias}.{name}"
        if name in special:
            value = special[name]
        elif _mentions(info.annotation, Decimal):
            value = f"{column}::text"
        elif _mentions(info.annotation, datetime):
            value = _UTC.format(col=column)
        else:
            value = column
        pairs.append(f"'{name}', {value}")
    return f"json_build_object({', '.join(pairs)})"


class _Params:
    """Positional parameters ($1, $2, …) by name, for the driver's own paramstyle."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def __call__(self, name: str) -> str:
        if name not in self.names:
            self.names.append(name)
        return f"${self.names.index(name) + 1}"


@dataclass(frozen=True, slots=True)
class _Statement:
    sql: str
    names: tuple[str, ...]

    def args(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(values[n] for n in self.names)


_MEMBER_ORDER = "m.relation <> 'head', m.birth_date, m.id"  # records.MEMBER_ORDER
# A member with a record of the shown year `r.year` counts in it (the size) unless they
# had left before it.
_COUNTED = "(m.left_on IS NULL OR extract(year FROM m.left_on) > r.year)"


def _shown_year(p: _Params, year_given: bool, columns: str) -> str:
    """The household_year row shown, as `r`: the year asked for, else the latest."""
    year_filter = f" AND y.year = {p('year')}" if year_given else ""
    return f"""
        LEFT JOIN LATERAL (
            SELECT {columns}
            FROM household_year y WHERE y.household_id = h.id{year_filter}
            ORDER BY y.year DESC LIMIT 1
        ) r ON true"""


def _document_sql(p: _Params, year_given: bool) -> tuple[str, str]:
    """(the document's expression, the joins it needs) over households aliased `h`."""
    hidden = {"health", "disability_category", "disability_grade"}
    member_year = _json_object(
        MemberYearRead,
        "my",
        {name: f"CASE WHEN {p('show_health')} THEN my.{name} END" for name in hidden},
    )
    member = _json_object(
        MemberRead,
        "m",
        {"year": f"CASE WHEN my.member_id IS NOT NULL THEN {member_year} END"},
    )
    household = _json_object(
        HouseholdRead,
        "h",
        {
            "size": "ms.size",
            "year": "r.doc",
            "members": "ms.current",
            "departed_members": "ms.departed",
        },
    )
    year = f"y.year, {_json_object(HouseholdYearRead, 'y', {})} AS doc"
    joins = f"""{_shown_year(p, year_given, year)}
        LEFT JOIN LATERAL (
            SELECT
                coalesce(json_agg({member} ORDER BY {_MEMBER_ORDER})
                         FILTER (WHERE m.left_on IS NULL), '[]') AS current,
                coalesce(json_agg({member} ORDER BY {_MEMBER_ORDER})
                         FILTER (WHERE m.left_on IS NOT NULL), '[]') AS departed,
                count(my.member_id) FILTER (WHERE {_COUNTED}) AS size
            FROM member m
            LEFT JOIN member_year my ON my.member_id = m.id AND my.year = r.year
            WHERE m.household_id = h.id
        ) ms ON true"""
    return household, joins


def _summary_sql(p: _Params, year_given: bool) -> tuple[str, str]:
    """(the summary's expression, the joins it needs) over households aliased `h`."""
    summary = _json_object(
        HouseholdSummary,
        "h",
        {
            "head_name": "c.head_name",
            "size": "c.size",
            "year": "r.year",
            "per_capita_net_income": "r.per_capita_net_income::text",
        },
    )
    # Relations are not kept per year, so a year can count two heads: one who left after it
    # and the one named on their leaving. The one who left first was the head in that year;
    # a current head (left_on null) sorts last.
    joins = f"""{_shown_year(p, year_given, "y.year, y.per_capita_net_income")}
        LEFT JOIN LATERAL (
            SELECT count(*) AS size,
                (array_agg(m.name ORDER BY m.left_on, m.birth_date, m.id)
                    FILTER (WHERE m.relation = 'head'))[1] AS head_name
            FROM member m
            JOIN member_year my ON my.member_id = m.id AND my.year = r.year
            WHERE m.household_id = h.id AND {_COUNTED}
        ) c ON true"""
    return summary, joins


_SAMPLE_AREA = {
    AreaLevel.district: DISTRICT_CODE,
    AreaLevel.town: DISTRICT_CODE + "000",
    AreaLevel.village: DISTRICT_CODE + "000000",
}


@functools.cache
def _area_sql(level: AreaLevel) -> str:
    """shared.scoping's area clause for a caller of this level, with the code as :area."""
    clause = area_clause(
        Principal("", Role.district_admin, _SAMPLE_AREA[level]),
        village=sa.literal_column("h.village_code"),
        town=sa.literal_column("h.town_code"),
    )
    clause = visitors.replacement_traverse(clause, {}, _area_parameter)
    dialect = PGDialect(paramstyle="named")  # type: ignore[no-untyped-call]
    return str(clause.compile(dialect=dialect))


def _area_parameter(element: Any, **_: Any) -> Any:
    return sa.bindparam("area") if isinstance(element, BindParameter) else None


def _scoped(p: _Params, level: AreaLevel) -> str:
    return _area_sql(level).replace(":area", p("area"))


@functools.cache
def _one_statement(level: AreaLevel, year_given: bool) -> _Statement:
    p = _Params()
    document, joins = _document_sql(p, year_given)
    sql = f"""SELECT h.id, h.version, convert_to({document}::text, 'UTF8')
        FROM household h {joins}
        WHERE h.id = {p("id")} AND {_scoped(p, level)}"""
    return _Statement(sql, tuple(p.names))


_COLUMN_FILTERS = ("village_code", "town_code", "status", "identification_standard", "main_cause")


def _page(p: _Params, level: AreaLevel, given: frozenset[str], after: bool) -> str:
    """The page's households, chosen first (keyset on id) so that documents or summaries
    are built for its rows only."""
    where = [_scoped(p, level)]
    where += [f"h.{name} = {p(name)}" for name in _COLUMN_FILTERS if name in given]
    if "year" in given:
        where.append(
            "EXISTS (SELECT 1 FROM household_year hy"
            f" WHERE hy.household_id = h.id AND hy.year = {p('year')})"
        )
    if after:
        where.append(f"h.id > {p('after')}")
    return f"""(SELECT * FROM household h WHERE {" AND ".join(where)}
              ORDER BY h.id LIMIT {p("limit")}) h"""


@functools.cache
def _page_statement(level: AreaLevel, given: frozenset[str], after: bool) -> _Statement:
    p = _Params()
    document, joins = _document_sql(p, "year" in given)
    sql = f"""SELECT h.id, h.version, convert_to({document}::text, 'UTF8')
        FROM {_page(p, level, given, after)} {joins}
        ORDER BY h.id"""
    return _Statement(sql, tuple(p.names))


@functools.cache
def _summary_statement(level: AreaLevel, given: frozenset[str], after: bool) -> _Statement:
    p = _Params()
    summary, joins = _summary_sql(p, "year" in given)
    # The whole page in one row, its JSON as bytea: asyncpg hands the bytes over as they are,
    # with no record per household and no decoding to str and encoding back (a third of the
    # client's CPU per page, measured).
    sql = f"""SELECT count(*), (array_agg(h.id ORDER BY h.id))[count(*)],
            convert_to(string_agg({summary}::text, ',' ORDER BY h.id), 'UTF8')
        FROM {_page(p, level, given, after)} {joins}"""
    return _Statement(sql, tuple(p.names))


# --- reading ----------------------------------------------------------------------------------


async def _fetch(
    driver: Driver, statement: _Statement, values: Mapping[str, Any]
) -> list[Document]:
    rows = await driver.fetch(statement.sql, *statement.args(values))
    # bytea: the UTF-8 bytes as PostgreSQL wrote them, passed through undecoded.
    return [Document(r[0], r[1], r[2]) for r in rows]


async def session_driver(session: AsyncSession) -> Driver:
    """The driver under a write's session, inside its transaction (flushed changes show)."""
    return await driver_of(await session.connection())


def _values(principal: Principal, **values: Any) -> dict[str, Any]:
    return {"area": principal.area_code, "show_health": sees_health(principal), **values}


async def read_household(
    driver: Driver, principal: Principal, household_id: uuid.UUID, year: int | None
) -> Document:
    """The household as of `year` (else its latest year); 404 outside the caller's area."""
    statement = _one_statement(principal.level, year is not None)
    found = await _fetch(driver, statement, _values(principal, id=household_id, year=year))
    if not found:
        raise NotFound("no such household")
    return found[0]


async def list_households(
    driver: Driver,
    principal: Principal,
    filters: HouseholdFilters,
    *,
    after: uuid.UUID | None,
    limit: int,
) -> list[Document]:
    """Households of the caller's area matching `filters`, by id after `after`."""
    given = _given(filters)
    statement = _page_statement(principal.level, frozenset(given), after is not None)
    return await _fetch(driver, statement, _values(principal, **given, after=after, limit=limit))


async def list_summaries(
    driver: Driver,
    principal: Principal,
    filters: HouseholdFilters,
    *,
    after: uuid.UUID | None,
    limit: int,
) -> SummaryPage:
    """Summaries of the households `list_households` would give."""
    given = _given(filters)
    statement = _summary_statement(principal.level, frozenset(given), after is not None)
    values = _values(principal, **given, after=after, limit=limit)
    count, last, items = await driver.fetchrow(statement.sql, *statement.args(values))
    return SummaryPage(count, last, items or b"")


def _given(filters: HouseholdFilters) -> dict[str, Any]:
    """The filters given (not None)."""
    fields = HouseholdFilters.__dataclass_fields__
    return {n: v for n in fields if (v := getattr(filters, n)) is not None}
