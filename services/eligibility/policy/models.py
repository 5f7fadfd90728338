"""Dated parameter values as the database keeps them; definitions stay in the YAML files."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base

ORIGIN_FILE = "file"  # from services/eligibility/parameters/data, reviewed in the repository
ORIGIN_OFFICIAL = "official"  # entered by a district administrator through the API


class ParameterValue(Base):
    """One dated value of a parameter with its source; a number or a list of codes."""

    __tablename__ = "parameter_value"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    effective: Mapped[date]
    # Unconstrained numeric: exact, whatever the scale (0.55, 101.5, 500000).
    number: Mapped[Decimal | None] = mapped_column(sa.Numeric())
    codes: Mapped[list[str] | None] = mapped_column(ARRAY(sa.String(64)))
    source: Mapped[str] = mapped_column(sa.String(500))
    note: Mapped[str | None] = mapped_column(sa.String(500))
    origin: Mapped[str] = mapped_column(sa.String(16))
    entered_by: Mapped[str | None] = mapped_column(sa.String(128))
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now(), onupdate=sa.func.now()
    )

    __table_args__ = (
        sa.UniqueConstraint("name", "effective", name="uq_parameter_value_name_effective"),
        sa.CheckConstraint("(number IS NULL) <> (codes IS NULL)", name="number_or_codes"),
        sa.CheckConstraint("length(btrim(source)) > 0", name="source_required"),
        sa.CheckConstraint("origin IN ('file', 'official')", name="origin_code"),
    )
