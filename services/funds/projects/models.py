"""Projects (扶贫项目) and the stages of their approval procedure (第五章第三节二)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base


class Project(Base):
    """`stage` mirrors the newest `project_stage` row; it changes only with one inserted."""

    __tablename__ = "project"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    year: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(32))  # ProjectKind
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    town_code: Mapped[str] = mapped_column(sa.String(9))
    village_code: Mapped[str | None] = mapped_column(sa.String(12))  # None: a town-wide project
    planned_households: Mapped[int]  # 计划带动贫困户
    budget_fen: Mapped[int] = mapped_column(sa.BigInteger)
    stage: Mapped[str] = mapped_column(sa.String(24))
    applied_on: Mapped[date]
    proposed_by: Mapped[str] = mapped_column(sa.String(128))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now(), onupdate=sa.func.now()
    )

    # eager_defaults: read updated_at back with RETURNING (no lazy load in async code).
    __mapper_args__ = {"version_id_col": version, "eager_defaults": True}  # noqa: RUF012
    __table_args__ = (
        sa.Index("ix_project_town_year", "town_code", "year"),
        sa.Index("ix_project_village_year", "village_code", "year"),
        sa.CheckConstraint(
            "village_code IS NULL OR left(village_code, 9) = town_code", name="village_in_town"
        ),
        sa.CheckConstraint("town_code ~ '^370404[0-9]{3}$'", name="town_code_form"),
        sa.CheckConstraint("budget_fen > 0", name="budget_positive"),
        sa.CheckConstraint("planned_households >= 0", name="planned_households_nonneg"),
        sa.CheckConstraint("year BETWEEN 2010 AND 2100", name="year_range"),
    )


class ProjectStage(Base):
    """One step of the procedure, with its public notice (榜) where the procedure has one.

    Append-only: the record of who decided what, when, and what the public was shown.
    """

    __tablename__ = "project_stage"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    project_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("project.id"))
    stage: Mapped[str] = mapped_column(sa.String(24))
    decided_on: Mapped[date]
    actor: Mapped[str] = mapped_column(sa.String(128))
    actor_role: Mapped[str] = mapped_column(sa.String(32))
    note: Mapped[str | None] = mapped_column(sa.String(1000))
    notice_published_on: Mapped[date | None]
    notice_days: Mapped[int | None]
    notice_place: Mapped[str | None] = mapped_column(sa.String(200))
    notice_text: Mapped[str | None] = mapped_column(sa.String(2000))
    recorded_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )

    __table_args__ = (
        sa.UniqueConstraint("project_id", "stage", name="uq_project_stage_once"),
        sa.CheckConstraint(
            "(notice_published_on IS NULL) = (notice_days IS NULL)", name="notice_complete"
        ),
        sa.CheckConstraint("notice_days IS NULL OR notice_days >= 1", name="notice_days_positive"),
    )
