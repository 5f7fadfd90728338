"""Who a report is for and what it covers: the caller's area, or a town inside it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from services.reporting.plan import DISTRICT_NAME, town_name
from services.reporting.reports.common import Area, PlannedActual
from services.reporting.tables import Cell
from shared.auth import AreaLevel, Principal
from shared.errors import NotFound

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Scope:
    principal: Principal
    token: str  # the caller's own token, passed through so upstream scoping applies
    area: Area
    town_code: str | None  # a town asked for inside the caller's area (sent upstream)
    year: int | None

    @property
    def level(self) -> AreaLevel:
        return AreaLevel(self.area.level)

    @property
    def params(self) -> str:
        """The parameters that change a report's answer (part of its snapshot key)."""
        return f"town_code={self.town_code or ''}&year={self.year or ''}"


def scope_for(
    principal: Principal, token: str, *, town_code: str | None, year: int | None
) -> Scope:
    """The caller's area, narrowed to `town_code`; a town outside it does not exist for them."""
    if town_code is not None:
        if principal.level is AreaLevel.village or not principal.covers(town_code):
            raise NotFound(f"no town {town_code} in your area")
        if principal.level is AreaLevel.town:
            town_code = None  # their own town: the same report as without the parameter
    code = town_code or principal.area_code
    level = AreaLevel.town if town_code else principal.level
    name = {
        AreaLevel.district: DISTRICT_NAME,
        AreaLevel.town: town_name(code),
        AreaLevel.village: None,  # filled from the registry's answer when there is one
    }[level]
    return Scope(principal, token, Area(code=code, level=level.value, name=name), town_code, year)


def pa_headers(label: str) -> list[str]:
    return [f"{label}(计划)", f"{label}(实际)"]


def pa_cells(value: PlannedActual | None) -> list[Cell]:
    if value is None:
        return [None, None]
    return [value.planned, value.actual]


def expand(
    columns: Sequence[tuple[str, Callable[[T], PlannedActual | None]]], row: T
) -> list[Cell]:
    cells: list[Cell] = []
    for _, get in columns:
        cells += pa_cells(get(row))
    return cells
