"""Key-village exit cases and their dated events."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base

Moment = sa.DateTime(timezone=True)


class VillageExitCase(Base):
    """One key village's exit from one designation (省定, 市定, 新认定) in one year."""

    __tablename__ = "village_exit_case"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    village_code: Mapped[str] = mapped_column(sa.String(12))
    town_code: Mapped[str] = mapped_column(sa.String(9))
    designation: Mapped[str] = mapped_column(sa.String(16))
    year: Mapped[int]
    state: Mapped[str] = mapped_column(sa.String(24))
    period: Mapped[str | None] = mapped_column(sa.String(16))
    period_started_at: Mapped[datetime | None] = mapped_column(Moment)
    period_ends_at: Mapped[datetime | None] = mapped_column(Moment)
    assessment: Mapped[dict[str, Any]] = mapped_column(JSONB)
    evaluator: Mapped[str | None] = mapped_column(sa.String(200))  # district or third party
    opened_by: Mapped[str] = mapped_column(sa.String(128))
    opened_at: Mapped[datetime] = mapped_column(Moment)
    closed_at: Mapped[datetime | None] = mapped_column(Moment)
    registry_record: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        sa.Index(
            "uq_village_exit_case_open",
            "village_code",
            "designation",
            unique=True,
            postgresql_where=sa.text("state NOT IN ('rejected', 'withdrawn')"),
        ),
        sa.Index("ix_village_exit_case_town", "town_code", "year"),
        sa.CheckConstraint("left(village_code, 9) = town_code", name="town_of_village"),
    )


class VillageExitCaseEvent(Base):
    __tablename__ = "village_exit_case_event"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("village_exit_case.id"), index=True)
    at: Mapped[datetime] = mapped_column(Moment)
    action: Mapped[str] = mapped_column(sa.String(32))
    from_state: Mapped[str | None] = mapped_column(sa.String(24))
    to_state: Mapped[str] = mapped_column(sa.String(24))
    actor: Mapped[str] = mapped_column(sa.String(128))
    actor_role: Mapped[str] = mapped_column(sa.String(32))
    note: Mapped[str | None] = mapped_column(sa.String(1000))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
