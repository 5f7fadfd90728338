"""Old age: 高龄补贴/长寿津贴 (专栏22-1,2,3), 失能护理补贴 (专栏22-4), resident pension (专栏22-9)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import Field

from shared.errors import FieldError

from ..ages import age_on, first_of_month
from ..errors import InvalidFacts
from ..parameters.store import ParameterSet
from ..results import BenefitResult, Calculation
from .facts import BirthDate, CareLevel, Facts, Targeted

ELDERLY = "elderly_allowance"
ELDERLY_READING = (
    "Age is counted on the first day of the month. A 低保 member gets the 低保 elderly allowance "
    "instead of, not on top of, the ordinary allowance; from 100 both get the longevity allowance."
)
ORDINARY_LABEL = "高龄补贴 elderly allowance"
DIBAO_LABEL = "低保高龄补贴 低保 elderly allowance"
LONGEVITY_LABEL = "长寿津贴 longevity allowance"
E = "elderly_allowance."


def born_before(birth: date, on: date) -> None:
    if birth > on:
        raise InvalidFacts(
            f"birth_date {birth} is after the date asked ({on})",
            errors=[FieldError(loc=("birth_date",), msg="birth date after the date asked")],
        )


class ElderlyAllowanceFacts(Facts):
    birth_date: BirthDate
    dibao: bool = Field(default=False, description="The person receives 低保")


def elderly_allowance(
    facts: ElderlyAllowanceFacts, params: ParameterSet, on: date
) -> BenefitResult:
    calc = Calculation(ELDERLY, "专栏22-1,2,3", params, on, facts, ELDERLY_READING)
    born_before(facts.birth_date, on)
    month = first_of_month(on)
    age = age_on(facts.birth_date, month)
    calc.step(f"age on {month}", age)
    ages = [calc.param(E + k) for k in ("band_1_age", "band_2_age", "band_3_age")]
    centenarian = calc.param(E + "centenarian_age")
    if age >= centenarian:
        calc.because(f"aged {age} on {month}: longevity allowance")
        extra = (age - centenarian) * calc.param(E + "centenarian_per_year")
        calc.item(LONGEVITY_LABEL, calc.param(E + "centenarian_base") + extra, "month")
        return calc.result("month")
    band = sum(age >= band_age for band_age in ages)
    if band == 0:
        calc.refuse(f"aged {age} on {month}: below {ages[0]}")
        return calc.result("month")
    prefix = "dibao_band_" if facts.dibao else "band_"
    calc.because(f"aged {age} on {month}: band {band}" + (" (低保)" if facts.dibao else ""))
    label = DIBAO_LABEL if facts.dibao else ORDINARY_LABEL
    calc.item(label, calc.param(E + prefix + str(band)), "month")
    return calc.result("month")


CARE = "disability_care"
CARE_LABEL = "失能老年人护理补贴 care subsidy"
CARE_READING = (
    "失能老年人 is read as a person aged 60 or more on the date asked (老年人权益保障法)."
)
D = "disability."


class DisabilityCareFacts(Facts):
    birth_date: BirthDate
    care_level: CareLevel = Field(description="失能 care level of the elderly person")


def disability_care(facts: DisabilityCareFacts, params: ParameterSet, on: date) -> BenefitResult:
    calc = Calculation(CARE, "专栏22-4", params, on, facts, CARE_READING)
    born_before(facts.birth_date, on)
    age, min_age = age_on(facts.birth_date, on), calc.param(D + "care_min_age")
    if age < min_age:
        calc.refuse(f"aged {age} on {on}: not an elderly person (under {min_age})")
        return calc.result("year")
    calc.because(f"aged {age}, {facts.care_level}")
    calc.item(CARE_LABEL, calc.param(D + "care_" + facts.care_level), "year")
    return calc.result("year")


PENSION = "pension"
PENSION_READING = (
    "The basic pension is paid for a month when the person is 60 on its first day. The minimum "
    "contribution the government pays for a poor member is 100 per year (第一章第一节四: 1051 "
    "people, 10.51万元). Tiers from 300 up to the 500 tier earn the 300 tier's subsidy."
)
BASIC_PENSION_LABEL = "基础养老金 basic pension"
SUBSIDY_LABEL = "缴费补贴 contribution subsidy"
PAID_CONTRIBUTION_LABEL = "政府代缴养老保险费 contribution paid by the government"
FUNERAL_LABEL = "丧葬补助 funeral grant"
PN = "pension."


class PensionFacts(Facts):
    birth_date: BirthDate
    enrolled: bool = Field(description="Enrolled in resident basic pension insurance")
    contribution_tier: Decimal | None = Field(
        default=None,
        gt=0,
        le=100000,
        decimal_places=2,
        description="Yearly contribution tier (缴费档次) chosen, yuan; none if not contributing",
    )
    targeted: Targeted = False
    deceased: bool = Field(default=False, description="The insured person has died")


def pension(facts: PensionFacts, params: ParameterSet, on: date) -> BenefitResult:
    calc = Calculation(PENSION, "专栏22-9, 第九章第二节一", params, on, facts, PENSION_READING)
    if not facts.enrolled:
        calc.refuse("not enrolled in resident basic pension insurance")
        return calc.result("month")
    born_before(facts.birth_date, on)
    month = first_of_month(on)
    pension_age = calc.param(PN + "age")
    if age_on(facts.birth_date, month) >= pension_age:
        calc.because(f"aged {pension_age} or more on {month}: basic pension")
        calc.item(BASIC_PENSION_LABEL, calc.param(PN + "basic_monthly"), "month")
    if age_on(facts.birth_date, on) < pension_age:
        tier = facts.contribution_tier
        if tier is not None and tier >= calc.param(PN + "subsidy_high_tier"):
            calc.item(SUBSIDY_LABEL, calc.param(PN + "subsidy_high"), "year")
        elif tier is not None and tier >= calc.param(PN + "subsidy_low_tier"):
            calc.item(SUBSIDY_LABEL, calc.param(PN + "subsidy_low"), "year")
        if facts.targeted:
            calc.because("poor member under pension age: the government pays the contribution")
            calc.item(PAID_CONTRIBUTION_LABEL, calc.param(PN + "poor_contribution"), "year")
    if facts.deceased:
        calc.item(FUNERAL_LABEL, calc.param(PN + "funeral_grant"), "once")
    return calc.result("month")
