"""Causes of poverty (第一章): households and persons per main cause, per town, with shares.

With `year`, the register as it stood at the end of that year (households identified by
then, members present then); with year 2015 that is the 2015 baseline, and the district's
report sets 第一章's published figures beside the data's.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from services.reporting.labels import POVERTY_CAUSE, label
from services.reporting.plan import BASELINE_YEAR, facts, published_causes, town_name
from services.reporting.reports.base import ReportSpec, common_fields, source_notes
from services.reporting.reports.common import PlannedActual, Ratio, Report, ratio, report_example
from services.reporting.reports.scope import Scope, pa_cells, pa_headers
from services.reporting.sources import Collected, Part
from services.reporting.tables import Cell, Table, Tabular, percent
from services.reporting.upstreams import Upstreams
from services.reporting.upstreams.registry import HouseholdStats
from shared.auth import AreaLevel


class RegistryPart(BaseModel):
    stats: HouseholdStats


_ROW_EXAMPLE: dict[str, Any] = {
    "town_code": "370404104",
    "town_name": "峨山镇",
    "cause": "illness",
    "cause_label": "因病",
    "households": 1520,
    "persons": 2603,
    "share_of_households": "0.7481",
    "share_of_persons": "0.7355",
}


class Row(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_ROW_EXAMPLE]})

    town_code: str
    town_name: str | None
    cause: str | None
    cause_label: str | None
    households: int
    persons: int
    share_of_households: Ratio | None = Field(description="Of the town's households")
    share_of_persons: Ratio | None = Field(description="Of the town's persons")


class CauseTotal(BaseModel):
    cause: str | None
    cause_label: str | None
    households: int
    persons: int
    share_of_households: Ratio | None
    share_of_persons: Ratio | None


class PublishedLine(BaseModel):
    """A line of 第一章's causes of 2015 beside the same causes in the data."""

    label: str = Field(examples=["因病因残"])
    causes: list[str] = Field(examples=[["illness", "disability"]])
    households: PlannedActual
    persons: PlannedActual
    share_of_persons_published_percent: Decimal | None = Field(
        description="The share as the plan prints it, in percent (82.8)"
    )
    share_of_persons: Ratio | None = Field(description="The data's share (0.8282)")


class Totals(BaseModel):
    households: int | None
    persons: int | None
    by_cause: list[CauseTotal]
    published: list[PublishedLine] = Field(
        description="Only for the district's report of year 2015: the plan's published causes"
    )


class CausesReport(Report[Row, Totals]):
    model_config = ConfigDict(
        json_schema_extra=report_example(
            "causes",
            "致贫原因分析（分乡镇）",
            [_ROW_EXAMPLE],
            {
                "households": 9743,
                "persons": 16661,
                "by_cause": [
                    {
                        "cause": "illness",
                        "cause_label": "因病",
                        "households": 7230,
                        "persons": 12054,
                        "share_of_households": "0.7421",
                        "share_of_persons": "0.7235",
                    },
                ],
                "published": [
                    {
                        "label": "因病因残",
                        "causes": ["illness", "disability"],
                        "households": {"planned": 8266, "actual": 8266},
                        "persons": {"planned": 13799, "actual": 13799},
                        "share_of_persons_published_percent": "82.8",
                        "share_of_persons": "0.8282",
                    },
                ],
            },
            year=2015,
            sources={"registry": None},
        )
    )


