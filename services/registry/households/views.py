"""Responses of the household endpoints.

ID numbers appear only masked. Health and disability details (健康状况, 残疾) are null for
roles that do not need them (`HEALTH_ROLES`). Money goes out as strings with two places.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, PlainSerializer

from services.registry.households.models import (
    Household,
    HouseholdYear,
    Member,
    MemberYear,
    QualityWarning,
)
from shared.auth import Principal, Role

# Roles that see health and disability details; finance, provincial_system and service
# do not need them (DESIGN.md), so they get nulls.
HEALTH_ROLES = frozenset({Role.district_admin, Role.town_officer, Role.village_cadre, Role.auditor})


def sees_health(principal: Principal) -> bool:
    return principal.role in HEALTH_ROLES


MoneyOut = Annotated[Decimal, PlainSerializer(lambda d: f"{d:.2f}", return_type=str)]
AreaOut = Annotated[Decimal, PlainSerializer(lambda d: f"{d:.2f}", return_type=str)]


class HouseholdYearRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    year: int
    wage_income: MoneyOut
    operating_income: MoneyOut
    property_income: MoneyOut
    family_planning_income: MoneyOut
    dibao_income: MoneyOut
    tekun_income: MoneyOut
    pension_income: MoneyOut
    ecological_income: MoneyOut
    other_transfer_income: MoneyOut
    operating_expenses: MoneyOut
    one_off_income: MoneyOut
    # 人均纯收入 = (wage + operating + property + transfer − operating expenses) ÷ size.
    per_capita_net_income: MoneyOut
    arable_land_mu: AreaOut | None
    housing_area_m2: AreaOut | None
    house_grade: str | None
    drinking_water_safe: bool
    drinking_water_difficult: bool
    relocation: bool
    relocated_moved_in: bool
    food_secure: bool
    clothing_secure: bool
    expenditure_poverty: bool


class MemberYearRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    year: int
    education: str | None
    school_status: str | None
    dropped_out: bool
    dropout_for_poverty: bool
    health: list[str] | None  # null when the caller's role may not see health details
    disability_category: str | None
    disability_grade: int | None
    labour: str | None
    work_status: str | None
    work_months: int
    basic_medical_insured: bool
    critical_illness_insured: bool
    commercial_insured: bool
    pension_insured: bool
    dibao: bool
    tekun: bool
    active_soldier: bool


_MEMBER_EXAMPLE: dict[str, Any] = {
    "id": "5b0e8a52-3c1d-4f7e-9a61-0d2f4c8b7a13",
    "household_id": "0f6c2d4e-8b1a-4c3d-9e5f-7a6b5c4d3e2f",
    "national_number": None,
    "name": "张建国",
    "id_number_masked": "370404********0312",
    "sex": "male",
    "birth_date": "1970-05-12",
    "ethnicity": "han",
    "relation": "head",
    "phone": "13805401234",
    "left_on": None,
    "leave_reason": None,
    "version": 1,
    "year": {
        "year": 2019,
        "education": "junior_high",
        "school_status": "not_in_school",
        "dropped_out": False,
        "dropout_for_poverty": False,
        "health": ["chronic"],
        "disability_category": None,
        "disability_grade": None,
        "labour": "ordinary",
        "work_status": "in_county",
        "work_months": 8,
        "basic_medical_insured": True,
        "critical_illness_insured": True,
        "commercial_insured": False,
        "pension_insured": False,
        "dibao": False,
        "tekun": False,
        "active_soldier": False,
    },
}


class MemberRead(BaseModel):
    """A member; `version` is the member's ETag value for If-Match on member updates."""

    model_config = ConfigDict(json_schema_extra={"examples": [_MEMBER_EXAMPLE]})

    id: uuid.UUID
    household_id: uuid.UUID
    national_number: str | None
    name: str
    id_number_masked: str  # 370404********031X: area code and last four only
    sex: str
    birth_date: date
    ethnicity: str
    relation: str
    phone: str | None
    left_on: date | None
    leave_reason: str | None
    version: int
    year: MemberYearRead | None  # the attributes of the year shown, if recorded


