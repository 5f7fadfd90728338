"""Person-level columns of education aid, critical-illness insurance and medical assistance."""

from __future__ import annotations

from datetime import date

import numpy as np

from ..benefits import education as edu
from ..benefits import medical
from ..parameters.store import ParameterSet
from .arith import Bool, Int, ratio, segment_sum, times_rate
from .lines import Line, Reader, where
from .population import STAGES, Population


def _stage(*names: str) -> list[int]:
    return [STAGES.index(name) for name in names]


def education_lines(
    pop: Population, year: int, params: ParameterSet, targeted: Bool, person_household: Int
) -> list[Line]:
    end = Reader(params, date(year, 12, 31))
    stage = pop.school_stage
    student = (stage > 0) & targeted & (pop.birth_ordinal <= end.on.toordinal())
    disabled_in_household = segment_sum(pop.disabled.astype(np.int64), pop.start)
    others_disabled = disabled_in_household[person_household] - pop.disabled > 0
    vocational_or_higher = np.isin(stage, _stage(*edu.VOCATIONAL_OR_HIGHER))

    def pay(mask: Bool, key: str) -> Int:
        return where(student & mask, end.fen(edu.P + key))

    primary, junior = stage == _stage("primary")[0], stage == _stage("junior_secondary")[0]
    senior = stage == _stage("senior_high")[0]
    return [
        Line(edu.CODE, edu.PRESCHOOL, "year", pay(stage == _stage("preschool")[0], "preschool")),
        Line(
            edu.CODE,
            edu.BOARDING,
            "year",
            pay(pop.boarding & primary, "boarding_primary")
            + pay(pop.boarding & junior, "boarding_junior_secondary"),
        ),
        Line(
            edu.CODE,
            edu.STATE_GRANT,
            "year",
            pay(
                np.isin(stage, _stage("senior_high", "secondary_vocational")), "senior_state_grant"
            ),
        ),
        Line(
            edu.CODE,
            edu.YULU,
            "year",
            pay(np.isin(stage, _stage(*edu.VOCATIONAL)), "yulu_vocational"),
        ),
        Line(edu.CODE, edu.WENDENG, "year", pay(stage > 0, "wendeng_grant")),
        Line(
            edu.CODE,
            edu.DISABLED_STUDENT,
            "once",
            pay(pop.disabled & senior, "disabled_senior_high_once")
            + pay(pop.disabled & vocational_or_higher, "disabled_vocational_higher_once"),
        ),
        Line(
            edu.CODE,
            edu.DISABLED_FAMILY,
            "once",
            pay(others_disabled & vocational_or_higher, "disabled_family_child_once"),
        ),
    ]


def critical_illness_fen(cost: Int, poor: Bool, params: ParameterSet, on: date) -> Int:
    """Yearly critical-illness payout in fen for each remaining cost (fen), as `medical`."""
    r = Reader(params, on)
    P = medical.P
    rates = [r.number(P + f"critical_rate_band_{n}") for n in (1, 2, 3)]
    bonus = r.number(P + "critical_poor_rate_bonus")
    numerators, den = ratio(*rates, *(rate + bonus for rate in rates))
    deductible = np.where(
        poor, r.fen(P + "critical_poor_deductible"), r.fen(P + "critical_deductible")
    )
    edges = [r.fen(P + "critical_band_2_from"), r.fen(P + "critical_band_3_from")]
    total = np.zeros(len(cost), dtype=np.int64)
    for n, (low, high) in enumerate(zip([0, *edges], [*edges, None], strict=True)):
        start = np.maximum(low, deductible)
        top = cost if high is None else np.minimum(cost, high)
        rate = np.where(poor, numerators[n + 3], numerators[n])
        total += np.maximum(0, top - start) * rate
    total = np.where(poor, np.minimum(total, r.fen(P + "critical_poor_annual_cap") * den), total)
    return (2 * total + den) // (2 * den)


def health_lines(pop: Population, year: int, params: ParameterSet, targeted: Bool) -> list[Line]:
    """Sparse lines over the members with a remaining medical cost in the year."""
    end = date(year, 12, 31)
    sick = np.flatnonzero((pop.ci_cost > 0) & (pop.birth_ordinal <= end.toordinal()))
    cost = pop.ci_cost[sick]
    payout = where(pop.ci_insured[sick], critical_illness_fen(cost, targeted[sick], params, end))
    assisted = pop.dibao[sick] | (pop.tekun[sick] > 0)
    rate = params.number(medical.P + "assistance_rate", end)
    assistance = times_rate(cost[assisted] - payout[assisted], rate)
    return [
        Line(medical.CRITICAL, medical.CRITICAL_LABEL, "year", payout, rows=sick),
        Line(medical.ASSISTANCE, medical.ASSISTANCE_LABEL, "year", assistance, rows=sick[assisted]),
    ]
