"""Bulk import of an exchange file, streamed: one pass, batch by batch, in one transaction.

Each batch of households is parsed (in a worker thread, so the event loop keeps serving),
merged with what is stored (four queries), checked against the national data-quality
rules, and COPYed into temporary staging tables; a batch of new households is written to
the registry at once, by PostgreSQL while Python merges the next batch (staging.py says
when a batch may go early). Checks that need the whole file (a person twice, a household
split in two) then run in SQL over the staging tables, and a commit writes the rest with a
dozen set-based statements. Memory holds one batch, never the file; a refused import rolls
back with the request's transaction, what was written early included.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.exchange import staging, tables
from services.registry.exchange.formats import open_table
from services.registry.exchange.layouts import NATIONAL
from services.registry.exchange.merge import Context, Planned, merge
from services.registry.exchange.parsing import ParsedHousehold, parse_households
from services.registry.exchange.records import ExchangeHousehold
from services.registry.exchange.schemas import (
    Counts,
    ImportReport,
    LayoutChoice,
    PersonCounts,
    RowError,
)
from services.registry.exchange.stored import Directory, Driver, load_directory, load_stored
from shared import audit
from shared.auth import DISTRICT_CODE, Principal
from shared.errors import FieldError, InvalidInput
from shared.idcard import IdCipher
from shared.observability import request_id_var

T = TypeVar("T")
BATCH = 2000
MAX_LISTED_ERRORS = 1000
FIRST_DATA_YEAR = 2014


@dataclass(frozen=True, slots=True)
class ImportOptions:
    dry_run: bool = True
    layout: LayoutChoice = LayoutChoice.auto
    year: int | None = None  # data year of a file without 数据年度
    filename: str | None = None


_ACTIONS = ("create", "update", "unchanged")
_PERSONS = ("created", "updated", "unchanged", "left")


@dataclass(slots=True)
class _Tally:
    # Plain counters while counting (a pydantic model's setattr costs ≈1 µs each).
    actions: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_ACTIONS, 0))
    people: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_PERSONS, 0))
    warnings: int = 0
    errors: list[FieldError] = field(default_factory=list)
    errors_total: int = 0
    year: int | None = None

    @property
    def households(self) -> Counts:
        a = self.actions
        return Counts(created=a["create"], updated=a["update"], unchanged=a["unchanged"])

    @property
    def persons(self) -> PersonCounts:
        return PersonCounts(**self.people)

    def fail(self, errors: list[FieldError] | tuple[FieldError, ...]) -> None:
        self.errors_total += len(errors)
        room = MAX_LISTED_ERRORS - len(self.errors)
        if room > 0:
            self.errors.extend(errors[:room])

    def count(self, plan: Planned) -> None:
        self.actions[plan.action] += 1
        people = self.people
        for key, n in plan.persons.items():
            people[key] += n
        self.warnings += len(plan.warnings)


async def driver_of(session: AsyncSession) -> Driver:
    """The asyncpg connection under the session, inside the session's transaction.

    SQLAlchemy's asyncpg adapter opens the transaction on the first statement it runs, so
    one runs here: statements sent straight to the driver would otherwise autocommit.
    """
    await session.execute(sa.text("SELECT 1"))
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver: Driver = raw.driver_connection
    if driver is None or not driver.is_in_transaction():
        raise RuntimeError("the import must run inside the session's transaction")
    return driver


async def _offload(function: Callable[..., T], *args: Any) -> T:
    """CPU work off the event loop, so other requests are served during an import."""
    return await asyncio.to_thread(function, *args)


def _take(parsed: Iterator[ParsedHousehold]) -> list[ParsedHousehold]:
    return list(itertools.islice(parsed, BATCH))


def _year_of(h: ExchangeHousehold, options: ImportOptions, tally: _Tally) -> int | FieldError:
    first = min(h.source_rows) if h.source_rows else 0
    year = h.data_year if h.data_year is not None else options.year
    if year is None:
        return FieldError(("row", first, "数据年度"), "缺少数据年度：请填写或在请求中给出 ?year= / no data year: fill 数据年度 or pass ?year=", "missing")  # fmt: skip
    if options.year is not None and year != options.year:
        return FieldError(("row", first, "数据年度"), f"与请求的年度{options.year}不同 / differs from the year asked for", "inconsistent")  # fmt: skip
    if tally.year is not None and year != tally.year:
        return FieldError(("row", first, "数据年度"), f"一个文件只含一个数据年度（{tally.year}） / one data year per file", "inconsistent")  # fmt: skip
    if not FIRST_DATA_YEAR <= year <= date.today().year:
        return FieldError(("row", first, "数据年度"), f"数据年度应在{FIRST_DATA_YEAR}至今年之间 / out of range", "value_error")  # fmt: skip
    tally.year = year
    return year


def _merge_batch(
    households: list[ExchangeHousehold], stored: dict[str, Any], ctx: Context, tally: _Tally
) -> dict[str, list[tuple[Any, ...]]]:
    rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in tables.STAGING}
    for h in households:
        plan = merge(h, stored.get(h.national_number), ctx)
        if not isinstance(plan, Planned):
            tally.fail(plan)
            continue
        tally.count(plan)
        rows["household"].append(plan.household)
        rows["household_year"].append(plan.year)
        rows["member"].extend(plan.members)
        rows["member_year"].extend(plan.member_years)
        rows["warning"].extend(plan.warnings)
    return rows


def _valid(
    batch: list[ParsedHousehold], options: ImportOptions, tally: _Tally
) -> list[ExchangeHousehold]:
    valid: list[ExchangeHousehold] = []
    for p in batch:
        if p.household is None:
            tally.fail(p.errors)
            continue
        year = _year_of(p.household, options, tally)
        if isinstance(year, FieldError):
            tally.fail([year])
        else:
            valid.append(p.household)
    return valid


@dataclass(slots=True)
class _Stager:
    """Batches through the one connection, overlapped: PostgreSQL settles batch k-1 (writes
    it, or keeps it for the end) while Python merges batch k; the next batch is parsed
    while batch k is COPYed. Each Python step overlaps the database's work, not the other
    Python step: two Python threads at once would only take turns on the GIL."""

    driver: Driver
    options: ImportOptions
    tally: _Tally
    writer: staging.Writer
    directory: Directory
    headers: frozenset[str]
    cipher: IdCipher
    # The batch in the batch tables: its 户编号, and whether it may be written early.
    unsettled: frozenset[str] = frozenset()
    early: bool = False

    async def run(self, parsed: Iterator[ParsedHousehold]) -> None:
        """Stage every batch; one parse at a time (the reader is a single stream), the
        next started once a batch is merged."""
        pending = [asyncio.ensure_future(_offload(_take, parsed))]

        def parse_next() -> None:
            pending.append(asyncio.ensure_future(_offload(_take, parsed)))

        try:
            while batch := await pending.pop(0):
                await self.stage(batch, parse_next)
            await self.settle()
        finally:
            for future in pending:
                if not future.done():
                    future.cancel()
                with contextlib.suppress(BaseException):
                    await future

    async def stage(self, batch: list[ParsedHousehold], parse_next: Callable[[], None]) -> None:
        valid = _valid(batch, self.options, self.tally)
        year = self.tally.year
        if not valid or year is None:
            parse_next()
            return
        numbers = frozenset(h.national_number for h in valid)
        stored = await load_stored(self.driver, numbers, year, lock=not self.options.dry_run)
        # Read before the batch ahead is written: a household of this batch that the batch
        # ahead creates looks new here, so this batch then waits for the end (where the
        # check across the file reports the repeated 户编号).
        early = not self.options.dry_run and self.unsettled.isdisjoint(numbers)
        ctx = Context(self.directory, self.headers, year, self.cipher, self.writer.principal)
        settling = asyncio.ensure_future(self.settle())
        try:
            rows = await _offload(_merge_batch, valid, stored, ctx, self.tally)
            parse_next()
        finally:
            await settling
        for name, staged in rows.items():
            await staging.copy(self.driver, name, staged)
        self.unsettled, self.early = numbers, early

    async def settle(self) -> None:
        if self.unsettled:
            early = self.early and not self.tally.errors_total
            await staging.settle(self.driver, self.writer if early else None)
            self.unsettled = frozenset()


async def import_file(
    session: AsyncSession,
    principal: Principal,
    cipher: IdCipher,
    fileobj: IO[bytes],
    options: ImportOptions,
) -> ImportReport:
    """Dry run: report only. Commit: all or nothing — any error raises 422 with the
    report, and the caller's transaction (which holds everything) is rolled back."""
    table = await asyncio.to_thread(open_table, fileobj)
    if options.layout is LayoutChoice.national and table.layout is not NATIONAL:
        extra = [h for h in table.headers if h and h not in NATIONAL.headers]
        raise InvalidInput(
            "the file has columns of the full layout, not the national one: " + ", ".join(extra),
            errors=[FieldError(("header", h), "not a national column") for h in extra],
        )
    driver = await driver_of(session)
    if not options.dry_run:
        await driver.execute("SELECT pg_advisory_xact_lock($1)", staging.IMPORT_LOCK)
    directory: Directory = await load_directory(driver)
    await staging.create(driver)
    tally = _Tally()
    import_id = uuid.uuid4()
    writer = staging.Writer(principal, import_id, request_id_var.get())
    stager = _Stager(driver, options, tally, writer, directory, frozenset(table.headers), cipher)
    await stager.run(parse_households(table.rows, table.layout))
    room = MAX_LISTED_ERRORS - len(tally.errors)
    found, total = await staging.check(driver, max(room, 0))
    tally.errors.extend(found)
    tally.errors_total += total
    report = _report(import_id, options, table.layout.name, table, tally)
    if tally.errors_total and not options.dry_run:
        await staging.drop(driver)
        summary = report.model_dump(mode="json", exclude={"errors"})
        raise InvalidInput(
            f"the file has {tally.errors_total} error(s); nothing was imported. "
            + "; ".join(f"row {e.loc[1]} {e.loc[2]}: {e.msg}" for e in tally.errors[:3]),
            errors=sorted(tally.errors, key=_row_of),
            extra={"report": summary},
        )
    if not options.dry_run and tally.year is not None:
        await staging.apply(driver, writer, tally.year)
        report.committed = True
    await staging.drop(driver)
    if not options.dry_run:
        await audit.record(
            session, principal, "households.import", "import", import_id,
            area_code=DISTRICT_CODE,
            after=report.model_dump(mode="json", exclude={"errors"}) | {"file": options.filename},
        )  # fmt: skip
        await session.flush()
    return report


def _row_of(error: FieldError) -> tuple[int, str]:
    loc = error.loc
    row = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else 0
    return row, str(loc[2]) if len(loc) > 2 else ""


def _report(
    import_id: uuid.UUID, options: ImportOptions, layout: str, table: Any, tally: _Tally
) -> ImportReport:
    listed = sorted(tally.errors, key=_row_of)
    return ImportReport(
        import_id=import_id,
        dry_run=options.dry_run,
        committed=False,
        layout=layout,
        format=table.format.value,
        encoding=table.encoding,
        data_year=tally.year,
        households=tally.households,
        persons=tally.persons,
        warnings=tally.warnings,
        errors_total=tally.errors_total,
        errors_truncated=tally.errors_total > len(listed),
        errors=[
            RowError(
                row=loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None,
                column=str(loc[2]) if len(loc) > 2 else None,
                message=e.msg,
                rule=e.type,
            )
            for e in listed
            for loc in (e.loc,)
        ],
    )
