"""Assistance cadres (帮扶责任人) and their dated pairings with households."""

from __future__ import annotations

import uuid
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base


class AssistanceCadre(Base):
    __tablename__ = "assistance_cadre"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(sa.String(64))
    organisation: Mapped[str] = mapped_column(sa.String(100))  # 帮扶单位
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    town_code: Mapped[str] = mapped_column(sa.String(9), index=True)


class CadrePairing(Base):
    """结对帮扶: a cadre helps a household from `start_date` until `end_date` (open if None)."""

    __tablename__ = "cadre_pairing"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    cadre_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("assistance_cadre.id"), index=True)
    household_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("household.id"), index=True)
    start_date: Mapped[date]
    end_date: Mapped[date | None]

    __table_args__ = (
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_ordered"),
    )
