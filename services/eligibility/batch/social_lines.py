"""Person-level columns of social benefits: 特困 support, elderly allowance, care subsidy,
disability subsidies, child support and the resident pension."""

from __future__ import annotations

from datetime import date

import numpy as np

from ..benefits import elderly, social
from ..parameters.store import ParameterSet
from .arith import Bool, Int
from .lines import Line, Monthly, Reader, age_on, months_of, where
from .population import CARE_LEVELS, CHILDREN, TEKUN, Population

E, D, PN = elderly.E, elderly.D, elderly.PN


def social_lines(pop: Population, year: int, params: ParameterSet, targeted: Bool) -> list[Line]:
    """`targeted` is per person (its household's flag)."""
    end = Reader(params, date(year, 12, 31))
    alive = pop.birth_ordinal <= end.on.toordinal()
    lines = [
        Line(
            social.TEKUN,
            social.TEKUN_LABEL,
            "year",
            sum(
                (
                    where(alive & (pop.tekun == TEKUN.index(kind)), end.fen("tekun." + kind))
                    for kind in ("concentrated", "dispersed")
                ),
                start=np.zeros(len(pop.tekun), dtype=np.int64),
            ),
        )
    ]
    lines += _elderly_allowance(pop, year, params, alive)
    age_end = age_on(pop.birth_year, pop.birth_md, end.on)
    care = np.zeros(len(alive), dtype=np.int64)
    old = alive & (age_end >= end.int(D + "care_min_age"))
    for index, level in enumerate(CARE_LEVELS[1:], start=1):
        care += where(old & (pop.care_level == index), end.fen(D + "care_" + str(level)))
    lines.append(Line(elderly.CARE, elderly.CARE_LABEL, "year", care))
    lines += _monthly_social(pop, year, params)
    lines += _pension(pop, year, params, targeted, alive, age_end)
    return lines


def _elderly_allowance(pop: Population, year: int, params: ParameterSet, alive: Bool) -> list[Line]:
    readers = [Reader(params, month) for month in months_of(year)]
    youngest = min(r.int(E + "band_1_age") for r in readers)
    # Only people old enough by year end can be due in any month: work on them alone.
    chosen = np.flatnonzero(
        alive & (age_on(pop.birth_year, pop.birth_md, date(year, 12, 31)) >= youngest)
    )
    born_year, born_md, dibao = pop.birth_year[chosen], pop.birth_md[chosen], pop.dibao[chosen]
    ordinary, low_income, longevity = (Monthly(len(chosen)) for _ in range(3))
    for reader in readers:
        age = age_on(born_year, born_md, reader.on)
        band = sum((age >= reader.int(E + f"band_{n}_age")).astype(np.int64) for n in (1, 2, 3))
        centenarian = age >= reader.int(E + "centenarian_age")
        by_band = np.array([0] + [reader.fen(E + f"band_{n}") for n in (1, 2, 3)])
        dibao_band = np.array([0] + [reader.fen(E + f"dibao_band_{n}") for n in (1, 2, 3)])
        ordinary.add(where(~centenarian & ~dibao, by_band[band]))
        low_income.add(where(~centenarian & dibao, dibao_band[band]))
        extra = (age - reader.int(E + "centenarian_age")) * reader.fen(E + "centenarian_per_year")
        longevity.add(where(centenarian, reader.fen(E + "centenarian_base") + extra))
    return [
        ordinary.line(elderly.ELDERLY, elderly.ORDINARY_LABEL, chosen),
        low_income.line(elderly.ELDERLY, elderly.DIBAO_LABEL, chosen),
        longevity.line(elderly.ELDERLY, elderly.LONGEVITY_LABEL, chosen),
    ]


def _monthly_social(pop: Population, year: int, params: ParameterSet) -> list[Line]:
    chosen = np.flatnonzero((pop.disability_grade > 0) | (pop.child > 0))
    born_on, dibao, child = pop.birth_ordinal[chosen], pop.dibao[chosen], pop.child[chosen]
    grade = pop.disability_grade[chosen]
    disabled = grade > 0
    living, severe = Monthly(len(chosen)), Monthly(len(chosen))
    children = {category: Monthly(len(chosen)) for category in CHILDREN if category is not None}
    for month in months_of(year):
        reader = Reader(params, month)
        born = born_on <= month.toordinal()
        living.add(where(born & disabled & dibao, reader.fen("disability.dibao_living_subsidy")))
        worst = grade <= reader.int("disability.severe_max_grade")
        severe.add(where(born & disabled & worst, reader.fen("disability.severe_care_subsidy")))
        for category, monthly in children.items():
            kind = born & (child == CHILDREN.index(category))
            monthly.add(where(kind, reader.fen("child_support." + category)))
    return [
        living.line(social.DISABILITY, social.LIVING_LABEL, chosen),
        severe.line(social.DISABILITY, social.SEVERE_LABEL, chosen),
        *(m.line(social.CHILD, social.CHILD_LABELS[c], chosen) for c, m in children.items()),
    ]


def _pension(
    pop: Population, year: int, params: ParameterSet, targeted: Bool, alive: Bool, age_end: Int
) -> list[Line]:
    enrolled = alive & pop.pension_enrolled
    readers = [Reader(params, month) for month in months_of(year)]
    youngest = min(r.int(PN + "age") for r in readers)
    chosen = np.flatnonzero(enrolled & (age_end >= youngest))
    born_year, born_md = pop.birth_year[chosen], pop.birth_md[chosen]
    basic = Monthly(len(chosen))
    for reader in readers:
        due = age_on(born_year, born_md, reader.on) >= reader.int(PN + "age")
        basic.add(where(due, reader.fen(PN + "basic_monthly")))
    end = Reader(params, date(year, 12, 31))
    contributing = enrolled & (age_end < end.int(PN + "age"))
    tier = pop.pension_tier
    high = contributing & (tier >= end.fen(PN + "subsidy_high_tier"))
    low = contributing & ~high & (tier >= end.fen(PN + "subsidy_low_tier"))
    subsidy = where(high, end.fen(PN + "subsidy_high")) + where(low, end.fen(PN + "subsidy_low"))
    paid = where(contributing & targeted, end.fen(PN + "poor_contribution"))
    return [
        basic.line(elderly.PENSION, elderly.BASIC_PENSION_LABEL, chosen),
        Line(elderly.PENSION, elderly.SUBSIDY_LABEL, "year", subsidy),
        Line(elderly.PENSION, elderly.PAID_CONTRIBUTION_LABEL, "year", paid),
    ]
