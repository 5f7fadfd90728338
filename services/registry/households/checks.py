"""The national data-quality rules (数据质量校验) on every write, and the warnings they leave.

`quality.check_household` is pure and speaks of members by position; here a household's
stored (or about-to-be-stored) rows become its input, and each finding's path is mapped
back onto what the client can act on: the request field when the request carried it, the
stored household (`household.members.<member id>.…`) otherwise. Errors refuse the write;
warnings and flags replace the household-year's stored warnings.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.households.models import (
    Household,
    HouseholdYear,
    Member,
    MemberYear,
    QualityWarning,
)
from services.registry.households.quality import (
    Finding,
    HouseholdCheck,
    IncomeComponents,
    MemberCheck,
    check_household,
    per_capita_net_income,
    transfer_income,
)
from shared.errors import FieldError, InvalidInput

Path = tuple[str | int, ...]

# quality's member attribute names -> member_year columns (as the API names them)
_MEMBER_YEAR_FIELDS = {
    "school_status": "school_status",
    "labour": "labour",
    "work_status": "work_status",
    "dropout": "dropped_out",
    "critical_illness_insured": "critical_illness_insured",
}
# quality's household-year names -> household_year columns
_YEAR_FIELDS = {
    "wage": "wage_income",
    "operating_expenses": "operating_expenses",
    "house_grade": "house_grade",
    "water_safe": "drinking_water_safe",
    "water_difficult": "drinking_water_difficult",
}
_STORED: Path = ("household",)


@dataclass(slots=True)
class YearState:
    """One household in one data year: the rows the rules read, members in check order."""

    household: Household
    year: int
    record: HouseholdYear | None
    members: list[tuple[Member, MemberYear]]  # members counted in the year (人数)
    declared_size: int | None = None  # 人数 as the client wrote it, when it did


@dataclass(frozen=True, slots=True)
class Locator:
    """Where the request carried each kind of fact; anything else is named as stored."""

    household: Path | None = None  # prefix of household fields, e.g. ("body",)
    year: Path | None = None  # prefix of household-year fields, e.g. ("body", "year")
    size: Path | None = None
    members: dict[uuid.UUID, Path] = field(default_factory=dict)
    member_years: dict[uuid.UUID, Path] = field(default_factory=dict)


STORED = Locator()


def locate(path: Path, state: YearState, loc: Locator) -> Path:
    """A finding's path in quality's terms → a path the client can find."""
    head = str(path[0]) if path else ""
    if head == "members" and len(path) >= 3:
        member_id = state.members[int(path[1])][0].id
        attr = str(path[2])
        if attr in _MEMBER_YEAR_FIELDS:
            prefix = loc.member_years.get(member_id)
            tail: Path = (_MEMBER_YEAR_FIELDS[attr],)
            stored: Path = (*_STORED, "members", str(member_id), "year")
        else:
            prefix, tail = loc.members.get(member_id), (attr,)
            stored = (*_STORED, "members", str(member_id))
        return (*prefix, *tail) if prefix is not None else (*stored, *tail)
    if head == "size":
        # Size is derived from the members unless the client declared it (create only).
        if loc.size is not None:
            return loc.size
        return (*loc.household, "members") if loc.household else (*_STORED, "size")
    if head in ("members", "main_cause", "other_causes"):
        return (*(loc.household or _STORED), *path)
    if head == "income" and len(path) == 1:
        return (*(loc.year or (*_STORED, "year")), "per_capita_net_income")
    name = _YEAR_FIELDS.get(str(path[-1]))
    if name is not None:
        return (*(loc.year or (*_STORED, "year")), name)
    return (*_STORED, *path)


def stored_field(path: Path, state: YearState) -> str:
    """The path of a stored warning: relative to the household, independent of requests."""
    return ".".join(str(p) for p in locate(path, state, STORED)[len(_STORED) :])


def income_of(record: HouseholdYear) -> IncomeComponents:
    return IncomeComponents(
        wage=record.wage_income,
        operating=record.operating_income,
        property=record.property_income,
        operating_expenses=record.operating_expenses,
        family_planning=record.family_planning_income,
        dibao=record.dibao_income,
        tekun=record.tekun_income,
        pension=record.pension_income,
        ecological=record.ecological_income,
        other_transfer=record.other_transfer_income,
    )


def build_check(state: YearState) -> HouseholdCheck:
    h, record = state.household, state.record
    members = tuple(
        MemberCheck(
            key=str(m.id),
            relation=m.relation,
            sex=m.sex,
            birth_date=m.birth_date,
            health=frozenset(y.health),
            school_status=y.school_status,
            dropout=y.dropped_out,
            labour=y.labour,
            work_status=y.work_status,
            work_months=y.work_months,
            critical_illness_insured=y.critical_illness_insured,
        )
        for m, y in state.members
    )
    return HouseholdCheck(
        data_year=state.year,
        status=h.status,
        declared_size=state.declared_size if state.declared_size is not None else len(members),
        members=members,
        main_cause=h.main_cause,
        other_causes=tuple(h.other_causes),
        income=income_of(record) if record is not None else None,
        house_grade=record.house_grade if record is not None else None,
        water_safe=record.drinking_water_safe if record is not None else None,
        water_difficult=record.drinking_water_difficult if record is not None else None,
        exit_year=h.exit_year,
        # The provincial line is an eligibility parameter the registry does not hold, so
        # the "exited below the line" flag is left to the eligibility service.
        poverty_line=None,
    )


def enforce(state: YearState, loc: Locator) -> list[Finding]:
    """Refuse the write on any error; otherwise derive per-capita income and return findings.

    Per-capita net income is computed here and only here, by quality's formula, over the
    members counted in the year: the client never supplies it.
    """
    findings = check_household(build_check(state))
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        raise InvalidInput(
            "the household breaks data-quality rules: "
            + ", ".join(sorted({f.rule for f in errors})),
            errors=[FieldError(locate(f.field, state, loc), f.message, f.rule) for f in errors],
        )
    record = state.record
    if record is not None and state.members:
        if record.one_off_income > _gross(record):
            raise InvalidInput(
                "one-off income is part of the income components and cannot exceed them",
                errors=[
                    FieldError(
                        (*(loc.year or (*_STORED, "year")), "one_off_income"),
                        "一次性收入不能超过各项收入之和 / exceeds the income components",
                    )
                ],
            )
        record.per_capita_net_income = per_capita_net_income(income_of(record), len(state.members))
    return findings


def _gross(record: HouseholdYear) -> Decimal:
    c = income_of(record)
    return c.wage + c.operating + c.property + transfer_income(c)


async def store_warnings(session: AsyncSession, state: YearState, findings: list[Finding]) -> None:
    """Replace the household-year's warnings and flags with this write's findings."""
    await session.execute(
        sa.delete(QualityWarning).where(
            QualityWarning.household_id == state.household.id, QualityWarning.year == state.year
        )
    )
    session.add_all(
        QualityWarning(
            household_id=state.household.id,
            year=state.year,
            rule=f.rule,
            severity=f.severity,
            message=f.message[:300],
            field=stored_field(f.field, state)[:120],
        )
        for f in findings
        if f.severity != "error"
    )
