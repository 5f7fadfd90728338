"""危房改造 (专栏8, 专栏9, 第五章第一节二) and 教育资助 (专栏11), from RULES.md §6 by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from services.eligibility.benefits.education import EducationAidFacts, education_aid
from services.eligibility.benefits.housing import HousingRenovationFacts, housing_renovation
from services.eligibility.parameters.store import ParameterSet
from services.eligibility.results import BenefitResult

ON = date(2017, 6, 1)


def renovate(params: ParameterSet, **facts: Any) -> BenefitResult:
    base = {
        "targeted": True,
        "housing_grade": "D",
        "method": "rebuild",
        "actual_investment": "40000",
        "household_size": 3,
        "planned_floor_area": "50",
    }
    return housing_renovation(HousingRenovationFacts.model_validate({**base, **facts}), params, ON)


@pytest.mark.parametrize(
    ("grade", "method", "investment", "expected"),
    [
        ("D", "rebuild", "40000", "25000.00"),
        ("D", "repair", "40000", "8000.00"),
        ("C", "repair", "40000", "8000.00"),
        ("C", "repair", "5000.50", "5000.50"),  # actual investment below the standard
        ("D", "rebuild", "24999.99", "24999.99"),
    ],
)
def test_renovation_standard_by_grade_and_method(
    params: ParameterSet, grade: str, method: str, investment: str, expected: str
) -> None:
    result = renovate(params, housing_grade=grade, method=method, actual_investment=investment)
    assert result.eligible
    assert result.amount == Decimal(expected)
    assert result.period == "once"


@pytest.mark.parametrize(("grade", "method"), [("A", "repair"), ("B", "rebuild"), ("C", "rebuild")])
def test_safe_houses_and_rebuilt_grade_c_get_nothing(
    params: ParameterSet, grade: str, method: str
) -> None:
    result = renovate(params, housing_grade=grade, method=method)
    assert not result.eligible
    assert result.amount == 0


@pytest.mark.parametrize(
    ("size", "area", "eligible"),
    [
        (1, "20", True),
        (1, "19.99", False),
        (1, "60", True),
        (1, "60.01", False),
        (2, "30", True),
        (2, "29.99", False),
        (2, "60", True),
        (2, "60.01", False),
        (3, "40", True),
        (3, "39.99", False),
        (3, "60", True),
        (3, "60.01", False),
        (4, "52", True),
        (4, "51.99", False),
        (4, "72", True),
        (4, "72.01", False),  # 13–18 m²/p
        (6, "78", True),
        (6, "77.99", False),
        (6, "108", True),
        (6, "108.01", False),
    ],
)
def test_floor_area_limits(params: ParameterSet, size: int, area: str, eligible: bool) -> None:
    result = renovate(params, household_size=size, planned_floor_area=area)
    assert result.eligible is eligible
    if not eligible:
        assert "outside" in result.reasons[0] and "m²" in result.reasons[0]


def test_every_refusal_reason_is_given(params: ParameterSet) -> None:
    result = renovate(params, targeted=False, housing_grade="A", planned_floor_area="100")
    assert len(result.reasons) == 3
    assert not result.items


def test_renovation_trace_names_the_reading_and_parameters(params: ParameterSet) -> None:
    trace = renovate(params).trace
    assert trace.reading is not None and "60" in trace.reading
    used = {p.name: p for p in trace.parameters}
    assert used["housing_renovation.rebuild_standard"].source == "专栏9-2"
    assert trace.inputs["planned_floor_area"] == "50"


def aid(params: ParameterSet, **facts: Any) -> BenefitResult:
    return education_aid(EducationAidFacts.model_validate({"targeted": True, **facts}), params, ON)


def items(result: BenefitResult) -> dict[tuple[str, str], Decimal]:
    return {(i.label.split(" ")[0], i.period): i.amount for i in result.items}


def test_education_items_by_stage(params: ParameterSet) -> None:
    assert items(aid(params, stage="preschool")) == {
        ("学前教育政府助学金", "year"): Decimal(1200),
        ("文登区资助金", "year"): Decimal(1000),
    }
    assert items(aid(params, stage="primary", boarding=True)) == {
        ("寄宿生生活费补助", "year"): Decimal(1000),
        ("文登区资助金", "year"): Decimal(1000),
    }
    assert items(aid(params, stage="junior_secondary", boarding=True))[
        ("寄宿生生活费补助", "year")
    ] == Decimal(1250)
    assert ("寄宿生生活费补助", "year") not in items(aid(params, stage="primary"))
    assert items(aid(params, stage="senior_high")) == {
        ("国家助学金", "year"): Decimal(2000),
        ("文登区资助金", "year"): Decimal(1000),
    }
    assert items(aid(params, stage="secondary_vocational")) == {
        ("国家助学金", "year"): Decimal(2000),
        ("雨露计划", "year"): Decimal(3000),
        ("文登区资助金", "year"): Decimal(1000),
    }
    assert items(aid(params, stage="higher_vocational")) == {
        ("雨露计划", "year"): Decimal(3000),
        ("文登区资助金", "year"): Decimal(1000),
    }


def test_education_one_off_aids(params: ParameterSet) -> None:
    senior = aid(params, stage="senior_high", disabled=True)
    assert items(senior)[("贫困残疾学生一次性救助", "once")] == Decimal(1000)
    college = aid(params, stage="higher_education", disabled=True, disabled_family=True)
    assert items(college) == {
        ("文登区资助金", "year"): Decimal(1000),
        ("贫困残疾学生一次性救助", "once"): Decimal(2500),
        ("贫困残疾人家庭子女一次性救助", "once"): Decimal(1500),
    }
    assert college.amount == Decimal(1000)  # the annual total
    assert college.totals == {"year": Decimal(1000), "once": Decimal(4000)}
    # a child of a disabled family in senior high gets no one-off aid (vocational/higher only)
    assert ("贫困残疾人家庭子女一次性救助", "once") not in items(
        aid(params, stage="senior_high", disabled_family=True)
    )


def test_education_only_for_targeted_students(params: ParameterSet) -> None:
    result = aid(params, stage="primary", targeted=False)
    assert not result.eligible and result.amount == 0
