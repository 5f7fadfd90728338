"""Household exit cases and their dated events (who did what, when, on the server's clock)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base

Moment = sa.DateTime(timezone=True)


class ExitCase(Base):
    """One household's exit in one year, from the village review to deregistration."""

    __tablename__ = "exit_case"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID]
    year: Mapped[int]
    village_code: Mapped[str] = mapped_column(sa.String(12))
    town_code: Mapped[str] = mapped_column(sa.String(9))
    state: Mapped[str] = mapped_column(sa.String(24))
    # The public period the case is in (notice or announcement), on the server's clock.
    period: Mapped[str | None] = mapped_column(sa.String(16))
    period_started_at: Mapped[datetime | None] = mapped_column(Moment)
    period_ends_at: Mapped[datetime | None] = mapped_column(Moment)
    # The latest assessment of §3 (at the proposal, then at the town review).
    assessment: Mapped[dict[str, Any]] = mapped_column(JSONB)
    opened_by: Mapped[str] = mapped_column(sa.String(128))
    opened_at: Mapped[datetime] = mapped_column(Moment)
    closed_at: Mapped[datetime | None] = mapped_column(Moment)
    # What the registry answered when the exit was recorded there.
    registry_record: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        # One exit procedure per household and year at a time (closed ones stay as history).
        sa.Index(
            "uq_exit_case_open_household_year",
            "household_id",
            "year",
            unique=True,
            postgresql_where=sa.text("state NOT IN ('rejected', 'withdrawn')"),
        ),
        sa.Index("ix_exit_case_village", "village_code", "year"),
        sa.Index("ix_exit_case_town", "town_code", "year"),
        sa.CheckConstraint("left(village_code, 9) = town_code", name="town_of_village"),
    )


class ExitCaseEvent(Base):
    __tablename__ = "exit_case_event"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("exit_case.id"), index=True)
    at: Mapped[datetime] = mapped_column(Moment)
    action: Mapped[str] = mapped_column(sa.String(32))
    from_state: Mapped[str | None] = mapped_column(sa.String(24))
    to_state: Mapped[str] = mapped_column(sa.String(24))
    actor: Mapped[str] = mapped_column(sa.String(128))
    actor_role: Mapped[str] = mapped_column(sa.String(32))
    note: Mapped[str | None] = mapped_column(sa.String(1000))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
