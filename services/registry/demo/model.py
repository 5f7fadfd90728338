"""The demo district's areas and yearly village records, as plain typed records."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from services.registry.exchange.records import ExchangeHousehold

COUNTY_CODE = "370404"
COUNTY_NAME = "峄城区"


@dataclass(frozen=True, slots=True)
class Town:
    code: str  # 9 digits, e.g. 370404104
    name: str  # e.g. 峨山镇
    kind: str  # 镇 (town) or 街道 (sub-district)


@dataclass(frozen=True, slots=True)
class Village:
    """An administrative village (行政村, 村委会) or residents' community (居委会)."""

    code: str  # 12 digits, 370404TTTVVV
    name: str
    town_code: str
    kind: str  # 村 or 居
    name_generated: bool  # True unless the plan names the village (专栏1)
    code_generated: bool  # always True: the real codes were not found (DOMAIN.md)


@dataclass(frozen=True, slots=True)
class KeyDesignation:
    """A key-village designation (扶贫工作重点村) of 专栏1; a village may have two."""

    village_code: str
    designation: str  # catalog KEY_VILLAGE_DESIGNATION: provincial | city | city_2018
    designated_year: int
    exit_year: int | None  # None: the plan gives no year (the 2018 designations)


@dataclass(frozen=True, slots=True)
class VillageYear:
    """One village's record for one year (the national village-per-year facts)."""

    village_code: str
    year: int
    households: int  # 总户数
    population: int  # 总人口
    rural_population: int  # 农业户籍人口, the denominator of poverty incidence
    poor_households: int  # registered, not exited at the end of the year
    poor_persons: int
    dibao_persons: int  # rural 低保 recipients, poor or not
    tekun_persons: int  # 特困供养
    per_capita_net_income: Decimal  # villagers' average, yuan
    collective_income: Decimal  # 村集体经济收入, yuan
    hardened_road: bool  # 通硬化路
    bus: bool  # 通客运班车
    power: bool  # 通农村电网
    tap_water: bool  # 通自来水
    cable_tv: bool  # 通有线电视
    broadband: bool  # 通宽带
    clinic: bool  # 有卫生室
    licensed_doctor: bool  # 有执业(助理)医师
    first_secretary: bool  # 第一书记
    work_team: bool  # 驻村工作队


@dataclass(frozen=True, slots=True)
class DemoDistrict:
    seed: int
    data_year: int  # the year the households' yearly facts describe
    towns: tuple[Town, ...]
    villages: tuple[Village, ...]
    key_designations: tuple[KeyDesignation, ...]
    village_years: tuple[VillageYear, ...]
    households: tuple[ExchangeHousehold, ...]
