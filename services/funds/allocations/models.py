"""Allocations (资金下达): money of one source earmarked for one project."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base


class Allocation(Base):
    """Append-only; its ledger account holds what is allocated and not yet paid out."""

    __tablename__ = "allocation"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    source_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("fund_source.id"), index=True)
    project_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("project.id"), index=True)
    amount_fen: Mapped[int] = mapped_column(sa.BigInteger)
    document_number: Mapped[str | None] = mapped_column(sa.String(100))
    allocated_on: Mapped[date]
    account_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("ledger_account.id"), unique=True
    )
    txn_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("ledger_txn.id"), unique=True)
    created_by: Mapped[str] = mapped_column(sa.String(128))
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )

    __table_args__ = (sa.CheckConstraint("amount_fen > 0", name="amount_positive"),)
