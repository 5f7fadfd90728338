"""危房改造补助 housing renovation subsidy — 专栏8, 专栏9, 第五章第一节二."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import Field

from ..money import Yuan
from ..parameters.store import ParameterSet
from ..results import BenefitResult, Calculation
from .facts import Facts, HouseholdSize, HousingGrade, Targeted

CODE = "housing_renovation"
SECTION = "专栏8, 专栏9, 第五章第一节二"
LABEL = "危房改造补助 housing renovation subsidy"
READING = (
    "1—3人户住房建筑面积上限控制在40—60平方米 is read as: a 1–3-person household may plan at "
    "most 60 m² (RULES.md §6)."
)
P = "housing_renovation."

RenovationMethod = Literal["repair", "rebuild"]
"""修缮加固 repair/reinforce, or 拆除重建 demolish and rebuild."""


class HousingRenovationFacts(Facts):
    targeted: Targeted
    housing_grade: HousingGrade = Field(description="Appraised grade of the house (A–D)")
    method: RenovationMethod = Field(description="repair (修缮加固) or rebuild (拆除重建)")
    actual_investment: Yuan = Field(description="Actual investment in the renovation, yuan")
    household_size: HouseholdSize
    planned_floor_area: Decimal = Field(
        gt=0, le=10000, decimal_places=2, description="Planned main-house floor area, m²"
    )


def area_limits(calc: Calculation, size: int) -> tuple[Decimal, Decimal]:
    """Floor-area limits of 第五章第一节二 for a household of `size` persons."""
    if size <= 3:
        low = calc.param(
            P + ("min_area_1_person", "min_area_2_persons", "min_area_3_persons")[size - 1]
        )
        return low, calc.param(P + "max_area_small_household")
    return size * calc.param(P + "min_area_per_person"), size * calc.param(
        P + "max_area_per_person"
    )


def housing_renovation(
    facts: HousingRenovationFacts, params: ParameterSet, on: date
) -> BenefitResult:
    calc = Calculation(CODE, SECTION, params, on, facts, READING)
    if not facts.targeted:
        calc.refuse("not a targeted household: 专栏9 subsidises registered poor households only")
    grade, method = facts.housing_grade, facts.method
    standard: Decimal | None = None
    if grade in ("A", "B"):
        calc.refuse(f"grade {grade} house is not dangerous: only grades C and D are renovated")
    elif grade == "C" and method == "rebuild":
        calc.refuse("a grade C house must be repaired: rebuilding it gets no subsidy")
    else:
        standard = calc.param(P + ("repair_standard" if method == "repair" else "rebuild_standard"))
    low, high = area_limits(calc, facts.household_size)
    area = facts.planned_floor_area
    if not low <= area <= high:
        calc.refuse(
            f"planned floor area {area} m² is outside {low}–{high} m² "
            f"for a {facts.household_size}-person household"
        )
    if standard is not None and not calc.refused:
        calc.step("standard for grade and method", standard)
        calc.because(f"grade {grade}, {method}: standard {standard}, capped at actual investment")
        calc.item(LABEL, min(standard, facts.actual_investment), "once")
    return calc.result("once")
