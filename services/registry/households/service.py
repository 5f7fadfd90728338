"""Registered poor households (建档立卡贫困户): create, update, yearly records.

Every write runs the data-quality rules, records an audit entry with before and after,
and appends to the change feed. Services flush; the request commits.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.codes.catalog import EXITED
from services.registry.households import history
from services.registry.households.checks import Locator, Path, YearState, enforce, store_warnings
from services.registry.households.models import Household, HouseholdYear, Member, MemberYear
from services.registry.households.records import (
    Precondition,
    YearPrecondition,
    counted_in,
    get_household,
    latest_year,
    load_year_state,
    new_member,
    new_member_year,
    people_errors,
    people_savepoint,
    touch,
    village_in_area,
)
from services.registry.households.schemas import HouseholdCreate, HouseholdUpdate, HouseholdYearIn
from shared.auth import Principal, Role
from shared.errors import Conflict, FieldError, Forbidden, InvalidInput
from shared.idcard import IdCipher


def check_exit(status: str, exit_year: int | None, identification_year: int, prefix: Path) -> None:
    """脱贫年度 goes with an exit: required once exited, absent while never exited."""
    problem = None
    if status in EXITED and exit_year is None:
        problem = "an exited household needs its exit year (脱贫年度)"
    elif status == "not_exited" and exit_year is not None:
        problem = "a household that has not exited has no exit year"
    elif exit_year is not None and exit_year < identification_year:
        problem = "the exit year is before the identification year"
    if problem is not None:
        raise InvalidInput(problem, errors=[FieldError((*prefix, "exit_year"), problem)])


# An exit (脱贫) is decided by the exit procedure (一评议一公示一公告), which the eligibility
# service runs and then records here with its service token; the district office may
# correct it. Village cadres propose exits and town officers review them, so neither sets
# an exited status directly.
_DECIDES_EXIT = frozenset({Role.district_admin, Role.service})


def check_may_exit(principal: Principal, status: str) -> None:
    if status in EXITED and principal.role not in _DECIDES_EXIT:
        raise Forbidden("an exit is recorded by the exit procedure, not set by hand")


# --- households ---------------------------------------------------------------------------


async def create_household(
    session: AsyncSession, principal: Principal, cipher: IdCipher, data: HouseholdCreate
) -> Household:
    village = await village_in_area(session, principal, data.village_code, ("body", "village_code"))
    check_may_exit(principal, data.status)
    check_exit(data.status, data.exit_year, data.identification_year, ("body",))
    await _household_number_free(session, data.national_number)
    household = Household(
        id=uuid.uuid4(),
        national_number=data.national_number,
        village_code=village.code,
        town_code=village.town_code,
        natural_village=data.natural_village,
        identification_standard=data.identification_standard,
        identification_year=data.identification_year,
        assistance_type=data.assistance_type,
        status=data.status,
        exit_year=data.exit_year,
        main_cause=data.main_cause,
        other_causes=list(data.other_causes),
        phone=data.phone,
        exit_hold_reason=None,
    )
    members = [new_member(cipher, household.id, m) for m in data.members]
    locs: list[Path] = [("body", "members", i) for i in range(len(members))]
    person_errors = await people_errors(session, members, [(*loc, "id_number") for loc in locs])
    record = new_record(household.id, data.data_year, data.year)
    state = YearState(
        household,
        data.data_year,
        record,
        [
            (m, new_member_year(m.id, data.data_year, d.year))
            for m, d in zip(members, data.members, strict=True)
        ],
        declared_size=data.size,
    )
    locator = Locator(
        household=("body",),
        year=("body", "year"),
        size=("body", "size") if data.size is not None else None,
        members={m.id: loc for m, loc in zip(members, locs, strict=True)},
        member_years={m.id: (*loc, "year") for m, loc in zip(members, locs, strict=True)},
    )
    try:
        findings = enforce(state, locator)
    except InvalidInput as exc:
        exc.errors[:0] = person_errors  # one answer lists every problem
        raise
    if person_errors:
        raise InvalidInput("a person is in only one household", errors=person_errors)

    # No relationship() between these tables, so parents are flushed before children.
    session.add(household)
    await session.flush()
    async with people_savepoint(
        session, [(m, (*loc, "id_number")) for m, loc in zip(members, locs, strict=True)]
    ):
        session.add_all(members)
    session.add(record)
    session.add_all(y for _, y in state.members)
    await session.flush()
    await store_warnings(session, state, findings)
    await history.record_write(
        session,
        principal,
        "household.create",
        household,
        before=None,
        after=history.household_snapshot(household, record, list(state.members)),
    )
    return household


async def _household_number_free(session: AsyncSession, number: str | None) -> None:
    if number is not None and await session.scalar(
        sa.select(Household.id).where(Household.national_number == number)
    ):
        raise Conflict("a household with this national household number (户编号) exists")


def new_record(household_id: uuid.UUID, year: int, data: HouseholdYearIn) -> HouseholdYear:
    # per_capita_net_income is filled by checks.enforce before anything is flushed.
    return HouseholdYear(
        household_id=household_id, year=year, per_capita_net_income=Decimal(0), **data.model_dump()
    )


async def update_household(
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    data: HouseholdUpdate,
    precondition: Precondition,
) -> Household:
    household = await get_household(session, principal, household_id, lock=True)
    sent = data.model_fields_set
    if principal.role is Role.service and sent - {"status", "exit_year"}:
        raise Forbidden("a service token may set only status and exit_year")
    if "exit_hold_reason" in sent and principal.role is not Role.district_admin:
        raise Forbidden("only the district office (区扶贫办) sets or lifts a hold on exit")
    changed = {f: getattr(data, f) for f in sent if getattr(household, f) != getattr(data, f)}
    if not changed:
        # Already in the requested state: a retried PATCH succeeds without a new version
        # even with a stale If-Match (RFC 9110 §13.1.1), so the service can set status safely.
        return household
    if "status" in changed:
        check_may_exit(principal, changed["status"])
    precondition(household.version)
    moved_from = None
    if "village_code" in changed:
        village = await village_in_area(
            session, principal, changed["village_code"], ("body", "village_code")
        )
        moved_from = household.village_code
        changed["town_code"] = village.town_code
    check_exit(
        changed.get("status", household.status),
        changed.get("exit_year", household.exit_year),
        changed.get("identification_year", household.identification_year),
        ("body",),
    )
    if "national_number" in changed:
        await _household_number_free(session, changed["national_number"])
    latest = await latest_year(session, household.id)
    state = await load_year_state(session, household, latest) if latest is not None else None
    before = history.snapshot(household)
    for name, value in changed.items():
        setattr(household, name, value)
    findings = enforce(state, Locator(household=("body",))) if state is not None else []
    await session.flush()
    if state is not None:
        await store_warnings(session, state, findings)
    after = history.snapshot(household)
    await history.record_write(
        session,
        principal,
        "household.move" if moved_from else "household.update",
        household,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
        moved_from=moved_from,
    )
    return household


async def put_year(
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    year: int,
    data: HouseholdYearIn,
    precondition: YearPrecondition,
) -> Household:
    """Record or replace the income survey and living conditions of a data year."""
    household = await get_household(session, principal, household_id, lock=True)
    if year > date.today().year:
        raise InvalidInput(
            "a data year cannot be in the future",
            errors=[FieldError(("path", "year"), "in the future")],
        )
    record = await session.get(HouseholdYear, (household.id, year))
    precondition(household.version, record is not None)
    before = history.snapshot(record) if record is not None else None
    if record is None:
        await carry_forward(session, household, year)
        record = new_record(household.id, year, data)
        session.add(record)
    else:
        for name, value in data.model_dump().items():
            setattr(record, name, value)
    state = await load_year_state(session, household, year)
    state.record = record
    findings = enforce(state, Locator(year=("body",)))
    touch(household)
    await session.flush()
    await store_warnings(session, state, findings)
    await history.record_write(
        session,
        principal,
        "household_year.put",
        household,
        before=before,
        after=history.snapshot(record),
    )
    return household


async def carry_forward(session: AsyncSession, household: Household, year: int) -> None:
    """A new data year starts from each member's nearest earlier year (else the nearest
    later one), as the national system's yearly rollover (年度切换) copies last year's data."""
    members = list(
        (
            await session.scalars(
                sa.select(Member).where(Member.household_id == household.id, counted_in(year))
            )
        ).all()
    )
    rows = list(
        (
            await session.scalars(
                sa.select(MemberYear).where(MemberYear.member_id.in_([m.id for m in members]))
            )
        ).all()
    )
    copied = []
    for member in members:
        own = sorted((r for r in rows if r.member_id == member.id), key=lambda r: r.year)
        if not own or any(r.year == year for r in own):
            continue
        earlier = [r for r in own if r.year < year]
        source = earlier[-1] if earlier else own[0]
        copied.append(copy_member_year(source, year))
    session.add_all(copied)
    await session.flush()  # so load_year_state sees them without autoflush


def copy_member_year(source: MemberYear, year: int) -> MemberYear:
    values = {a.key: getattr(source, a.key) for a in sa.inspect(MemberYear).column_attrs}
    values.update(year=year, health=list(source.health))
    return MemberYear(**values)
