"""Old-age and social-assistance rules (专栏21, 专栏22, 专栏24, 专栏27) by hand from RULES.md."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.eligibility.benefits import elderly, social
from services.eligibility.errors import InvalidFacts
from services.eligibility.parameters.store import ParameterSet

ON = date(2017, 3, 20)  # ages are counted on 2017-03-01


def allowance(params: ParameterSet, born: date, dibao: bool = False) -> tuple[Decimal, list[str]]:
    facts = elderly.ElderlyAllowanceFacts(birth_date=born, dibao=dibao)
    result = elderly.elderly_allowance(facts, params, ON)
    assert result.period == "month"
    return result.amount, [i.label for i in result.items]


@pytest.mark.parametrize(
    ("born", "ordinary", "low_income"),
    [
        (date(1937, 3, 2), "0", "0"),  # 79 on 1 March, though 80 by the 20th
        (date(1937, 3, 1), "30", "130"),  # exactly 80 on the first day of the month
        (date(1927, 3, 2), "30", "130"),  # 89
        (date(1927, 3, 1), "60", "260"),  # 90
        (date(1922, 3, 2), "60", "260"),  # 94
        (date(1922, 3, 1), "80", "280"),  # 95
        (date(1917, 3, 2), "80", "280"),  # 99
        (date(1917, 3, 1), "500", "500"),  # 100: longevity allowance, 低保 or not
        (date(1914, 2, 1), "530", "530"),  # 103: 500 + 3 × 10
    ],
)
def test_elderly_allowance_by_age_on_the_first_of_the_month(
    params: ParameterSet, born: date, ordinary: str, low_income: str
) -> None:
    assert allowance(params, born)[0] == Decimal(ordinary)
    assert allowance(params, born, dibao=True)[0] == Decimal(low_income)


def test_dibao_allowance_replaces_the_ordinary_one(params: ParameterSet) -> None:
    amount, labels = allowance(params, date(1930, 1, 1), dibao=True)
    assert amount == Decimal(130) and labels == [elderly.DIBAO_LABEL]


def test_a_birth_date_after_the_date_asked_is_a_422_naming_the_fact(params: ParameterSet) -> None:
    with pytest.raises(InvalidFacts) as caught:
        allowance(params, date(2017, 4, 1))
    assert caught.value.errors[0].loc == ("birth_date",)


@pytest.mark.parametrize(
    ("level", "expected"),
    [("cannot_self_care", "2000"), ("semi_self_care", "1000"), ("self_care", "500")],
)
def test_disability_care_by_level(params: ParameterSet, level: str, expected: str) -> None:
    facts = elderly.DisabilityCareFacts.model_validate(
        {"birth_date": "1950-01-01", "care_level": level}
    )
    assert elderly.disability_care(facts, params, ON).amount == Decimal(expected)


def test_disability_care_is_for_the_elderly(params: ParameterSet) -> None:
    facts = elderly.DisabilityCareFacts(birth_date=date(1957, 3, 21), care_level="self_care")
    assert not elderly.disability_care(facts, params, ON).eligible  # 59 on 2017-03-20


def pension(params: ParameterSet, born: date, **facts: object) -> dict[str, Decimal]:
    model = elderly.PensionFacts.model_validate({"birth_date": born, "enrolled": True, **facts})
    return {i.label: i.amount for i in elderly.pension(model, params, ON).items}


def test_pension_items(params: ParameterSet) -> None:
    assert pension(params, date(1957, 3, 1)) == {elderly.BASIC_PENSION_LABEL: Decimal(100)}
    assert pension(params, date(1957, 3, 2)) == {}  # 59 on 1 March
    assert pension(params, date(1980, 1, 1), contribution_tier="300") == {
        elderly.SUBSIDY_LABEL: Decimal(30)
    }
    assert pension(params, date(1980, 1, 1), contribution_tier="200") == {}
    assert pension(params, date(1980, 1, 1), contribution_tier="500") == {
        elderly.SUBSIDY_LABEL: Decimal(60)
    }
    assert pension(params, date(1980, 1, 1), contribution_tier="2000", targeted=True) == {
        elderly.SUBSIDY_LABEL: Decimal(60),
        elderly.PAID_CONTRIBUTION_LABEL: Decimal(100),
    }
    assert pension(params, date(1940, 1, 1), deceased=True) == {
        elderly.BASIC_PENSION_LABEL: Decimal(100),
        elderly.FUNERAL_LABEL: Decimal(600),
    }


@pytest.mark.parametrize(
    ("members", "income", "expected"),
    [
        (3, "7500", "4200.00"),  # 3900 × 3 − 7500
        (3, "11700", "0.00"),  # exactly the standard: nothing to top up
        (2, "-500.5", "8300.50"),  # a loss is topped up too
        (1, "3899.99", "0.01"),
    ],
)
def test_dibao_top_up(params: ParameterSet, members: int, income: str, expected: str) -> None:
    facts = social.DibaoFacts.model_validate(
        {"dibao_household": True, "members": members, "net_income": income}
    )
    result = social.dibao(facts, params, ON)
    assert result.eligible and result.amount == Decimal(expected)


def test_dibao_uses_the_standard_in_force(params: ParameterSet) -> None:
    facts = social.DibaoFacts(dibao_household=True, members=1, net_income=Decimal(0))
    assert social.dibao(facts, params, date(2016, 6, 1)).amount == Decimal(2800)
    assert not social.dibao(
        facts.model_copy(update={"dibao_household": False}), params, ON
    ).eligible


def test_tekun_child_temporary_electricity(params: ParameterSet) -> None:
    for arrangement in ("concentrated", "dispersed"):
        tekun = social.TekunFacts.model_validate({"arrangement": arrangement})
        assert social.tekun_support(tekun, params, ON).amount == Decimal(5070)
    for category, amount in (
        ("orphan_dispersed", 720),
        ("orphan_institutional", 1200),
        ("child_in_distress", 300),
    ):
        child = social.ChildSupportFacts.model_validate({"category": category})
        assert social.child_support(child, params, ON).amount == Decimal(amount)
    temporary = social.TemporaryAssistanceFacts(members=3, months=2)
    assert social.temporary_assistance(temporary, params, ON).amount == Decimal(1950)  # 325×3×2
    power = social.FreeElectricityFacts(dibao_household=False, tekun_household=True)
    result = social.free_electricity(power, params, ON)
    assert (result.amount, result.unit, result.period) == (Decimal(15), "kwh", "month")
    neither = power.model_copy(update={"tekun_household": False})
    assert not social.free_electricity(neither, params, ON).eligible


@pytest.mark.parametrize(
    ("dibao", "grade", "expected", "eligible"),
    [
        (True, 3, "80", True),
        (False, 2, "80", True),
        (True, 1, "160", True),
        (False, 3, "0", False),
        (True, None, "0", False),
    ],
)
def test_disability_subsidies(
    params: ParameterSet, dibao: bool, grade: int | None, expected: str, eligible: bool
) -> None:
    facts = social.DisabilitySubsidyFacts(dibao=dibao, disability_grade=grade)
    result = social.disability_subsidy(facts, params, ON)
    assert (result.amount, result.eligible) == (Decimal(expected), eligible)
