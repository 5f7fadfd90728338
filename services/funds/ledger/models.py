"""The double-entry ledger: accounts, transactions and entries, all append-only.

Every movement of money is a transaction of two or more entries whose debits equal its
credits. Each entry carries its account's sequence number and running balance after it,
computed by the database when the entry is inserted (`ledger_entry_post` in migration
0002), so a balance is never stored anywhere that could be updated: it is the
`balance_after` of the account's newest entry. The database refuses an entry that would
take any account below zero, an update or delete of any ledger row, and (at commit) a
transaction whose debits and credits differ.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base


class Side(StrEnum):
    debit = "D"
    credit = "C"

    @property
    def opposite(self) -> Side:
        return Side.credit if self is Side.debit else Side.debit


class AccountKind(StrEnum):
    """Which side is an account's normal side: its balance grows with entries on that side."""

    funding = "funding"  # C: appropriations by level (中央, 省, …), where sources come from
    source = "source"  # D: a fund source's money not yet allocated
    allocation = "allocation"  # D: money allocated to a project, not yet paid out
    household = "household"  # D: paid into a household's 一卡通 (cumulative)
    contractor = "contractor"  # D: paid to a contractor (cumulative)
    asset_revenue = "asset_revenue"  # C: income earned by project assets
    asset_income = "asset_income"  # D: an asset's income of one year, not yet distributed

    @property
    def normal_side(self) -> Side:
        return (
            Side.credit if self in (AccountKind.funding, AccountKind.asset_revenue) else Side.debit
        )


class TxnKind(StrEnum):
    funding = "funding"  # a source's appropriation: Dr source, Cr funding
    allocation = "allocation"  # Dr allocation, Cr source
    disbursement = "disbursement"  # Dr household/contractor, Cr allocation
    income = "income"  # Dr asset_income, Cr asset_revenue
    distribution = "distribution"  # Dr household, Cr asset_income
    reversal = "reversal"  # the mirror image of one earlier transaction


class LedgerAccount(Base):
    __tablename__ = "ledger_account"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(80), unique=True)  # e.g. allocation:<uuid>
    kind: Mapped[str] = mapped_column(sa.String(16))
    normal_side: Mapped[str] = mapped_column(sa.String(1))
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )

    __table_args__ = (
        sa.CheckConstraint("normal_side IN ('D', 'C')", name="normal_side_code"),
        sa.CheckConstraint(
            "kind IN ('funding', 'source', 'allocation', 'household', 'contractor', "
            "'asset_revenue', 'asset_income')",
            name="kind_code",
        ),
        sa.CheckConstraint(
            "normal_side = CASE WHEN kind IN ('funding', 'asset_revenue') THEN 'C' ELSE 'D' END",
            name="normal_side_of_kind",
        ),
    )


class LedgerTxn(Base):
    __tablename__ = "ledger_txn"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    occurred_on: Mapped[date]
    memo: Mapped[str] = mapped_column(sa.String(300))
    actor: Mapped[str] = mapped_column(sa.String(128))
    actor_role: Mapped[str] = mapped_column(sa.String(32))
    # A reversal names the one transaction it undoes; a transaction is undone at most once.
    reverses_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("ledger_txn.id"), unique=True
    )
    request_id: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )

    __table_args__ = (
        sa.CheckConstraint(
            "kind IN ('funding', 'allocation', 'disbursement', 'income', 'distribution', "
            "'reversal')",
            name="kind_code",
        ),
        sa.CheckConstraint(
            "(kind = 'reversal') = (reverses_id IS NOT NULL)", name="reversal_names_txn"
        ),
    )


class LedgerEntry(Base):
    __tablename__ = "ledger_entry"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    txn_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("ledger_txn.id"), index=True)
    account_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("ledger_account.id"))
    side: Mapped[str] = mapped_column(sa.String(1))
    amount_fen: Mapped[int] = mapped_column(sa.BigInteger)
    # Both set by the database's insert trigger, whatever the writer sends.
    account_seq: Mapped[int] = mapped_column(sa.BigInteger)
    balance_after: Mapped[int] = mapped_column(sa.BigInteger)

    __table_args__ = (
        sa.UniqueConstraint("account_id", "account_seq", name="uq_ledger_entry_account_seq"),
        sa.CheckConstraint("side IN ('D', 'C')", name="side_code"),
        sa.CheckConstraint("amount_fen > 0", name="amount_positive"),
        sa.CheckConstraint("balance_after >= 0", name="balance_not_negative"),
    )
