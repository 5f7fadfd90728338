"""Finding and building household rows: area-scoped loads (a household outside the
caller's area does not exist for them), a household's state in one data year, and a
member's identity (ID number encrypted, hashed, masked) and uniqueness across households.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.areas.models import Village
from services.registry.households.checks import Path, YearState
from services.registry.households.models import Household, HouseholdYear, Member, MemberYear
from services.registry.households.quality import RULE_PERSON_ONE_HOUSEHOLD
from services.registry.households.schemas import MemberIn, MemberYearIn
from shared.auth import Principal
from shared.errors import FieldError, InvalidInput, NotFound
from shared.idcard import IdCipher, birth_date, mask, sex
from shared.scoping import area_clause

Precondition = Callable[[int], None]  # raises 412 when the version is not the one the client read
# (household version, whether the year's record exists): If-Match is required only to replace
YearPrecondition = Callable[[int, bool], None]

# Heads first, then by age: a stable order for responses and for quality's member indexes.
MEMBER_ORDER = (Member.relation != "head", Member.birth_date, Member.id)
_PERSON_INDEX = "uq_member_current_id_number_hash"


def in_area(principal: Principal) -> sa.ColumnElement[bool]:
    return area_clause(
        principal, village=Household.village_code.expression, town=Household.town_code.expression
    )


def counted_in(year: int) -> sa.ColumnElement[bool]:
    """Members counted in a data year: not departed before or during it (人口减少)."""
    return sa.or_(Member.left_on.is_(None), sa.extract("year", Member.left_on) > year)


async def get_household(
    session: AsyncSession, principal: Principal, household_id: uuid.UUID, *, lock: bool = False
) -> Household:
    query = sa.select(Household).where(Household.id == household_id, in_area(principal))
    if lock:  # writers of one household queue up, so derived income is never computed twice
        query = query.with_for_update()
    household = await session.scalar(query.execution_options(populate_existing=True))
    if household is None:
        raise NotFound("no such household")
    return household


async def village_in_area(
    session: AsyncSession, principal: Principal, code: str, loc: Path
) -> Village:
    village = await session.get(Village, code)
    if village is None or not principal.covers(code):
        raise InvalidInput(
            f"village {code} is not a village of your area",
            errors=[FieldError(loc, "no such village in your area")],
        )
    return village


def touch(household: Household) -> None:
    """Bump the household's version when a member or yearly record changes, so its ETag
    (which covers the whole representation) changes too."""
    household.updated_at = datetime.now(UTC)


async def latest_year(session: AsyncSession, household_id: uuid.UUID) -> int | None:
    return await session.scalar(
        sa.select(sa.func.max(HouseholdYear.year)).where(HouseholdYear.household_id == household_id)
    )


async def load_year_state(session: AsyncSession, household: Household, year: int) -> YearState:
    record = await session.get(HouseholdYear, (household.id, year))
    rows = await session.execute(
        sa.select(Member, MemberYear)
        .join(MemberYear, sa.and_(MemberYear.member_id == Member.id, MemberYear.year == year))
        .where(Member.household_id == household.id, counted_in(year))
        .order_by(*MEMBER_ORDER)
    )
    return YearState(household, year, record, [(m, y) for m, y in rows])


# --- members: identity, uniqueness ------------------------------------------------------


def new_member(cipher: IdCipher, household_id: uuid.UUID, data: MemberIn) -> Member:
    # The ciphertext is bound to the row id, so the id exists before encryption.
    member_id = uuid.uuid4()
    id18 = data.id_number
    return Member(
        id=member_id,
        household_id=household_id,
        national_number=data.national_number,
        name=data.name,
        id_number_cipher=cipher.encrypt(id18, bound_to=str(member_id)),
        id_number_hash=cipher.lookup_hash(id18),
        id_number_masked=mask(id18),
        sex=sex(id18).value,
        birth_date=birth_date(id18),
        ethnicity=data.ethnicity,
        relation=data.relation,
        phone=data.phone,
        left_on=None,
        leave_reason=None,
    )


def new_member_year(member_id: uuid.UUID, year: int, data: MemberYearIn) -> MemberYear:
    return MemberYear(member_id=member_id, year=year, **data.model_dump())


def person_error(loc: Path) -> FieldError:
    # Never says which household: it may lie outside the caller's area.
    return FieldError(
        loc,
        "此人已是其他贫困户的成员 / this person is already a member of a registered household",
        RULE_PERSON_ONE_HOUSEHOLD,
    )


async def persons_taken(
    session: AsyncSession, hashes: Sequence[bytes], *, except_member: uuid.UUID | None = None
) -> set[bytes]:
    """Which of these people are current members of some household, anywhere."""
    query = sa.select(Member.id_number_hash).where(
        Member.id_number_hash.in_(hashes), Member.left_on.is_(None)
    )
    if except_member is not None:
        query = query.where(Member.id != except_member)
    return set((await session.scalars(query)).all())


def _constraint(exc: IntegrityError) -> str | None:
    orig = exc.orig
    name = getattr(getattr(orig, "__cause__", None), "constraint_name", None)
    return name or getattr(orig, "constraint_name", None)


@asynccontextmanager
async def people_savepoint(
    session: AsyncSession, people: list[tuple[Member, Path]]
) -> AsyncIterator[None]:
    """Add or re-identify members inside this block. A concurrent registration of the same
    person (our check passed, the unique index did not) becomes the same 422 as the check.

    The block runs in a savepoint so the failed insert leaves the request's transaction
    usable; `begin_nested` flushes what is pending on entry, so the members are added
    inside the block, not before it.
    """
    hashes: list[bytes] = []
    try:
        async with session.begin_nested():
            yield
            hashes = [m.id_number_hash for m, _ in people]
            await session.flush()
    except IntegrityError as exc:
        if _constraint(exc) != _PERSON_INDEX:
            raise
        taken = await persons_taken(session, hashes)
        errors = [
            person_error(loc) for (_, loc), h in zip(people, hashes, strict=True) if h in taken
        ]
        raise InvalidInput(
            "a person is in only one household",
            errors=errors or [person_error(people[0][1])],
        ) from exc


async def people_errors(
    session: AsyncSession, members: list[Member], locs: list[Path]
) -> list[FieldError]:
    """person.one_household: twice in this request, or already a current member elsewhere."""
    taken = await persons_taken(session, [m.id_number_hash for m in members])
    seen: set[bytes] = set()
    errors = []
    for member, loc in zip(members, locs, strict=True):
        if member.id_number_hash in taken or member.id_number_hash in seen:
            errors.append(person_error(loc))
        seen.add(member.id_number_hash)
    return errors
