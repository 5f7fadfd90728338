"""Tables every service keeps in its own database: idempotency keys, audit log, change feed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base


class IdempotencyKey(Base):
    __tablename__ = "idempotency_key"

    account: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    method: Mapped[str] = mapped_column(sa.String(8))
    path: Mapped[str] = mapped_column(sa.String(512))
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    # in_flight → committed (effects committed with the request) → done (response stored)
    state: Mapped[str] = mapped_column(sa.String(16))
    response_status: Mapped[int | None]
    response_headers: Mapped[dict[str, str] | None] = mapped_column(JSONB)
    response_body: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )

    # The purge (shared/idempotency.py) finds expired keys by age, batch after batch.
    __table_args__ = (sa.Index("ix_idempotency_key_created_at", "created_at"),)


class AuditEntry(Base):
    """Who did what to which record, with the record before and after (personal data masked)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())
    actor: Mapped[str] = mapped_column(sa.String(128))
    actor_role: Mapped[str] = mapped_column(sa.String(32))
    action: Mapped[str] = mapped_column(sa.String(64))
    entity: Mapped[str] = mapped_column(sa.String(64))
    entity_id: Mapped[str] = mapped_column(sa.String(64))
    area_code: Mapped[str | None] = mapped_column(sa.String(12))
    request_id: Mapped[str | None] = mapped_column(sa.String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB)

    __table_args__ = (sa.Index("ix_audit_log_entity", "entity", "entity_id", "id"),)


class Change(Base):
    """One row of the change feed, stamped with the writing transaction's id.

    Readers only see rows of transactions older than every transaction still running
    (`pg_snapshot_xmin`), so a transaction that commits late can never be skipped.
    """

    __tablename__ = "change"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    txid: Mapped[int] = mapped_column(
        sa.BigInteger, server_default=sa.text("pg_current_xact_id()::text::bigint")
    )
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())
    entity: Mapped[str] = mapped_column(sa.String(64))
    entity_id: Mapped[str] = mapped_column(sa.String(64))
    op: Mapped[str] = mapped_column(sa.String(16))  # upsert | remove
    area_code: Mapped[str] = mapped_column(sa.String(12))
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSONB)

    __table_args__ = (
        sa.Index("ix_change_txid_id", "txid", "id"),
        sa.Index("ix_change_area_txid_id", "area_code", "txid", "id"),
    )


def _forbid_mutation(table: str) -> None:
    # Audit and feed rows are evidence: the database itself refuses to change them.
    op.execute(
        f"""
        CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION forbid_mutation()
        """
    )


def create_shared_tables() -> None:
    """Called by each service's first migration, so every database has the same plumbing."""
    op.execute(
        """
        CREATE FUNCTION forbid_mutation() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
        END $$
        """
    )
    bind = op.get_bind()
    for model in (IdempotencyKey, AuditEntry, Change):
        table = model.__table__
        assert isinstance(table, sa.Table)
        table.create(bind)
    _forbid_mutation("audit_log")
    _forbid_mutation("change")


def index_idempotency_key_age() -> None:
    """The purge's index, for databases whose first migration predates it (a database
    created since gets it there, from the model)."""
    op.create_index(
        "ix_idempotency_key_created_at", "idempotency_key", ["created_at"], if_not_exists=True
    )


def drop_idempotency_key_age_index() -> None:
    op.drop_index("ix_idempotency_key_created_at", table_name="idempotency_key")


def drop_shared_tables() -> None:
    for name in ("change", "audit_log", "idempotency_key"):
        op.drop_table(name)
    op.execute("DROP FUNCTION forbid_mutation()")
