"""Export of households in the exchange layouts (CSV, XLSX) and as NDJSON, streamed.

Households are read in keyset batches (by id, never OFFSET) in the caller's area, each
batch in four queries, so memory holds one batch whatever the district's size. Full ID
numbers go only to roles that exchange them with the national system; everyone else gets
the masked form. An XLSX file is written to a temporary file first (a ZIP is finished at
its end) and then streamed.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from decimal import Decimal

import openpyxl
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.registry.areas.models import Town, Village
from services.registry.codes.catalog import DANGEROUS_HOUSE
from services.registry.exchange.formats import SHEET_TITLE
from services.registry.exchange.layouts import LAYOUTS, format_household
from services.registry.exchange.merge import COUNTY_NAME
from services.registry.exchange.records import ExchangeHousehold, ExchangeMember
from services.registry.households import reading
from services.registry.households.models import Household, HouseholdYear, Member, MemberYear
from services.registry.households.quality import IncomeComponents
from services.registry.households.records import MEMBER_ORDER, in_area
from shared.auth import Principal, Role
from shared.db import Driver
from shared.idcard import IdCipher

BATCH = 500
# The national exchange carries full ID numbers; these roles exchange with it.
UNMASKED_ROLES = frozenset({Role.district_admin, Role.provincial_system})


@dataclass(frozen=True, slots=True)
class ExportFilters:
    year: int | None = None
    village_code: str | None = None
    town_code: str | None = None


def _where(principal: Principal, filters: ExportFilters) -> list[sa.ColumnElement[bool]]:
    clauses = [in_area(principal)]
    if filters.village_code is not None:
        clauses.append(Household.village_code == filters.village_code)
    if filters.town_code is not None:
        clauses.append(Household.town_code == filters.town_code)
    if filters.year is not None:
        clauses.append(
            sa.exists().where(
                HouseholdYear.household_id == Household.id, HouseholdYear.year == filters.year
            )
        )
    return clauses


async def household_batches(
    session: AsyncSession, principal: Principal, filters: ExportFilters
) -> AsyncIterator[list[Household]]:
    """Households in the caller's area, by id, BATCH at a time (keyset pagination)."""
    after: uuid.UUID | None = None
    while True:
        query = sa.select(Household).where(*_where(principal, filters))
        if after is not None:
            query = query.where(Household.id > after)
        batch = list((await session.scalars(query.order_by(Household.id).limit(BATCH))).all())
        if not batch:
            return
        yield batch
        after = batch[-1].id
        session.expunge_all()  # keep the identity map to one batch


async def _names(session: AsyncSession) -> tuple[dict[str, str], dict[str, str]]:
    towns = {r[0]: r[1] for r in await session.execute(sa.select(Town.code, Town.name))}
    villages = {r[0]: r[1] for r in await session.execute(sa.select(Village.code, Village.name))}
    return towns, villages


async def _exchange_batch(
    session: AsyncSession,
    households: list[Household],
    year: int | None,
    reveal: IdCipher | None,
    names: tuple[dict[str, str], dict[str, str]],
) -> list[ExchangeHousehold]:
    ids = [h.id for h in households]
    year_query = sa.select(HouseholdYear).where(HouseholdYear.household_id.in_(ids))
    if year is not None:
        year_query = year_query.where(HouseholdYear.year == year)
    else:
        year_query = year_query.order_by(HouseholdYear.household_id, HouseholdYear.year.desc()).ext(
            distinct_on(HouseholdYear.household_id)
        )
    records = {r.household_id: r for r in await session.scalars(year_query)}
    rows = await session.execute(
        sa.select(Member, MemberYear)
        .join(MemberYear, MemberYear.member_id == Member.id)
        .where(
            Member.household_id.in_(list(records)),
            MemberYear.year.in_({r.year for r in records.values()} or {0}),
        )
        .order_by(Member.household_id, *MEMBER_ORDER)
    )
    members: dict[uuid.UUID, list[ExchangeMember]] = {}
    for member, member_year in rows:
        shown = records[member.household_id].year
        counted = member.left_on is None or member.left_on.year > shown
        if member_year.year == shown and counted:
            members.setdefault(member.household_id, []).append(_member(member, member_year, reveal))
    out = []
    for h in households:
        record = records.get(h.id)
        if record is not None and members.get(h.id):
            out.append(_household(h, record, members[h.id], names))
    return out


def _member(member: Member, y: MemberYear, reveal: IdCipher | None) -> ExchangeMember:
    id_number = (
        reveal.decrypt(member.id_number_cipher, bound_to=str(member.id))
        if reveal is not None
        else member.id_number_masked
    )
    return ExchangeMember(
        national_number=member.national_number, name=member.name, id_number=id_number,
        sex=member.sex, birth_date=member.birth_date, relation=member.relation,
        ethnicity=member.ethnicity, education=y.education, school_status=y.school_status,
        health=tuple(y.health), labour=y.labour, work_status=y.work_status,
        work_months=y.work_months, critical_illness_insured=y.critical_illness_insured,
        disability_category=y.disability_category,
        disability_grade=f"grade{y.disability_grade}" if y.disability_grade else None,
        basic_medical_insured=y.basic_medical_insured, commercial_insured=y.commercial_insured,
        pension_insured=y.pension_insured, dibao=y.dibao, tekun=y.tekun,
        active_soldier=y.active_soldier, dropped_out=y.dropped_out,
        dropout_for_poverty=y.dropout_for_poverty,
    )  # fmt: skip


