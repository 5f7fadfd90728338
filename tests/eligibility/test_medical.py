"""Medical rules (专栏22-11, 专栏22-12, 第七章第二节一, 专栏15, 第九章第一节三) by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from services.eligibility.benefits import medical
from services.eligibility.benefits.settlement import SettlementFacts, one_stop_settlement
from services.eligibility.errors import ParameterNotInForce
from services.eligibility.parameters.store import ParameterSet

ON = date(2017, 8, 1)


def critical(params: ParameterSet, cost: str, poor: bool, insured: bool = True) -> Decimal:
    facts = medical.CriticalIllnessFacts(targeted=poor, insured=insured, remaining_cost=cost)
    result = medical.critical_illness_insurance(facts, params, ON)
    assert result.eligible is insured
    return result.amount


@pytest.mark.parametrize(
    ("cost", "expected"),
    [
        ("6000", "0.00"),  # the deductible itself pays nothing
        ("6000.01", "0.01"),  # 0.01 × 55 % = 0.0055 → 0.01 (half up)
        ("100000", "51700.00"),  # (100000 − 6000) × 55 %
        ("100000.01", "51700.01"),  # + 0.01 × 65 % = 0.0065 → 0.01
        ("200000", "116700.00"),  # 51700 + 100000 × 65 %
        ("250000", "151700.00"),  # 116700 + 50000 × 70 %
        ("2000000", "1376700.00"),  # no cap outside poor households: 116700 + 1800000 × 70 %
    ],
)
def test_critical_illness_general(params: ParameterSet, cost: str, expected: str) -> None:
    assert critical(params, cost, poor=False) == Decimal(expected)


@pytest.mark.parametrize(
    ("cost", "expected"),
    [
        ("3000", "0.00"),  # halved deductible
        ("6000", "1800.00"),  # (6000 − 3000) × 60 %
        ("100000", "58200.00"),  # 97000 × 60 %
        ("200000", "128200.00"),  # 58200 + 100000 × 70 %
        ("250000", "165700.00"),  # 128200 + 50000 × 75 %
        ("1000000", "500000.00"),  # 128200 + 800000 × 75 % = 728200, capped at 500000
    ],
)
def test_critical_illness_poor(params: ParameterSet, cost: str, expected: str) -> None:
    assert critical(params, cost, poor=True) == Decimal(expected)


def test_critical_illness_needs_insurance_and_its_rule_in_force(
    params: ParameterSet,
) -> None:
    assert critical(params, "50000", poor=True, insured=False) == 0
    facts = medical.CriticalIllnessFacts(targeted=True, remaining_cost=Decimal(50000))
    with pytest.raises(ParameterNotInForce):  # 专栏22-12 is the 2017 table
        medical.critical_illness_insurance(facts, params, date(2016, 12, 31))


def test_critical_illness_trace_has_each_band(params: ParameterSet) -> None:
    facts = medical.CriticalIllnessFacts(targeted=False, remaining_cost=Decimal(250000))
    trace = medical.critical_illness_insurance(facts, params, ON).trace
    bands = [s.value for s in trace.steps if s.label.startswith("band")]
    assert [Decimal(b) for b in bands] == [Decimal("51700"), Decimal("65000"), Decimal("35000")]
    assert trace.reading is not None


@pytest.mark.parametrize(
    ("level", "cost", "so_far", "expected"),
    [
        (1, "1000", "0", "850.00"),
        (2, "1000", "0", "700.00"),
        (3, "1000", "0", "550.00"),
        (1, "10000", "149000", "1000.00"),  # only 1000 of the 150000 yearly cap is left
        (2, "10000", "150000", "0.00"),
    ],
)
def test_basic_medical_insurance(
    params: ParameterSet, level: int, cost: str, so_far: str, expected: str
) -> None:
    facts = medical.BasicMedicalFacts.model_validate(
        {
            "enrolled": True,
            "hospital_level": level,
            "in_policy_cost": cost,
            "reimbursed_this_year": so_far,
        }
    )
    assert medical.basic_medical_insurance(facts, params, ON).amount == Decimal(expected)


def test_fee_waiver_each_fee(params: ParameterSet) -> None:
    facts = medical.FeeWaiverFacts.model_validate(
        {
            "targeted": True,
            "registration_fee": "5",
            "consultation_fee": "10",
            "expert_consultation_fee": "21",
            "equipment_exam_fee": "300",
            "inpatient_ct_mr_own_share": "100",
            "inpatient_lab_own_share": "33.35",
        }
    )
    result = medical.medical_fee_waiver(facts, params, ON)
    assert [i.amount for i in result.items] == [
        Decimal("5.00"),
        Decimal("10.00"),
        Decimal("10.50"),
        Decimal("150.00"),
        Decimal("30.00"),
        Decimal("10.01"),
    ]  # 33.35 × 30 % = 10.005 → 10.01
    assert result.amount == Decimal("215.51")


def test_medical_assistance_for_dibao_and_tekun_only(params: ParameterSet) -> None:
    def assist(dibao: bool, tekun: bool) -> Decimal:
        facts = medical.MedicalAssistanceFacts(
            dibao=dibao, tekun=tekun, self_paid_cost=Decimal("1000.05")
        )
        return medical.medical_assistance(facts, params, ON).amount

    assert assist(True, False) == Decimal("700.04")  # 700.035 → 700.04
    assert assist(False, True) == Decimal("700.04")
    assert assist(False, False) == 0


def settle(params: ParameterSet, **facts: Any) -> tuple[list[Decimal], Decimal]:
    base = {"targeted": True, "hospital_level": 2, "in_policy_cost": "100000"}
    result = one_stop_settlement(SettlementFacts.model_validate({**base, **facts}), params, ON)
    return [i.amount for i in result.items], result.figures.get("self_pay", Decimal(-1))


def test_one_stop_settlement_order_of_payers(params: ParameterSet) -> None:
    # basic 70 % = 70000; left 30000; critical (30000 − 3000) × 60 % = 16200; left 13800;
    # 低保: assistance 70 % = 9660; left 4140 ≤ 10 % of 100000, so commercial pays nothing.
    paid, self_pay = settle(params, dibao=True)
    assert paid == [Decimal(70000), Decimal(16200), Decimal(9660), Decimal(0)]
    assert self_pay == Decimal(4140)
    # without 低保 the commercial insurance brings the 13800 left down to 10000
    paid, self_pay = settle(params)
    assert paid == [Decimal(70000), Decimal(16200), Decimal(3800)]
    assert self_pay == Decimal(10000)


def test_settlement_counts_earlier_critical_cost(params: ParameterSet) -> None:
    # 97000 already counted: this bill's 30000 falls 3000 in band 1 (60 %), 27000 in band 2 (70 %)
    paid, _ = settle(params, critical_cost_before="97000")
    assert paid[1] == Decimal("20700.00")


def test_settlement_refuses_a_patient_outside_poor_households(params: ParameterSet) -> None:
    paid, self_pay = settle(params, targeted=False)
    assert paid == [] and self_pay == Decimal(-1)
