"""Household exit for every household at once: one boolean column per condition (RULES.md §3).

Explanations are built afterwards, for the households asked, from the same columns and with
the same wording as the single-household path (`rules.exit_conditions`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np

from ..money import per_capita
from ..parameters.store import ParameterSet
from ..rules import exit_conditions as cond
from ..rules.household_exit import ExitAssessment, ExitParameters, build_assessment
from ..rules.household_exit import school_census_day as census_day
from .arith import Bool, Int, segment_any
from .population import HOUSING_GRADES, UNSURVEYED, Population

YES = 1


@dataclass(frozen=True, slots=True)
class ExitColumns:
    year: int
    parameters: ExitParameters
    fixed_income: Int  # fen: net income less one-off income
    compulsory_dropout: Bool  # per person
    census_age: Int  # per person, on 1 September
    conditions: dict[str, Bool]  # per household, keyed by condition code
    eligible: Bool

    def explain(self, pop: Population, h: int) -> ExitAssessment:
        p, members = self.parameters, pop.members(h)
        size = int(pop.size[h])
        food, clothing = int(pop.food_secure[h]), int(pop.clothing_secure[h])
        explained = [
            (
                cond.STABLE_INCOME,
                cond.stable_income(
                    bool(self.conditions[cond.STABLE_INCOME.code][h]),
                    per_capita(Decimal(int(self.fixed_income[h])) / 100, size),
                    p.line.number,
                    p.previous_line.number,
                    p.multiplier.number,
                ),
            ),
            (cond.FOOD_CLOTHING, cond.food_clothing(_answer(food), _answer(clothing))),
            (
                cond.EDUCATION,
                cond.education(
                    census_day(self.year),
                    [
                        (pop.member_id[i], int(self.census_age[i]))
                        for i in members
                        if self.compulsory_dropout[i]
                    ],
                ),
            ),
            (
                cond.MEDICAL,
                cond.medical([pop.member_id[i] for i in members if not pop.basic_insured[i]]),
            ),
            (
                cond.HOUSING,
                cond.housing(
                    HOUSING_GRADES[pop.housing_grade[h]],
                    bool(pop.relocation[h]),
                    bool(pop.moved_in[h]),
                ),
            ),
            (cond.WATER, cond.water(bool(pop.water_safe[h]), bool(pop.water_difficult[h]))),
            (
                cond.DIBAO,
                cond.dibao(bool(pop.dibao_household[h]), p.dibao_standard.number, p.line.number),
            ),
            (cond.EXPENDITURE, cond.expenditure(bool(pop.expenditure_poverty[h]))),
            (cond.HOLD, cond.hold(pop.hold_reason[h])),
        ]
        return build_assessment(pop.household_id[h], self.year, explained, p.all())


def _answer(code: int) -> bool | None:
    return None if code == UNSURVEYED else code == YES


def assess_exit_batch(pop: Population, year: int, params: ParameterSet) -> ExitColumns:
    p = ExitParameters.read(params, year)
    fixed = pop.net_income - pop.one_off_income
    # fixed ÷ size > threshold  ⇔  fixed × den > num × size, threshold in fen = num / den.
    threshold = Fraction(p.threshold * 100)
    income_ok = fixed * threshold.denominator > threshold.numerator * pop.size
    census = census_day(year)
    age = year - pop.birth_year - (census.month * 100 + census.day < pop.birth_md)
    of_age = (age >= int(p.age_min.number)) & (age <= int(p.age_max.number))
    dropout = of_age & pop.dropout
    uninsured = ~pop.basic_insured
    line = p.line.number
    conditions = {
        cond.STABLE_INCOME.code: income_ok,
        cond.FOOD_CLOTHING.code: (pop.food_secure == YES) & (pop.clothing_secure == YES),
        cond.EDUCATION.code: ~segment_any(dropout, pop.start),
        cond.MEDICAL.code: ~segment_any(uninsured, pop.start),
        cond.HOUSING.code: (pop.housing_grade < HOUSING_GRADES.index("C"))
        & ~(pop.relocation & ~pop.moved_in),
        cond.WATER.code: pop.water_safe & ~pop.water_difficult,
        cond.DIBAO.code: ~pop.dibao_household | np.bool_(p.dibao_standard.number >= line),
        cond.EXPENDITURE.code: ~pop.expenditure_poverty,
        cond.HOLD.code: ~pop.held,
    }
    eligible = np.logical_and.reduce(list(conditions.values()))
    return ExitColumns(year, p, fixed, dropout, age, conditions, eligible)
