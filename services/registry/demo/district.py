"""The demo district: generate it, and write its households as an exchange file.

Deterministic: everything is drawn from one `random.Random(seed)` in a fixed order and
nothing iterates over a set, so the same seed gives the same district and the same bytes.
The households describe the data year 2018, the end of the rolling plan (专栏2): exits of
2016–2018 have happened and the policies of exited households continue (status 1).
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterable, Iterator
from typing import Literal

from services.registry.demo.areas import build_areas
from services.registry.demo.build import HouseholdSpec, build_household, clone_household
from services.registry.demo.model import DemoDistrict, Village
from services.registry.demo.people import IdAllocator
from services.registry.demo.plan import towns
from services.registry.demo.register import (
    BASELINE_YEAR,
    HouseholdPlan,
    assign_villages,
    baseline_households,
    new_households,
    pack,
    town_cells,
)
from services.registry.demo.village_years import village_years
from services.registry.exchange.formats import iter_csv, write_xlsx
from services.registry.exchange.layouts import LAYOUTS, format_rows
from services.registry.exchange.records import ExchangeHousehold

DEFAULT_SEED = 370404
DATA_YEAR = 2018


def generate_district(seed: int = DEFAULT_SEED) -> DemoDistrict:
    # Reproducible, not secret: the same seed must give the same district.
    rng = random.Random(seed)  # noqa: S311
    areas = build_areas(rng)
    base_cells, new_cells = [], []
    for town in towns():
        base, new = town_cells(town)
        base_cells += base
        new_cells += new
    plans = pack(rng, baseline_households(rng), base_cells)
    for cell in new_cells:
        plans += new_households(rng, cell)
    plans = assign_villages(rng, plans, areas.villages, areas.designations, areas.population)
    # Files list households village by village, as the national export does.
    plans.sort(key=lambda p: p.village.code if p.village else "")
    ids = IdAllocator()
    serials: dict[str, int] = {}
    households = tuple(build_household(rng, ids, _spec(plan, serials), DATA_YEAR) for plan in plans)
    return DemoDistrict(
        seed=seed,
        data_year=DATA_YEAR,
        towns=areas.towns,
        villages=areas.villages,
        key_designations=areas.designations,
        village_years=village_years(rng, areas, households, DATA_YEAR),
        households=households,
    )


def _spec(plan: HouseholdPlan, serials: dict[str, int]) -> HouseholdSpec:
    assert plan.village is not None, "households are placed before they are built"
    return HouseholdSpec(
        town=plan.town.name,
        village=plan.village,
        main_cause=plan.main_cause,
        size=plan.size,
        identification_standard=plan.identification_standard,
        identification_year=plan.identification_year,
        exit_year=plan.exit_year,
        number=_number(plan.village, serials),
    )


def _number(village: Village, serials: dict[str, int]) -> str:
    """户编号: opaque in the national system; here H + village code + serial, unique."""
    serials[village.code] = serials.get(village.code, 0) + 1
    return f"H{village.code}{serials[village.code]:05d}"


# The 2015 mix of main causes (第一章), for households that need not add up to the plan.
_CAUSE_MIX = {
    "illness": 7230, "disability": 1036, "lack_funds": 558, "lack_labour": 528,
    "lack_skills": 190, "education": 60, "lack_motivation": 30, "other": 30, "disaster": 20,
    "lack_land": 20, "poor_transport": 11, "lack_water": 10, "marriage": 10, "funeral": 10,
}  # fmt: skip


def generate_households(
    n: int, seed: int = DEFAULT_SEED, *, pool_size: int = 2000
) -> Iterator[ExchangeHousehold]:
    """`n` valid households spread over the demo's villages, lazily (for benchmarks).

    The first `pool_size` are generated in full; the rest are clones of them with their
    own village, numbers, names, birth days and ID numbers (`clone_household`), which
    keeps a 100 000-household file to seconds. They follow the demo's rules of
    construction but no plan total. Memory grows with the pool, not with `n`.
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not a secret
    villages = build_areas(random.Random(seed)).villages  # noqa: S311 - the district's villages
    town_names = {t.code: t.name for t in towns()}
    causes, cause_weights = list(_CAUSE_MIX), list(_CAUSE_MIX.values())
    ids = IdAllocator()
    serials: dict[str, int] = {}
    pool: list[ExchangeHousehold] = []
    for _ in range(n):
        village = rng.choice(villages)
        town, number = town_names[village.town_code], _number(village, serials)
        if len(pool) >= pool_size:
            template = rng.choice(pool)
            yield clone_household(rng, ids, template, village, town, number, DATA_YEAR)
            continue
        cause = rng.choices(causes, cause_weights)[0]
        size = rng.choices((1, 2, 3, 4, 5, 6), (45, 33, 14, 5, 2, 1))[0]
        exit_year = rng.choices((2016, 2017, 2018, None), (70, 20, 7, 3))[0]
        spec = HouseholdSpec(
            town=town,
            village=village,
            main_cause=cause,
            size=max(size, 2) if cause == "education" else size,
            identification_standard="national" if rng.random() < 0.3 else "provincial",
            identification_year=BASELINE_YEAR if exit_year in (None, 2016) else exit_year - 1,
            exit_year=exit_year,
            number=number,
        )
        pool.append(build_household(rng, ids, spec, DATA_YEAR))
        yield pool[-1]


def write_households(
    households: Iterable[ExchangeHousehold],
    path: str | os.PathLike[str],
    *,
    layout: Literal["national", "full"] = "full",
    fmt: Literal["csv", "xlsx"] = "csv",
    encoding: str = "utf-8-sig",
) -> None:
    """Stream households to an exchange file; `encoding` applies to CSV only."""
    chosen = LAYOUTS[layout]
    rows = format_rows(households, chosen)
    if fmt == "xlsx":
        write_xlsx(chosen.headers, rows, path)
        return
    with open(path, "wb") as f:
        for chunk in iter_csv(chosen.headers, rows, encoding=encoding):
            f.write(chunk)


def write_flat_file(
    district: DemoDistrict,
    path: str | os.PathLike[str],
    layout: Literal["national", "full"] = "full",
    fmt: Literal["csv", "xlsx"] = "csv",
    *,
    encoding: str = "utf-8-sig",
) -> None:
    """The district's households as 贫困人口明细, one row per person."""
    write_households(district.households, path, layout=layout, fmt=fmt, encoding=encoding)
