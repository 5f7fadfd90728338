"""Towns, villages, key-village designations and the yearly village record."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base


class Town(Base):
    """乡镇/街道: a town or sub-district of 峄城区, keyed by its 9-digit statistical code."""

    __tablename__ = "town"

    code: Mapped[str] = mapped_column(sa.String(9), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(32), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(8))  # 镇 or 街道


class Village(Base):
    """行政村 (村 or 居): keyed by its 12-digit code 370404TTTVVV."""

    __tablename__ = "village"

    code: Mapped[str] = mapped_column(sa.String(12), primary_key=True)
    town_code: Mapped[str] = mapped_column(sa.ForeignKey("town.code"), index=True)
    name: Mapped[str] = mapped_column(sa.String(32))
    kind: Mapped[str] = mapped_column(sa.String(8))  # 村 or 居
    # The real codes were not published; generated codes and names are marked as such.
    code_generated: Mapped[bool] = mapped_column(default=False)
    name_generated: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (
        sa.UniqueConstraint("town_code", "name", name="uq_village_town_name"),
        sa.CheckConstraint("left(code, 9) = town_code", name="code_in_town"),
    )


class KeyVillageDesignation(Base):
    """扶贫工作重点村: provincial 省定, city 市定 or city-2018 新认定, with its exit year."""

    __tablename__ = "key_village_designation"

    id: Mapped[int] = mapped_column(sa.Identity(), primary_key=True)
    village_code: Mapped[str] = mapped_column(sa.ForeignKey("village.code"), index=True)
    designation: Mapped[str] = mapped_column(sa.String(16))
    designated_year: Mapped[int]
    exit_year: Mapped[int | None]

    __table_args__ = (
        sa.UniqueConstraint("village_code", "designation", name="uq_key_village_designation"),
        sa.CheckConstraint("exit_year IS NULL OR exit_year >= designated_year", name="exit_after"),
    )


class VillageYear(Base):
    """The village's facts for one data year (DOMAIN.md 'Village per year')."""

    __tablename__ = "village_year"

    village_code: Mapped[str] = mapped_column(sa.ForeignKey("village.code"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    households_total: Mapped[int | None]
    population_total: Mapped[int | None]
    rural_population: Mapped[int]  # 农业户籍人口, the incidence denominator
    per_capita_net_income: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    collective_income: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2))  # 村集体经济收入
    road_hardened: Mapped[bool]
    bus_service: Mapped[bool]
    power_grid: Mapped[bool]
    tap_water: Mapped[bool]
    cable_tv: Mapped[bool]
    broadband: Mapped[bool]
    clinic: Mapped[bool]
    licensed_doctor: Mapped[bool]
    first_secretary: Mapped[bool]  # 第一书记
    work_team: Mapped[bool]

    __table_args__ = (
        sa.CheckConstraint("rural_population >= 0", name="population_nonneg"),
        sa.CheckConstraint("year BETWEEN 2010 AND 2100", name="year_range"),
    )
