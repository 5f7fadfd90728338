"""Households' 一卡通 accounts: where subsidies are paid, never in cash (第五章第三节二)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base


class HouseholdCard(Base):
    """Append-only: a new card supersedes the old one; payments keep the card they used.

    The card number is personal data: AES-GCM ciphertext bound to the row, shown masked.
    """

    __tablename__ = "household_card"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # Registration order: the highest is the household's current card.
    seq: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), unique=True)
    household_id: Mapped[uuid.UUID]  # the registry's household id (another database)
    town_code: Mapped[str] = mapped_column(sa.String(9))
    village_code: Mapped[str] = mapped_column(sa.String(12))
    bank: Mapped[str] = mapped_column(sa.String(64))
    card_cipher: Mapped[bytes] = mapped_column(sa.LargeBinary)
    card_masked: Mapped[str] = mapped_column(sa.String(32))
    registered_on: Mapped[date]
    created_by: Mapped[str] = mapped_column(sa.String(128))
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )

    __table_args__ = (sa.Index("ix_household_card_household", "household_id", "seq"),)
