"""Social assistance: 低保 top-up, 特困 support, child support, temporary assistance,
disability subsidies and free electricity (专栏21, 专栏22, 专栏24, 专栏27, 第九章第一节)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import Field

from ..money import ZERO, per_capita
from ..parameters.store import ParameterSet
from ..results import BenefitResult, Calculation
from .facts import ChildCategory, Facts, HouseholdSize, SignedYuan, TekunArrangement

DIBAO_STANDARD = "dibao.rural_standard"

DIBAO = "dibao"
DIBAO_LABEL = "低保金（补差）低保 top-up"
DIBAO_READING = (
    "Income is the household's yearly net income without the 低保 and 特困 payments themselves: "
    "补差 tops up the household's own income. max(0, standard − income ÷ members) × members is "
    "computed as max(0, standard × members − income), which is the same and exact."
)


class DibaoFacts(Facts):
    dibao_household: bool = Field(description="The household is approved for 低保")
    members: HouseholdSize
    net_income: SignedYuan = Field(
        description="Yearly net income of the household, without 低保 and 特困 payments"
    )


def dibao(facts: DibaoFacts, params: ParameterSet, on: date) -> BenefitResult:
    calc = Calculation(DIBAO, "专栏21, 第九章第一节一", params, on, facts, DIBAO_READING)
    if not facts.dibao_household:
        calc.refuse("not a 低保 household")
        return calc.result("year")
    standard = calc.param(DIBAO_STANDARD)
    calc.step("per-capita income", per_capita(facts.net_income, facts.members))
    calc.step("standard × members", standard * facts.members)
    top_up = max(ZERO, standard * facts.members - facts.net_income)
    calc.because(f"低保 standard {standard} per person, {facts.members} members")
    calc.item(DIBAO_LABEL, top_up, "year")
    return calc.result("year")


TEKUN = "tekun_support"
TEKUN_LABEL = "特困人员供养金 特困 support"


class TekunFacts(Facts):
    arrangement: TekunArrangement | None = Field(
        description="集中 or 分散 供养; none if the person is not supported as 特困"
    )


def tekun_support(facts: TekunFacts, params: ParameterSet, on: date) -> BenefitResult:
    calc = Calculation(TEKUN, "专栏22-6", params, on, facts)
    if facts.arrangement is None:
        calc.refuse("not supported as 特困")
        return calc.result("year")
    calc.because(f"特困, {facts.arrangement} support")
    calc.item(TEKUN_LABEL, calc.param("tekun." + facts.arrangement), "year")
    return calc.result("year")


CHILD = "child_support"
CHILD_LABELS: dict[ChildCategory, str] = {
    "orphan_dispersed": "孤儿基本生活保障（社会散居）orphan support",
    "orphan_institutional": "孤儿基本生活保障（集中供养）orphan support",
    "child_in_distress": "困境儿童基本生活费 child in distress",
}


class ChildSupportFacts(Facts):
    category: ChildCategory | None = Field(
        description="Orphan (dispersed or institutional) or child in distress; none otherwise"
    )


def child_support(facts: ChildSupportFacts, params: ParameterSet, on: date) -> BenefitResult:
    calc = Calculation(CHILD, "专栏22-7,8", params, on, facts)
    if facts.category is None:
        calc.refuse("neither an orphan nor a child in distress")
        return calc.result("month")
    calc.item(CHILD_LABELS[facts.category], calc.param("child_support." + facts.category), "month")
    return calc.result("month")


TEMPORARY = "temporary_assistance"
TEMPORARY_LABEL = "临时救助 temporary assistance"


class TemporaryAssistanceFacts(Facts):
    members: HouseholdSize
    months: int = Field(ge=1, le=12, description="救助时限 months of assistance granted")


def temporary_assistance(
    facts: TemporaryAssistanceFacts, params: ParameterSet, on: date
) -> BenefitResult:
    calc = Calculation(TEMPORARY, "专栏22-10", params, on, facts)
    standard = calc.param(DIBAO_STANDARD)
    calc.step("monthly 低保 standard (annual ÷ 12)", standard / 12)
    # Multiply before dividing by 12 so that no intermediate is rounded.
    calc.item(TEMPORARY_LABEL, standard * facts.members * facts.months / 12, "once")
    return calc.result("once")


DISABILITY = "disability_subsidy"
LIVING_LABEL = "困难残疾人生活补贴 disability living subsidy"
SEVERE_LABEL = "重度残疾人护理补贴 severe disability care subsidy"


class DisabilitySubsidyFacts(Facts):
    dibao: bool = Field(description="The person receives 低保")
    disability_grade: int | None = Field(
        ge=1, le=4, description="Disability grade 1–4 (1 most severe); none if not disabled"
    )


def disability_subsidy(
    facts: DisabilitySubsidyFacts, params: ParameterSet, on: date
) -> BenefitResult:
    calc = Calculation(DISABILITY, "专栏24", params, on, facts)
    grade = facts.disability_grade
    if grade is None:
        calc.refuse("not disabled")
        return calc.result("month")
    if facts.dibao:
        calc.item(LIVING_LABEL, calc.param("disability.dibao_living_subsidy"), "month")
    if grade <= calc.param("disability.severe_max_grade"):
        calc.item(SEVERE_LABEL, calc.param("disability.severe_care_subsidy"), "month")
    if not calc.has_items:
        calc.refuse(f"grade {grade} disability without 低保: neither subsidy applies")
    return calc.result("month")


ELECTRICITY = "free_electricity"
ELECTRICITY_LABEL = "免费用电 free electricity"


class FreeElectricityFacts(Facts):
    dibao_household: bool = Field(description="低保户")
    tekun_household: bool = Field(description="五保户 (特困供养)")


def free_electricity(facts: FreeElectricityFacts, params: ParameterSet, on: date) -> BenefitResult:
    calc = Calculation(ELECTRICITY, "专栏27", params, on, facts)
    if not (facts.dibao_household or facts.tekun_household):
        calc.refuse("neither a 低保 nor a 五保 household")
        return calc.result("month", "kwh")
    kwh: Decimal = calc.param("rural.free_electricity_kwh")
    calc.item(ELECTRICITY_LABEL, kwh, "month", "kwh")
    return calc.result("month", "kwh")
