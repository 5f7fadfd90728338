"""Snapshots of upstream parts of reports: the only thing the reporting database keeps."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base


class ReportSnapshot(Base):
    """One upstream's part of one report, as last fetched for a role, area and parameters.

    Served, marked "cached" with its age, when the upstream cannot answer. Never
    authoritative: the upstream's own data is.
    """

    __tablename__ = "report_snapshot"

    key: Mapped[str] = mapped_column(sa.String(400), primary_key=True)
    report: Mapped[str] = mapped_column(sa.String(32))
    upstream: Mapped[str] = mapped_column(sa.String(16))
    role: Mapped[str] = mapped_column(sa.String(32))
    area_code: Mapped[str] = mapped_column(sa.String(12))
    fetched_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)

    __table_args__ = (sa.Index("ix_report_snapshot_fetched_at", "fetched_at"),)