class HouseholdRead(BaseModel):
    """A household as of one data year: `year` is that year's record (the requested one,
    else the latest), `size` the members counted in it, `version` the ETag value."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "0f6c2d4e-8b1a-4c3d-9e5f-7a6b5c4d3e2f",
                    "national_number": "3704041040010012",
                    "village_code": "370404104001",
                    "town_code": "370404104",
                    "natural_village": "东于村",
                    "identification_standard": "provincial",
                    "identification_year": 2016,
                    "assistance_type": "general",
                    "status": "not_exited",
                    "exit_year": None,
                    "main_cause": "illness",
                    "other_causes": ["lack_skills"],
                    "phone": "13805401234",
                    "exit_hold_reason": None,
                    "version": 3,
                    "created_at": "2019-03-02T09:15:00+08:00",
                    "updated_at": "2019-11-20T16:40:00+08:00",
                    "size": 3,
                    "year": {
                        "year": 2019,
                        "wage_income": "9600.00",
                        "operating_income": "1500.00",
                        "property_income": "0.00",
                        "family_planning_income": "0.00",
                        "dibao_income": "0.00",
                        "tekun_income": "0.00",
                        "pension_income": "1380.00",
                        "ecological_income": "0.00",
                        "other_transfer_income": "0.00",
                        "operating_expenses": "300.00",
                        "one_off_income": "0.00",
                        "per_capita_net_income": "4060.00",
                        "arable_land_mu": "2.50",
                        "housing_area_m2": "86.00",
                        "house_grade": None,
                        "drinking_water_safe": True,
                        "drinking_water_difficult": False,
                        "relocation": False,
                        "relocated_moved_in": False,
                        "food_secure": True,
                        "clothing_secure": True,
                        "expenditure_poverty": False,
                    },
                    "members": [_MEMBER_EXAMPLE],
                    "departed_members": [],
                }
            ]
        }
    )

    id: uuid.UUID
    national_number: str | None
    village_code: str
    town_code: str
    natural_village: str | None
    identification_standard: str
    identification_year: int
    assistance_type: str
    status: str
    exit_year: int | None
    main_cause: str
    other_causes: list[str]
    phone: str | None
    exit_hold_reason: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    size: int
    year: HouseholdYearRead | None
    members: list[MemberRead]  # current members
    departed_members: list[MemberRead]  # 已减少人口, kept as history


class WarningRead(BaseModel):
    """A stored data-quality warning or flag; `field` names the stored fact it is about."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 812,
                    "household_id": "0f6c2d4e-8b1a-4c3d-9e5f-7a6b5c4d3e2f",
                    "year": 2019,
                    "rule": "income.operating_without_expenses",
                    "severity": "warning",
                    "message": "有生产经营性收入但无生产经营性支出 / operating income without "
                    "operating expenses",
                    "field": "year.operating_expenses",
                }
            ]
        },
    )

    id: int
    household_id: uuid.UUID
    year: int
    rule: str
    severity: str
    message: str
    field: str


class HistoryEntry(BaseModel):
    """One write to the household, from the audit log; ID numbers masked in snapshots."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 4711,
                    "at": "2019-11-20T16:40:00+08:00",
                    "actor": "wang.cadre",
                    "actor_role": "village_cadre",
                    "action": "household.update",
                    "before": {"status": "not_exited", "exit_year": None},
                    "after": {"status": "pre_exit", "exit_year": None},
                }
            ]
        },
    )

    id: int
    at: datetime
    actor: str
    actor_role: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class PersonMatch(BaseModel):
    """A membership of the person searched for, current or past, inside the caller's area."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "household_id": "0f6c2d4e-8b1a-4c3d-9e5f-7a6b5c4d3e2f",
                    "member_id": "5b0e8a52-3c1d-4f7e-9a61-0d2f4c8b7a13",
                    "village_code": "370404104001",
                    "name": "张建国",
                    "id_number_masked": "370404********0312",
                    "relation": "head",
                    "household_status": "not_exited",
                    "left_on": None,
                    "leave_reason": None,
                }
            ]
        }
    )

    household_id: uuid.UUID
    member_id: uuid.UUID
    village_code: str
    name: str
    id_number_masked: str
    relation: str
    household_status: str
    left_on: date | None  # set when the person left this household (a past membership)
    leave_reason: str | None


class RevealedId(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "member_id": "5b0e8a52-3c1d-4f7e-9a61-0d2f4c8b7a13",
                    "id_number": "370404197005120312",
                }
            ]
        }
    )

    member_id: uuid.UUID
    id_number: str


def member_read(member: Member, year: MemberYear | None, *, show_health: bool) -> MemberRead:
    year_read = MemberYearRead.model_validate(year) if year is not None else None
    if year_read is not None and not show_health:
        year_read = year_read.model_copy(
            update={"health": None, "disability_category": None, "disability_grade": None}
        )
    return MemberRead(
        id=member.id,
        household_id=member.household_id,
        national_number=member.national_number,
        name=member.name,
        id_number_masked=member.id_number_masked,
        sex=member.sex,
        birth_date=member.birth_date,
        ethnicity=member.ethnicity,
        relation=member.relation,
        phone=member.phone,
        left_on=member.left_on,
        leave_reason=member.leave_reason,
        version=member.version,
        year=year_read,
    )


def household_read(
    household: Household,
    record: HouseholdYear | None,
    members: list[tuple[Member, MemberYear | None]],
    *,
    size: int,
    show_health: bool,
) -> HouseholdRead:
    """The model-built household read. The service answers with the documents PostgreSQL
    builds (reading.py); tests/registry/test_households_documents.py holds those equal to
    this, the reference, for every role, area level and data year."""
    current = [member_read(m, y, show_health=show_health) for m, y in members if m.left_on is None]
    departed = [
        member_read(m, y, show_health=show_health) for m, y in members if m.left_on is not None
    ]
    return HouseholdRead(
        id=household.id,
        national_number=household.national_number,
        village_code=household.village_code,
        town_code=household.town_code,
        natural_village=household.natural_village,
        identification_standard=household.identification_standard,
        identification_year=household.identification_year,
        assistance_type=household.assistance_type,
        status=household.status,
        exit_year=household.exit_year,
        main_cause=household.main_cause,
        other_causes=list(household.other_causes),
        phone=household.phone,
        exit_hold_reason=household.exit_hold_reason,
        version=household.version,
        created_at=household.created_at,
        updated_at=household.updated_at,
        size=size,
        year=HouseholdYearRead.model_validate(record) if record is not None else None,
        members=current,
        departed_members=departed,
    )


def warning_read(warning: QualityWarning) -> WarningRead:
    return WarningRead.model_validate(warning)


def example_of(model: type[BaseModel]) -> dict[str, Any]:
    """The first OpenAPI example of a response model, for examples of pages of it."""
    extra = model.model_config.get("json_schema_extra")
    assert isinstance(extra, dict)
    examples = extra["examples"]
    assert isinstance(examples, list) and isinstance(examples[0], dict)
    return examples[0]
