"""专栏3, the main indicators, for a year: computed from the register where it allows.

- 贫困人口 (national / provincial standard): persons not exited at the end of the year, of
  national-standard households / of all (the provincial standard includes the national).
- 扶贫工作重点村: city and provincial designations made by the year; the detail says how
  many have not exited by its end.
- 因病致贫返贫率: households not exited whose main cause is illness, of all not exited.
- The provincial key villages' road, bus, grid, water and cable-TV rates: from the villages'
  records of the year (null unless every provincial key village has one).
The rest (transferred labour, income growth, renovation, insurance) need aggregates no
service offers yet: they are null, and `detail` says so. Never 0 for unknown.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from services.reporting.plan import indicators
from services.reporting.reports.base import ReportSpec, common_fields, source_notes
from services.reporting.reports.common import Report, ratio, report_example
from services.reporting.reports.rolling_plan import PLAN_DESIGNATIONS
from services.reporting.reports.scope import Scope
from services.reporting.sources import Collected, Part
from services.reporting.tables import Cell, Table, Tabular, percent
from services.reporting.upstreams import Upstreams
from services.reporting.upstreams.base import together
from services.reporting.upstreams.registry import HouseholdStats, Village, VillageDetail
from shared.auth import AreaLevel

VILLAGE_FLAGS = {
    "省定扶贫工作重点村通硬化路率": "road_hardened",
    "省定扶贫工作重点村通客运班车率": "bus_service",
    "省定扶贫工作重点村农村电网覆盖率": "power_grid",
    "省定扶贫工作重点村通水率": "tap_water",
    "省定扶贫工作重点村通有线电视率": "cable_tv",
}
NOT_AVAILABLE = {
    "转移就业贫困人口数量": "需要登记系统按务工状况汇总成员（/v1/stats/members）",
    "贫困人口人均可支配收入增速": "需要登记系统按年度汇总人均纯收入（/v1/stats/incomes）",
    "建档立卡贫困户危房改造率": "需要登记系统按危房等级与改造汇总（/v1/stats/housing）",
    "建档立卡贫困户参加居民基本养老保险比率": "需要登记系统按参保汇总成员（/v1/stats/members）",
    "建档立卡贫困户基本医保参保率": "需要登记系统按参保汇总成员（/v1/stats/members）",
}
DETAIL_CONCURRENCY = 8


class RegistryPart(BaseModel):
    stats: HouseholdStats
    key_villages: list[Village]
    provincial_details: list[VillageDetail]


_ROW_EXAMPLE: dict[str, Any] = {
    "category": "总体指标",
    "indicator": "贫困人口（国家贫困标准）",
    "unit": "人",
    "value_2015": "6814",
    "target_2020": "全部脱贫",
    "kind": "约束性",
    "source_department": "建档立卡",
    "value": "6814",
    "detail": None,
}


class Row(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_ROW_EXAMPLE]})

    category: str
    indicator: str
    unit: str
    value_2015: str | None = Field(description="专栏3's 2015 figure (district reports only)")
    target_2020: str | None
    kind: str
    source_department: str
    value: Decimal | None = Field(description="The year's value from the data; null if unknown")
    detail: str | None = Field(description="How it was computed, or why it is null")


class Totals(BaseModel):
    computed: int = Field(description="Indicators with a value")
    unknown: int = Field(description="Indicators left null")


class IndicatorsReport(Report[Row, Totals]):
    model_config = ConfigDict(
        json_schema_extra=report_example(
            "indicators",
            "专栏3 峄城区脱贫攻坚主要指标",
            [_ROW_EXAMPLE],
            {"computed": 9, "unknown": 5},
            year=2015,
            sources={"registry": None},
        )
    )


class IndicatorsSpec(ReportSpec[IndicatorsReport]):
    name: ClassVar[str] = "indicators"
    title: ClassVar[str] = "专栏3 峄城区脱贫攻坚主要指标"
    file_stem: ClassVar[str] = "专栏3_主要指标"

    def parts(self, scope: Scope, upstreams: Upstreams) -> dict[str, Part[Any]]:
        registry, token, year = upstreams.registry, scope.token, scope.year
        assert year is not None

        async def fetch() -> RegistryPart:
            async with together() as calls:
                stats = calls.create_task(
                    registry.household_stats(
                        token=token,
                        group_by=("identification_standard", "main_cause"),
                        year=year,
                        town_code=scope.town_code,
                    )
                )
                key_task = calls.create_task(
                    registry.villages(token=token, key=True, town_code=scope.town_code)
                )
            key = key_task.result()
            limit = asyncio.Semaphore(DETAIL_CONCURRENCY)

            async def detail(code: str) -> VillageDetail:
                async with limit:
                    return await registry.village_detail(code, token=token)

            codes = [v.code for v in key if _provincial(v, year)]
            async with together() as calls:
                details = [calls.create_task(detail(c)) for c in codes]
            return RegistryPart(
                stats=stats.result(),
                key_villages=key,
                provincial_details=[d.result() for d in details],
            )

        return {"registry": Part("registry", RegistryPart, fetch)}

    def build(self, scope: Scope, collected: Collected, generated_at: datetime) -> IndicatorsReport:
        assert scope.year is not None
        part = collected.get("registry", RegistryPart)
        district = scope.level is AreaLevel.district
        rows = []
        for ind in indicators():
            value, detail = _compute(ind.name, part, scope.year)
            rows.append(
                Row(
                    category=ind.category,
                    indicator=ind.name,
                    unit=ind.unit,
                    value_2015=ind.value_2015 if district else None,
                    target_2020=ind.target_2020 if district else None,
                    kind=ind.kind,
                    source_department=ind.source_department,
                    value=value,
                    detail=detail,
                )
            )
        computed = sum(1 for r in rows if r.value is not None)
        notes = [] if district else ["专栏3的2015年值与2020年目标为全区数，本区域报表不列。"]
        return IndicatorsReport(
            **common_fields(self, scope, collected, generated_at),
            rows=rows,
            totals=Totals(computed=computed, unknown=len(rows) - computed),
            notes=notes,
        )

    def tabular(self, report: IndicatorsReport) -> Tabular:
        headers = ["类别", "指标", "单位", "2015年", "2020年目标", "属性", "数据来源",
                   f"{report.year}年(实际)", "说明"]  # fmt: skip
        rows: list[list[Cell]] = [
            [r.category, r.indicator, r.unit, r.value_2015, r.target_2020, r.kind,
             r.source_department, r.value, r.detail]
            for r in report.rows
        ]  # fmt: skip
        table = Table("专栏3", f"{report.title}（{report.year}年）", headers, rows)
        return Tabular(report.title, [table], source_notes(report))


def _provincial(v: Village, year: int) -> bool:
    return any(d.designation == "provincial" and d.designated_year <= year for d in v.designations)


def _compute(name: str, part: RegistryPart | None, year: int) -> tuple[Decimal | None, str | None]:
    if name in NOT_AVAILABLE:
        return None, NOT_AVAILABLE[name]
    if part is None:
        return None, "登记系统数据缺失"
    compute = _COMPUTE.get(name)
    if compute is not None:
        return compute(part, year)
    if name in VILLAGE_FLAGS:
        return _village_rate(part, year, VILLAGE_FLAGS[name])
    return None, "本系统不计算此指标"


def _poor(part: RegistryPart, national_only: bool) -> tuple[Decimal | None, str | None]:
    persons = sum(
        g.not_exited_persons
        for g in part.stats.items
        if not national_only or g.group.get("identification_standard") == "national"
    )
    return Decimal(persons), "年末未脱贫人口" + ("（国家标准识别）" if national_only else "")


def _key_villages(part: RegistryPart, year: int) -> tuple[Decimal | None, str | None]:
    designated = remaining = 0
    for v in part.key_villages:
        for d in v.designations:
            if d.designation in PLAN_DESIGNATIONS and d.designated_year <= year:
                designated += 1
                remaining += 1 if d.exit_year is None or d.exit_year > year else 0
    return Decimal(designated), f"已认定{designated}个（省定、市定），年末未退出{remaining}个"


def _illness_rate(part: RegistryPart, year: int) -> tuple[Decimal | None, str | None]:
    ill = sum(g.not_exited_households for g in part.stats.items
              if g.group.get("main_cause") == "illness")  # fmt: skip
    share = ratio(ill, part.stats.total.not_exited_households)
    return percent(share), f"未脱贫户中主要致贫原因为因病的户数占比（{ill}户）"


def _village_rate(part: RegistryPart, year: int, flag: str) -> tuple[Decimal | None, str | None]:
    records = [next((y for y in v.years if y.year == year), None) for v in part.provincial_details]
    if not records:
        return None, "本区域无省定重点村"
    if any(r is None for r in records):
        lacking = sum(1 for r in records if r is None)
        return None, f"{lacking}个省定重点村缺少{year}年村级记录"
    having = sum(1 for r in records if r is not None and getattr(r, flag))
    return percent(ratio(having, len(records))), f"{len(records)}个省定重点村中{having}个"


_COMPUTE: dict[str, Callable[[RegistryPart, int], tuple[Decimal | None, str | None]]] = {
    "贫困人口（国家贫困标准）": lambda p, _: _poor(p, True),
    "贫困人口（省定贫困标准）": lambda p, _: _poor(p, False),
    "扶贫工作重点村": _key_villages,
    "建档立卡贫困户因病致贫返贫率": _illness_rate,
}
