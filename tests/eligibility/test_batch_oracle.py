"""The batch engine against the single-household path (the oracle), household by household."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.eligibility.batch.entitlements import entitlements_batch
from services.eligibility.batch.exit import assess_exit_batch
from services.eligibility.batch.population import from_households
from services.eligibility.batch.villages import village_totals
from services.eligibility.entitlements import ENTITLEMENT_CODES, entitlements
from services.eligibility.parameters.store import ParameterSet
from services.eligibility.rules.household_exit import assess_exit

from .households import random_households

# threshold(Y) = line(Y) + 2 × (line(Y) − line(Y−1)), lines from conftest's CPI figures.
THRESHOLDS = {
    2017: Decimal("3509") + 2 * (Decimal("3509") - Decimal("3439.44")),
    2018: Decimal("3561.64") + 2 * (Decimal("3561.64") - Decimal("3509")),
}


@pytest.mark.parametrize(("year", "count", "seed"), [(2017, 2500, 1), (2018, 800, 2)])
def test_batch_agrees_with_single_household_path(
    params: ParameterSet, year: int, count: int, seed: int
) -> None:
    households = random_households(count, seed, year, THRESHOLDS[year])
    pop = from_households(households)
    exits = assess_exit_batch(pop, year, params)
    columns = entitlements_batch(pop, year, params)
    labels_seen: set[str] = set()
    by_village: dict[str, list[int]] = {}
    for h, household in enumerate(households):
        single = assess_exit(household, year, params)
        assert bool(exits.eligible[h]) == single.eligible, household.household_id
        assert exits.explain(pop, h) == single, household.household_id
        expected = entitlements(household, year, params)
        assert bool(columns.targeted[h]) == expected.targeted
        assert sorted(columns.lines(pop, h), key=lambda x: x.key()) == sorted(
            expected.lines, key=lambda x: x.key()
        ), household.household_id
        labels_seen.update(line.label for line in expected.lines)
        tally = by_village.setdefault(household.village_code, [0, 0, 0])
        tally[0] += single.eligible
        tally[1] += len(household.members) if household.status in ("0", "2", "3") else 0
        tally[2] += int(expected.total("year") * 100)
    # The generated population must reach every kind of line, or the agreement proves little.
    all_lines = columns.household_lines + columns.person_lines
    assert labels_seen == {line.label for line in all_lines}
    assert {line.code for line in all_lines} == set(ENTITLEMENT_CODES)
    assert 0 < int(exits.eligible.sum()) < count
    totals = village_totals(pop, exits, columns)
    assert {
        totals.village_codes[v]: [
            int(totals.households_meeting_exit[v]),
            int(totals.poor_persons_not_exited[v]),
            int(totals.yearly_yuan[v]),
        ]
        for v in range(len(totals.village_codes))
    } == by_village
