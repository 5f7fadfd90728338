"""一站式结算 one-stop settlement of a poor patient's hospital bill — 专栏15, 第七章第二节三.

Payers in order: basic insurance, critical-illness insurance, medical assistance (低保/特困
only), then commercial supplementary insurance pays what keeps the patient's self-pay at most
10 % of the in-policy cost.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field

from ..money import ZERO, Yuan
from ..parameters.store import ParameterSet
from ..results import BenefitResult, Calculation
from .facts import Facts, Targeted
from .medical import (
    ASSISTANCE_LABEL,
    BASIC_LABEL,
    CRITICAL_LABEL,
    BasicMedicalFacts,
    HospitalLevel,
    basic_reimbursement,
    critical_payout,
)

CODE = "one_stop_settlement"
SECTION = "专栏15, 第七章第二节三"
READING = (
    "Critical-illness insurance pays the increase of the year's payout caused by this bill: "
    "payout(cost counted before + this remainder) − payout(cost counted before). Each payer's "
    "amount is rounded before the next payer sees the remainder, as a real settlement does."
)
COMMERCIAL_LABEL = "医疗商业补充保险 commercial supplementary insurance"


class SettlementFacts(Facts):
    targeted: Targeted
    hospital_level: HospitalLevel = Field(description="Level of the hospital (1, 2 or 3)")
    in_policy_cost: Yuan = Field(description="In-policy cost of this hospital stay")
    basic_reimbursed_this_year: Yuan = Field(
        default=ZERO, description="Basic insurance already reimbursed to the patient this year"
    )
    critical_cost_before: Yuan = Field(
        default=ZERO,
        description="Remaining cost already counted by critical-illness insurance this year",
    )
    critical_insured: bool = Field(
        default=True, description="Covered by critical-illness insurance"
    )
    dibao: bool = Field(default=False, description="The patient receives 低保")
    tekun: bool = Field(default=False, description="The patient is supported as 特困")


def one_stop_settlement(facts: SettlementFacts, params: ParameterSet, on: date) -> BenefitResult:
    calc = Calculation(CODE, SECTION, params, on, facts, READING)
    if not facts.targeted:
        calc.refuse("one-stop settlement is for registered poor patients")
        return calc.result("once")
    cost = facts.in_policy_cost
    basic_facts = BasicMedicalFacts(
        enrolled=True,
        hospital_level=facts.hospital_level,
        in_policy_cost=cost,
        reimbursed_this_year=facts.basic_reimbursed_this_year,
    )
    remaining = cost - calc.item(BASIC_LABEL, basic_reimbursement(calc, basic_facts), "once")
    if facts.critical_insured:
        before = facts.critical_cost_before
        increase = critical_payout(calc, before + remaining, True) - critical_payout(
            calc, before, True
        )
        remaining -= calc.item(CRITICAL_LABEL, increase, "once")
    if facts.dibao or facts.tekun:
        rate = calc.param("medical.assistance_rate")
        remaining -= calc.item(ASSISTANCE_LABEL, remaining * rate, "once")
    most_self_pay = cost * calc.param("medical.settlement_max_self_pay")
    calc.step("most the patient pays", most_self_pay)
    remaining -= calc.item(COMMERCIAL_LABEL, max(ZERO, remaining - most_self_pay), "once")
    calc.figure("self_pay", remaining)
    calc.because(f"patient pays {remaining} of {cost}")
    return calc.result("once")
