"""Request bodies of the household endpoints: codes checked against the national lists.

Money arrives as decimal strings in yuan with two places and is never negative. Values the
server derives (per-capita net income 人均纯收入, sex and birth date from the ID number) are
either refused (`extra="forbid"`) or only cross-checked. Responses are in `views.py`.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from services.registry.households.fields import (
    Area,
    AssistanceType,
    Cause,
    DataYear,
    DisabilityCategory,
    Education,
    Ethnicity,
    Health,
    HouseGrade,
    IdentificationStandard,
    IdNumber,
    Labour,
    LeaveReason,
    Money,
    NationalNumber,
    PastDate,
    Phone,
    PovertyStatus,
    Relation,
    SchoolStatus,
    VillageCode,
    WorkStatus,
)
from shared.idcard import Sex, birth_date, sex

_YEAR_EXAMPLE: dict[str, Any] = {
    "wage_income": "9600.00",
    "operating_income": "1500.00",
    "property_income": "0.00",
    "pension_income": "1380.00",
    "operating_expenses": "300.00",
    "arable_land_mu": "2.50",
    "housing_area_m2": "86.00",
    "house_grade": None,
    "drinking_water_safe": True,
    "drinking_water_difficult": False,
    "food_secure": True,
    "clothing_secure": True,
}
_MEMBER_YEAR_EXAMPLE: dict[str, Any] = {
    "education": "junior_high",
    "school_status": "not_in_school",
    "health": ["chronic"],
    "labour": "ordinary",
    "work_status": "in_county",
    "work_months": 8,
    "critical_illness_insured": True,
}


class HouseholdYearIn(BaseModel):
    """收入与生活条件: a household's income survey and living conditions for one data year."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_YEAR_EXAMPLE]})

    wage_income: Money = Decimal(0)  # 工资性收入
    operating_income: Money = Decimal(0)  # 生产经营性收入
    property_income: Money = Decimal(0)  # 财产性收入
    family_planning_income: Money = Decimal(0)  # 计划生育金
    dibao_income: Money = Decimal(0)  # 低保金
    tekun_income: Money = Decimal(0)  # 特困供养金
    pension_income: Money = Decimal(0)  # 养老保险金
    ecological_income: Money = Decimal(0)  # 生态补偿金
    other_transfer_income: Money = Decimal(0)  # 其他转移性收入
    operating_expenses: Money = Decimal(0)  # 生产经营性支出
    one_off_income: Money = Decimal(0)  # 一次性收入 (counted in net income, not recurring)
    arable_land_mu: Area | None = None  # 耕地面积 (亩)
    housing_area_m2: Area | None = None  # 住房面积
    house_grade: HouseGrade | None = None  # 危房等级; None when not a dangerous house
    drinking_water_safe: bool = True  # 饮水安全
    drinking_water_difficult: bool = False  # 饮水困难
    relocation: bool = False  # 易地扶贫搬迁户
    relocated_moved_in: bool = False  # 搬迁入住
    food_secure: bool = True  # 不愁吃
    clothing_secure: bool = True  # 不愁穿
    expenditure_poverty: bool = False  # 支出型贫困


class MemberYearIn(BaseModel):
    """A member's attributes in one data year (AB01): schooling, health, labour, insurance."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [_MEMBER_YEAR_EXAMPLE]}
    )

    education: Education | None = None  # 文化程度
    school_status: SchoolStatus | None = None  # 在校生状况
    dropped_out: bool = False  # 辍学
    dropout_for_poverty: bool = False  # 因贫辍学
    health: list[Health] = Field(default_factory=list, max_length=4)  # 健康状况
    disability_category: DisabilityCategory | None = None  # 残疾类别
    disability_grade: int | None = Field(default=None, ge=1, le=4)  # 残疾等级, 1 most severe
    labour: Labour | None = None  # 劳动技能
    work_status: WorkStatus | None = None  # 务工状况
    work_months: int = Field(default=0, ge=0, le=12)  # 务工时间(月)
    basic_medical_insured: bool = True  # 城乡居民基本医疗保险
    critical_illness_insured: bool = True  # 大病保险
    commercial_insured: bool = False  # 商业补充医疗保险
    pension_insured: bool = False  # 城乡居民基本养老保险
    dibao: bool = False  # 低保
    tekun: bool = False  # 特困供养
    active_soldier: bool = False  # 现役军人

    @field_validator("health")
    @classmethod
    def _health_consistent(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("a health code is repeated")
        if "healthy" in value and len(value) > 1:
            raise ValueError("'healthy' cannot be combined with an illness or disability")
        return value

    @field_validator("disability_category", "disability_grade")
    @classmethod
    def _disabled(cls, value: object, info: ValidationInfo) -> object:
        if value is not None and "disabled" not in info.data.get("health", ["disabled"]):
            raise ValueError("disability details need 'disabled' among the health codes")
        return value


class MemberIn(BaseModel):
    """A person (AB10). Sex and birth date come from the ID number; supplied ones must agree."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64)
    id_number: IdNumber
    sex: Sex | None = None
    birth_date: PastDate | None = None
    ethnicity: Ethnicity = "han"  # 民族
    relation: Relation  # 与户主关系
    phone: Phone | None = None
    national_number: NationalNumber | None = None  # 人编号

    @field_validator("sex")
    @classmethod
    def _sex_of_id(cls, value: Sex | None, info: ValidationInfo) -> Sex | None:
        id18 = info.data.get("id_number")
        if value is not None and id18 is not None and sex(id18) != value:
            raise ValueError("contradicts the sex encoded in the ID number")
        return value

    @field_validator("birth_date")
    @classmethod
    def _birth_of_id(cls, value: date | None, info: ValidationInfo) -> date | None:
        id18 = info.data.get("id_number")
        if value is not None and id18 is not None and birth_date(id18) != value:
            raise ValueError("contradicts the birth date encoded in the ID number")
        return value


