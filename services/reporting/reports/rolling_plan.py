"""专栏2, the rolling plan: per town and for the district, the plan's figures beside the
register's.

Readings (the same on both sides):
- 2015 baseline: registered households identified in 2015 or before and not exited by the
  end of 2015 (建档立卡 is cumulative; households registered later are dynamic adjustment);
  persons are their current members. 其中国标: those of the national standard.
- persons exited in year Y: members of households whose exit year is Y and that did exit
  (已脱贫, or 返贫 since: they exited that year). 2016 其中国标: those of the national standard.
- key villages: the 2016–2020 plan's city (市定) and provincial (省定) designations, the 2018
  designations (新认定) left out; exited in Y: designations whose exit year is Y.
- the district row's plan is the published 全区 row, not the sum of the towns.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from services.reporting.plan import (
    BASELINE_YEAR,
    PLAN_YEARS,
    RollingPlan,
    district_plan,
    town_name,
    town_plans,
)
from services.reporting.reports.base import ReportSpec, common_fields, source_notes
from services.reporting.reports.common import PlannedActual, Report, add, report_example
from services.reporting.reports.scope import Scope, expand, pa_headers
from services.reporting.sources import Collected, Part
from services.reporting.tables import Cell, Table, Tabular
from services.reporting.upstreams import Upstreams
from services.reporting.upstreams.base import together
from services.reporting.upstreams.registry import HouseholdStats, Village
from shared.auth import AreaLevel

GROUP_BY = ("town", "identification_year", "identification_standard", "exit_year", "status")
EXITED_THAT_YEAR = frozenset({"exited_supported", "exited_unsupported", "returned"})
PLAN_DESIGNATIONS = frozenset({"city", "provincial"})


class RegistryPart(BaseModel):
    stats: HouseholdStats
    key_villages: list[Village]


class Figures(BaseModel):
    poor_persons_2015: PlannedActual = Field(description="2015年建档立卡贫困人口(省定标准)")
    poor_persons_2015_national: PlannedActual = Field(description="其中国标")
    key_villages: PlannedActual = Field(description="扶贫工作重点村")
    key_villages_city: PlannedActual = Field(description="其中市定")
    key_villages_provincial: PlannedActual = Field(description="其中省定")
    provincial_exited_by_2015: PlannedActual = Field(description="省定村十二五已退出")
    provincial_remaining: PlannedActual = Field(description="省定村剩余")
    persons_exited: dict[int, PlannedActual] = Field(description="脱贫人口, per year")
    persons_exited_2016_national: PlannedActual = Field(description="2016年脱贫人口其中国标")
    villages_exited: dict[int, PlannedActual] = Field(description="重点村退出, per year")
    villages_exited_provincial: dict[int, PlannedActual] = Field(description="其中省定")
    villages_exited_total: PlannedActual = Field(description="2016–2018年重点村退出合计")
    villages_exited_total_provincial: PlannedActual = Field(description="其中省定")


_PA: dict[str, Any] = {"planned": 12307, "actual": 12307}
_EXAMPLE_FIGURES: dict[str, Any] = {
    "poor_persons_2015": {"planned": 7001, "actual": 7001},
    "poor_persons_2015_national": {"planned": 2437, "actual": 2437},
    "persons_exited": {"2016": {"planned": 4999, "actual": 4999}},
}


class Row(Figures):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"town_code": "370404104", "town_name": "峨山镇", **_EXAMPLE_FIGURES}]
        }
    )

    town_code: str
    town_name: str | None


class RollingPlanReport(Report[Row, Figures]):
    model_config = ConfigDict(
        json_schema_extra=report_example(
            "rolling-plan",
            "专栏2 峄城区脱贫攻坚滚动计划（计划与实际）",
            [{"town_code": "370404104", "town_name": "峨山镇", **_EXAMPLE_FIGURES}],
            {
                "poor_persons_2015": {"planned": 16661, "actual": 16661},
                "persons_exited": {"2016": _PA},
            },
            sources={"registry": None},
        )
    )


class _Actual:
    """The register's side of the figures for one town (or the whole answer)."""

    def __init__(self, part: RegistryPart | None, town: str | None) -> None:
        self.known = part is not None
        self.persons: Counter[str] = Counter()
        self.villages: Counter[str] = Counter()
        if part is None:
            return
        for g in part.stats.items:
            if town is None or g.group.get("town") == town:
                self._household_group(g.group, g.persons)
        for v in part.key_villages:
            if town is None or v.town_code == town:
                self._village(v)

    def _household_group(self, group: dict[str, Any], persons: int) -> None:
        identified, exited = group.get("identification_year"), group.get("exit_year")
        national = group.get("identification_standard") == "national"
        exited_before = isinstance(exited, int) and exited <= BASELINE_YEAR
        if isinstance(identified, int) and identified <= BASELINE_YEAR and not exited_before:
            self.persons["baseline"] += persons
            self.persons["baseline_national"] += persons if national else 0
        if exited in PLAN_YEARS and group.get("status") in EXITED_THAT_YEAR:
            self.persons[f"exits_{exited}"] += persons
            if exited == 2016 and national:
                self.persons["exits_2016_national"] += persons

    def _village(self, village: Village) -> None:
        for d in village.designations:
            if d.designation not in PLAN_DESIGNATIONS:
                continue
            provincial = d.designation == "provincial"
            self.villages["key"] += 1
            self.villages[d.designation] += 1
            if provincial and d.exit_year is not None and d.exit_year <= BASELINE_YEAR:
                self.villages["provincial_exited_by_2015"] += 1
            if d.exit_year in PLAN_YEARS:
                self.villages[f"exits_{d.exit_year}"] += 1
                self.villages[f"exits_{d.exit_year}_provincial"] += 1 if provincial else 0

    def p(self, name: str) -> int | None:
        return self.persons[name] if self.known else None

    def v(self, name: str) -> int | None:
        return self.villages[name] if self.known else None


