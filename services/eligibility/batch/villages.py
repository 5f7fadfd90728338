"""Village totals over the person → household → village index, from the batch columns.

Poverty incidence needs the village's rural registered population, which the register's
village records hold; this gives the numerator and the exit and entitlement figures per village.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .arith import Int
from .entitlements import CURRENTLY_POOR, EntitlementColumns
from .exit import ExitColumns
from .population import Population


@dataclass(frozen=True, slots=True)
class VillageTotals:
    village_codes: list[str]
    households: Int
    persons: Int
    poor_persons_not_exited: Int  # registered poor (status 0, 2, 3) members
    households_meeting_exit: Int
    yearly_yuan: Int  # fen: each village's total of yearly entitlement lines

    def row(self, v: int) -> dict[str, int | str]:
        return {
            "village_code": self.village_codes[v],
            "households": int(self.households[v]),
            "persons": int(self.persons[v]),
            "poor_persons_not_exited": int(self.poor_persons_not_exited[v]),
            "households_meeting_exit": int(self.households_meeting_exit[v]),
            "yearly_yuan_fen": int(self.yearly_yuan[v]),
        }


def village_totals(
    pop: Population, exits: ExitColumns, columns: EntitlementColumns
) -> VillageTotals:
    villages = len(pop.village_codes)

    def total(weights: Int) -> Int:
        return np.bincount(pop.village, weights=weights, minlength=villages).astype(np.int64)

    poor = np.isin(pop.status, CURRENTLY_POOR)
    return VillageTotals(
        village_codes=list(pop.village_codes),
        households=np.bincount(pop.village, minlength=villages).astype(np.int64),
        persons=total(pop.size),
        poor_persons_not_exited=total(np.where(poor, pop.size, 0)),
        households_meeting_exit=total(exits.eligible.astype(np.int64)),
        yearly_yuan=total(columns.yearly_yuan(pop)),
    )
