"""贫困户退出 household exit for an assessment year — RULES.md §3, 第二章第四节二（一）.

Plain readable Python, one household at a time: this is the oracle the batch engine is
checked against. Every condition is evaluated, so a failing household gets all its reasons.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel

from ..ages import age_on
from ..household import HouseholdFacts
from ..money import per_capita
from ..parameters.model import DatedValue
from ..parameters.store import ParameterSet
from . import exit_conditions as cond

LINE = "poverty_line.provincial"
MULTIPLIER = "household_exit.stability_multiplier"
AGE_MIN, AGE_MAX = "household_exit.compulsory_age_min", "household_exit.compulsory_age_max"
DIBAO_STANDARD = "dibao.rural_standard"


class Condition(BaseModel):
    code: str
    label: str
    section: str
    passed: bool
    compared: dict[str, str]
    reason: str | None


class ExitAssessment(BaseModel):
    household_id: str
    year: int
    eligible: bool
    conditions: list[Condition]
    reasons: list[str]
    reading: str
    parameters: list[DatedValue]


class ExitParameters(BaseModel):
    """The values an exit assessment of year Y reads, each as in force on 31 December."""

    line: DatedValue
    previous_line: DatedValue
    multiplier: DatedValue
    age_min: DatedValue
    age_max: DatedValue
    dibao_standard: DatedValue

    @classmethod
    def read(cls, params: ParameterSet, year: int) -> ExitParameters:
        end, previous_end = date(year, 12, 31), date(year - 1, 12, 31)
        return cls(
            line=params.value(LINE, end),
            previous_line=params.value(LINE, previous_end),
            multiplier=params.value(MULTIPLIER, end),
            age_min=params.value(AGE_MIN, end),
            age_max=params.value(AGE_MAX, end),
            dibao_standard=params.value(DIBAO_STANDARD, end),
        )

    @property
    def threshold(self) -> Decimal:
        line = self.line.number
        return line + self.multiplier.number * (line - self.previous_line.number)

    def all(self) -> list[DatedValue]:
        return [
            self.line,
            self.previous_line,
            self.multiplier,
            self.age_min,
            self.age_max,
            self.dibao_standard,
        ]


def school_census_day(year: int) -> date:
    """Compulsory-school age is counted on 1 September of the assessment year (RULES.md §3)."""
    return date(year, 9, 1)


def assess_exit(household: HouseholdFacts, year: int, params: ParameterSet) -> ExitAssessment:
    p = ExitParameters.read(params, year)
    members = household.members
    fixed_income = household.income.net - household.income.one_off
    census = school_census_day(year)
    dropouts = [
        (m.member_id, age)
        for m in members
        if m.dropout_for_poverty
        and p.age_min.number <= (age := age_on(m.birth_date, census)) <= p.age_max.number
    ]
    explained = [
        (
            cond.STABLE_INCOME,
            cond.stable_income(
                fixed_income > p.threshold * len(members),
                per_capita(fixed_income, len(members)),
                p.line.number,
                p.previous_line.number,
                p.multiplier.number,
            ),
        ),
        (cond.FOOD_CLOTHING, cond.food_clothing(household.food_secure, household.clothing_secure)),
        (cond.EDUCATION, cond.education(census, dropouts)),
        (cond.MEDICAL, cond.medical([m.member_id for m in members if not m.basic_medical_insured])),
        (
            cond.HOUSING,
            cond.housing(
                household.housing_grade,
                household.relocation_household,
                household.relocation_moved_in,
            ),
        ),
        (cond.WATER, cond.water(household.water_safe, household.water_difficult)),
        (cond.DIBAO, cond.dibao(household.dibao_household, p.dibao_standard.number, p.line.number)),
        (cond.EXPENDITURE, cond.expenditure(household.expenditure_poverty)),
        (cond.HOLD, cond.hold(household.hold_reason)),
    ]
    return build_assessment(household.household_id, year, explained, p.all())


def build_assessment(
    household_id: str,
    year: int,
    explained: list[tuple[cond.ConditionSpec, cond.Explained]],
    parameters: list[DatedValue],
) -> ExitAssessment:
    conditions = [
        Condition(
            code=spec.code,
            label=spec.label,
            section=cond.SECTION,
            passed=reason is None,
            compared=compared,
            reason=reason,
        )
        for spec, (compared, reason) in explained
    ]
    reasons = [f"{c.label}: {c.reason}" for c in conditions if c.reason is not None]
    return ExitAssessment(
        household_id=household_id,
        year=year,
        eligible=not reasons,
        conditions=conditions,
        reasons=reasons,
        reading=cond.INCOME_READING,
        parameters=parameters,
    )
