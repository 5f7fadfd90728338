"""A seeded synthetic register built directly as columns (a `Population`), for the benchmark.

Distributions loosely follow the district (≈2.5 persons per household, ages 0–104, some
低保/特困 members, some renovation plans), with values placed on the rules' band edges. A
sample of households can be turned back into `HouseholdFacts` for the single-household path.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np

from services.eligibility.batch.population import (
    CARE_LEVELS,
    CHILDREN,
    HOUSING_GRADES,
    STAGES,
    TEKUN,
    UNSURVEYED,
    Population,
)
from services.eligibility.household import HouseholdFacts
from services.eligibility.money import from_fen

SCHOOL_STATUS_OF_STAGE = {
    None: "01",
    "preschool": "02",
    "primary": "03",
    "junior_secondary": "05",
    "senior_high": "08",
    "secondary_vocational": "11",
    "higher_vocational": "14",
    "higher_education": "16",
}


def generate(n: int, year: int = 2017, seed: int = 20170101) -> Population:
    rng = np.random.default_rng(seed)
    size = (1 + rng.poisson(1.5, n)).clip(1, 30).astype(np.int64)
    persons = int(size.sum())
    start = np.concatenate(([0], np.cumsum(size)[:-1])).astype(np.int64)
    age = rng.integers(0, 105, persons)
    month, day = rng.integers(1, 13, persons), rng.integers(1, 29, persons)
    day = np.where(rng.random(persons) < 0.3, 1, day)  # birthdays on a month's first day
    birth_year = year - age
    # date.toordinal() for every person at once, through numpy's days since 1970.
    dates = (birth_year - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (month - 1)
    days = dates.astype("datetime64[D]") + (day - 1)
    epoch = date(1970, 1, 1).toordinal()
    birth_ordinal = days.astype(np.int64) + epoch
    disabled = rng.random(persons) < 0.08
    cost = np.where(
        rng.random(persons) < 0.05, np.round(rng.lognormal(np.log(30000), 1.2, persons) * 100), 0
    ).astype(np.int64)
    stage = np.select(
        [age < 6, age < 12, age < 15, age < 18, age < 22],
        [1, 2, 3, rng.choice([4, 5], persons), rng.choice([0, 6, 7], persons)],
        0,
    )
    net = (rng.lognormal(np.log(4200), 0.5, n) * size * 100).astype(np.int64)
    assistance_type = rng.choice(4, n, p=[0.6, 0.25, 0.1, 0.05])
    status = rng.choice([0, 1, 2, 3, 4], n, p=[0.5, 0.3, 0.05, 0.05, 0.1]).astype(np.int8)
    renovation = rng.random(n) < 0.1
    plots = np.flatnonzero(rng.random(n) < 0.05)
    return Population(
        household_id=[f"h{i}" for i in range(n)],
        village=rng.integers(0, 345, n).astype(np.int64),
        village_codes=[f"370404{100 + v // 50:03d}{v % 50 + 1:03d}" for v in range(345)],
        start=start,
        size=size,
        status=status,
        exit_year=np.where(np.isin(status, (1, 4)), rng.integers(year - 5, year + 1, n), 0),
        dibao_household=np.isin(assistance_type, (1, 3)),
        tekun_household=np.isin(assistance_type, (2, 3)),
        net_income=net,
        one_off_income=np.where(rng.random(n) < 0.2, net // 10, 0),
        assistance_payments=np.where(assistance_type > 0, net // 4, 0),
        housing_grade=rng.choice(4, n, p=[0.4, 0.45, 0.1, 0.05]).astype(np.int8),
        relocation=rng.random(n) < 0.05,
        moved_in=rng.random(n) < 0.5,
        water_safe=rng.random(n) < 0.97,
        water_difficult=rng.random(n) < 0.03,
        food_secure=rng.choice([1, 1, 1, 1, 0, UNSURVEYED], n).astype(np.int8),
        clothing_secure=rng.choice([1, 1, 1, 1, 0, UNSURVEYED], n).astype(np.int8),
        expenditure_poverty=rng.random(n) < 0.03,
        held=(held := rng.random(n) < 0.01),
        hold_reason=["区扶贫办暂缓" if x else None for x in held.tolist()],
        key_village=rng.random(n) < 0.3,
        agri_premium=np.where(rng.random(n) < 0.5, rng.integers(1, 20000, n), 0),
        renovation=renovation,
        rebuild=rng.random(n) < 0.4,
        investment=np.where(renovation, rng.integers(0, 3_000_000, n), 0),
        floor_area=np.where(renovation, size * rng.integers(1200, 1900, n), 0),
        plot_household=plots.astype(np.int64),
        plot_area=rng.choice([99, 100, 101, 250, 50], len(plots)).astype(np.int64),
        member_id=[f"p{i}" for i in range(persons)],
        birth_year=birth_year.astype(np.int64),
        birth_md=(month * 100 + day).astype(np.int64),
        birth_ordinal=birth_ordinal,
        disabled=disabled,
        disability_grade=np.where(disabled, rng.integers(1, 5, persons), 0).astype(np.int8),
        care_level=np.where(
            age >= 60, rng.choice(4, persons, p=[0.85, 0.05, 0.05, 0.05]), 0
        ).astype(np.int8),
        school_stage=stage.astype(np.int8),
        boarding=rng.random(persons) < 0.3,
        dropout=rng.random(persons) < 0.01,
        basic_insured=rng.random(persons) < 0.97,
        ci_insured=rng.random(persons) < 0.95,
        pension_enrolled=(age >= 16) & (rng.random(persons) < 0.8),
        pension_tier=np.where(age < 60, rng.choice([0, 10000, 30000, 50000, 100000], persons), 0),
        dibao=rng.random(persons) < 0.2,
        tekun=rng.choice(3, persons, p=[0.95, 0.02, 0.03]).astype(np.int8),
        child=np.where(age < 18, rng.choice(4, persons, p=[0.94, 0.02, 0.01, 0.03]), 0).astype(
            np.int8
        ),
        ci_cost=cost,
    )


def to_households(pop: Population, indices: list[int]) -> list[HouseholdFacts]:
    """The same households as records, for the single-household path."""
    records = []
    wanted = set(indices)
    plots: dict[int, list[Decimal]] = {}
    for area, owner in zip(pop.plot_area.tolist(), pop.plot_household.tolist(), strict=True):
        if owner in wanted:
            plots.setdefault(owner, []).append(from_fen(area))
    for h in indices:
        members = [_member(pop, i) for i in pop.members(h)]
        assistance = ("general", "dibao", "tekun", "dibao_tekun")[
            int(pop.dibao_household[h]) + 2 * int(pop.tekun_household[h])
        ]
        payments, net = int(pop.assistance_payments[h]), int(pop.net_income[h])
        status = int(pop.status[h])
        records.append(
            HouseholdFacts.model_validate(
                {
                    "household_id": pop.household_id[h],
                    "village_code": pop.village_codes[int(pop.village[h])],
                    "status": None if status < 0 else str(status),
                    "exit_year": int(pop.exit_year[h]) or None,
                    "assistance": assistance,
                    "members": members,
                    "income": {
                        "wage_income": from_fen(net - payments),
                        "dibao_payment": from_fen(payments),
                        "one_off": from_fen(int(pop.one_off_income[h])),
                    },
                    "housing_grade": HOUSING_GRADES[int(pop.housing_grade[h])],
                    "relocation_household": bool(pop.relocation[h]),
                    "relocation_moved_in": bool(pop.moved_in[h]),
                    "water_safe": bool(pop.water_safe[h]),
                    "water_difficult": bool(pop.water_difficult[h]),
                    "food_secure": _answer(int(pop.food_secure[h])),
                    "clothing_secure": _answer(int(pop.clothing_secure[h])),
                    "expenditure_poverty": bool(pop.expenditure_poverty[h]),
                    "hold_reason": pop.hold_reason[h],
                    "in_provincial_key_village": bool(pop.key_village[h]),
                    "agri_own_premium": from_fen(int(pop.agri_premium[h])),
                    "afforested_plots_mu": plots.get(h, []),
                    "renovation": {
                        "method": "rebuild" if pop.rebuild[h] else "repair",
                        "actual_investment": from_fen(int(pop.investment[h])),
                        "planned_floor_area": from_fen(int(pop.floor_area[h])),
                    }
                    if pop.renovation[h]
                    else None,
                }
            )
        )
    return records


def _answer(code: int) -> bool | None:
    return None if code == UNSURVEYED else code == 1


def _member(pop: Population, i: int) -> dict[str, Any]:
    md = int(pop.birth_md[i])
    grade = int(pop.disability_grade[i])
    tier = int(pop.pension_tier[i])
    return {
        "member_id": pop.member_id[i],
        "birth_date": date(int(pop.birth_year[i]), md // 100, md % 100),
        "sex": "female" if i % 2 else "male",
        "health": ["04"] if grade else ["01"],
        "disability_grade": grade or None,
        "care_level": CARE_LEVELS[int(pop.care_level[i])],
        "school_status": SCHOOL_STATUS_OF_STAGE[STAGES[int(pop.school_stage[i])]],
        "boarding": bool(pop.boarding[i]),
        "dropout_for_poverty": bool(pop.dropout[i]),
        "basic_medical_insured": bool(pop.basic_insured[i]),
        "critical_illness_insured": bool(pop.ci_insured[i]),
        "pension_enrolled": bool(pop.pension_enrolled[i]),
        "pension_contribution_tier": from_fen(tier) if tier else None,
        "dibao": bool(pop.dibao[i]),
        "tekun": TEKUN[int(pop.tekun[i])],
        "child_support": CHILDREN[int(pop.child[i])],
        "critical_illness_cost": from_fen(int(pop.ci_cost[i])),
    }
