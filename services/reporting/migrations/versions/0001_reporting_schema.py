"""Reporting schema: the shared plumbing and snapshots of upstream parts of reports

Revision ID: 0001
Revises:
Create Date: 2026-11-29 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from shared.models import create_shared_tables, drop_shared_tables

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_shared_tables()
    op.create_table(
        "report_snapshot",
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("report", sa.String(length=32), nullable=False),
        sa.Column("upstream", sa.String(length=16), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("area_code", sa.String(length=12), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_report_snapshot")),
    )
    op.create_index(
        "ix_report_snapshot_fetched_at", "report_snapshot", ["fetched_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_report_snapshot_fetched_at", table_name="report_snapshot")
    op.drop_table("report_snapshot")
    drop_shared_tables()
