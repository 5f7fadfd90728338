"""Shared fixtures: the shipped parameters, plus the few values the plan does not give."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.eligibility.parameters.loader import default_parameters
from services.eligibility.parameters.model import ParameterRecord
from services.eligibility.parameters.store import ParameterSet

# The plan gives no rural CPI. These are illustrative, so that exit (which needs line(Y−1))
# can be tested for 2017 and 2018: line(2016) = 3372 × 1.02 = 3439.44,
# line(2018) = 3509 × 1.015 = 3561.635 → 3561.64.
CPI_2016 = ParameterRecord(
    name="cpi.rural", effective=date(2016, 1, 1), value=Decimal("102"), source="test figure"
)
CPI_2018 = ParameterRecord(
    name="cpi.rural", effective=date(2018, 1, 1), value=Decimal("101.5"), source="test figure"
)


@pytest.fixture(scope="session")
def plan() -> ParameterSet:
    """Exactly the values shipped in parameters/data (the plan's own)."""
    return default_parameters()


@pytest.fixture(scope="session")
def params(plan: ParameterSet) -> ParameterSet:
    return plan.with_record(CPI_2016).with_record(CPI_2018)
