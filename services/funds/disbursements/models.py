"""Disbursements (资金拨付): a project's money paid to a household's 一卡通 or a contractor."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base


class Disbursement(Base):
    """Append-only. `reason` keeps why the amount is owed: the eligibility service's
    calculation with its full trace, or the invoice; a reversal is a ledger transaction."""

    __tablename__ = "disbursement"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    allocation_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("allocation.id"), index=True)
    project_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("project.id"), index=True)
    amount_fen: Mapped[int] = mapped_column(sa.BigInteger)
    paid_on: Mapped[date]
    payee_kind: Mapped[str] = mapped_column(sa.String(16))  # PayeeKind
    household_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    card_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("household_card.id"))
    contractor_name: Mapped[str | None] = mapped_column(sa.String(200))
    contractor_code: Mapped[str | None] = mapped_column(sa.String(18))  # 统一社会信用代码
    contractor_bank_account: Mapped[str | None] = mapped_column(sa.String(64))
    reason_kind: Mapped[str] = mapped_column(sa.String(16))  # subsidy | invoice
    benefit_code: Mapped[str | None] = mapped_column(sa.String(64))
    invoice_number: Mapped[str | None] = mapped_column(sa.String(64))
    reason: Mapped[dict[str, Any]] = mapped_column(JSONB)
    # Where the money went, for the village totals of the public disclosure.
    town_code: Mapped[str] = mapped_column(sa.String(9))
    village_code: Mapped[str | None] = mapped_column(sa.String(12))
    payee_account_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("ledger_account.id"))
    txn_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("ledger_txn.id"), unique=True)
    created_by: Mapped[str] = mapped_column(sa.String(128))
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )

    __table_args__ = (
        sa.Index("ix_disbursement_invoice", "contractor_code", "invoice_number"),
        sa.CheckConstraint("amount_fen > 0", name="amount_positive"),
        sa.CheckConstraint(
            "(payee_kind = 'household' AND household_id IS NOT NULL AND card_id IS NOT NULL "
            "AND reason_kind = 'subsidy') OR "
            "(payee_kind = 'contractor' AND contractor_code IS NOT NULL "
            "AND reason_kind = 'invoice' AND invoice_number IS NOT NULL)",
            name="payee_and_reason",
        ),
    )
