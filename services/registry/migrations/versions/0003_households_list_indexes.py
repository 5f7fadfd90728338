"""Households: list indexes in page order (… , id)

The household list filters by village or town and status and pages by id (keyset). With
the id in the index, PostgreSQL reads a page's rows in order and stops after the page,
instead of fetching every match (300 in a large village, thousands in a town) to sort them.

Revision ID: 0003_households_list_indexes
Revises: 0002_households
Create Date: 2026-11-30 18:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003_households_list_indexes"
down_revision: str | Sequence[str] | None = "0002_households"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_household_village_status", table_name="household")
    op.drop_index("ix_household_town_status", table_name="household")
    op.create_index("ix_household_village_status", "household", ["village_code", "status", "id"])
    op.create_index("ix_household_town_status", "household", ["town_code", "status", "id"])


def downgrade() -> None:
    op.drop_index("ix_household_town_status", table_name="household")
    op.drop_index("ix_household_village_status", table_name="household")
    op.create_index("ix_household_village_status", "household", ["village_code", "status"])
    op.create_index("ix_household_town_status", "household", ["town_code", "status"])
