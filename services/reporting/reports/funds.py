"""Entitlements and funds: allocated, disbursed and the execution rate per source, level,
fund kind, project kind and town (the funds service's SQL, net of reversals); the 20 % rule
for integrated agricultural funds; assets and their income per village; and, for a batch
run of the eligibility service, its entitlement summary. Village names come from the
registry; without it the figures stand and the names are null.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from services.reporting.labels import FUND_KIND, FUND_LEVEL, PROJECT_KIND
from services.reporting.plan import town_name
from services.reporting.reports.base import ReportSpec, common_fields, source_notes
from services.reporting.reports.common import (
    MISSING_EXAMPLE,
    Ratio,
    Report,
    Yuan,
    report_example,
)
from services.reporting.reports.scope import Scope
from services.reporting.sources import Collected, Part
from services.reporting.tables import Cell, Table, Tabular, percent
from services.reporting.upstreams import Upstreams
from services.reporting.upstreams.base import together
from services.reporting.upstreams.eligibility import RunRead
from services.reporting.upstreams.funds import AssetVillage, Execution, IntegratedFundsYear, Source
from services.reporting.upstreams.registry import Village
from shared.auth import AreaLevel

DIMENSIONS = ("source", "level", "fund_kind", "project_kind", "town")
DIMENSION_ZH = {"source": "资金来源", "level": "资金层级", "fund_kind": "资金类别",
                "project_kind": "项目类别", "town": "乡镇(街道)"}  # fmt: skip


class FundsPart(BaseModel):
    execution: dict[str, Execution]
    integrated: list[IntegratedFundsYear] | None  # None: not asked (a town's report)
    assets: list[AssetVillage]
    sources: list[Source]


class RegistryPart(BaseModel):
    villages: list[Village]


class EligibilityPart(BaseModel):
    run: RunRead


class Row(BaseModel):
    """One group of one dimension of the execution table."""

    dimension: str = Field(examples=["town"], description=", ".join(DIMENSIONS))
    key: str | None = Field(examples=["370404104"])
    label: str | None = Field(examples=["峨山镇"])
    appropriated: Yuan | None = Field(description="Source-side dimensions: what sources brought")
    budget: Yuan | None = Field(description="Project-side dimensions: the projects' budgets")
    allocated: Yuan
    disbursed: Yuan
    execution_rate: Ratio | None
    projects: int


class TwentyPercent(BaseModel):
    year: int
    sources: int
    amount: Yuan
    exempt: Yuan
    base: Yuan
    required: Yuan
    allocated: Yuan
    disbursed: Yuan
    share: Ratio | None
    compliant: bool
    shortfall: Yuan


class AssetLine(BaseModel):
    town_code: str
    town_name: str | None
    village_code: str
    village_name: str | None = Field(description="Null when the registry is missing")
    assets: int
    value: Yuan
    income: Yuan
    distributed: Yuan
    undistributed: Yuan
    households_paid: int
    households_paid_without_labour: int


class BenefitLine(BaseModel):
    code: str = Field(examples=["elderly_allowance"])
    period: str = Field(description="year, month or once")
    unit: str = Field(description="yuan, or kwh for free electricity")
    amount: Decimal
    households: int | None


class Entitlements(BaseModel):
    """A batch run of the eligibility service: what the area's households are entitled to
    (by benefit, per period) and how many meet the exit conditions."""

    run_id: str
    year: int
    area_code: str
    status: str
    finished_at: datetime | None
    households: int | None
    persons: int | None
    targeted_households: int | None
    exit_candidates: int | None
    exit_passed: int | None
    by_benefit: list[BenefitLine]
    totals: list[BenefitLine] = Field(description="Per period and unit; `code` is 合计")


class Totals(BaseModel):
    allocated: Yuan | None
    disbursed: Yuan | None
    execution_rate: Ratio | None
    twenty_percent_rule: list[TwentyPercent] | None = Field(
        description="District reports only (the rule is the district's); null when missing"
    )
    assets: list[AssetLine] | None
    entitlements: Entitlements | None


_ROW_EXAMPLE: dict[str, Any] = {
    "dimension": "town", "key": "370404104", "label": "峨山镇", "appropriated": None,
    "budget": "2400000.00", "allocated": "2100000.00", "disbursed": "1680000.00",
    "execution_rate": "0.8000", "projects": 6,
}  # fmt: skip


class FundsReport(Report[Row, Totals]):
    model_config = ConfigDict(
        json_schema_extra=report_example(
            "funds",
            "扶贫资金与项目执行情况",
            [_ROW_EXAMPLE],
            {
                "allocated": "2100000.00",
                "disbursed": "1680000.00",
                "execution_rate": "0.8000",
                "twenty_percent_rule": None,
                "entitlements": None,
                "assets": [
                    {
                        "town_code": "370404104",
                        "town_name": "峨山镇",
                        "village_code": "370404104201",
                        "village_name": None,
                        "assets": 1,
                        "value": "800000.00",
                        "income": "96000.00",
                        "distributed": "0.00",
                        "undistributed": "96000.00",
                        "households_paid": 0,
                        "households_paid_without_labour": 0,
                    }
                ],
            },
            year=2018,
            # A partial report: village names come from the registry, which is down.
            sources={"funds": None, "registry": MISSING_EXAMPLE},
        )
    )


class FundsSpec(ReportSpec[FundsReport]):
    name: ClassVar[str] = "funds"
    title: ClassVar[str] = "扶贫资金与项目执行情况"
    file_stem: ClassVar[str] = "扶贫资金执行情况"

    def __init__(self, run_id: str | None = None) -> None:
        self.run_id = run_id

    def with_run(self, run_id: str | None) -> FundsSpec:
        return FundsSpec(run_id.lower() if run_id else None)

    def extra_params(self) -> str:
        return f"&run_id={self.run_id or ''}"

    def parts(self, scope: Scope, upstreams: Upstreams) -> dict[str, Part[Any]]:
        funds, registry, token = upstreams.funds, upstreams.registry, scope.token
        year, town = scope.year, scope.town_code
        district = scope.level is AreaLevel.district

        async def integrated() -> list[IntegratedFundsYear] | None:
            return await funds.integrated_funds(token=token, year=year) if district else None

        async def from_funds() -> FundsPart:
            async with together() as calls:
                executions = {
                    d: calls.create_task(funds.execution(d, token=token, year=year, town_code=town))
                    for d in DIMENSIONS
                }
                rule = calls.create_task(integrated())
                assets = calls.create_task(funds.assets(token=token, year=year, town_code=town))
                sources = calls.create_task(funds.sources(token=token, year=year))
            return FundsPart(
                execution={d: task.result() for d, task in executions.items()},
                integrated=rule.result(),
                assets=assets.result(),
                sources=sources.result(),
            )

        async def from_registry() -> RegistryPart:
            return RegistryPart(villages=await registry.villages(token=token, town_code=town))

        parts: dict[str, Part[Any]] = {
            "funds": Part("funds", FundsPart, from_funds),
            "registry": Part("registry", RegistryPart, from_registry),
        }
        eligibility, run_id = upstreams.eligibility, self.run_id
        if run_id is not None:

            async def from_eligibility() -> EligibilityPart:
                assert eligibility is not None
                return EligibilityPart(run=await eligibility.run(run_id, token=token))

            fetch = from_eligibility if eligibility is not None else None
            parts["eligibility"] = Part("eligibility", EligibilityPart, fetch)
        return parts

    def build(self, scope: Scope, collected: Collected, generated_at: datetime) -> FundsReport:
        funds = collected.get("funds", FundsPart)
        registry = collected.get("registry", RegistryPart)
        eligibility = collected.get("eligibility", EligibilityPart) if self.run_id else None
        names = {v.code: v.name for v in registry.villages} if registry else {}
        source_names = {s.id: s.name for s in funds.sources} if funds else {}
        rows = [
            Row(
                dimension=d,
                key=r.key,
                label=_label(d, r.key, source_names),
                appropriated=r.appropriated,
                budget=r.budget,
                allocated=r.allocated,
                disbursed=r.disbursed,
                execution_rate=r.execution_rate,
                projects=r.projects,
            )
            for d, e in (funds.execution.items() if funds else ())
            for r in e.rows
        ]
        overall = funds.execution["source"] if funds else None
        totals = Totals(
            allocated=overall.total_allocated if overall else None,
            disbursed=overall.total_disbursed if overall else None,
            execution_rate=overall.execution_rate if overall else None,
            twenty_percent_rule=(
                [TwentyPercent(**y.model_dump()) for y in funds.integrated]
                if funds and funds.integrated is not None
                else None
            ),
            assets=(
                [
                    AssetLine(
                        **a.model_dump(),
                        town_name=town_name(a.town_code),
                        village_name=names.get(a.village_code) if registry else None,
                    )
                    for a in funds.assets
                ]
                if funds
                else None
            ),
            entitlements=_entitlements(eligibility.run) if eligibility else None,
        )
        notes = ["金额单位：元；执行率 = 已支出 ÷ 已分配（均为冲销后净额）。"]
        if scope.level is not AreaLevel.district:
            notes.append("统筹整合涉农资金20%规定按全区考核，乡镇报表不列。")
        return FundsReport(
            **common_fields(self, scope, collected, generated_at), rows=rows, totals=totals,
            notes=notes,
        )  # fmt: skip

    def tabular(self, report: FundsReport) -> Tabular:
        t = report.totals
        headers = ["分组", "代码", "名称", "到位资金", "项目预算", "已分配", "已支出",
                   "执行率(%)", "项目数"]  # fmt: skip
        rows: list[list[Cell]] = [
            [DIMENSION_ZH.get(r.dimension, r.dimension), r.key, r.label, r.appropriated,
             r.budget, r.allocated, r.disbursed, percent(r.execution_rate), r.projects]
            for r in report.rows
        ]  # fmt: skip
        rows.append(["合计", report.area.code, report.area.name, None, None, t.allocated,
                     t.disbursed, percent(t.execution_rate), None])  # fmt: skip
        tables = [Table("资金执行", report.title, headers, rows)]
        if report.area.level == "district":
            rule_headers = ["年度", "资金笔数", "统筹整合资金", "据实结算部分", "考核基数",
                            "应用于扶贫(20%)", "已分配扶贫项目", "已支出", "占比(%)",
                            "是否达标", "差额"]  # fmt: skip
            rule_rows: list[list[Cell]] = [
                [y.year, y.sources, y.amount, y.exempt, y.base, y.required, y.allocated,
                 y.disbursed, percent(y.share), "是" if y.compliant else "否", y.shortfall]
                for y in t.twenty_percent_rule or []
            ]  # fmt: skip
            tables.append(
                Table("20%规定", "统筹整合涉农资金用于扶贫不低于20%", rule_headers, rule_rows)
            )
        asset_headers = ["乡镇(街道)", "行政村", "村代码", "资产数", "资产价值", "资产收益",
                         "已分配收益", "未分配收益", "受益户数", "其中无劳动能力户"]  # fmt: skip
        asset_rows: list[list[Cell]] = [
            [a.town_name, a.village_name, a.village_code, a.assets, a.value, a.income,
             a.distributed, a.undistributed, a.households_paid, a.households_paid_without_labour]
            for a in t.assets or []
        ]  # fmt: skip
        tables.append(Table("资产收益", "扶贫资产及收益分配（分村）", asset_headers, asset_rows))
        if t.entitlements is not None:
            tables += _entitlement_tables(t.entitlements)
        return Tabular(report.title, tables, source_notes(report))


PERIOD_ZH = {"year": "每年", "month": "每月", "once": "一次性"}
UNIT_ZH = {"yuan": "元", "kwh": "千瓦时"}


def _entitlement_tables(e: Entitlements) -> list[Table]:
    summary: list[list[Cell]] = [
        ["测算批次", e.run_id], ["年度", e.year], ["区域", e.area_code], ["状态", e.status],
        ["测算户数", e.households], ["测算人数", e.persons],
        ["享受政策户数", e.targeted_households], ["退出评估户数", e.exit_candidates],
        ["达到退出标准户数", e.exit_passed],
    ]  # fmt: skip
    lines: list[list[Cell]] = [
        [b.code, PERIOD_ZH.get(b.period, b.period), UNIT_ZH.get(b.unit, b.unit), b.amount,
         b.households]
        for b in [*e.by_benefit, *e.totals]
    ]  # fmt: skip
    return [
        Table("政策测算", "政策享受测算（批量测算汇总）", ["项目", "数值"], summary),
        Table("分政策", "分政策享受金额", ["政策", "周期", "单位", "金额", "享受户数"], lines),
    ]


def _label(dimension: str, key: str | None, sources: dict[str, str]) -> str | None:
    if key is None:
        return None
    match dimension:
        case "source":
            return sources.get(key)
        case "level":
            return FUND_LEVEL.get(key, key)
        case "fund_kind":
            return FUND_KIND.get(key, key)
        case "project_kind":
            return PROJECT_KIND.get(key, key)
        case _:
            return town_name(key)


def _entitlements(run: RunRead) -> Entitlements:
    summary = run.summary
    given = summary.entitlements if summary and summary.entitlements else None
    exits = summary.exit if summary else None
    return Entitlements(
        run_id=run.id,
        year=run.year,
        area_code=run.area_code,
        status=run.status,
        finished_at=run.finished_at,
        households=summary.households if summary else run.households_total,
        persons=summary.persons if summary else None,
        targeted_households=given.targeted_households if given else None,
        exit_candidates=exits.candidates if exits else None,
        exit_passed=exits.passed if exits else None,
        by_benefit=[BenefitLine(**b.model_dump()) for b in given.by_benefit] if given else [],
        totals=[BenefitLine(code="合计", households=None, **t.model_dump()) for t in given.totals]
        if given
        else [],
    )
