"""Running a report: ask its upstreams (concurrently, with deadlines and snapshots), build
its rows, and answer it as JSON, CSV or XLSX."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from fastapi import Response
from fastapi.responses import JSONResponse

from services.reporting.reports.base import ReportSpec
from services.reporting.reports.common import Report
from services.reporting.reports.scope import Scope
from services.reporting.sources import Ask, Collector
from services.reporting.tables import to_csv, to_xlsx
from services.reporting.upstreams import Upstreams

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Format(StrEnum):
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


class ReportService:
    def __init__(self, upstreams: Upstreams, collector: Collector) -> None:
        self.upstreams = upstreams
        self.collector = collector

    async def run(self, spec: ReportSpec[Any], scope: Scope) -> Report[Any, Any]:
        ask = Ask(spec.name, scope.principal, scope.area.code, scope.params + spec.extra_params())
        collected = await self.collector.collect(ask, spec.parts(scope, self.upstreams))
        report: Report[Any, Any] = spec.build(scope, collected, datetime.now(UTC))
        return report

    async def answer(self, spec: ReportSpec[Any], scope: Scope, fmt: Format) -> Response:
        return render(spec, await self.run(spec, scope), fmt)


def render(spec: ReportSpec[Any], report: Report[Any, Any], fmt: Format) -> Response:
    """The report in the format asked; a partial report is still a 200, and says so."""
    headers = {"X-Report-Partial": "true" if report.partial else "false"}
    if fmt is Format.json:
        return JSONResponse(report.model_dump(mode="json"), headers=headers)
    name = f"{spec.file_stem}_{report.area.code}"
    if report.year is not None:
        name += f"_{report.year}"
    name += f".{fmt.value}"
    headers["Content-Disposition"] = (
        f"attachment; filename=\"{spec.name}.{fmt.value}\"; filename*=UTF-8''{quote(name)}"
    )
    tabular = spec.tabular(report)
    if fmt is Format.csv:
        return Response(to_csv(tabular), media_type="text/csv; charset=utf-8", headers=headers)
    return Response(to_xlsx(tabular), media_type=XLSX, headers=headers)
