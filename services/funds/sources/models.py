"""Fund sources (资金来源): one appropriation document of one level and kind in one year."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base


class FundSource(Base):
    """Append-only: a wrong source is corrected by reversing its funding transaction."""

    __tablename__ = "fund_source"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    year: Mapped[int]  # budget year
    level: Mapped[str] = mapped_column(sa.String(16))  # FundLevel
    kind: Mapped[str] = mapped_column(sa.String(32))  # FundKind
    name: Mapped[str] = mapped_column(sa.String(200))
    document_number: Mapped[str] = mapped_column(sa.String(100))  # 文号
    amount_fen: Mapped[int] = mapped_column(sa.BigInteger)
    # Integrated agricultural funds only: the part settled on actuals (据实结算的普惠性资金),
    # which the 20 % rule leaves out of its base (第十二章第三节一).
    exempt_fen: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    received_on: Mapped[date]
    account_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("ledger_account.id"), unique=True
    )
    funding_txn_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("ledger_txn.id"), unique=True
    )
    created_by: Mapped[str] = mapped_column(sa.String(128))
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )

    __table_args__ = (
        sa.UniqueConstraint("document_number", "level", "kind", name="uq_fund_source_document"),
        sa.Index("ix_fund_source_year_kind", "year", "kind"),
        sa.CheckConstraint("amount_fen > 0", name="amount_positive"),
        sa.CheckConstraint("exempt_fen >= 0 AND exempt_fen <= amount_fen", name="exempt_within"),
        sa.CheckConstraint(
            "exempt_fen = 0 OR kind = 'integrated_agricultural'", name="exempt_only_integrated"
        ),
        sa.CheckConstraint("year BETWEEN 2010 AND 2100", name="year_range"),
    )
