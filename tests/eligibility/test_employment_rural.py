"""专栏7, 第四章第三节二, 专栏20, 第九章第二节三, 第十二章第三节二, 专栏29 by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from services.eligibility.benefits import employment, rural
from services.eligibility.parameters.store import ParameterSet

ON = date(2017, 6, 1)
ABOVE_LINE = Decimal("3509.01")  # the provincial line of 2017 is 3509


@pytest.mark.parametrize(
    ("employees", "expected"),
    [(1, 1000), (14, 14000), (15, 20000), (29, 20000), (30, 30000), (45, 30000)],
)
def test_workshop_reward_bands(params: ParameterSet, employees: int, expected: int) -> None:
    facts = employment.WorkshopFacts(employee_pay=[ABOVE_LINE] * employees)
    result = employment.workshop_reward(facts, params, ON)
    assert result.amount == Decimal(expected) and result.period == "once"


def test_workshop_counts_only_pay_above_the_line(params: ParameterSet) -> None:
    facts = employment.WorkshopFacts(employee_pay=[ABOVE_LINE] * 14 + [Decimal(3509)])
    assert employment.workshop_reward(facts, params, ON).amount == Decimal(14000)
    nobody = employment.WorkshopFacts(employee_pay=[Decimal(3509)])
    assert not employment.workshop_reward(nobody, params, ON).eligible


def test_jobs_training_startup(params: ParameterSet) -> None:
    jobs = employment.JobCreationFacts(jobs_created=3)
    assert employment.job_creation_subsidy(jobs, params, ON).amount == Decimal(6000)
    for level, amount in (
        ("junior", 800),
        ("intermediate", 1000),
        ("senior", 1100),
        ("entrepreneurship", 1600),
    ):
        trainee = employment.TrainingFacts.model_validate({"level": level})
        assert employment.training_subsidy(trainee, params, ON).amount == Decimal(amount)
    appraisal = employment.TrainingFacts.model_validate({"first_appraisal_fee": "150.55"})
    assert employment.training_subsidy(appraisal, params, ON).amount == Decimal("120.44")

    def startup(**facts: Any) -> bool:
        base = {"targeted": True, "new_individual_business": True, "months_operating": 12}
        model = employment.StartupFacts.model_validate({**base, **facts})
        result = employment.startup_subsidy(model, params, ON)
        return result.amount == Decimal(2000)

    assert startup()
    assert not startup(months_operating=11)
    assert not startup(other_startup_subsidy=True)
    assert not startup(targeted=False)


@pytest.mark.parametrize(
    ("plots", "expected"),
    [
        (["1"], "200.00"),
        (["0.99"], "0.00"),
        (["1.01"], "202.00"),
        (["1", "0.5", "2.5"], "700.00"),
    ],  # the half-mu plot is not subsidised
)
def test_afforestation(params: ParameterSet, plots: list[str], expected: str) -> None:
    facts = rural.AfforestationFacts.model_validate({"plots_mu": plots})
    assert rural.afforestation_subsidy(facts, params, ON).amount == Decimal(expected)


def test_filial_fund_match(params: ParameterSet) -> None:
    def match(tier: str, town: str, village: str = "0") -> tuple[bool, list[Decimal]]:
        facts = rural.FilialFundFacts.model_validate(
            {"monthly_tier": tier, "town_rate": town, "village_rate": village}
        )
        result = rural.filial_fund_match(facts, params, ON)
        return result.eligible, [i.amount for i in result.items]

    assert match("200", "0.15", "0.10") == (True, [Decimal(30), Decimal(20)])
    assert match("100", "0.10") == (True, [Decimal(10)])
    assert match("300", "0.20") == (True, [Decimal(60)])
    assert match("300", "0.25")[0] is False
    assert match("300", "0.09")[0] is False
    assert match("300", "0.15", "0.11")[0] is False
    assert match("150", "0.15")[0] is False


@pytest.mark.parametrize(
    ("premium", "shares"),
    [
        ("100", ["50.00", "30.00", "20.00"]),
        ("0.05", ["0.03", "0.02", "0.00"]),  # 0.025 → 0.03, 0.015 → 0.02, the district the rest
        ("12.34", ["6.17", "3.70", "2.47"]),
    ],
)
def test_agricultural_premium_shares(params: ParameterSet, premium: str, shares: list[str]) -> None:
    facts = rural.AgriInsuranceFacts.model_validate(
        {"targeted": True, "in_provincial_key_village": True, "own_premium": premium}
    )
    result = rural.agri_insurance_premium(facts, params, ON)
    assert [i.amount for i in result.items] == [Decimal(s) for s in shares]
    assert result.amount == Decimal(premium)


def test_agricultural_premium_needs_a_poor_household_in_a_key_village(params: ParameterSet) -> None:
    facts = rural.AgriInsuranceFacts.model_validate(
        {"targeted": False, "in_provincial_key_village": False, "own_premium": "100"}
    )
    assert len(rural.agri_insurance_premium(facts, params, ON).reasons) == 2


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({"kind": "enterprise_employing_poor", "annual_rate": "0.05"}, "3000.00"),  # 3 %
        ({"kind": "enterprise_employing_poor", "annual_rate": "0.02"}, "2000.00"),  # ≤ interest
        ({"kind": "self_employed_guarantee", "annual_rate": "0.0435", "targeted": True}, "4350.00"),
        (
            {"kind": "enterprise_guarantee", "annual_rate": "0.06", "benchmark_rate": "0.0435"},
            "2175.00",
        ),  # 50 % of the benchmark rate
        (
            {"kind": "student", "annual_rate": "0.0435", "targeted": True, "studying": True},
            "4350.00",
        ),
        ({"kind": "student", "annual_rate": "0.0435", "targeted": True}, "0.00"),
    ],
)
def test_loan_interest_subsidy(params: ParameterSet, facts: dict[str, Any], expected: str) -> None:
    model = rural.LoanFacts.model_validate({"principal": "100000", **facts})
    assert rural.loan_interest_subsidy(model, params, ON).amount == Decimal(expected)
