"""A household record as the rules read it, in the national system's vocabulary (DOMAIN.md).

Stable and yearly facts arrive flattened for one data year: the household with its members,
income components (AC07), living conditions (AC30) and survey flags.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, model_validator

from .benefits.facts import (
    BirthDate,
    CareLevel,
    ChildCategory,
    Facts,
    HousingGrade,
    SchoolStage,
    TekunArrangement,
)
from .benefits.housing import RenovationMethod
from .benefits.rural import PlotArea
from .money import ZERO, Yuan

PovertyStatus = Literal["0", "1", "2", "3", "4"]
"""脱贫状态: 0 未脱贫, 1 已脱贫(享受政策), 2 预脱贫, 3 返贫, 4 已脱贫(不再享受政策)."""
CURRENTLY_POOR: frozenset[str] = frozenset({"0", "2", "3"})
EXITED: frozenset[str] = frozenset({"1", "4"})

AssistanceType = Literal["general", "dibao", "tekun", "dibao_tekun"]
"""贫困户属性 without the status: 一般 / 低保 / 特困供养 / 低保特困供养."""

HealthCode = Literal["01", "02", "03", "04"]
"""健康状况: 01 健康, 02 长期慢性病, 03 患有大病, 04 残疾 (several may apply)."""
DISABLED: HealthCode = "04"

SchoolStatus = Literal[
    "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14", "15", "16"
]
"""在校生状况 national codes: 01 非在校生, 02 学前教育, 03 小学, 04–06 七至九年级, 07–09 高中,
10–12 中职, 13–15 高职, 16 大专及以上."""

STAGE_OF_STATUS: dict[str, SchoolStage] = {
    "02": "preschool",
    "03": "primary",
    **dict.fromkeys(("04", "05", "06"), "junior_secondary"),
    **dict.fromkeys(("07", "08", "09"), "senior_high"),
    **dict.fromkeys(("10", "11", "12"), "secondary_vocational"),
    **dict.fromkeys(("13", "14", "15"), "higher_vocational"),
    "16": "higher_education",
}

Identifier = Annotated[str, Field(min_length=1, max_length=64)]


class MemberFacts(Facts):
    member_id: Identifier = Field(description="Person number (人编号) or local identifier")
    birth_date: BirthDate
    sex: Literal["male", "female"]
    health: list[HealthCode] = Field(default=["01"], min_length=1, max_length=4)
    disability_grade: int | None = Field(
        default=None, ge=1, le=4, description="Disability grade 1–4; required when disabled"
    )
    care_level: CareLevel | None = Field(default=None, description="失能 care level, if any")
    school_status: SchoolStatus = "01"
    boarding: bool = Field(default=False, description="Boarder (寄宿生)")
    dropout_for_poverty: bool = Field(
        default=False, description="Dropped out for poverty (因贫辍学)"
    )
    basic_medical_insured: bool = Field(description="城乡居民基本医疗保险")
    critical_illness_insured: bool = Field(description="大病保险")
    commercial_insured: bool = Field(default=False, description="商业补充医疗保险")
    pension_enrolled: bool = Field(description="城乡居民基本养老保险")
    pension_contribution_tier: Decimal | None = Field(
        default=None, gt=0, le=100000, decimal_places=2, description="Yearly contribution tier"
    )
    dibao: bool = Field(default=False, description="The member receives 低保")
    tekun: TekunArrangement | None = Field(default=None, description="特困供养 arrangement")
    child_support: ChildCategory | None = Field(default=None, description="Orphan or 困境儿童")
    critical_illness_cost: Yuan = Field(
        default=ZERO, description="The year's in-policy medical cost left after basic insurance"
    )

    @property
    def disabled(self) -> bool:
        return DISABLED in self.health

    @property
    def school_stage(self) -> SchoolStage | None:
        return STAGE_OF_STATUS.get(self.school_status)

    @model_validator(mode="after")
    def _grade_iff_disabled(self) -> MemberFacts:
        if self.disabled != (self.disability_grade is not None):
            raise ValueError("disability_grade is required for a disabled member (04), only")
        if len(set(self.health)) != len(self.health):
            raise ValueError("health codes repeat")
        return self


class IncomeFacts(Facts):
    """Yearly income components (DOMAIN.md): transfer income is kept by kind."""

    wage_income: Yuan = Field(default=ZERO, description="工资性收入")
    operating_income: Yuan = Field(default=ZERO, description="生产经营性收入")
    property_income: Yuan = Field(
        default=ZERO, description="财产性收入 (incl. asset-income dividends)"
    )
    family_planning: Yuan = Field(default=ZERO, description="计划生育金 (transfer)")
    dibao_payment: Yuan = Field(default=ZERO, description="低保金 (transfer)")
    tekun_payment: Yuan = Field(default=ZERO, description="特困供养金 (transfer)")
    pension_payment: Yuan = Field(default=ZERO, description="养老保险金 (transfer)")
    ecological: Yuan = Field(default=ZERO, description="生态补偿金 (transfer)")
    other_transfer: Yuan = Field(default=ZERO, description="其他转移性收入")
    operating_expenses: Yuan = Field(default=ZERO, description="生产经营性支出")
    one_off: Yuan = Field(
        default=ZERO, description="Part of the components above that will not recur (one-off)"
    )

    @property
    def transfer(self) -> Decimal:
        return (
            self.family_planning
            + self.dibao_payment
            + self.tekun_payment
            + self.pension_payment
            + self.ecological
            + self.other_transfer
        )

    @property
    def gross(self) -> Decimal:
        return self.wage_income + self.operating_income + self.property_income + self.transfer

    @property
    def net(self) -> Decimal:
        return self.gross - self.operating_expenses

    @property
    def net_without_assistance(self) -> Decimal:
        """Net income without the 低保 and 特困 payments, which a 低保 top-up must not count."""
        return self.net - self.dibao_payment - self.tekun_payment

    @model_validator(mode="after")
    def _one_off_within_income(self) -> IncomeFacts:
        if self.one_off > self.gross:
            raise ValueError("one_off income cannot exceed the income components it is part of")
        return self


class RenovationPlan(Facts):
    method: RenovationMethod
    actual_investment: Yuan
    planned_floor_area: Decimal = Field(gt=0, le=10000, decimal_places=2)


class HouseholdFacts(Facts):
    household_id: Identifier = Field(description="Household number (户编号) or local identifier")
    village_code: str = Field(pattern=r"^\d{12}$", description="12-digit village code")
    status: PovertyStatus | None = Field(description="脱贫状态; none if not in the register")
    exit_year: int | None = Field(default=None, ge=2010, le=2100, description="脱贫年度")
    assistance: AssistanceType = "general"
    members: list[MemberFacts] = Field(min_length=1, max_length=30)
    income: IncomeFacts
    housing_grade: HousingGrade
    relocation_household: bool = Field(default=False, description="易地扶贫搬迁户")
    relocation_moved_in: bool = Field(default=False, description="Relocation household moved in")
    water_safe: bool = Field(description="饮水安全")
    water_difficult: bool = Field(description="饮水困难")
    food_secure: bool | None = Field(description="不愁吃 survey answer; none if not surveyed")
    clothing_secure: bool | None = Field(description="不愁穿 survey answer; none if not surveyed")
    expenditure_poverty: bool = Field(
        default=False, description="Expenditure-type poverty from major illness or disaster"
    )
    hold_reason: str | None = Field(
        default=None, min_length=1, description="Hold set by a county-level-or-higher office"
    )
    in_provincial_key_village: bool = False
    agri_own_premium: Yuan = Field(default=ZERO, description="Own share of farm insurance")
    afforested_plots_mu: list[PlotArea] = Field(default=[], max_length=100)
    renovation: RenovationPlan | None = None

    @property
    def dibao_household(self) -> bool:
        return self.assistance in ("dibao", "dibao_tekun")

    @property
    def tekun_household(self) -> bool:
        return self.assistance in ("tekun", "dibao_tekun")

    @model_validator(mode="after")
    def _consistent(self) -> HouseholdFacts:
        if (self.status in EXITED) != (self.exit_year is not None):
            raise ValueError("exit_year is required for an exited household (status 1 or 4), only")
        ids = [m.member_id for m in self.members]
        if len(set(ids)) != len(ids):
            raise ValueError("member_id repeats within the household")
        return self
