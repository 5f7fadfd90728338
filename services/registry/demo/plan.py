"""The plan's published figures, read from the CSV copies in `data/`.

Only what the demo reproduces is read; every figure keeps the plan's own name so a test
can compare the generated district with the table it came from.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("data")
PLAN_YEARS = (2016, 2017, 2018)  # the rolling plan's years (专栏2)


def _read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@dataclass(frozen=True, slots=True)
class TownPlan:
    """One town's row of 专栏2: 2015 baseline and the rolling plan of exits."""

    code: str  # 9-digit statistical code
    name: str
    kind: str  # 镇 or 街道
    poor_provincial_2015: int  # persons under the provincial standard (省定标准)
    poor_national_2015: int  # of whom under the national standard (含国标)
    key_villages: int
    key_villages_city: int
    key_villages_provincial: int
    provincial_exited_by_2015: int
    exits: dict[int, int]  # persons exiting per plan year
    exits_2016_national: int
    village_exits: dict[int, int]  # key villages exiting per plan year
    village_exits_provincial: dict[int, int]


def _town(row: dict[str, str]) -> TownPlan:
    n = {k: int(v) for k, v in row.items() if v.isdigit()}
    return TownPlan(
        code=row["code"],
        name=row["town"],
        kind=row["type"],
        poor_provincial_2015=n["poor_population_provincial_2015"],
        poor_national_2015=n["poor_population_national_2015"],
        key_villages=n["key_villages"],
        key_villages_city=n["key_villages_city"],
        key_villages_provincial=n["key_villages_provincial"],
        provincial_exited_by_2015=n["provincial_exited_by_2015"],
        exits={y: n[f"exits_{y}"] for y in PLAN_YEARS},
        exits_2016_national=n["exits_2016_national"],
        village_exits={y: n[f"village_exits_{y}"] for y in PLAN_YEARS},
        village_exits_provincial={y: n[f"village_exits_{y}_provincial"] for y in PLAN_YEARS},
    )


@cache
def towns() -> tuple[TownPlan, ...]:
    """The seven towns in code order."""
    return tuple(sorted((_town(r) for r in _read("towns.csv")), key=lambda t: t.code))


@dataclass(frozen=True, slots=True)
class KeyVillageRow:
    """One designation of 专栏1 (a village designated twice has two rows)."""

    town: str
    village: str
    designation: str  # provincial | city | city_2018 (catalog KEY_VILLAGE_DESIGNATION)
    designated_year: int


@cache
def key_villages() -> tuple[KeyVillageRow, ...]:
    return tuple(
        KeyVillageRow(r["town"], r["village"], r["designation"], int(r["designated_year"]))
        for r in _read("key_villages.csv")
    )


@dataclass(frozen=True, slots=True)
class CauseFigure:
    """One line of 第一章's causes: households and persons whose main cause it is."""

    label: str
    households: int
    persons: int


@cache
def causes_2015() -> tuple[CauseFigure, ...]:
    return tuple(
        CauseFigure(r["cause"], int(r["households"]), int(r["persons"]))
        for r in _read("poverty_causes_2015.csv")
    )


@cache
def facts() -> dict[str, Decimal]:
    """district_facts.csv: fact name -> value."""
    return {r["fact"]: Decimal(r["value"]) for r in _read("district_facts.csv")}


@cache
def indicator_2015(indicator: str) -> Decimal:
    """A 2015 value of 专栏3 by its Chinese indicator name."""
    for r in _read("indicators.csv"):
        if r["indicator"] == indicator:
            return Decimal(r["value_2015"])
    raise KeyError(indicator)