def _pa(planned: int | None, actual: int | None) -> PlannedActual:
    return PlannedActual(planned=planned, actual=actual)


def figures(plan: RollingPlan | None, actual: _Actual) -> dict[str, Any]:
    def planned(name: str) -> int | None:
        return int(getattr(plan, name)) if plan is not None else None

    def per_year(name: str) -> dict[int, int | None]:
        years: dict[int, int] = getattr(plan, name) if plan is not None else {}
        return {y: years.get(y) for y in PLAN_YEARS}

    provincial, exited_2015 = actual.v("provincial"), actual.v("provincial_exited_by_2015")
    remaining = None if provincial is None or exited_2015 is None else provincial - exited_2015
    exits, village_exits = per_year("exits"), per_year("village_exits")
    village_exits_provincial = per_year("village_exits_provincial")
    ve = {y: actual.v(f"exits_{y}") for y in PLAN_YEARS}
    vep = {y: actual.v(f"exits_{y}_provincial") for y in PLAN_YEARS}
    return {
        "poor_persons_2015": _pa(planned("poor_provincial_2015"), actual.p("baseline")),
        "poor_persons_2015_national": _pa(
            planned("poor_national_2015"), actual.p("baseline_national")
        ),
        "key_villages": _pa(planned("key_villages"), actual.v("key")),
        "key_villages_city": _pa(planned("key_villages_city"), actual.v("city")),
        "key_villages_provincial": _pa(planned("key_villages_provincial"), provincial),
        "provincial_exited_by_2015": _pa(planned("provincial_exited_by_2015"), exited_2015),
        "provincial_remaining": _pa(planned("provincial_remaining"), remaining),
        "persons_exited": {y: _pa(exits[y], actual.p(f"exits_{y}")) for y in PLAN_YEARS},
        "persons_exited_2016_national": _pa(
            planned("exits_2016_national"), actual.p("exits_2016_national")
        ),
        "villages_exited": {y: _pa(village_exits[y], ve[y]) for y in PLAN_YEARS},
        "villages_exited_provincial": {
            y: _pa(village_exits_provincial[y], vep[y]) for y in PLAN_YEARS
        },
        "villages_exited_total": _pa(planned("village_exits_total"), add(*ve.values())),
        "villages_exited_total_provincial": _pa(
            planned("village_exits_total_provincial"), add(*vep.values())
        ),
    }


