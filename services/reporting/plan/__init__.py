"""The plan's published figures, the reports' "planned" side.

`data/` holds copies of the plan's own tables (专栏2 per town and for the district, 专栏3,
第一章's causes, district facts), so the service needs nothing but itself at run time. These
are the plan's figures, never the data's: the data comes from the services.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("data")
DISTRICT_CODE = "370404"
DISTRICT_NAME = "峄城区"
PLAN_YEARS = (2016, 2017, 2018)  # the rolling plan's years (专栏2)
BASELINE_YEAR = 2015


def _read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@dataclass(frozen=True, slots=True)
class RollingPlan:
    """One row of 专栏2: a town's, or the district's."""

    code: str
    name: str
    poor_provincial_2015: int
    poor_national_2015: int
    key_villages: int
    key_villages_city: int
    key_villages_provincial: int
    provincial_exited_by_2015: int
    provincial_remaining: int
    exits: dict[int, int]  # persons, per plan year
    exits_2016_national: int
    village_exits: dict[int, int]
    village_exits_provincial: dict[int, int]
    village_exits_total: int
    village_exits_total_provincial: int


def _plan(code: str, name: str, row: dict[str, str]) -> RollingPlan:
    n = {k: int(v) for k, v in row.items() if v.isdigit() and k != "code"}
    return RollingPlan(
        code=code,
        name=name,
        poor_provincial_2015=n["poor_population_provincial_2015"],
        poor_national_2015=n["poor_population_national_2015"],
        key_villages=n["key_villages"],
        key_villages_city=n["key_villages_city"],
        key_villages_provincial=n["key_villages_provincial"],
        provincial_exited_by_2015=n["provincial_exited_by_2015"],
        provincial_remaining=n["provincial_remaining"],
        exits={y: n[f"exits_{y}"] for y in PLAN_YEARS},
        exits_2016_national=n["exits_2016_national"],
        village_exits={y: n[f"village_exits_{y}"] for y in PLAN_YEARS},
        village_exits_provincial={y: n[f"village_exits_{y}_provincial"] for y in PLAN_YEARS},
        village_exits_total=n["village_exits_total"],
        village_exits_total_provincial=n["village_exits_total_provincial"],
    )


@cache
def town_plans() -> dict[str, RollingPlan]:
    """专栏2's town rows by town code, in code order."""
    rows = sorted(_read("towns.csv"), key=lambda r: r["code"])
    return {r["code"]: _plan(r["code"], r["town"], r) for r in rows}


@cache
def district_plan() -> RollingPlan:
    """专栏2's 全区 row, as published (not the sum of the towns: see RULES.md §8 notes)."""
    return _plan(DISTRICT_CODE, DISTRICT_NAME, _read("district_totals.csv")[0])


def town_name(code: str) -> str | None:
    plan = town_plans().get(code)
    return plan.name if plan else None


@dataclass(frozen=True, slots=True)
class PublishedCause:
    """A line of 第一章's causes of 2015 and the register's causes it groups."""

    label: str
    causes: tuple[str, ...]
    households: int
    persons: int
    share_of_persons_percent: Decimal  # as published


# The register's codes behind each published line (因病因残 is illness and disability).
_CAUSE_GROUPS = {
    "因病因残": ("illness", "disability"),
    "缺资金": ("lack_funds",),
    "缺劳动力": ("lack_labour",),
    "缺技术": ("lack_skills",),
}


@cache
def published_causes() -> tuple[PublishedCause, ...]:
    return tuple(
        PublishedCause(
            r["cause"],
            _CAUSE_GROUPS[r["cause"]],
            int(r["households"]),
            int(r["persons"]),
            Decimal(r["share_of_persons_percent_as_published"]),
        )
        for r in _read("poverty_causes_2015.csv")
    )


@dataclass(frozen=True, slots=True)
class Indicator:
    """A line of 专栏3."""

    category: str
    name: str
    unit: str
    value_2015: str
    target_2020: str
    kind: str  # 约束性 / 预期性
    source_department: str


@cache
def indicators() -> tuple[Indicator, ...]:
    return tuple(
        Indicator(
            r["category"],
            r["indicator"],
            r["unit"],
            r["value_2015"],
            r["target_2020"],
            r["kind"],
            r["source_department"],
        )
        for r in _read("indicators.csv")
    )


@cache
def facts() -> dict[str, Decimal]:
    return {r["fact"]: Decimal(r["value"]) for r in _read("district_facts.csv")}
