"""Identification (RULES.md §2): per-capita net income against the provincial and national lines."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.eligibility.household import IncomeFacts
from services.eligibility.parameters.model import ParameterRecord
from services.eligibility.parameters.store import ParameterSet
from services.eligibility.rules.identification import identify

NATIONAL_2017 = ParameterRecord(
    name="poverty_line.national",
    effective=date(2017, 1, 1),
    value=Decimal(2952),
    source="test figure",
)


@pytest.mark.parametrize(
    ("net_per_person", "registrable", "national"),
    [
        ("2951.99", True, True),
        ("2952", True, False),
        ("3508.99", True, False),
        ("3509", False, False),
    ],  # below is strict
)
def test_identification_against_both_lines(
    params: ParameterSet, net_per_person: str, registrable: bool, national: bool
) -> None:
    # wage − operating expenses = net; two members
    income = IncomeFacts(
        wage_income=Decimal(net_per_person) * 2 + 100, operating_expenses=Decimal(100)
    )
    found = identify(income, 2, 2017, params.with_record(NATIONAL_2017))
    assert (found.registrable, found.national_standard) == (registrable, national)
    assert found.per_capita_net_income == Decimal(net_per_person)
