"""The catalogue covers every code of RULES.md §6, describes its facts, refuses bad facts."""

from __future__ import annotations

from datetime import date

import pytest

from services.eligibility.benefits.catalogue import BENEFITS, evaluate, parse_facts
from services.eligibility.benefits.describe import describe
from services.eligibility.errors import InvalidFacts, UnknownBenefit
from services.eligibility.parameters.store import ParameterSet

RULES_CODES = {  # the code column of RULES.md §6
    "housing_renovation",
    "education_aid",
    "basic_medical_insurance",
    "critical_illness_insurance",
    "medical_fee_waiver",
    "medical_assistance",
    "one_stop_settlement",
    "elderly_allowance",
    "disability_care",
    "disability_subsidy",
    "dibao",
    "tekun_support",
    "child_support",
    "pension",
    "temporary_assistance",
    "workshop_reward",
    "job_creation_subsidy",
    "training_subsidy",
    "startup_subsidy",
    "afforestation_subsidy",
    "filial_fund_match",
    "agri_insurance_premium",
    "loan_interest_subsidy",
    "free_electricity",
}


def test_every_rules_code_is_in_the_catalogue() -> None:
    assert set(BENEFITS) == RULES_CODES


def test_descriptions_name_and_explain_every_fact() -> None:
    described = describe()
    assert {d.code for d in described} == RULES_CODES
    for benefit in described:
        assert benefit.name_zh and benefit.name_en and benefit.section and benefit.returns
        assert benefit.facts, benefit.code
        for fact in benefit.facts:
            assert fact.type and fact.description, (benefit.code, fact.name)
    housing = next(d for d in described if d.code == "housing_renovation")
    assert housing.reading is not None
    assert {f.name: f.type for f in housing.facts}["housing_grade"] == "one of A, B, C, D"


def test_bad_facts_are_a_422_naming_each_fact() -> None:
    with pytest.raises(InvalidFacts) as caught:
        parse_facts(
            "housing_renovation",
            {
                "targeted": True,
                "housing_grade": "E",
                "method": "repair",
                "actual_investment": "-1",
                "household_size": 0,
                "planned_floor_area": "50",
                "colour": "red",
            },
        )
    error = caught.value
    assert error.status == 422
    assert {e.loc for e in error.errors} == {
        ("facts", "housing_grade"),
        ("facts", "actual_investment"),
        ("facts", "household_size"),
        ("facts", "colour"),
    }


def test_more_than_two_decimals_of_money_is_refused() -> None:
    with pytest.raises(InvalidFacts):
        parse_facts(
            "medical_assistance", {"dibao": True, "tekun": False, "self_paid_cost": "10.001"}
        )


def test_evaluate_by_code(params: ParameterSet) -> None:
    result = evaluate("tekun_support", {"arrangement": "dispersed"}, params, date(2017, 5, 1))
    assert str(result.amount) == "5070.00"
    with pytest.raises(UnknownBenefit) as caught:
        evaluate("pony", {}, params, date(2017, 5, 1))
    assert caught.value.status == 404
