"""Members of a household (家庭成员): join, correct, yearly attributes, leave; person
search by ID number; revealing a full ID number to the district office (audited)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.households import history
from services.registry.households.checks import Locator, YearState, enforce, store_warnings
from services.registry.households.models import Household, HouseholdYear, Member, MemberYear
from services.registry.households.quality import Finding
from services.registry.households.records import (
    Precondition,
    YearPrecondition,
    get_household,
    in_area,
    latest_year,
    load_year_state,
    new_member,
    new_member_year,
    people_savepoint,
    person_error,
    persons_taken,
    touch,
)
from services.registry.households.schemas import MemberAdd, MemberRemove, MemberUpdate, MemberYearIn
from services.registry.households.views import PersonMatch, RevealedId
from shared import audit
from shared.auth import Principal
from shared.errors import Conflict, FieldError, InvalidInput, NotFound
from shared.idcard import IdCipher, birth_date, mask, sex


async def get_member(session: AsyncSession, household: Household, member_id: uuid.UUID) -> Member:
    member = await session.scalar(
        sa.select(Member).where(Member.id == member_id, Member.household_id == household.id)
    )
    if member is None:
        raise NotFound("no such member in this household")
    return member


async def member_year(session: AsyncSession, member: Member, year: int | None) -> MemberYear | None:
    """The member's record of `year`, else their latest."""
    query = sa.select(MemberYear).where(MemberYear.member_id == member.id)
    query = query.where(MemberYear.year == year) if year is not None else query
    return await session.scalar(query.order_by(MemberYear.year.desc()).limit(1))


def _invalid(loc: tuple[str | int, ...], message: str) -> InvalidInput:
    return InvalidInput(message, errors=[FieldError(loc, message)])


async def add_member(
    session: AsyncSession,
    principal: Principal,
    cipher: IdCipher,
    household_id: uuid.UUID,
    data: MemberAdd,
) -> Member:
    """新增人口 (birth, marriage in, moving in), counted from `data_year` on."""
    household = await get_household(session, principal, household_id, lock=True)
    if await session.get(HouseholdYear, (household.id, data.data_year)) is None:
        raise _invalid(
            ("body", "data_year"),
            f"the household has no {data.data_year} survey yet; record that year first",
        )
    member = new_member(cipher, household.id, data)
    if await persons_taken(session, [member.id_number_hash]):
        raise InvalidInput(
            "a person is in only one household", errors=[person_error(("body", "id_number"))]
        )
    state = await load_year_state(session, household, data.data_year)
    year_row = new_member_year(member.id, data.data_year, data.year)
    state.members.append((member, year_row))
    findings = enforce(
        state, Locator(members={member.id: ("body",)}, member_years={member.id: ("body", "year")})
    )
    touch(household)
    async with people_savepoint(session, [(member, ("body", "id_number"))]):
        session.add(member)
    session.add(year_row)
    await session.flush()
    await store_warnings(session, state, findings)
    await history.record_write(
        session,
        principal,
        "member.add",
        household,
        before=None,
        after={**history.snapshot(member), "year": history.snapshot(year_row)},
    )
    return member


async def update_member(
    session: AsyncSession,
    principal: Principal,
    cipher: IdCipher,
    household_id: uuid.UUID,
    member_id: uuid.UUID,
    data: MemberUpdate,
    precondition: Precondition,
) -> Member:
    household = await get_household(session, principal, household_id, lock=True)
    member = await get_member(session, household, member_id)
    sent = data.model_fields_set - {"id_number"}
    changed = {f: getattr(data, f) for f in sent if getattr(member, f) != getattr(data, f)}
    id18 = data.id_number
    new_hash = cipher.lookup_hash(id18) if id18 is not None else member.id_number_hash
    if not changed and new_hash == member.id_number_hash:
        return member  # nothing to change: a retry succeeds whatever its If-Match
    precondition(member.version)
    if (
        new_hash != member.id_number_hash
        and member.left_on is None
        and await persons_taken(session, [new_hash], except_member=member.id)
    ):
        raise InvalidInput(
            "a person is in only one household",
            errors=[person_error(("body", "id_number"))],
        )
    latest = await latest_year(session, household.id)
    state = await load_year_state(session, household, latest) if latest is not None else None
    before = history.snapshot(member)
    async with people_savepoint(session, [(member, ("body", "id_number"))]):
        for name, value in changed.items():
            setattr(member, name, value)
        if id18 is not None and new_hash != member.id_number_hash:
            # A corrected ID number re-derives everything that comes from it.
            member.id_number_cipher = cipher.encrypt(id18, bound_to=str(member.id))
            member.id_number_hash = new_hash
            member.id_number_masked = mask(id18)
            member.sex = sex(id18).value
            member.birth_date = birth_date(id18)
        touch(household)
        findings = _enforce_latest(state, member)
    if state is not None:
        await store_warnings(session, state, findings)
    after = history.snapshot(member)
    # The id, though unchanged, names the member the entry is about (member_history.py).
    await history.record_write(
        session,
        principal,
        "member.update",
        household,
        before={"id": before["id"]} | {k: v for k, v in before.items() if after.get(k) != v},
        after={"id": after["id"]} | {k: v for k, v in after.items() if before.get(k) != v},
    )
    return member


def _enforce_latest(state: YearState | None, member: Member) -> list[Finding]:
    if state is None:
        return []
    return enforce(state, Locator(members={member.id: ("body",)}))