class RollingPlanSpec(ReportSpec[RollingPlanReport]):
    name: ClassVar[str] = "rolling-plan"
    title: ClassVar[str] = "专栏2 峄城区脱贫攻坚滚动计划（计划与实际）"
    file_stem: ClassVar[str] = "专栏2_脱贫攻坚滚动计划"

    def parts(self, scope: Scope, upstreams: Upstreams) -> dict[str, Part[Any]]:
        registry, token = upstreams.registry, scope.token

        async def fetch() -> RegistryPart:
            async with together() as calls:
                stats = calls.create_task(
                    registry.household_stats(
                        token=token, group_by=GROUP_BY, town_code=scope.town_code
                    )
                )
                villages = calls.create_task(
                    registry.villages(token=token, key=True, town_code=scope.town_code)
                )
            return RegistryPart(stats=stats.result(), key_villages=villages.result())

        return {"registry": Part("registry", RegistryPart, fetch)}

    def build(
        self, scope: Scope, collected: Collected, generated_at: datetime
    ) -> RollingPlanReport:
        part = collected.get("registry", RegistryPart)
        notes: list[str] = []
        plans = town_plans()
        if scope.level is AreaLevel.district:
            towns = sorted(set(plans) | _towns_in(part))
            total_plan: RollingPlan | None = district_plan()
        elif scope.level is AreaLevel.town:
            towns = [scope.area.code]
            total_plan = plans.get(scope.area.code)
        else:
            towns = [scope.area.code[:9]]
            total_plan = None
            notes.append("专栏2只有分乡镇的计划数；村级报表只列本村实际数，计划数留空。")
        rows = [
            Row(
                town_code=t,
                town_name=town_name(t),
                **figures(plans.get(t) if total_plan is not None else None, _Actual(part, t)),
            )
            for t in towns
        ]
        totals = Figures(**figures(total_plan, _Actual(part, None)))
        if scope.level is AreaLevel.district:
            notes.append(
                "全区计划数为专栏2公布的全区行（阴平镇2018年3个村退出在分镇行记为省定，全区行为0）。"
            )
        return RollingPlanReport(
            **common_fields(self, scope, collected, generated_at),
            rows=rows,
            totals=totals,
            notes=notes,
        )

    def tabular(self, report: RollingPlanReport) -> Tabular:
        headers = ["乡镇(街道)", "代码"]
        for label, _ in COLUMNS:
            headers += pa_headers(label)
        rows: list[list[Cell]] = [
            [r.town_name, r.town_code, *expand(COLUMNS, r)] for r in report.rows
        ]
        total_label = "全区" if report.area.level == "district" else "合计"
        rows.append([total_label, report.area.code, *expand(COLUMNS, report.totals)])
        table = Table("专栏2", report.title, headers, rows)
        return Tabular(report.title, [table], source_notes(report))


def _towns_in(part: RegistryPart | None) -> set[str]:
    if part is None:
        return set()
    found = {str(g.group["town"]) for g in part.stats.items if g.group.get("town")}
    return found | {v.town_code for v in part.key_villages}


Getter = Callable[[Figures], PlannedActual | None]
COLUMNS: list[tuple[str, Getter]] = [
    ("2015年建档立卡贫困人口(省定标准)", lambda f: f.poor_persons_2015),
    ("其中国标", lambda f: f.poor_persons_2015_national),
    ("重点村", lambda f: f.key_villages),
    ("其中市定", lambda f: f.key_villages_city),
    ("其中省定", lambda f: f.key_villages_provincial),
    ("省定已退出(十二五)", lambda f: f.provincial_exited_by_2015),
    ("省定剩余", lambda f: f.provincial_remaining),
    ("2016年脱贫人口", lambda f: f.persons_exited.get(2016)),
    ("2016年脱贫人口其中国标", lambda f: f.persons_exited_2016_national),
    ("2017年脱贫人口", lambda f: f.persons_exited.get(2017)),
    ("2018年脱贫人口", lambda f: f.persons_exited.get(2018)),
    ("2016年村退出", lambda f: f.villages_exited.get(2016)),
    ("2016年村退出其中省定", lambda f: f.villages_exited_provincial.get(2016)),
    ("2017年村退出", lambda f: f.villages_exited.get(2017)),
    ("2017年村退出其中省定", lambda f: f.villages_exited_provincial.get(2017)),
    ("2018年村退出", lambda f: f.villages_exited.get(2018)),
    ("2018年村退出其中省定", lambda f: f.villages_exited_provincial.get(2018)),
    ("村退出合计", lambda f: f.villages_exited_total),
    ("村退出合计其中省定", lambda f: f.villages_exited_total_provincial),
]
