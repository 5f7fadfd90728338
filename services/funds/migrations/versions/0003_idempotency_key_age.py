"""Shared plumbing: an index on the idempotency keys' age, for the purge of expired keys

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 02:00:00
"""

from collections.abc import Sequence

from shared.models import drop_idempotency_key_age_index, index_idempotency_key_age

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    index_idempotency_key_age()


def downgrade() -> None:
    drop_idempotency_key_age_index()
