"""The nine household-exit conditions of 第二章第四节二（一） and how each is explained.

Both the single-household path and the batch engine format their answers here, from plain
values, so the two explain a household in exactly the same words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

SECTION = "第二章第四节二（一）"
INCOME_READING = (
    "高于当年省定扶贫标准增幅两倍以上: threshold = line(Y) + 2 × (line(Y) − line(Y−1)); the "
    "fixed per-capita income (net income less one-off income, per member) must be strictly above."
)


@dataclass(frozen=True, slots=True)
class ConditionSpec:
    code: str
    label: str


STABLE_INCOME = ConditionSpec("stable_income", "稳定收入 stable income")
FOOD_CLOTHING = ConditionSpec("food_clothing", "两不愁 food and clothing secure")
EDUCATION = ConditionSpec("compulsory_education", "义务教育 no dropout for poverty")
MEDICAL = ConditionSpec("basic_medical", "基本医疗 every member insured")
HOUSING = ConditionSpec("safe_housing", "住房安全 safe housing")
WATER = ConditionSpec("safe_water", "饮水安全 safe drinking water")
DIBAO = ConditionSpec("dibao_backstop", "低保兜底 no minimum-living backstop needed")
EXPENDITURE = ConditionSpec("expenditure_poverty", "支出型贫困 no expenditure-type poverty")
HOLD = ConditionSpec("no_hold", "不得退出 no hold by a poverty office")

Compared = dict[str, str]
Explained = tuple[Compared, str | None]
"""The values compared, and the failing reason (None when the condition passes)."""


def _yes(flag: bool | None) -> str:
    return "not surveyed" if flag is None else ("yes" if flag else "no")


def stable_income(
    passed: bool, fixed_per_capita: Decimal, line: Decimal, previous: Decimal, multiple: Decimal
) -> Explained:
    threshold = line + multiple * (line - previous)
    compared = {"fixed_per_capita_income": str(fixed_per_capita), "threshold": str(threshold)}
    reason = (
        f"fixed per-capita net income {fixed_per_capita} is not above {threshold} "
        f"(line {line} + {multiple} × increase {line - previous})"
    )
    return compared, None if passed else reason


def food_clothing(food: bool | None, clothing: bool | None) -> Explained:
    compared = {"food_secure": _yes(food), "clothing_secure": _yes(clothing)}
    passed = food is True and clothing is True
    return compared, None if passed else f"food secure: {_yes(food)}, clothing: {_yes(clothing)}"


def education(on: date, dropouts: list[tuple[str, int]]) -> Explained:
    listed = ", ".join(f"{member} (age {age})" for member, age in dropouts)
    compared = {"dropped_out_for_poverty": listed or "none", "ages_counted_on": on.isoformat()}
    return compared, f"compulsory-age members dropped out for poverty: {listed}" if listed else None


def medical(uninsured: list[str]) -> Explained:
    listed = ", ".join(uninsured)
    compared = {"uninsured_members": listed or "none"}
    return compared, f"members without basic medical insurance: {listed}" if listed else None


def housing(grade: str, relocation: bool, moved_in: bool) -> Explained:
    compared = {
        "housing_grade": grade,
        "relocation_household": _yes(relocation),
        "moved_in": _yes(moved_in),
    }
    problems = []
    if grade in ("C", "D"):
        problems.append(f"house graded {grade}")
    if relocation and not moved_in:
        problems.append("relocation household not yet moved in")
    return compared, "; ".join(problems) or None


def water(safe: bool, difficult: bool) -> Explained:
    compared = {"water_safe": _yes(safe), "water_difficult": _yes(difficult)}
    passed = safe and not difficult
    return (
        compared,
        None if passed else f"drinking water safe: {_yes(safe)}, difficult: {_yes(difficult)}",
    )


def dibao(dibao_household: bool, standard: Decimal, line: Decimal) -> Explained:
    compared = {
        "dibao_household": _yes(dibao_household),
        "dibao_standard": str(standard),
        "provincial_line": str(line),
    }
    if dibao_household and standard < line:
        return (
            compared,
            f"低保 household while the 低保 standard {standard} is below the line {line}",
        )
    return compared, None


def expenditure(flag: bool) -> Explained:
    compared = {"expenditure_poverty": _yes(flag)}
    return compared, "expenditure-type poverty from major illness or disaster" if flag else None


def hold(reason: str | None) -> Explained:
    compared = {"hold": reason or "none"}
    return compared, f"held by a poverty office: {reason}" if reason else None
