"""一户一策 for every household at once: the columns of each entitlement line, then, for the
households asked, the same `EntitlementLine` list as the single-household path gives."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..entitlements import EntitlementLine, require_in_force
from ..money import from_fen
from ..parameters.store import ParameterSet
from ..rules.targeting import policy_years
from .arith import Bool, Int
from .household_lines import household_lines
from .lines import Line
from .population import Population
from .social_lines import social_lines
from .study_health_lines import education_lines, health_lines

CURRENTLY_POOR = (0, 2, 3)
EXITED = (1, 4)


def targeted_households(pop: Population, year: int, params: ParameterSet) -> Bool:
    """Registered and not exited, or exited within the policy years (`rules.targeting`)."""
    years = int(policy_years(params, year).number)
    exited_recently = np.isin(pop.status, EXITED) & (year - pop.exit_year <= years)
    return np.isin(pop.status, CURRENTLY_POOR) | exited_recently


@dataclass(frozen=True, slots=True)
class EntitlementColumns:
    year: int
    targeted: Bool
    household_lines: list[Line]  # arrays over households
    person_lines: list[Line]  # arrays over persons

    def lines(self, pop: Population, h: int) -> list[EntitlementLine]:
        found = [_entry(line, h, None) for line in self.household_lines]
        for i in pop.members(h):
            found += [_entry(line, i, pop.member_id[i]) for line in self.person_lines]
        return [entry for entry in found if entry is not None]

    def yearly_yuan(self, pop: Population) -> Int:
        """Each household's total of yearly yuan lines, in fen."""
        households, owner = np.arange(pop.households), pop.person_household
        total = np.zeros(pop.households, dtype=np.int64)
        for lines, group in ((self.household_lines, households), (self.person_lines, owner)):
            for line in lines:
                if line.unit == "yuan" and line.period == "year":
                    total += line.by_group(group, pop.households)
        return total


def _entry(line: Line, row: int, member: str | None) -> EntitlementLine | None:
    amount, months = line.at(row)
    if amount <= 0:
        return None
    return EntitlementLine(
        code=line.code,
        member_id=member,
        label=line.label,
        amount=from_fen(amount),
        period=line.period,
        unit=line.unit,
        months=months,
    )


def entitlements_batch(pop: Population, year: int, params: ParameterSet) -> EntitlementColumns:
    require_in_force(params, year)
    targeted = targeted_households(pop, year, params)
    person_household = pop.person_household
    person_targeted = targeted[person_household]
    person = social_lines(pop, year, params, person_targeted)
    person += education_lines(pop, year, params, person_targeted, person_household)
    person += health_lines(pop, year, params, person_targeted)
    return EntitlementColumns(year, targeted, household_lines(pop, year, params, targeted), person)
