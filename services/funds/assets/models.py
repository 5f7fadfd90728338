"""Assets formed by projects (资产收益扶贫), their yearly income and its distribution.

An asset is quantified to a village collective (确权到村集体); its income of a year is
distributed to the village's poor households, those without labour capacity first.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base


class ProjectAsset(Base):
    __tablename__ = "project_asset"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    project_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("project.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(32))  # ProjectKind of the asset, e.g. solar_pv
    value_fen: Mapped[int] = mapped_column(sa.BigInteger)
    town_code: Mapped[str] = mapped_column(sa.String(9))
    village_code: Mapped[str] = mapped_column(sa.String(12), index=True)  # the owning collective
    formed_on: Mapped[date]
    created_by: Mapped[str] = mapped_column(sa.String(128))
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )

    __table_args__ = (
        sa.CheckConstraint("value_fen >= 0", name="value_nonneg"),
        sa.CheckConstraint("left(village_code, 9) = town_code", name="village_in_town"),
    )


class AssetIncome(Base):
    """Income an asset earned in a year (e.g. a PV station's electricity sales)."""

    __tablename__ = "asset_income"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    asset_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("project_asset.id"), index=True)
    year: Mapped[int]
    amount_fen: Mapped[int] = mapped_column(sa.BigInteger)
    received_on: Mapped[date]
    account_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("ledger_account.id"))
    txn_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("ledger_txn.id"), unique=True)
    created_by: Mapped[str] = mapped_column(sa.String(128))
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )

    __table_args__ = (
        sa.CheckConstraint("amount_fen > 0", name="amount_positive"),
        sa.CheckConstraint("year BETWEEN 2010 AND 2100", name="year_range"),
    )


class IncomeDistribution(Base):
    """One household's share of an asset's income of a year, paid into its 一卡通."""

    __tablename__ = "income_distribution"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    asset_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("project_asset.id"), index=True)
    year: Mapped[int]
    batch_id: Mapped[uuid.UUID] = mapped_column(index=True)
    household_id: Mapped[uuid.UUID] = mapped_column(index=True)
    without_labour: Mapped[bool]  # 无劳动能力: paid first
    amount_fen: Mapped[int] = mapped_column(sa.BigInteger)
    card_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("household_card.id"))
    paid_on: Mapped[date]
    payee_account_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("ledger_account.id"))
    txn_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("ledger_txn.id"), unique=True)
    created_by: Mapped[str] = mapped_column(sa.String(128))
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )

    __table_args__ = (sa.CheckConstraint("amount_fen > 0", name="amount_positive"),)