async def put_member_year(
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    member_id: uuid.UUID,
    year: int,
    data: MemberYearIn,
    precondition: YearPrecondition,
) -> tuple[Household, Member, MemberYear]:
    """Record or replace a member's attributes of a data year (schooling, health, work).

    The If-Match is the household's ETag, as for the household's own years: its document
    holds the members' years, and a member's version covers only the stable facts."""
    household = await get_household(session, principal, household_id, lock=True)
    member = await get_member(session, household, member_id)
    if member.left_on is not None and member.left_on.year <= year:
        raise _invalid(("path", "year"), f"the member left the household in {member.left_on.year}")
    if await session.get(HouseholdYear, (household.id, year)) is None:
        raise _invalid(
            ("path", "year"), f"the household has no {year} survey yet; record that year first"
        )
    state = await load_year_state(session, household, year)
    row = await session.get(MemberYear, (member.id, year))
    precondition(household.version, row is not None)
    before = history.snapshot(row) if row is not None else None
    if row is None:
        row = new_member_year(member.id, year, data)
        session.add(row)
        state.members.append((member, row))
    else:
        for name, value in data.model_dump().items():
            setattr(row, name, value)
    findings = enforce(state, Locator(member_years={member.id: ("body",)}))
    touch(household)
    await session.flush()
    await store_warnings(session, state, findings)
    await history.record_write(
        session,
        principal,
        "member_year.put",
        household,
        before=before,
        after=history.snapshot(row),
    )
    return household, member, row


async def remove_member(
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    member_id: uuid.UUID,
    data: MemberRemove,
) -> Member:
    """人口减少: the member is marked as gone, never deleted, so past years keep them and
    the person may join another household. Years from the departure year on are
    recomputed without them."""
    household = await get_household(session, principal, household_id, lock=True)
    member = await get_member(session, household, member_id)
    if member.left_on is not None:
        if (member.left_on, member.leave_reason) == (data.left_on, data.reason):
            return member  # a retried removal
        raise Conflict(f"the member already left on {member.left_on.isoformat()}")
    if data.left_on < member.birth_date:
        raise _invalid(("body", "left_on"), "the member cannot leave before being born")
    others = list(
        (
            await session.scalars(
                sa.select(Member).where(
                    Member.household_id == household.id,
                    Member.left_on.is_(None),
                    Member.id != member.id,
                )
            )
        ).all()
    )
    if not others:
        raise Conflict("the last member cannot leave; cancelling a household is another procedure")
    new_head = _new_head(member, others, data.new_head_member_id)
    years = (
        await session.scalars(
            sa.select(HouseholdYear.year)
            .where(
                HouseholdYear.household_id == household.id,
                HouseholdYear.year >= data.left_on.year,
            )
            .order_by(HouseholdYear.year)
        )
    ).all()
    states = [await load_year_state(session, household, y) for y in years]
    before = history.snapshot(member)
    old_relation = new_head.relation if new_head is not None else None
    member.left_on, member.leave_reason = data.left_on, data.reason
    if new_head is not None:
        new_head.relation = "head"  # 户主变更: other relations are re-checked by the rules
    touch(household)
    findings = []
    for state in states:
        state.members = [(m, y) for m, y in state.members if m.id != member.id]
        findings.append(enforce(state, Locator()))
    await session.flush()
    for state, found in zip(states, findings, strict=True):
        await store_warnings(session, state, found)
    after = history.snapshot(member)
    await history.record_write(
        session,
        principal,
        "member.remove",
        household,
        before={
            **{k: before[k] for k in ("id", "left_on", "leave_reason")},
            # The new head's relation before, for their own history (member_history.py).
            **({"new_head_relation": old_relation} if new_head is not None else {}),
        },
        after={
            **{k: after[k] for k in ("id", "left_on", "leave_reason")},
            **({"new_head_member_id": str(new_head.id)} if new_head is not None else {}),
        },
    )
    return member


def _new_head(member: Member, others: list[Member], new_head_id: uuid.UUID | None) -> Member | None:
    loc = ("body", "new_head_member_id")
    if member.relation != "head":
        if new_head_id is not None:
            raise _invalid(loc, "a new head is named only when the head leaves")
        return None
    if new_head_id is None:
        raise _invalid(loc, "the head is leaving: name the member who becomes head")
    for other in others:
        if other.id == new_head_id:
            return other
    raise _invalid(loc, "not a current member of this household")


async def search_persons(
    session: AsyncSession, principal: Principal, cipher: IdCipher, id18: str
) -> list[PersonMatch]:
    """Memberships of a person, current and past, by the keyed hash of their ID number:
    one member row per household they belonged to, each shown only if that household is
    inside the caller's area; the current membership first, then the latest departures."""
    rows = await session.execute(
        sa.select(Member, Household)
        .join(Household, Household.id == Member.household_id)
        .where(Member.id_number_hash == cipher.lookup_hash(id18), in_area(principal))
        .order_by(Member.left_on.is_not(None), Member.left_on.desc())
    )
    return [
        PersonMatch(
            household_id=h.id,
            member_id=m.id,
            village_code=h.village_code,
            name=m.name,
            id_number_masked=m.id_number_masked,
            relation=m.relation,
            household_status=h.status,
            left_on=m.left_on,
            leave_reason=m.leave_reason,
        )
        for m, h in rows
    ]


async def reveal_id(
    session: AsyncSession,
    principal: Principal,
    cipher: IdCipher,
    household_id: uuid.UUID,
    member_id: uuid.UUID,
) -> RevealedId:
    """The full ID number, for the district office only; the read itself is audited."""
    household = await get_household(session, principal, household_id)
    member = await get_member(session, household, member_id)
    id18 = cipher.decrypt(member.id_number_cipher, bound_to=str(member.id))
    await audit.record(
        session,
        principal,
        "member.reveal_id",
        history.ENTITY,
        household.id,
        area_code=household.village_code,
        after={"member_id": str(member.id), "id_number_masked": member.id_number_masked},
    )
    return RevealedId(member_id=member.id, id_number=id18)
