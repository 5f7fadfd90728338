"""The national data-quality rules over an imported household, with each finding placed
at a row and column of the file (errors) or at a stored field (kept warnings).

The paths mirror `households.checks.locate`: a stored warning's `field` reads the same
whether the household was written through the API or imported.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from services.registry.households.quality import (
    Finding,
    HouseholdCheck,
    IncomeComponents,
    MemberCheck,
    check_household,
    transfer_income,
)
from shared.errors import FieldError

# quality's member attribute -> (member_year column, or None for a member column)
_MEMBER_YEAR = {
    "school_status": "school_status",
    "labour": "labour",
    "work_status": "work_status",
    "dropout": "dropped_out",
    "critical_illness_insured": "critical_illness_insured",
}
_YEAR = {
    "wage": "wage_income",
    "operating_expenses": "operating_expenses",
    "house_grade": "house_grade",
    "water_safe": "drinking_water_safe",
    "water_difficult": "drinking_water_difficult",
}
# quality's names -> the file's columns (first choice, else a national column)
_MEMBER_HEADERS = {
    "relation": ("与户主关系",),
    "sex": ("性别", "证件号码"),
    "school_status": ("在校生状况",),
    "labour": ("劳动技能",),
    "work_status": ("务工状况",),
    "dropout": ("是否辍学", "在校生状况"),
    "critical_illness_insured": ("是否参加大病保险",),
}
_HOUSEHOLD_HEADERS = {
    "size": ("人数",),
    "members": ("与户主关系",),
    "main_cause": ("主要致贫原因",),
    "other_causes": ("其他致贫原因", "主要致贫原因"),
    "wage": ("工资性收入", "人均纯收入"),
    "operating_expenses": ("生产经营性支出", "人均纯收入"),
    "income": ("人均纯收入",),
    "house_grade": ("危房等级", "危房户"),
    "water_safe": ("饮水安全",),
    "water_difficult": ("饮水困难",),
}


@dataclass(frozen=True, slots=True)
class CheckedMember:
    id: uuid.UUID
    row: int
    check: MemberCheck


def _header(choices: Sequence[str], present: frozenset[str]) -> str:
    return next((h for h in choices if h in present), choices[-1])


def file_location(
    finding: Finding, members: Sequence[CheckedMember], first_row: int, present: frozenset[str]
) -> tuple[str | int, ...]:
    path = finding.field
    head = str(path[0]) if path else ""
    if head == "members" and len(path) >= 3:
        member = members[int(path[1])]
        header = _header(_MEMBER_HEADERS.get(str(path[2]), ("姓名",)), present)
        return ("row", member.row, header)
    key = head if head in _HOUSEHOLD_HEADERS and len(path) <= 2 else str(path[-1])
    if head == "income" and len(path) == 1:
        key = "income"
    header = _header(_HOUSEHOLD_HEADERS.get(key, ("户编号",)), present)
    return ("row", first_row, header)


def stored_field(finding: Finding, members: Sequence[CheckedMember]) -> str:
    """Where a kept warning points in the stored household (as `checks.stored_field`)."""
    path = finding.field
    head = str(path[0]) if path else ""
    if head == "members" and len(path) >= 3:
        member_id, attr = members[int(path[1])].id, str(path[2])
        if attr in _MEMBER_YEAR:
            return f"members.{member_id}.year.{_MEMBER_YEAR[attr]}"
        return f"members.{member_id}.{attr}"
    if head in ("size", "members", "main_cause", "other_causes"):
        return ".".join(str(p) for p in path)
    if head == "income" and len(path) == 1:
        return "year.per_capita_net_income"
    name = _YEAR.get(str(path[-1]))
    return f"year.{name}" if name is not None else ".".join(str(p) for p in path)


def gross(income: IncomeComponents) -> Decimal:
    return income.wage + income.operating + income.property + transfer_income(income)


@dataclass(frozen=True, slots=True)
class HouseholdFacts:
    year: int
    status: str
    main_cause: str
    other_causes: tuple[str, ...]
    income: IncomeComponents
    one_off_income: Decimal
    house_grade: str | None
    water_safe: bool
    water_difficult: bool
    exit_year: int | None


def run_rules(
    facts: HouseholdFacts,
    members: Sequence[CheckedMember],
    first_row: int,
    present: frozenset[str],
) -> tuple[list[FieldError], list[tuple[str, str, str, str]]]:
    """(errors at file positions, kept findings as (rule, severity, message, field))."""
    findings = check_household(
        HouseholdCheck(
            data_year=facts.year,
            status=facts.status,
            declared_size=len(members),
            members=tuple(m.check for m in members),
            main_cause=facts.main_cause,
            other_causes=facts.other_causes,
            income=facts.income,
            house_grade=facts.house_grade,
            water_safe=facts.water_safe,
            water_difficult=facts.water_difficult,
            exit_year=facts.exit_year,
            poverty_line=None,  # an eligibility parameter; that flag is eligibility's
        ),
        reference_date=date(facts.year, 12, 31),
    )
    errors = [
        FieldError(file_location(f, members, first_row, present), f.message, f.rule)
        for f in findings
        if f.severity == "error"
    ]
    if facts.one_off_income > gross(facts.income):
        header = _header(("一次性收入", "人均纯收入"), present)
        errors.append(
            FieldError(
                ("row", first_row, header),
                "一次性收入不能超过各项收入之和 / exceeds the income components",
                "income.one_off_exceeds_income",
            )
        )
    kept: list[tuple[str, str, str, str]] = [
        (f.rule, str(f.severity), f.message[:300], stored_field(f, members)[:120])
        for f in findings
        if f.severity != "error"
    ]
    return errors, kept
