"""The shape of a report module: its upstream parts, how it builds rows from them, and
how it lays them out as tables."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar

from services.reporting.labels import UPSTREAM
from services.reporting.reports.common import Report, SourceState
from services.reporting.reports.scope import Scope
from services.reporting.sources import Collected, Part
from services.reporting.tables import Tabular
from services.reporting.upstreams import Upstreams

R = TypeVar("R", bound=Report[Any, Any])


class ReportSpec(ABC, Generic[R]):
    name: ClassVar[str]
    title: ClassVar[str]
    file_stem: ClassVar[str]  # the download's file name, without extension

    def extra_params(self) -> str:
        """Parameters of this report beyond the scope's (part of its snapshot key)."""
        return ""

    @abstractmethod
    def parts(self, scope: Scope, upstreams: Upstreams) -> dict[str, Part[Any]]:
        """What to ask each upstream (the keys name the upstreams in `sources`)."""

    @abstractmethod
    def build(self, scope: Scope, collected: Collected, generated_at: datetime) -> R:
        """Rows and totals; a figure whose upstream is missing is None."""

    @abstractmethod
    def tabular(self, report: R) -> Tabular:
        """The report as tables with Chinese headers."""


def common_fields(
    spec: ReportSpec[Any], scope: Scope, collected: Collected, generated_at: datetime
) -> dict[str, Any]:
    """The envelope's fields every report fills the same way."""
    return {
        "report": spec.name,
        "title": spec.title,
        "area": scope.area,
        "year": scope.year,
        "generated_at": generated_at,
        "partial": collected.partial,
        "sources": collected.sources,
    }


def source_notes(report: Report[Any, Any]) -> list[str]:
    """Note rows for the tables: the area, when, and each upstream's state."""
    area = report.area.name or report.area.code
    notes = [
        f"{report.title}；区域：{area}（{report.area.code}）；生成时间：{report.generated_at:%Y-%m-%d %H:%M:%S %Z}"
    ]
    for name, status in report.sources.items():
        who = UPSTREAM.get(name, name)
        if status.state is SourceState.fresh:
            notes.append(f"{who}：实时数据")
        elif status.state is SourceState.cached:
            notes.append(
                f"{who}暂不可用，相关数字为{status.age_seconds:.0f}秒前的缓存（{status.error}）"
            )
        else:
            notes.append(f"{who}数据缺失，相关数字留空（不是0）：{status.error}")
    return notes + list(report.notes)
