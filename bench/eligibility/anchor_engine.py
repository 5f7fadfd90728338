"""The OpenFisca anchor workload computed by our engine, on the anchor's own arrays.

Per-capita net income, the anchor's simplified exit (income above the line, compulsory-age
children in school, everyone insured, grade A/B housing) and each person's critical-illness
payout — with our parameters, our exact integer-fen arithmetic and our critical-illness rule.
One deliberate difference: RULES.md gives people outside poor households no annual cap, while
the anchor caps everyone at 500000; `crosscheck` counts those cases separately.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np

from services.eligibility.batch.arith import Int, fen, segment_any, segment_sum
from services.eligibility.batch.study_health_lines import critical_illness_fen
from services.eligibility.parameters.store import ParameterSet

ON = date(2017, 12, 31)


def to_fen(yuan: Any) -> Int:
    return np.rint(np.asarray(yuan) * 100).astype(np.int64)


def compute(d: dict[str, Any], params: ParameterSet) -> dict[str, Any]:
    hh, n = d["person_hh"], d["n_households"]
    size = np.bincount(hh, minlength=n)
    start = np.concatenate(([0], np.cumsum(size)[:-1])).astype(np.int64)
    net = segment_sum(to_fen(d["income"]), start) - to_fen(d["operating_costs"])
    # Per-capita income in fen, rounded half away from zero like Decimal ROUND_HALF_UP.
    per_capita = np.sign(net) * ((2 * np.abs(net) + size) // (2 * size))
    line = fen(params.number("poverty_line.provincial", ON))
    age = d["age"]
    youngest = int(params.number("household_exit.compulsory_age_min", ON))
    oldest = int(params.number("household_exit.compulsory_age_max", ON))
    dropout = (age >= youngest) & (age <= oldest) & ~d["in_school"]
    exit_eligible = (
        (net > line * size)
        & ~segment_any(dropout, start)
        & ~segment_any(~d["insured"], start)
        & (d["housing_grade"] <= 1)
    )
    cost = to_fen(d["medical_cost"])
    sick = np.flatnonzero(cost > 0)
    payout = np.zeros(len(cost), dtype=np.int64)
    payout[sick] = critical_illness_fen(cost[sick], d["registered_poor"][hh[sick]], params, ON)
    return {
        "per_capita_net_income": per_capita,
        "exit_eligible": exit_eligible,
        "critical_illness_payout": payout,
    }


def crosscheck(
    ours: dict[str, Any], reference: dict[str, Any], d: dict[str, Any]
) -> dict[str, Any]:
    """Our results against the anchor's plain-numpy implementation (floats, in yuan)."""
    pay_diff = np.abs(ours["critical_illness_payout"] / 100 - reference["critical_illness_payout"])
    differ = pay_diff > 0.006
    poor = d["registered_poor"][d["person_hh"]]
    uncapped = differ & ~poor & (ours["critical_illness_payout"] > 50_000_000)
    return {
        "per_capita_max_abs_diff_yuan": float(
            np.max(np.abs(ours["per_capita_net_income"] / 100 - reference["per_capita_net_income"]))
        ),
        "exit_disagreements": int(np.sum(ours["exit_eligible"] != reference["exit_eligible"])),
        "payout_differences": int(differ.sum()),
        "payout_differences_from_no_cap_for_non_poor": int(uncapped.sum()),
    }
