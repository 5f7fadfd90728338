"""Households: member departure (人口减少) kept as history; uniqueness among current members

Revision ID: 0002_households
Revises: 0001
Create Date: 2026-11-30 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_households"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("member", sa.Column("left_on", sa.Date(), nullable=True))
    op.add_column("member", sa.Column("leave_reason", sa.String(length=16), nullable=True))
    op.create_check_constraint(
        op.f("ck_member_departure_has_reason"),
        "member",
        "(left_on IS NULL) = (leave_reason IS NULL)",
    )
    # A person who left one household may join another: unique among current members only.
    op.drop_constraint("uq_member_id_number_hash", "member", type_="unique")
    op.drop_constraint("uq_member_national_number", "member", type_="unique")
    op.create_index(
        "uq_member_current_id_number_hash",
        "member",
        ["id_number_hash"],
        unique=True,
        postgresql_where=sa.text("left_on IS NULL"),
    )
    op.create_index(
        "uq_member_current_national_number",
        "member",
        ["national_number"],
        unique=True,
        postgresql_where=sa.text("left_on IS NULL"),
    )
    # Person search finds former memberships too.
    op.create_index(op.f("ix_member_id_number_hash"), "member", ["id_number_hash"])


def downgrade() -> None:
    op.drop_index(op.f("ix_member_id_number_hash"), table_name="member")
    op.drop_index("uq_member_current_national_number", table_name="member")
    op.drop_index("uq_member_current_id_number_hash", table_name="member")
    # Departed members would break the global uniqueness: history cannot survive a downgrade.
    op.execute(
        "DELETE FROM member_year"
        " WHERE member_id IN (SELECT id FROM member WHERE left_on IS NOT NULL)"
    )
    op.execute("DELETE FROM member WHERE left_on IS NOT NULL")
    op.create_unique_constraint("uq_member_national_number", "member", ["national_number"])
    op.create_unique_constraint("uq_member_id_number_hash", "member", ["id_number_hash"])
    op.drop_constraint(op.f("ck_member_departure_has_reason"), "member", type_="check")
    op.drop_column("member", "leave_reason")
    op.drop_column("member", "left_on")
