"""A household as the exchange files carry it: typed, in the catalog's English codes.

These are what parsing produces and what export consumes; the registry service maps them
onto its tables (field names follow `services.registry.households.models`). A field that
one layout does not carry is None (or empty), never a guessed default, so the service can
tell "not in the file" from "no".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from services.registry.codes.catalog import EXITED, household_attribute
from services.registry.households.quality import IncomeComponents


@dataclass(frozen=True, slots=True, kw_only=True)
class ExchangeMember:
    """One person's row (家庭成员): stable facts and the data year's attributes."""

    national_number: str | None = None  # 人编号, opaque, issued by the national system
    name: str  # 姓名
    id_number: str | None = None  # 证件号码, normalised to 18 characters
    # Sex and birth date come from the ID number when there is one; 性别 and 出生日期
    # columns of the full layout fill them for people without one.
    sex: str | None = None
    birth_date: date | None = None
    relation: str  # 与户主关系
    ethnicity: str | None = None  # 民族
    education: str | None = None  # 文化程度
    school_status: str | None = None  # 在校生状况
    health: tuple[str, ...] = ()  # 健康状况; several may apply
    labour: str | None = None  # 劳动技能
    work_status: str | None = None  # 务工状况
    work_months: int | None = None  # 务工时间(月), 0–12
    critical_illness_insured: bool | None = None  # 是否参加大病保险
    # Full layout only.
    disability_certificate: str | None = None  # 残疾证号, 20 characters
    disability_category: str | None = None  # 残疾类别
    disability_grade: str | None = None  # 残疾等级, "grade1" most severe
    basic_medical_insured: bool | None = None  # 城乡居民基本医疗保险
    commercial_insured: bool | None = None  # 商业补充医疗保险
    pension_insured: bool | None = None  # 城乡居民基本养老保险
    dibao: bool | None = None  # 享受低保
    tekun: bool | None = None  # 特困供养
    active_soldier: bool | None = None  # 现役军人
    dropped_out: bool | None = None  # 辍学
    dropout_for_poverty: bool | None = None  # 因贫辍学
    # Where the member came from in a file; not part of the member's identity.
    source_row: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class ExchangeHousehold:
    """One registered household (建档立卡贫困户) with its members, as of one data year."""

    county: str  # 县(市、区), by name as in the national file
    town: str  # 乡(镇)
    village: str  # 行政村
    natural_village: str | None = None  # 自然村
    national_number: str  # 户编号
    status: str  # 脱贫状态 (the file's 脱贫属性)
    exit_year: int | None = None  # 脱贫年度
    # 贫困户属性 is assistance type plus whether the household exited; it is derived on
    # export (`attribute`) rather than stored, so the two can never disagree.
    assistance_type: str
    main_cause: str  # 主要致贫原因
    dangerous_house: bool | None = None  # 危房户
    drinking_water_safe: bool | None = None  # 饮水安全
    drinking_water_difficult: bool | None = None  # 饮水困难
    per_capita_net_income: Decimal  # 人均纯收入, yuan
    phone: str | None = None  # 联系电话
    members: tuple[ExchangeMember, ...]
    # Full layout only.
    village_code: str | None = None  # 行政村代码, 12 digits
    data_year: int | None = None  # 数据年度 of the income and living conditions
    identification_standard: str | None = None  # 识别标准
    identification_year: int | None = None  # 识别年度
    other_causes: tuple[str, ...] = ()  # 其他致贫原因, at most two
    income: IncomeComponents | None = None  # 收入 components of the data year
    one_off_income: Decimal | None = None  # 一次性收入: the part of income that won't recur
    house_grade: str | None = None  # 危房等级 A–D
    relocation: bool | None = None  # 易地扶贫搬迁户
    relocated_moved_in: bool | None = None  # 搬迁入住
    food_secure: bool | None = None  # 不愁吃
    clothing_secure: bool | None = None  # 不愁穿
    expenditure_poverty: bool | None = None  # 因大病大灾支出型贫困
    arable_land_mu: Decimal | None = None  # 耕地面积(亩)
    housing_area_m2: Decimal | None = None  # 住房面积(平方米)
    source_rows: tuple[int, ...] = field(default=(), compare=False)

    @property
    def size(self) -> int:
        """人数: the member count (parsing rejects a file whose 人数 says otherwise)."""
        return len(self.members)

    @property
    def exited(self) -> bool:
        return self.status in EXITED

    @property
    def attribute(self) -> str:
        """贫困户属性 code derived from assistance type and status, e.g. "dibao_exited"."""
        return household_attribute(self.assistance_type, self.exited).code