class CausesSpec(ReportSpec[CausesReport]):
    name: ClassVar[str] = "causes"
    title: ClassVar[str] = "致贫原因分析（分乡镇）"
    file_stem: ClassVar[str] = "致贫原因"

    def parts(self, scope: Scope, upstreams: Upstreams) -> dict[str, Part[Any]]:
        async def fetch() -> RegistryPart:
            stats = await upstreams.registry.household_stats(
                token=scope.token,
                group_by=("town", "main_cause"),
                year=scope.year,
                town_code=scope.town_code,
            )
            return RegistryPart(stats=stats)

        return {"registry": Part("registry", RegistryPart, fetch)}

    def build(self, scope: Scope, collected: Collected, generated_at: datetime) -> CausesReport:
        part = collected.get("registry", RegistryPart)
        rows: list[Row] = []
        by_cause: dict[str | None, list[int]] = defaultdict(lambda: [0, 0])
        if part is not None:
            per_town: dict[str, list[int]] = defaultdict(lambda: [0, 0])
            for g in part.stats.items:
                per_town[str(g.group["town"])][0] += g.households
                per_town[str(g.group["town"])][1] += g.persons
            for g in part.stats.items:
                town, cause = str(g.group["town"]), _cause(g.group.get("main_cause"))
                h, p = per_town[town]
                rows.append(
                    Row(
                        town_code=town,
                        town_name=town_name(town),
                        cause=cause,
                        cause_label=label(POVERTY_CAUSE, cause),
                        households=g.households,
                        persons=g.persons,
                        share_of_households=ratio(g.households, h),
                        share_of_persons=ratio(g.persons, p),
                    )
                )
                by_cause[cause][0] += g.households
                by_cause[cause][1] += g.persons
        households = part.stats.total.households if part else None
        persons = part.stats.total.persons if part else None
        totals = Totals(
            households=households,
            persons=persons,
            by_cause=[
                CauseTotal(
                    cause=c,
                    cause_label=label(POVERTY_CAUSE, c),
                    households=h,
                    persons=p,
                    share_of_households=ratio(h, households),
                    share_of_persons=ratio(p, persons),
                )
                for c, (h, p) in sorted(by_cause.items(), key=lambda kv: -kv[1][1])
            ],
            published=[],
        )
        notes = []
        if scope.year == BASELINE_YEAR and scope.level is AreaLevel.district:
            totals.published = _published(totals)
        elif scope.year == BASELINE_YEAR:
            notes.append("第一章公布的致贫原因为全区数，本区域报表不作对照。")
        return CausesReport(
            **common_fields(self, scope, collected, generated_at), rows=rows, totals=totals,
            notes=notes,
        )  # fmt: skip

    def tabular(self, report: CausesReport) -> Tabular:
        headers = ["乡镇(街道)", "代码", "致贫原因", "户数", "人数", "户数占比(%)", "人数占比(%)"]
        rows: list[list[Cell]] = [
            [r.town_name, r.town_code, r.cause_label, r.households, r.persons,
             percent(r.share_of_households), percent(r.share_of_persons)]
            for r in report.rows
        ]  # fmt: skip
        area = "全区" if report.area.level == "district" else "合计"
        t = report.totals
        rows += [
            [area, report.area.code, c.cause_label, c.households, c.persons,
             percent(c.share_of_households), percent(c.share_of_persons)]
            for c in t.by_cause
        ]  # fmt: skip
        rows.append([area, report.area.code, "合计", t.households, t.persons, None, None])
        tables = [Table("致贫原因", report.title, headers, rows)]
        if t.published:
            compare = ["致贫原因(规划口径)", *pa_headers("户数"), *pa_headers("人数"),
                       "人数占比(%)(规划公布)", "人数占比(%)(实际)"]  # fmt: skip
            lines: list[list[Cell]] = [
                [p.label, *pa_cells(p.households), *pa_cells(p.persons),
                 p.share_of_persons_published_percent, percent(p.share_of_persons)]
                for p in t.published
            ]  # fmt: skip
            tables.append(Table("规划对照", "第一章 2015年致贫原因（规划与实际）", compare, lines))
        return Tabular(report.title, tables, source_notes(report))


def _cause(value: Any) -> str | None:
    return None if value is None else str(value)


def _published(totals: Totals) -> list[PublishedLine]:
    """第一章's lines, the rest of the causes, and the whole, each beside the data."""
    actual = {c.cause: (c.households, c.persons) for c in totals.by_cause}
    known = totals.households is not None

    def sums(causes: tuple[str, ...]) -> tuple[int | None, int | None]:
        if not known:
            return None, None
        picked = [actual.get(c, (0, 0)) for c in causes]
        return sum(h for h, _ in picked), sum(p for _, p in picked)

    lines: list[PublishedLine] = []
    named: list[str] = []
    for p in published_causes():
        h, n = sums(p.causes)
        named += p.causes
        lines.append(_line(p.label, list(p.causes), (p.households, p.persons), (h, n), totals,
                           p.share_of_persons_percent))  # fmt: skip
    all_h = int(facts()["poor_households_provincial_standard_2015"])
    all_p = int(facts()["poor_persons_provincial_standard_2015"])
    rest_planned = (all_h - sum(p.households for p in published_causes()),
                    all_p - sum(p.persons for p in published_causes()))  # fmt: skip
    others = [c for c in actual if c is not None and c not in named]
    rest = sums(tuple(others))
    if known and None in actual:  # households without a recorded cause count as the rest
        rest = ((rest[0] or 0) + actual[None][0], (rest[1] or 0) + actual[None][1])
    lines.append(_line("其他原因", sorted(others), rest_planned, rest, totals, None))
    lines.append(_line("合计", [], (all_h, all_p), (totals.households, totals.persons), totals,
                       Decimal(100)))  # fmt: skip
    return lines


def _line(
    name: str,
    causes: list[str],
    planned: tuple[int, int],
    actual: tuple[int | None, int | None],
    totals: Totals,
    published_share: Decimal | None,
) -> PublishedLine:
    return PublishedLine(
        label=name,
        causes=causes,
        households=PlannedActual(planned=planned[0], actual=actual[0]),
        persons=PlannedActual(planned=planned[1], actual=actual[1]),
        share_of_persons_published_percent=published_share,
        share_of_persons=ratio(actual[1], totals.persons),
    )
