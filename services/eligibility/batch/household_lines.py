"""Household-level entitlement columns: 低保 top-up, free electricity, housing renovation,
farm insurance premium and afforestation (see `entitlements` for the single-household rules)."""

from __future__ import annotations

from datetime import date

import numpy as np

from ..benefits import housing, rural, social
from ..parameters.store import ParameterSet
from .arith import Bool, Int, at_least, at_most, times_rate
from .lines import Line, Monthly, Reader, months_of, where
from .population import HOUSING_GRADES, Population

C, D = HOUSING_GRADES.index("C"), HOUSING_GRADES.index("D")


def household_lines(pop: Population, year: int, params: ParameterSet, targeted: Bool) -> list[Line]:
    end = Reader(params, date(year, 12, 31))
    standard = end.fen(social.DIBAO_STANDARD)
    top_up = np.maximum(0, standard * pop.size - (pop.net_income - pop.assistance_payments))
    lines = [Line(social.DIBAO, social.DIBAO_LABEL, "year", where(pop.dibao_household, top_up))]
    power = Monthly(pop.households)
    entitled = pop.dibao_household | pop.tekun_household
    for month in months_of(year):
        power.add(where(entitled, Reader(params, month).fen("rural.free_electricity_kwh")))
    lines.append(power.line(social.ELECTRICITY, social.ELECTRICITY_LABEL, unit="kwh"))
    lines.append(_renovation(pop, end, targeted))
    lines.extend(_agri_insurance(pop, end, targeted))
    lines.append(_afforestation(pop, end))
    return lines


def _renovation(pop: Population, end: Reader, targeted: Bool) -> Line:
    P = housing.P
    grade, size, area = pop.housing_grade, pop.size, pop.floor_area
    small_max = end.number(P + "max_area_small_household")
    fits = (
        (size > 3)
        & at_least(area, end.number(P + "min_area_per_person"), size)
        & at_most(area, end.number(P + "max_area_per_person"), size)
    )
    for persons, key in enumerate(
        ("min_area_1_person", "min_area_2_persons", "min_area_3_persons"), start=1
    ):
        within = at_least(area, end.number(P + key)) & at_most(area, small_max)
        fits |= (size == persons) & within
    dangerous = (grade == C) | (grade == D)
    eligible = pop.renovation & targeted & dangerous & ~((grade == C) & pop.rebuild) & fits
    standard = np.where(
        pop.rebuild, end.fen(P + "rebuild_standard"), end.fen(P + "repair_standard")
    )
    return Line(
        housing.CODE, housing.LABEL, "once", where(eligible, np.minimum(standard, pop.investment))
    )


def _agri_insurance(pop: Population, end: Reader, targeted: Bool) -> list[Line]:
    premium = where(pop.key_village & targeted & (pop.agri_premium > 0), pop.agri_premium)
    province = times_rate(premium, end.number(rural.R + "agri_province_share"))
    city = times_rate(premium, end.number(rural.R + "agri_city_share"))
    return [
        Line(rural.AGRI, rural.PROVINCE_LABEL, "year", province),
        Line(rural.AGRI, rural.CITY_LABEL, "year", city),
        Line(rural.AGRI, rural.DISTRICT_LABEL, "year", premium - province - city),
    ]


def _afforestation(pop: Population, end: Reader) -> Line:
    counted = at_least(pop.plot_area, end.number(rural.R + "afforestation_min_plot_mu"))
    area: Int = np.bincount(
        pop.plot_household, weights=where(counted, pop.plot_area), minlength=pop.households
    ).astype(np.int64)
    # fen = area/100 mu × per-mu fen, rounded half up in one exact integer division.
    per_mu = end.fen(rural.R + "afforestation_per_mu")
    return Line(
        rural.AFFORESTATION, rural.AFFORESTATION_LABEL, "once", (2 * area * per_mu + 100) // 200
    )