def _household(
    h: Household,
    r: HouseholdYear,
    members: list[ExchangeMember],
    names: tuple[dict[str, str], dict[str, str]],
) -> ExchangeHousehold:
    income = IncomeComponents(
        wage=r.wage_income, operating=r.operating_income, property=r.property_income,
        operating_expenses=r.operating_expenses, family_planning=r.family_planning_income,
        dibao=r.dibao_income, tekun=r.tekun_income, pension=r.pension_income,
        ecological=r.ecological_income, other_transfer=r.other_transfer_income,
    )  # fmt: skip
    return ExchangeHousehold(
        county=COUNTY_NAME, town=names[0].get(h.town_code, ""),
        village=names[1].get(h.village_code, ""), natural_village=h.natural_village,
        national_number=h.national_number or "", status=h.status, exit_year=h.exit_year,
        assistance_type=h.assistance_type, main_cause=h.main_cause,
        dangerous_house=r.house_grade in DANGEROUS_HOUSE,
        drinking_water_safe=r.drinking_water_safe,
        drinking_water_difficult=r.drinking_water_difficult,
        per_capita_net_income=Decimal(r.per_capita_net_income), phone=h.phone,
        members=tuple(members), village_code=h.village_code, data_year=r.year,
        identification_standard=h.identification_standard,
        identification_year=h.identification_year, other_causes=tuple(h.other_causes),
        income=income, one_off_income=r.one_off_income, house_grade=r.house_grade,
        relocation=r.relocation, relocated_moved_in=r.relocated_moved_in,
        food_secure=r.food_secure, clothing_secure=r.clothing_secure,
        expenditure_poverty=r.expenditure_poverty, arable_land_mu=r.arable_land_mu,
        housing_area_m2=r.housing_area_m2,
    )  # fmt: skip


async def exchange_rows(
    sessionmaker: async_sessionmaker[AsyncSession],
    principal: Principal,
    cipher: IdCipher,
    layout: str,
    filters: ExportFilters,
) -> AsyncIterator[list[list[str]]]:
    """The file's rows in batches, in `layout`'s column order (header not included)."""
    chosen = LAYOUTS[layout]
    reveal = cipher if principal.role in UNMASKED_ROLES else None
    async with sessionmaker() as session:
        names = await _names(session)
        async for batch in household_batches(session, principal, filters):
            households = await _exchange_batch(session, batch, filters.year, reveal, names)
            yield [row for h in households for row in format_household(h, chosen)]


async def csv_stream(
    batches: AsyncIterator[list[list[str]]], layout: str, encoding: str = "utf-8-sig"
) -> AsyncIterator[bytes]:
    """CSV bytes as the batches arrive; UTF-8 with BOM opens in Excel, GB18030 in old tools."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    encoder = codecs.getincrementalencoder(encoding)()
    writer.writerow(LAYOUTS[layout].headers)
    async for rows in batches:
        writer.writerows(rows)
        yield encoder.encode(buffer.getvalue())
        buffer.seek(0)
        buffer.truncate()
    yield encoder.encode(buffer.getvalue(), final=True)


async def xlsx_file(batches: AsyncIterator[list[list[str]]], layout: str) -> str:
    """Write the rows to a temporary XLSX file (openpyxl write-only); returns its path."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    sheet.append(list(LAYOUTS[layout].headers))
    async for rows in batches:
        for row in rows:
            sheet.append(row)
    handle, path = tempfile.mkstemp(prefix="yicheng-export-", suffix=".xlsx")
    os.close(handle)
    workbook.save(path)
    return path


def file_chunks(path: str, chunk_size: int = 1 << 16) -> Iterator[bytes]:
    """The file's bytes, then the file is removed."""
    try:
        with open(path, "rb") as f:
            while chunk := f.read(chunk_size):
                yield chunk
    finally:
        os.unlink(path)


async def jsonl_stream(
    connect: Callable[[], AbstractAsyncContextManager[Driver]],
    principal: Principal,
    filters: ExportFilters,
) -> AsyncIterator[bytes]:
    """One `GET /v1/households/{id}` body per line, health details per role as there: the
    same documents, a keyset page of BATCH per statement."""
    wanted = reading.HouseholdFilters(
        village_code=filters.village_code, town_code=filters.town_code, year=filters.year
    )
    after: uuid.UUID | None = None
    async with connect() as driver:
        while page := await reading.list_households(
            driver, principal, wanted, after=after, limit=BATCH
        ):
            yield b"".join(d.json + b"\n" for d in page)
            after = page[-1].id
