"""A batch run, its progress, and one result row per household."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base

Moment = sa.DateTime(timezone=True)

QUEUED, LOADING, EVALUATING, STORING, DONE, FAILED, INTERRUPTED = (
    "queued", "loading", "evaluating", "storing", "done", "failed", "interrupted"
)  # fmt: skip
RUNNING = (QUEUED, LOADING, EVALUATING, STORING)


class AssessmentRun(Base):
    __tablename__ = "assessment_run"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    year: Mapped[int]
    area_code: Mapped[str] = mapped_column(sa.String(12), index=True)
    status: Mapped[str] = mapped_column(sa.String(16))
    requested_by: Mapped[str] = mapped_column(sa.String(128))
    requested_role: Mapped[str] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = mapped_column(Moment)
    started_at: Mapped[datetime | None] = mapped_column(Moment)
    finished_at: Mapped[datetime | None] = mapped_column(Moment)
    heartbeat_at: Mapped[datetime | None] = mapped_column(Moment)
    households_loaded: Mapped[int] = mapped_column(default=0)
    households_total: Mapped[int | None]
    results_stored: Mapped[int] = mapped_column(default=0)
    source: Mapped[str | None] = mapped_column(sa.String(16))  # export (older runs: pages)
    # The exit parameters of the year (with effective dates and sources), and the revision
    # of the parameter table the run read.
    parameters: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    parameters_revision: Mapped[str] = mapped_column(sa.String(120))
    error: Mapped[str | None] = mapped_column(sa.String(2000))
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSONB)

    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('queued', 'loading', 'evaluating', 'storing', 'done', 'failed', "
            "'interrupted')",
            name="status_code",
        ),
    )


class RunResult(Base):
    """One household's result in a run: exit conditions failed, entitlement totals (fen)."""

    __tablename__ = "run_result"

    run_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("assessment_run.id", ondelete="CASCADE"), primary_key=True
    )
    household_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    village_code: Mapped[str] = mapped_column(sa.String(12))
    status: Mapped[str | None] = mapped_column(sa.String(1))  # 脱贫状态 0–4
    members: Mapped[int | None]
    exit_applicable: Mapped[bool | None]  # currently poor: an exit can be assessed
    exit_eligible: Mapped[bool | None]
    failing: Mapped[list[str]] = mapped_column(ARRAY(sa.String(32)), default=list)
    targeted: Mapped[bool | None]
    yearly_fen: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    once_fen: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    # "code/period/unit" → hundredths of the unit (fen, or hundredths of a kWh)
    amounts: Mapped[dict[str, int]] = mapped_column(JSONB, default=dict)
    facts_errors: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)

    __table_args__ = (sa.Index("ix_run_result_run_village", "run_id", "village_code"),)
