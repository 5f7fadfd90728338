"""The import's column lists against the registry's tables: staged rows go into them as
they are, so a renamed or retyped column must show here, not in the middle of an import."""

from __future__ import annotations

import uuid
from decimal import Decimal

import sqlalchemy as sa

from services.registry.exchange import tables
from services.registry.households.models import (
    Household,
    HouseholdYear,
    Member,
    MemberYear,
    QualityWarning,
)


def test_every_staged_column_is_a_column_of_its_table() -> None:
    for staged, (_, columns, _) in tables.STAGING.items():
        model = {
            "household": Household, "household_year": HouseholdYear, "member": Member,
            "member_year": MemberYear, "warning": QualityWarning,
        }[staged]  # fmt: skip
        assert set(columns) <= set(model.__table__.columns.keys()), staged


def test_the_amounts_staged_as_text_are_exactly_the_numeric_columns_of_a_year() -> None:
    numeric = [c.name for c in HouseholdYear.__table__.columns if isinstance(c.type, sa.Numeric)]
    assert sorted(tables.YEAR[tables.AMOUNTS]) == sorted(numeric)


def test_a_staged_year_carries_its_amounts_as_exact_text() -> None:
    household_id = uuid.uuid4()
    amounts = [Decimal("1234.50"), *[Decimal(0)] * 10, Decimal("4180.25"), None, Decimal("80.5")]
    rest = ["C", True, False, None, False, True, True, False]
    row = (household_id, 2019, *amounts, *rest)
    assert len(row) == len(tables.YEAR)
    staged = tables.staged_year(row)
    assert staged[:2] == (household_id, 2019)
    assert staged[tables.AMOUNTS][:2] == ("1234.50", "0")
    assert staged[tables.AMOUNTS][-3:] == ("4180.25", None, "80.5")
    assert staged[tables.AMOUNTS.stop :] == tuple(rest)
