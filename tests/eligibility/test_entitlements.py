"""一户一策: a year's entitlements from a household record, computed by hand from RULES.md."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.eligibility.entitlements import Entitlements, entitlements
from services.eligibility.errors import ParameterNotInForce
from services.eligibility.parameters.store import ParameterSet

from .households import household, member


def lines(result: Entitlements) -> dict[tuple[str, str | None, str], tuple[Decimal, int | None]]:
    return {
        (x.code, x.member_id, x.label.split(" ")[0]): (x.amount, x.months) for x in result.lines
    }


def test_a_dibao_household_in_2017(params: ParameterSet) -> None:
    grandfather = member(
        "gf",
        birth_date=date(1935, 3, 1),
        dibao=True,
        pension_enrolled=True,
        critical_illness_cost=Decimal(150000),
    )
    mother = member(
        "mo",
        birth_date=date(1970, 3, 1),
        health=["04"],
        disability_grade=2,
        pension_enrolled=True,
        pension_contribution_tier=Decimal(300),
    )
    pupil = member("ch", birth_date=date(2005, 10, 1), school_status="05", boarding=True)
    record = household(
        members=[grandfather, mother, pupil],
        assistance="dibao",
        income={"wage_income": "8000", "dibao_payment": "3000", "operating_expenses": "500"},
        housing_grade="C",
        renovation={"method": "repair", "actual_investment": "9000", "planned_floor_area": "45"},
    )
    result = entitlements(record, 2017, params)
    assert result.targeted
    assert lines(result) == {
        # 3900 × 3 − (8000 − 500 + 3000 − 3000): the 低保 payment itself is not counted
        ("dibao", None, "低保金（补差）低保"): (Decimal(4200), None),
        ("free_electricity", None, "免费用电"): (Decimal(180), 12),  # 15 kWh × 12
        ("housing_renovation", None, "危房改造补助"): (Decimal(8000), None),  # 40 ≤ 45 ≤ 60
        ("elderly_allowance", "gf", "低保高龄补贴"): (Decimal(1560), 12),  # 82: 130 × 12
        ("pension", "gf", "基础养老金"): (Decimal(1200), 12),
        ("critical_illness_insurance", "gf", "大病保险"): (Decimal(93200), None),
        ("medical_assistance", "gf", "医疗救助"): (Decimal(39760), None),  # 70 % × 56800
        ("disability_subsidy", "mo", "重度残疾人护理补贴"): (Decimal(960), 12),
        ("pension", "mo", "缴费补贴"): (Decimal(30), None),
        ("pension", "mo", "政府代缴养老保险费"): (Decimal(100), None),
        ("education_aid", "ch", "寄宿生生活费补助"): (Decimal(1250), None),
        ("education_aid", "ch", "文登区资助金"): (Decimal(1000), None),
    }
    assert result.total("year") == Decimal(
        4200 + 1560 + 1200 + 93200 + 39760 + 960 + 30 + 100 + 1250 + 1000
    )
    assert result.total("year", "kwh") == Decimal(180)


@pytest.mark.parametrize(
    ("born", "months", "amount"),
    [
        (date(1937, 6, 1), 7, 210),  # 80 on 1 June: June–December
        (date(1937, 6, 2), 6, 180),
    ],  # 80 only on 2 June: July–December
)
def test_monthly_allowance_starts_with_the_first_full_month(
    params: ParameterSet, born: date, months: int, amount: int
) -> None:
    result = entitlements(household(members=[member("o", birth_date=born)]), 2017, params)
    assert lines(result)[("elderly_allowance", "o", "高龄补贴")] == (Decimal(amount), months)


def test_turning_100_splits_the_year(params: ParameterSet) -> None:
    result = entitlements(
        household(members=[member("c", birth_date=date(1917, 10, 1))]), 2017, params
    )
    assert lines(result)[("elderly_allowance", "c", "高龄补贴")] == (Decimal(720), 9)  # 80 × 9
    assert lines(result)[("elderly_allowance", "c", "长寿津贴")] == (Decimal(1500), 3)  # 500 × 3


@pytest.mark.parametrize(("exit_year", "targeted"), [(2014, True), (2013, False)])
def test_exited_households_keep_their_support_three_years(
    params: ParameterSet, exit_year: int, targeted: bool
) -> None:
    student = member("s", birth_date=date(2008, 1, 1), school_status="03")
    result = entitlements(
        household(members=[student], status="1", exit_year=exit_year), 2017, params
    )
    assert result.targeted is targeted
    assert (("education_aid", "s", "文登区资助金") in lines(result)) is targeted


def test_a_year_whose_rules_are_not_in_force_is_an_error(params: ParameterSet) -> None:
    with pytest.raises(ParameterNotInForce):  # 专栏22 is the 2017 table
        entitlements(household(), 2016, params)


def test_refusals_that_explain_a_missing_line_are_kept(params: ParameterSet) -> None:
    record = household(
        housing_grade="D",
        renovation={"method": "rebuild", "actual_investment": "30000", "planned_floor_area": "61"},
    )
    result = entitlements(record, 2017, params)
    refusal = next(r for r in result.results if r.code == "housing_renovation")
    assert not refusal.eligible and "20–60" in refusal.reasons[0]
    assert not any(x.code == "housing_renovation" for x in result.lines)