class MemberCreate(MemberIn):
    """A member as part of a new household, with the data year's attributes."""

    year: MemberYearIn = Field(default_factory=MemberYearIn)


_MEMBER_EXAMPLE: dict[str, Any] = {
    "name": "张建国",
    "id_number": "370404197005120312",
    "ethnicity": "han",
    "relation": "head",
    "phone": "13805401234",
    "year": _MEMBER_YEAR_EXAMPLE,
}


class MemberAdd(MemberCreate):
    """新增人口: a member joining an existing household (birth, marriage in), from a data year."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "张小雨",
                    "id_number": "370404201903020021",
                    "relation": "granddaughter",
                    "data_year": 2019,
                    "year": {"health": ["healthy"], "education": "preschool_child"},
                }
            ]
        },
    )

    data_year: DataYear


class HouseholdCreate(BaseModel):
    """建档立卡: a household with its members and the data year's yearly records."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "village_code": "370404104001",
                    "natural_village": "东于村",
                    "identification_standard": "provincial",
                    "identification_year": 2016,
                    "assistance_type": "general",
                    "status": "not_exited",
                    "main_cause": "illness",
                    "other_causes": ["lack_skills"],
                    "phone": "13805401234",
                    "data_year": 2019,
                    "year": _YEAR_EXAMPLE,
                    "members": [
                        _MEMBER_EXAMPLE,
                        {
                            "name": "李秀兰",
                            "id_number": "370404197208030245",
                            "relation": "spouse",
                            "year": {"health": ["healthy"], "labour": "ordinary"},
                        },
                    ],
                }
            ]
        },
    )

    village_code: VillageCode
    natural_village: str | None = Field(default=None, max_length=32)  # 自然村
    national_number: NationalNumber | None = None  # 户编号
    identification_standard: IdentificationStandard  # 识别标准
    identification_year: int = Field(ge=2013, le=2100)  # 识别年度
    assistance_type: AssistanceType  # 救助类型
    status: PovertyStatus = "not_exited"  # 脱贫状态
    exit_year: int | None = Field(default=None, ge=2014, le=2100)  # 脱贫年度
    main_cause: Cause  # 主要致贫原因
    other_causes: list[Cause] = Field(default_factory=list, max_length=13)  # 其他致贫原因
    phone: Phone | None = None
    # 人数 as written on the form; when given it must equal the number of members.
    size: int | None = Field(default=None, ge=1, le=30)
    data_year: DataYear
    year: HouseholdYearIn
    members: list[MemberCreate] = Field(min_length=1, max_length=30)


class HouseholdUpdate(BaseModel):
    """Changes to a household's stable facts; only the fields sent change.

    A `service` token may send only `status` and `exit_year`; `exit_hold_reason` (a
    county-level hold on exit) only a district administrator may set.
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"status": "exited_supported", "exit_year": 2019},
                {"village_code": "370404104002"},
            ]
        },
    )

    village_code: VillageCode | None = None
    natural_village: str | None = Field(default=None, max_length=32)
    national_number: NationalNumber | None = None
    identification_standard: IdentificationStandard | None = None
    identification_year: int | None = Field(default=None, ge=2013, le=2100)
    assistance_type: AssistanceType | None = None
    status: PovertyStatus | None = None
    exit_year: int | None = Field(default=None, ge=2014, le=2100)
    main_cause: Cause | None = None
    other_causes: list[Cause] | None = Field(default=None, max_length=13)
    phone: Phone | None = None
    exit_hold_reason: str | None = Field(default=None, min_length=1, max_length=200)

    @field_validator(
        "village_code",
        "identification_standard",
        "identification_year",
        "assistance_type",
        "status",
        "main_cause",
        "other_causes",
    )
    @classmethod
    def _not_null(cls, value: object) -> object:
        # Runs only for fields sent: these may change but never be cleared.
        if value is None:
            raise ValueError("may be changed but not cleared")
        return value


class MemberUpdate(BaseModel):
    """Corrections to a member's stable facts. A new ID number re-derives sex and birth date."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "张建华", "phone": "13905407788"}]},
    )

    name: str | None = Field(default=None, min_length=1, max_length=64)
    id_number: IdNumber | None = None
    ethnicity: Ethnicity | None = None
    relation: Relation | None = None
    phone: Phone | None = None
    national_number: NationalNumber | None = None

    @field_validator("name", "id_number", "ethnicity", "relation")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may be changed but not cleared")
        return value


class MemberRemove(BaseModel):
    """人口减少: the member leaves (death, marriage out, moving away); their history stays.

    When the head leaves, `new_head_member_id` names the member who becomes head.
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"left_on": "2019-06-18", "reason": "married_out"}]},
    )

    left_on: PastDate
    reason: LeaveReason
    new_head_member_id: uuid.UUID | None = None


class PersonSearch(BaseModel):
    """Look a person up by ID number. The number travels in the body, never in a URL."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"id_number": "370404197005120312"}]}
    )

    id_number: IdNumber
