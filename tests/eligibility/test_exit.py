"""Household exit (RULES.md §3): the nine conditions, all failing reasons, the threshold."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from services.eligibility.errors import ParameterNotInForce
from services.eligibility.parameters.model import ParameterRecord
from services.eligibility.parameters.store import ParameterSet
from services.eligibility.rules.household_exit import assess_exit
from services.eligibility.rules.targeting import is_targeted

from .households import household, member

# 2017: line 3509, line(2016) = 3372 × 1.02 = 3439.44 (conftest's CPI);
# threshold = 3509 + 2 × (3509 − 3439.44) = 3648.12
THRESHOLD_2017 = Decimal("3648.12")


def income(wage: Decimal, one_off: Decimal = Decimal(0)) -> dict[str, Decimal]:
    return {"wage_income": wage, "one_off": one_off}


def failing(params: ParameterSet, **facts: Any) -> list[str]:
    assessment = assess_exit(household(**facts), 2017, params)
    return [c.code for c in assessment.conditions if not c.passed]


def test_a_household_meeting_everything_exits(params: ParameterSet) -> None:
    assessment = assess_exit(household(income=income(Decimal(4000))), 2017, params)
    assert assessment.eligible and assessment.reasons == []
    assert len(assessment.conditions) == 9
    assert all(c.section == "第二章第四节二（一）" for c in assessment.conditions)


@pytest.mark.parametrize(
    ("per_person", "passes"),
    [
        (THRESHOLD_2017, False),
        (THRESHOLD_2017 + Decimal("0.01"), True),
        (Decimal(3509) + Decimal("0.01"), False),
    ],  # above the line alone is not enough
)
def test_income_must_be_strictly_above_the_threshold(
    params: ParameterSet, per_person: Decimal, passes: bool
) -> None:
    three = [member("a"), member("b"), member("c")]
    result = assess_exit(household(members=three, income=income(per_person * 3)), 2017, params)
    income_condition = result.conditions[0]
    assert income_condition.code == "stable_income"
    assert income_condition.passed is passes
    assert income_condition.compared["threshold"] == "3648.12"


def test_one_off_income_is_taken_out(params: ParameterSet) -> None:
    codes = failing(params, income=income(Decimal(4000), one_off=Decimal("351.88")))
    assert codes == ["stable_income"]  # 4000 − 351.88 = 3648.12, not above
    assert failing(params, income=income(Decimal(4000), one_off=Decimal("351.87"))) == []


def test_every_failing_condition_is_reported(params: ParameterSet) -> None:
    child = member(
        "kid", birth_date=date(2005, 9, 1), dropout_for_poverty=True, basic_medical_insured=False
    )
    assessment = assess_exit(
        household(
            members=[member("adult"), child],
            assistance="dibao",
            income=income(Decimal(100)),
            food_secure=None,
            clothing_secure=False,
            housing_grade="D",
            water_difficult=True,
            expenditure_poverty=True,
            hold_reason="县扶贫办要求暂缓",
        ),
        2017,
        ParameterSet.from_records(
            [
                *params.records(),
                ParameterRecord(
                    name="dibao.rural_standard",
                    effective=date(2017, 7, 1),
                    value=Decimal(3000),
                    source="test: a standard below the line",
                ),
            ]
        ),
    )
    assert not assessment.eligible
    assert [c.code for c in assessment.conditions if not c.passed] == [
        "stable_income",
        "food_clothing",
        "compulsory_education",
        "basic_medical",
        "safe_housing",
        "safe_water",
        "dibao_backstop",
        "expenditure_poverty",
        "no_hold",
    ]
    assert len(assessment.reasons) == 9
    assert any("kid (age 12)" in r for r in assessment.reasons)
    assert any("3000" in r and "3509" in r for r in assessment.reasons)
    assert any("县扶贫办要求暂缓" in r for r in assessment.reasons)


@pytest.mark.parametrize(
    ("born", "counted"),
    [
        (date(2011, 9, 1), True),  # 6 on 1 September 2017
        (date(2011, 9, 2), False),  # 5
        (date(2001, 9, 2), True),  # 15
        (date(2001, 9, 1), False),
    ],  # 16
)
def test_compulsory_school_age_on_first_september(
    params: ParameterSet, born: date, counted: bool
) -> None:
    pupil = member("p", birth_date=born, dropout_for_poverty=True)
    codes = failing(params, members=[member("a"), pupil], income=income(Decimal(8000)))
    assert ("compulsory_education" in codes) is counted


def test_housing_and_relocation(params: ParameterSet) -> None:
    ok = income(Decimal(4000))
    assert failing(params, income=ok, housing_grade="C") == ["safe_housing"]
    assert failing(params, income=ok, housing_grade="B") == []
    assert failing(params, income=ok, relocation_household=True) == ["safe_housing"]
    assert failing(params, income=ok, relocation_household=True, relocation_moved_in=True) == []


def test_dibao_household_exits_when_the_standard_reaches_the_line(params: ParameterSet) -> None:
    # 2017: 低保 3900 ≥ line 3509, so a 低保 household is not held back by condition 7
    assert failing(params, income=income(Decimal(4000)), assistance="dibao") == []


def test_exit_needs_the_previous_years_line(plan: ParameterSet) -> None:
    with pytest.raises(ParameterNotInForce) as caught:
        assess_exit(household(), 2017, plan)  # the plan has no line for 2016
    assert caught.value.parameter == "poverty_line.provincial"
    assert caught.value.on == date(2016, 12, 31)


def test_derived_lines_feed_the_threshold(params: ParameterSet) -> None:
    # 2018: line 3561.64 (3509 × 1.015); threshold 3561.64 + 2 × 52.64 = 3666.92
    result = assess_exit(household(income=income(Decimal("3666.92"))), 2018, params)
    assert result.conditions[0].compared["threshold"] == "3666.92"
    assert not result.conditions[0].passed


@pytest.mark.parametrize(
    ("status", "exit_year", "year", "targeted"),
    [
        ("0", None, 2017, True),
        ("2", None, 2017, True),
        ("3", None, 2017, True),
        ("1", 2017, 2017, True),
        ("1", 2014, 2017, True),
        ("1", 2013, 2017, False),
        ("4", 2016, 2017, True),
        (None, None, 2017, False),
    ],
)
def test_targeted(status: str | None, exit_year: int | None, year: int, targeted: bool) -> None:
    assert is_targeted(status, exit_year, year, 3) is targeted
