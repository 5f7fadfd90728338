"""Medical security: basic insurance, critical-illness insurance, fee waivers, assistance.

专栏22-11, 专栏22-12, 第七章第二节一, 专栏15, 第九章第一节三.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import Field

from ..money import ZERO, Yuan
from ..parameters.store import ParameterSet
from ..results import BenefitResult, Calculation
from .facts import Facts, Targeted

P = "medical."
HospitalLevel = Literal[1, 2, 3]

BASIC = "basic_medical_insurance"
BASIC_LABEL = "基本医疗保险报销 basic insurance reimbursement"
CRITICAL = "critical_illness_insurance"
CRITICAL_LABEL = "大病保险 critical-illness insurance payout"
CRITICAL_READING = (
    "Bands apply to the part of the year's remaining in-policy cost within each band, from the "
    "deductible up. Poor members: deductible halved and the first band starts there, every band "
    "rate +5 points, annual cap 500000; others have no cap (the plan states none)."
)
WAIVER = "medical_fee_waiver"
ASSISTANCE = "medical_assistance"
ASSISTANCE_LABEL = "医疗救助 medical assistance"


class BasicMedicalFacts(Facts):
    enrolled: bool = Field(description="Enrolled in resident basic medical insurance")
    hospital_level: HospitalLevel = Field(description="Level of the hospital (1, 2 or 3)")
    in_policy_cost: Yuan = Field(description="In-policy (合规) cost of this treatment")
    reimbursed_this_year: Yuan = Field(
        default=ZERO, description="Basic insurance already reimbursed to the person this year"
    )


def basic_reimbursement(calc: Calculation, facts: BasicMedicalFacts) -> Decimal:
    rate = calc.param(P + f"basic_rate_level_{facts.hospital_level}")
    room = max(ZERO, calc.param(P + "basic_annual_cap") - facts.reimbursed_this_year)
    calc.step("cost × rate", facts.in_policy_cost * rate)
    calc.step("room left under the annual cap", room)
    return min(facts.in_policy_cost * rate, room)


def basic_medical_insurance(
    facts: BasicMedicalFacts, params: ParameterSet, on: date
) -> BenefitResult:
    calc = Calculation(BASIC, "专栏22-11", params, on, facts)
    if not facts.enrolled:
        calc.refuse("not enrolled in resident basic medical insurance")
        return calc.result("once")
    calc.because(f"level-{facts.hospital_level} hospital")
    calc.item(BASIC_LABEL, basic_reimbursement(calc, facts), "once")
    return calc.result("once")


class CriticalIllnessFacts(Facts):
    targeted: Targeted
    insured: bool = Field(default=True, description="Covered by critical-illness insurance")
    remaining_cost: Yuan = Field(
        description="The year's in-policy cost left to the person after basic insurance"
    )


def critical_payout(calc: Calculation, cost: Decimal, poor: bool) -> Decimal:
    """Unrounded yearly payout for `cost`; steps record each band's amount."""
    deductible = calc.param(P + ("critical_poor_deductible" if poor else "critical_deductible"))
    bonus = calc.param(P + "critical_poor_rate_bonus") if poor else ZERO
    band_2, band_3 = calc.param(P + "critical_band_2_from"), calc.param(P + "critical_band_3_from")
    bands = ((deductible, band_2, 1), (band_2, band_3, 2), (band_3, None, 3))
    total = ZERO
    for low, high, number in bands:
        start = max(low, deductible)
        part = max(ZERO, (cost if high is None else min(cost, high)) - start)
        rate = calc.param(P + f"critical_rate_band_{number}") + bonus
        calc.step(f"band {number} from {start}: {part} × {rate}", part * rate)
        total += part * rate
    if poor:
        cap = calc.param(P + "critical_poor_annual_cap")
        calc.step("annual cap for a poor member", cap)
        total = min(total, cap)
    return total


def critical_illness_insurance(
    facts: CriticalIllnessFacts, params: ParameterSet, on: date
) -> BenefitResult:
    calc = Calculation(CRITICAL, "专栏22-12, 第七章第二节一", params, on, facts, CRITICAL_READING)
    if not facts.insured:
        calc.refuse("not covered by critical-illness insurance")
        return calc.result("year")
    calc.because("poor member: halved deductible, +5 points" if facts.targeted else "general")
    calc.item(CRITICAL_LABEL, critical_payout(calc, facts.remaining_cost, facts.targeted), "year")
    return calc.result("year")


class FeeWaiverFacts(Facts):
    targeted: Targeted
    registration_fee: Yuan = Field(default=ZERO, description="普通门诊挂号费 ordinary registration")
    consultation_fee: Yuan = Field(
        default=ZERO, description="普通门诊诊查费 (含一般诊疗费) ordinary consultation"
    )
    expert_consultation_fee: Yuan = Field(default=ZERO, description="专家门诊诊查费")
    equipment_exam_fee: Yuan = Field(default=ZERO, description="大型设备检查费 (outpatient)")
    inpatient_ct_mr_own_share: Yuan = Field(
        default=ZERO, description="In hospital: patient's own share (after insurance) of CT/MR fees"
    )
    inpatient_lab_own_share: Yuan = Field(
        default=ZERO, description="In hospital: patient's own share of laboratory fees"
    )


WAIVED_FEES = (
    ("registration_fee", "waiver_ordinary_rate", "普通门诊挂号费减免 registration fee waived"),
    ("consultation_fee", "waiver_ordinary_rate", "普通门诊诊查费减免 consultation fee waived"),
    ("expert_consultation_fee", "waiver_expert_rate", "专家门诊诊查费减半 expert fee halved"),
    ("equipment_exam_fee", "waiver_equipment_rate", "大型设备检查费减半 equipment exam halved"),
    ("inpatient_ct_mr_own_share", "waiver_inpatient_rate", "住院CT、MR个人自负部分减免30%"),
    ("inpatient_lab_own_share", "waiver_inpatient_rate", "住院化验检查费个人自负部分减免30%"),
)


def medical_fee_waiver(facts: FeeWaiverFacts, params: ParameterSet, on: date) -> BenefitResult:
    calc = Calculation(WAIVER, "专栏15", params, on, facts)
    if not facts.targeted:
        calc.refuse("两免两减半 applies to registered poor patients only")
        return calc.result("once")
    for field, rate_name, label in WAIVED_FEES:
        fee: Decimal = getattr(facts, field)
        calc.item(label, fee * calc.param(P + rate_name), "once")
    return calc.result("once")


class MedicalAssistanceFacts(Facts):
    dibao: bool = Field(description="The person receives 低保")
    tekun: bool = Field(description="The person is supported as 特困 (五保)")
    self_paid_cost: Yuan = Field(
        description="In-policy cost the person still pays after basic and critical-illness insurance"
    )


def medical_assistance(
    facts: MedicalAssistanceFacts, params: ParameterSet, on: date
) -> BenefitResult:
    calc = Calculation(ASSISTANCE, "第九章第一节三", params, on, facts)
    if not (facts.dibao or facts.tekun):
        calc.refuse("medical assistance covers 低保 and 特困 members only")
        return calc.result("year")
    calc.because("低保 member" if facts.dibao else "特困 member")
    rate = calc.param(P + "assistance_rate")
    calc.item(ASSISTANCE_LABEL, facts.self_paid_cost * rate, "year")
    return calc.result("year")
