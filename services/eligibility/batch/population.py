"""The register as columns: persons grouped by household, households by village.

Persons are stored household after household, so a household is the slice
`start[h] : start[h] + size[h]`; per-household sums are `reduceat` over `start`. Money is
integer fen, areas hundredths of m² or mu, dates split into year and month·100+day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..benefits.facts import CareLevel, ChildCategory, SchoolStage
from ..household import HouseholdFacts
from ..money import to_fen
from .arith import Bool, Int

Int8 = npt.NDArray[np.int8]

HOUSING_GRADES = ("A", "B", "C", "D")
STAGES: tuple[SchoolStage | None, ...] = (
    None,
    "preschool",
    "primary",
    "junior_secondary",
    "senior_high",
    "secondary_vocational",
    "higher_vocational",
    "higher_education",
)
CARE_LEVELS: tuple[CareLevel | None, ...] = (
    None,
    "cannot_self_care",
    "semi_self_care",
    "self_care",
)
TEKUN = (None, "concentrated", "dispersed")
CHILDREN: tuple[ChildCategory | None, ...] = (
    None,
    "orphan_dispersed",
    "orphan_institutional",
    "child_in_distress",
)
NO_STATUS = -1
UNSURVEYED = -1


@dataclass(frozen=True, slots=True)
class Population:
    # households
    household_id: Sequence[str]
    village: Int  # index into village_codes
    village_codes: Sequence[str]
    start: Int  # first person of each household
    size: Int
    status: Int8  # 脱贫状态 0–4, NO_STATUS if not registered
    exit_year: Int  # 0 when not exited
    dibao_household: Bool
    tekun_household: Bool
    net_income: Int  # fen, components less operating expenses
    one_off_income: Int
    assistance_payments: Int  # 低保金 + 特困供养金 inside the transfer income
    housing_grade: Int8  # index into HOUSING_GRADES
    relocation: Bool
    moved_in: Bool
    water_safe: Bool
    water_difficult: Bool
    food_secure: Int8  # 1 yes, 0 no, UNSURVEYED
    clothing_secure: Int8
    expenditure_poverty: Bool
    held: Bool  # a poverty office holds the household back
    hold_reason: Sequence[str | None]
    key_village: Bool
    agri_premium: Int
    renovation: Bool  # has a renovation plan
    rebuild: Bool  # the plan rebuilds (else repairs)
    investment: Int
    floor_area: Int  # hundredths of m²
    plot_household: Int  # one row per afforested plot
    plot_area: Int  # hundredths of mu
    # persons
    member_id: Sequence[str]
    birth_year: Int
    birth_md: Int  # month × 100 + day
    birth_ordinal: Int  # date.toordinal()
    disabled: Bool
    disability_grade: Int8  # 0 when not disabled
    care_level: Int8  # index into CARE_LEVELS
    school_stage: Int8  # index into STAGES
    boarding: Bool
    dropout: Bool
    basic_insured: Bool
    ci_insured: Bool
    pension_enrolled: Bool
    pension_tier: Int  # fen, 0 when not contributing
    dibao: Bool
    tekun: Int8  # index into TEKUN
    child: Int8  # index into CHILDREN
    ci_cost: Int

    @property
    def households(self) -> int:
        return len(self.start)

    @property
    def person_household(self) -> Int:
        return np.repeat(np.arange(self.households, dtype=np.int64), self.size)

    def members(self, h: int) -> range:
        first = int(self.start[h])
        return range(first, first + int(self.size[h]))


def from_households(households: Sequence[HouseholdFacts]) -> Population:
    """Columns of validated household records (the service's path; the bench builds arrays)."""
    people = [m for h in households for m in h.members]
    villages = sorted({h.village_code for h in households})
    village_index = {code: i for i, code in enumerate(villages)}
    sizes = np.array([len(h.members) for h in households], dtype=np.int64)
    plots = [(i, to_fen(a)) for i, h in enumerate(households) for a in h.afforested_plots_mu]

    return Population(
        household_id=[h.household_id for h in households],
        village=ints([village_index[h.village_code] for h in households]),
        village_codes=villages,
        start=np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64),
        size=sizes,
        status=small([NO_STATUS if h.status is None else int(h.status) for h in households]),
        exit_year=ints([h.exit_year or 0 for h in households]),
        dibao_household=flags([h.dibao_household for h in households]),
        tekun_household=flags([h.tekun_household for h in households]),
        net_income=ints([to_fen(h.income.net) for h in households]),
        one_off_income=ints([to_fen(h.income.one_off) for h in households]),
        assistance_payments=ints(
            [to_fen(h.income.dibao_payment + h.income.tekun_payment) for h in households]
        ),
        housing_grade=small([HOUSING_GRADES.index(h.housing_grade) for h in households]),
        relocation=flags([h.relocation_household for h in households]),
        moved_in=flags([h.relocation_moved_in for h in households]),
        water_safe=flags([h.water_safe for h in households]),
        water_difficult=flags([h.water_difficult for h in households]),
        food_secure=small([_answer(h.food_secure) for h in households]),
        clothing_secure=small([_answer(h.clothing_secure) for h in households]),
        expenditure_poverty=flags([h.expenditure_poverty for h in households]),
        held=flags([h.hold_reason is not None for h in households]),
        hold_reason=[h.hold_reason for h in households],
        key_village=flags([h.in_provincial_key_village for h in households]),
        agri_premium=ints([to_fen(h.agri_own_premium) for h in households]),
        renovation=flags([h.renovation is not None for h in households]),
        rebuild=flags(
            [h.renovation is not None and h.renovation.method == "rebuild" for h in households]
        ),
        investment=ints(
            [to_fen(h.renovation.actual_investment) if h.renovation else 0 for h in households]
        ),
        floor_area=ints(
            [to_fen(h.renovation.planned_floor_area) if h.renovation else 0 for h in households]
        ),
        plot_household=ints([i for i, _ in plots]),
        plot_area=ints([a for _, a in plots]),
        member_id=[m.member_id for m in people],
        birth_year=ints([m.birth_date.year for m in people]),
        birth_md=ints([m.birth_date.month * 100 + m.birth_date.day for m in people]),
        birth_ordinal=ints([m.birth_date.toordinal() for m in people]),
        disabled=flags([m.disabled for m in people]),
        disability_grade=small([m.disability_grade or 0 for m in people]),
        care_level=small([CARE_LEVELS.index(m.care_level) for m in people]),
        school_stage=small([STAGES.index(m.school_stage) for m in people]),
        boarding=flags([m.boarding for m in people]),
        dropout=flags([m.dropout_for_poverty for m in people]),
        basic_insured=flags([m.basic_medical_insured for m in people]),
        ci_insured=flags([m.critical_illness_insured for m in people]),
        pension_enrolled=flags([m.pension_enrolled for m in people]),
        pension_tier=ints(
            [
                to_fen(m.pension_contribution_tier) if m.pension_contribution_tier else 0
                for m in people
            ]
        ),
        dibao=flags([m.dibao for m in people]),
        tekun=small([TEKUN.index(m.tekun) for m in people]),
        child=small([CHILDREN.index(m.child_support) for m in people]),
        ci_cost=ints([to_fen(m.critical_illness_cost) for m in people]),
    )


def flags(values: list[bool]) -> Bool:
    return np.array(values, dtype=np.bool_)


def small(values: list[int]) -> Int8:
    return np.array(values, dtype=np.int8)


def ints(values: list[int]) -> Int:
    return np.array(values, dtype=np.int64)


def _answer(flag: bool | None) -> int:
    return UNSURVEYED if flag is None else int(flag)
