"""Registered poor households (建档立卡贫困户) and their members.

Stable facts and yearly facts are separate tables, as in the national system: a household
(AC01) and its yearly record (income AC07, living conditions AC30); a member (AB10) and
their yearly attributes (AB01).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base

Money = sa.Numeric(14, 2)


class Household(Base):
    __tablename__ = "household"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # 户编号: issued by the national system, an external key, never our primary key.
    national_number: Mapped[str | None] = mapped_column(sa.String(32), unique=True)
    village_code: Mapped[str] = mapped_column(sa.ForeignKey("village.code"))
    town_code: Mapped[str] = mapped_column(sa.String(9))  # denormalised for area scoping
    natural_village: Mapped[str | None] = mapped_column(sa.String(32))  # 自然村
    identification_standard: Mapped[str] = mapped_column(sa.String(16))  # 识别标准
    identification_year: Mapped[int]
    assistance_type: Mapped[str] = mapped_column(sa.String(16))  # 一般/低保/特困供养
    status: Mapped[str] = mapped_column(sa.String(24))  # 脱贫状态
    exit_year: Mapped[int | None]  # 脱贫年度
    main_cause: Mapped[str] = mapped_column(sa.String(32))  # 主要致贫原因
    other_causes: Mapped[list[str]] = mapped_column(ARRAY(sa.String(32)), default=list)
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    # County-level hold on exit (RULES.md §3 condition 9), with its reason.
    exit_hold_reason: Mapped[str | None] = mapped_column(sa.String(200))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now(), onupdate=sa.func.now()
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        # Ending in id: a filtered page (keyset by id) reads its rows in order (0003).
        sa.Index("ix_household_village_status", "village_code", "status", "id"),
        sa.Index("ix_household_town_status", "town_code", "status", "id"),
        sa.CheckConstraint("left(village_code, 9) = town_code", name="town_of_village"),
        sa.CheckConstraint("cardinality(other_causes) <= 2", name="at_most_two_other_causes"),
        sa.CheckConstraint("NOT (main_cause = ANY(other_causes))", name="other_causes_differ"),
    )


class HouseholdYear(Base):
    """Income components and living conditions of one data year; per-capita income is derived."""

    __tablename__ = "household_year"

    household_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("household.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(primary_key=True)
    wage_income: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))  # 工资性收入
    operating_income: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))  # 生产经营性收入
    property_income: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))  # 财产性收入
    family_planning_income: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))  # 计划生育金
    dibao_income: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))  # 低保金
    tekun_income: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))  # 特困供养金
    pension_income: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))  # 养老保险金
    ecological_income: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))  # 生态补偿金
    other_transfer_income: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    operating_expenses: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))  # 生产经营性支出
    one_off_income: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))  # 一次性收入
    per_capita_net_income: Mapped[Decimal] = mapped_column(Money)  # computed, never typed
    arable_land_mu: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2))
    housing_area_m2: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2))
    house_grade: Mapped[str | None] = mapped_column(sa.String(1))  # 危房等级 A–D
    drinking_water_safe: Mapped[bool] = mapped_column(default=True)
    drinking_water_difficult: Mapped[bool] = mapped_column(default=False)
    relocation: Mapped[bool] = mapped_column(default=False)  # 易地扶贫搬迁户
    relocated_moved_in: Mapped[bool] = mapped_column(default=False)
    food_secure: Mapped[bool] = mapped_column(default=True)  # 不愁吃
    clothing_secure: Mapped[bool] = mapped_column(default=True)  # 不愁穿
    expenditure_poverty: Mapped[bool] = mapped_column(default=False)  # 支出型贫困

    __table_args__ = (
        *[
            sa.CheckConstraint(f"{c} >= 0", name=f"{c}_nonneg")
            for c in (
                "wage_income",
                "operating_income",
                "property_income",
                "family_planning_income",
                "dibao_income",
                "tekun_income",
                "pension_income",
                "ecological_income",
                "other_transfer_income",
                "operating_expenses",
                "one_off_income",
            )
        ],
        sa.CheckConstraint("house_grade IN ('A','B','C','D')", name="house_grade_code"),
    )


class Member(Base):
    __tablename__ = "member"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("household.id"), index=True)
    national_number: Mapped[str | None] = mapped_column(sa.String(32))  # 人编号
    name: Mapped[str] = mapped_column(sa.String(64))
    # AES-GCM ciphertext bound to this row's id, and the keyed hash that makes a person
    # unique across households (a person is in only one household).
    id_number_cipher: Mapped[bytes] = mapped_column(sa.LargeBinary)
    id_number_hash: Mapped[bytes] = mapped_column(sa.LargeBinary(32), index=True)
    id_number_masked: Mapped[str] = mapped_column(sa.String(18))
    sex: Mapped[str] = mapped_column(sa.String(8))
    birth_date: Mapped[date]
    ethnicity: Mapped[str] = mapped_column(sa.String(16))  # 民族
    relation: Mapped[str] = mapped_column(sa.String(32))  # 与户主关系
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    # 人口减少: a member who dies, marries out or moves away is marked, never deleted, so
    # past years keep their members; a departed person may later join another household.
    left_on: Mapped[date | None]
    leave_reason: Mapped[str | None] = mapped_column(sa.String(16))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        # A person is in only one household *now*: uniqueness covers current members.
        sa.Index(
            "uq_member_current_id_number_hash",
            "id_number_hash",
            unique=True,
            postgresql_where=sa.text("left_on IS NULL"),
        ),
        sa.Index(
            "uq_member_current_national_number",
            "national_number",
            unique=True,
            postgresql_where=sa.text("left_on IS NULL"),
        ),
        sa.CheckConstraint(
            "(left_on IS NULL) = (leave_reason IS NULL)", name="departure_has_reason"
        ),
    )


class MemberYear(Base):
    """A member's attributes in one data year (education, health, labour, insurance)."""

    __tablename__ = "member_year"

    member_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("member.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(primary_key=True)
    education: Mapped[str | None] = mapped_column(sa.String(32))  # 文化程度
    school_status: Mapped[str | None] = mapped_column(sa.String(32))  # 在校生状况
    dropped_out: Mapped[bool] = mapped_column(default=False)  # 辍学
    dropout_for_poverty: Mapped[bool] = mapped_column(default=False)  # 因贫辍学
    health: Mapped[list[str]] = mapped_column(ARRAY(sa.String(32)), default=list)  # 健康状况
    disability_category: Mapped[str | None] = mapped_column(sa.String(16))
    disability_grade: Mapped[int | None]
    labour: Mapped[str | None] = mapped_column(sa.String(32))  # 劳动技能
    work_status: Mapped[str | None] = mapped_column(sa.String(32))  # 务工状况
    work_months: Mapped[int] = mapped_column(default=0)
    basic_medical_insured: Mapped[bool] = mapped_column(default=True)  # 城乡居民基本医疗保险
    critical_illness_insured: Mapped[bool] = mapped_column(default=True)  # 大病保险
    commercial_insured: Mapped[bool] = mapped_column(default=False)  # 商业补充医疗保险
    pension_insured: Mapped[bool] = mapped_column(default=False)  # 城乡居民基本养老保险
    dibao: Mapped[bool] = mapped_column(default=False)
    tekun: Mapped[bool] = mapped_column(default=False)
    active_soldier: Mapped[bool] = mapped_column(default=False)  # 现役军人

    __table_args__ = (
        sa.CheckConstraint("work_months BETWEEN 0 AND 12", name="work_months_range"),
        sa.CheckConstraint("disability_grade BETWEEN 1 AND 4", name="disability_grade_range"),
    )


class QualityWarning(Base):
    """A data-quality warning or flag kept after a write (errors refuse the write instead)."""

    __tablename__ = "quality_warning"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    household_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("household.id", ondelete="CASCADE"), index=True
    )
    year: Mapped[int]
    rule: Mapped[str] = mapped_column(sa.String(64))
    severity: Mapped[str] = mapped_column(sa.String(8))
    message: Mapped[str] = mapped_column(sa.String(300))
    field: Mapped[str] = mapped_column(sa.String(120))
