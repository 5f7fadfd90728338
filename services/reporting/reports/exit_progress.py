"""Exit progress and poverty incidence at the end of a year, per village and per town.

Per village (the registry's SQL): registered households and persons, those not exited,
the rural registered population and the incidence (not exited ÷ rural population); its
key-village designations; and, from the eligibility service, exit cases of the year still
in procedure and deregistered. Per town: the same summed, beside 专栏2's planned exits
(cumulative from 2016) and key-village exits.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from services.reporting.labels import DESIGNATION
from services.reporting.plan import PLAN_YEARS, district_plan, town_name, town_plans
from services.reporting.reports.base import ReportSpec, common_fields, source_notes
from services.reporting.reports.common import (
    PlannedActual,
    Ratio,
    Report,
    add,
    ratio,
    report_example,
)
from services.reporting.reports.rolling_plan import EXITED_THAT_YEAR, PLAN_DESIGNATIONS
from services.reporting.reports.scope import Scope, pa_cells, pa_headers
from services.reporting.sources import Collected, Part
from services.reporting.tables import Cell, Table, Tabular, percent
from services.reporting.upstreams import Upstreams
from services.reporting.upstreams.base import together
from services.reporting.upstreams.eligibility import DEREGISTERED, OPEN_STATES, ExitCaseStats
from services.reporting.upstreams.registry import HouseholdStats, Village, VillageIncidence
from shared.auth import AreaLevel


class RegistryPart(BaseModel):
    villages: list[VillageIncidence]
    exits: HouseholdStats
    key_villages: list[Village]


class EligibilityPart(BaseModel):
    cases: ExitCaseStats


_ROW_EXAMPLE: dict[str, Any] = {
    "village_code": "370404104001",
    "village_name": "马楼村",
    "town_code": "370404104",
    "town_name": "峨山镇",
    "key_village": "省定",
    "key_village_exit_year": 2016,
    "rural_population": 2154,
    "registered_households": 96,
    "registered_persons": 251,
    "exited_persons": 218,
    "not_exited_households": 12,
    "not_exited_persons": 33,
    "incidence": "0.0153",
    "exit_cases_open": 3,
    "exit_cases_deregistered": 9,
}


class Row(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_ROW_EXAMPLE]})

    village_code: str
    village_name: str
    town_code: str
    town_name: str | None
    key_village: str | None = Field(description="省定 / 市定 / 新认定(2018), or null")
    key_village_exit_year: int | None
    rural_population: int | None
    registered_households: int
    registered_persons: int
    exited_persons: int
    not_exited_households: int
    not_exited_persons: int
    incidence: Ratio | None
    exit_cases_open: int | None = Field(description="Exit cases of the year still in procedure")
    exit_cases_deregistered: int | None


class AreaProgress(BaseModel):
    code: str
    name: str | None
    villages: int | None
    rural_population: int | None = Field(description="Null when a village has no record")
    registered_persons: int | None
    not_exited_persons: int | None
    incidence: Ratio | None
    persons_exited: PlannedActual = Field(description="Exits from 2016 to the year (专栏2)")
    key_villages_exited: PlannedActual = Field(description="Key villages exited 2016–year")
    exit_cases_open: int | None


class Totals(BaseModel):
    towns: list[AreaProgress]
    area: AreaProgress


_TOWN_EXAMPLE: dict[str, Any] = {
    "code": "370404104", "name": "峨山镇", "villages": 62, "rural_population": 25310,
    "registered_persons": 7488, "not_exited_persons": 0, "incidence": "0.0000",
    "persons_exited": {"planned": 7270, "actual": 7270},
    "key_villages_exited": {"planned": 10, "actual": 10}, "exit_cases_open": 3,
}  # fmt: skip


class ExitProgressReport(Report[Row, Totals]):
    model_config = ConfigDict(
        json_schema_extra=report_example(
            "exit-progress",
            "脱贫进度与贫困发生率（分村、分乡镇）",
            [_ROW_EXAMPLE],
            {
                "towns": [_TOWN_EXAMPLE],
                "area": {**_TOWN_EXAMPLE, "code": "370404", "name": "峄城区"},
            },
            year=2018,
            sources={"registry": None, "eligibility": None},
        )
    )


class ExitProgressSpec(ReportSpec[ExitProgressReport]):
    name: ClassVar[str] = "exit-progress"
    title: ClassVar[str] = "脱贫进度与贫困发生率（分村、分乡镇）"
    file_stem: ClassVar[str] = "脱贫进度与贫困发生率"

    def parts(self, scope: Scope, upstreams: Upstreams) -> dict[str, Part[Any]]:
        registry, token, year = upstreams.registry, scope.token, scope.year
        assert year is not None, "the route requires a year"

        async def from_registry() -> RegistryPart:
            async with together() as calls:
                villages = calls.create_task(
                    registry.village_stats(token=token, year=year, town_code=scope.town_code)
                )
                exits = calls.create_task(
                    registry.household_stats(
                        token=token,
                        group_by=("town", "exit_year", "status"),
                        year=year,
                        town_code=scope.town_code,
                    )
                )
                key = calls.create_task(
                    registry.villages(token=token, key=True, town_code=scope.town_code)
                )
            return RegistryPart(
                villages=villages.result(), exits=exits.result(), key_villages=key.result()
            )

        eligibility = upstreams.eligibility

        async def from_eligibility() -> EligibilityPart:
            assert eligibility is not None
            cases = await eligibility.exit_case_stats(
                token=token, year=year, town_code=scope.town_code
            )
            return EligibilityPart(cases=cases)

        return {
            "registry": Part("registry", RegistryPart, from_registry),
            "eligibility": Part(
                "eligibility", EligibilityPart, from_eligibility if eligibility else None
            ),
        }

    def build(
        self, scope: Scope, collected: Collected, generated_at: datetime
    ) -> ExitProgressReport:
        assert scope.year is not None
        registry = collected.get("registry", RegistryPart)
        cases = collected.get("eligibility", EligibilityPart)
        open_cases: Counter[str] = Counter()
        deregistered: Counter[str] = Counter()
        if cases is not None:
            for c in cases.cases.items:
                if c.state in OPEN_STATES:
                    open_cases[c.village_code] += c.cases
                elif c.state == DEREGISTERED:
                    deregistered[c.village_code] += c.cases
        key = _key_villages(registry)
        rows = [
            Row(
                village_code=v.village_code,
                village_name=v.village_name,
                town_code=v.town_code,
                town_name=town_name(v.town_code),
                key_village=key[v.village_code][0] if v.village_code in key else None,
                key_village_exit_year=key[v.village_code][1] if v.village_code in key else None,
                rural_population=v.rural_population,
                registered_households=v.registered_households,
                registered_persons=v.registered_persons,
                exited_persons=v.registered_persons - v.not_exited_persons,
                not_exited_households=v.not_exited_households,
                not_exited_persons=v.not_exited_persons,
                incidence=ratio(v.not_exited_persons, v.rural_population),
                exit_cases_open=open_cases[v.village_code] if cases else None,
                exit_cases_deregistered=deregistered[v.village_code] if cases else None,
            )
            for v in (registry.villages if registry else [])
        ]
        if scope.level is AreaLevel.village and rows:
            scope.area.name = rows[0].village_name
        towns = sorted({r.town_code for r in rows} | _planned_towns(scope))
        progress = _Progress(scope, registry, rows, cases is not None)
        totals = Totals(towns=[progress.of(t) for t in towns], area=progress.of(None))
        notes = ["贫困发生率 = 年末未脱贫人口 ÷ 农业户籍人口；村无当年记录时留空。"]
        if scope.year > PLAN_YEARS[-1]:
            notes.append("专栏2的计划脱贫数止于2018年；计划数为2016—2018年合计。")
        return ExitProgressReport(
            **common_fields(self, scope, collected, generated_at), rows=rows, totals=totals,
            notes=notes,
        )  # fmt: skip

    def tabular(self, report: ExitProgressReport) -> Tabular:
        village_headers = [
            "乡镇(街道)", "行政村", "村代码", "重点村", "重点村退出年度", "农业户籍人口",
            "建档立卡户数", "建档立卡人数", "已脱贫人数", "未脱贫户数", "未脱贫人数",
            "贫困发生率(%)", "退出程序中(户)", "已销号(户)",
        ]  # fmt: skip
        village_rows: list[list[Cell]] = [
            [r.town_name, r.village_name, r.village_code, r.key_village, r.key_village_exit_year,
             r.rural_population, r.registered_households, r.registered_persons, r.exited_persons,
             r.not_exited_households, r.not_exited_persons, percent(r.incidence),
             r.exit_cases_open, r.exit_cases_deregistered]
            for r in report.rows
        ]  # fmt: skip
        town_headers = ["乡镇(街道)", "代码", "村数", "农业户籍人口", "建档立卡人数",
                        "未脱贫人数", "贫困发生率(%)", *pa_headers("2016年以来脱贫人口"),
                        *pa_headers("2016年以来重点村退出"), "退出程序中(户)"]  # fmt: skip
        town_rows = [_town_cells(t) for t in report.totals.towns]
        total = _town_cells(report.totals.area)
        total[0] = "全区" if report.area.level == "district" else "合计"
        town_rows.append(total)
        year = report.year
        return Tabular(
            report.title,
            [
                Table(
                    "分乡镇", f"{year}年末脱贫进度与贫困发生率（分乡镇）", town_headers, town_rows
                ),
                Table(
                    "分村", f"{year}年末脱贫进度与贫困发生率（分村）", village_headers, village_rows
                ),
            ],
            source_notes(report),
        )


def _town_cells(t: AreaProgress) -> list[Cell]:
    return [t.name, t.code, t.villages, t.rural_population, t.registered_persons,
            t.not_exited_persons, percent(t.incidence), *pa_cells(t.persons_exited),
            *pa_cells(t.key_villages_exited), t.exit_cases_open]  # fmt: skip


def _key_villages(part: RegistryPart | None) -> dict[str, tuple[str, int | None]]:
    out: dict[str, tuple[str, int | None]] = {}
    for v in part.key_villages if part else []:
        names = "、".join(DESIGNATION.get(d.designation, d.designation) for d in v.designations)
        years = [d.exit_year for d in v.designations if d.designation in PLAN_DESIGNATIONS]
        out[v.code] = (names, max((y for y in years if y is not None), default=None))
    return out


def _planned_towns(scope: Scope) -> set[str]:
    if scope.level is AreaLevel.district:
        return set(town_plans())
    return {scope.area.code[:9]}


class _Progress:
    """A town's (or the whole area's) figures from the village rows and the exits."""

    def __init__(
        self, scope: Scope, part: RegistryPart | None, rows: list[Row], cases: bool
    ) -> None:
        self.scope, self.part, self.rows, self.cases = scope, part, rows, cases
        assert scope.year is not None
        self.years = [y for y in PLAN_YEARS if y <= scope.year]

    def of(self, town: str | None) -> AreaProgress:
        known = self.part is not None
        rows = [r for r in self.rows if town is None or r.town_code == town]
        rural = add(*(r.rural_population for r in rows)) if known else None
        not_exited = sum(r.not_exited_persons for r in rows) if known else None
        return AreaProgress(
            code=town or self.scope.area.code,
            name=town_name(town) if town else self.scope.area.name,
            villages=len(rows) if known else None,
            rural_population=rural,
            registered_persons=sum(r.registered_persons for r in rows) if known else None,
            not_exited_persons=not_exited,
            incidence=ratio(not_exited, rural),
            persons_exited=PlannedActual(
                planned=self._planned(town, "exits"), actual=self._exits(town)
            ),
            key_villages_exited=PlannedActual(
                planned=self._planned(town, "village_exits"), actual=self._village_exits(town)
            ),
            exit_cases_open=sum(r.exit_cases_open or 0 for r in rows) if self.cases else None,
        )

    def _planned(self, town: str | None, field: str) -> int | None:
        if self.scope.level is AreaLevel.village or not self.years:
            return None
        if town is None and self.scope.level is AreaLevel.district:
            plan = district_plan()
        else:
            found = town_plans().get(town or self.scope.area.code)
            if found is None:
                return None
            plan = found
        figures: dict[int, int] = getattr(plan, field)
        return sum(figures[y] for y in self.years)

    def _exits(self, town: str | None) -> int | None:
        if self.part is None or not self.years:
            return None
        return sum(
            g.persons
            for g in self.part.exits.items
            if (town is None or g.group.get("town") == town)
            and g.group.get("exit_year") in self.years
            and g.group.get("status") in EXITED_THAT_YEAR
        )

    def _village_exits(self, town: str | None) -> int | None:
        if self.part is None or not self.years:
            return None
        per_town: defaultdict[str, int] = defaultdict(int)
        for v in self.part.key_villages:
            for d in v.designations:
                if d.designation in PLAN_DESIGNATIONS and d.exit_year in self.years:
                    per_town[v.town_code] += 1
        return sum(per_town.values()) if town is None else per_town[town]
