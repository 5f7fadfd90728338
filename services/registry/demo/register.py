"""Who is registered where, why, and when they exit: the demo's household plan.

Reading of the rolling plan (专栏2). Each town's exits of 2016–2018 are persons. The
2016 exits include every national-standard person (含国标 equals the 2016 national exits
in every town), so the national-standard households are a subset of 2016's exits. The
2015 baseline then fills the years in order: 2016 first, then 2017, then 2018.
- Where a town's three years exit more people than its baseline (底阁, 峨山, 吴林, 榴园,
  古邵; 17 118 against 16 661 district-wide), the difference is people registered after
  2015 by dynamic adjustment (动态调整: "新增贫困人口或返贫人口要及时纳入扶贫范围",
  第二章第四节二). They are new households with 识别年度 2016 when they exit in 2017 and
  2017 when they exit in 2018, filling what the baseline leaves of those years.
- Where a town's exits fall short of its baseline (坛山 66, 阴平 244 persons), those
  people have not exited by the end of 2018: "2018年，对农村剩余贫困人口，实行兜底保障"
  (第二章第三节二), so they stay registered as 低保 households under the backstop (兜底),
  drawn from causes that need one (illness, disability, lack of labour).
The 2015 causes (第一章) apply to the baseline only. 因病因残 is split into illness and
disability by 专栏3's 因病致贫返贫率 74.21 %, read as a share of the 9 743 households.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace

from services.registry.demo.model import KeyDesignation, Village
from services.registry.demo.people import ELDERLY_CAUSES
from services.registry.demo.plan import PLAN_YEARS, TownPlan, causes_2015, facts, indicator_2015

BASELINE_YEAR = 2015
MAX_SIZE = 6
# Causes outside 第一章's four lines ("the remainder"), with weights for the demo.
OTHER_CAUSES = {
    "education": 30, "lack_motivation": 15, "other": 15, "disaster": 10, "lack_land": 10,
    "poor_transport": 5, "lack_water": 5, "marriage": 5, "funeral": 5,
}  # fmt: skip
# Causes of households registered after 2015: the baseline's mix, roughly.
NEW_CAUSES = {
    "illness": 55, "disability": 10, "lack_funds": 10, "lack_labour": 8, "lack_skills": 6,
    "education": 5, "disaster": 3, "lack_motivation": 3,
}  # fmt: skip
_LABELS = {"缺资金": "lack_funds", "缺劳动力": "lack_labour", "缺技术": "lack_skills"}
KEY_VILLAGE_EXIT_INCIDENCE = 0.02  # RULES.md §4: below 2 % to exit
MAX_INCIDENCE = 0.2  # no generated village above 20 % registered poor


@dataclass(frozen=True, slots=True)
class HouseholdPlan:
    town: TownPlan
    main_cause: str
    size: int
    identification_standard: str  # national | provincial
    identification_year: int
    exit_year: int | None  # None: still registered under the backstop at the data year
    village: Village | None = None


def _sizes(rng: random.Random, households: int, persons: int) -> list[int]:
    """`households` sizes summing to `persons`: ones, plus extra people spread at random."""
    sizes = [1] * households
    for _ in range(persons - households):
        i = rng.randrange(households)
        while sizes[i] >= MAX_SIZE:
            i = rng.randrange(households)
        sizes[i] += 1
    return sizes


def baseline_households(rng: random.Random) -> list[tuple[str, int]]:
    """(main cause, size) of the 9 743 households of 2015, matching 第一章's causes."""
    f = facts()
    total_h = int(f["poor_households_provincial_standard_2015"])
    total_p = int(f["poor_persons_provincial_standard_2015"])
    rate = indicator_2015("建档立卡贫困户因病致贫返贫率") / 100
    out: list[tuple[str, int]] = []
    for figure in causes_2015():
        if figure.label == "因病因残":
            ill_h = round(total_h * rate)
            ill_p = round(figure.persons * ill_h / figure.households)
            parts = [("illness", ill_h, ill_p)]
            parts.append(("disability", figure.households - ill_h, figure.persons - ill_p))
        else:
            parts = [(_LABELS[figure.label], figure.households, figure.persons)]
        for cause, h, p in parts:
            out += [(cause, size) for size in _sizes(rng, h, p)]
    rest_h, rest_p = total_h - len(out), total_p - sum(s for _, s in out)
    for size in _sizes(rng, rest_h, rest_p):
        choices = {c: w for c, w in OTHER_CAUSES.items() if size > 1 or c != "education"}
        out.append((rng.choices(list(choices), list(choices.values()))[0], size))
    return out


@dataclass(frozen=True, slots=True)
class Cell:
    """A group of a town's people sharing standard, identification and exit year."""

    town: TownPlan
    standard: str
    identification_year: int
    exit_year: int | None
    persons: int


def town_cells(town: TownPlan) -> tuple[list[Cell], list[Cell]]:
    """(baseline cells, cells of people registered after 2015) of one town."""
    if town.poor_national_2015 != town.exits_2016_national:
        raise ValueError(f"{town.name}: national-standard poor do not all exit in 2016")
    base = [Cell(town, "national", BASELINE_YEAR, 2016, town.poor_national_2015)]
    left = town.poor_provincial_2015 - town.poor_national_2015
    new = []
    for year in PLAN_YEARS:
        target = town.exits[year] - (town.exits_2016_national if year == 2016 else 0)
        take = min(left, target)
        base.append(Cell(town, "provincial", BASELINE_YEAR, year, take))
        left -= take
        if target > take:
            if year == BASELINE_YEAR + 1:
                raise ValueError(f"{town.name}: 2016 exits exceed the baseline")
            new.append(Cell(town, "provincial", year - 1, year, target - take))
    base.append(Cell(town, "provincial", BASELINE_YEAR, None, left))
    return [c for c in base if c.persons], new


def pack(
    rng: random.Random, households: list[tuple[str, int]], cells: Sequence[Cell]
) -> list[HouseholdPlan]:
    """Deal households into cells so that each cell's persons are exact.

    Backstop cells go first and take causes that need a backstop. Every cell but the last
    draws households at random among those that still fit, so sizes are used up evenly and
    one-person households (the most common) last to the end; the last cell takes the rest,
    exact because the cells add up to the baseline.
    """
    pool = households[:]
    plans: list[HouseholdPlan] = []
    ordered = sorted(cells, key=lambda c: c.exit_year is not None)  # backstop cells first
    for cell in ordered[:-1]:
        need = cell.persons
        while need:
            i = _draw(rng, pool, need, backstop=cell.exit_year is None)
            cause, size = pool[i]
            pool[i] = pool[-1]  # swap-remove: order does not matter, draws are random
            pool.pop()
            plans.append(_plan(cell, cause, size))
            need -= size
    last = ordered[-1]
    if sum(size for _, size in pool) != last.persons:
        raise AssertionError("the baseline cells do not add up to the baseline")
    plans += [_plan(last, cause, size) for cause, size in pool]
    return plans


def _plan(cell: Cell, cause: str, size: int) -> HouseholdPlan:
    return HouseholdPlan(
        cell.town, cause, size, cell.standard, cell.identification_year, cell.exit_year
    )


def _draw(rng: random.Random, pool: list[tuple[str, int]], need: int, *, backstop: bool) -> int:
    def fits(i: int) -> bool:
        cause, size = pool[i]
        return size <= need and (not backstop or cause in ELDERLY_CAUSES)

    for _ in range(200):
        i = rng.randrange(len(pool))
        if fits(i):
            return i
    return next(i for i in range(len(pool)) if fits(i))  # StopIteration: cannot happen here


def new_households(rng: random.Random, cell: Cell) -> list[HouseholdPlan]:
    """Households registered after 2015 whose persons are exactly the cell's."""
    plans = []
    need = cell.persons
    while need:
        size = min(need, rng.choices((1, 2, 3, 4), (45, 35, 15, 5))[0])
        causes = {c: w for c, w in NEW_CAUSES.items() if size > 1 or c != "education"}
        plans.append(_plan(cell, rng.choices(list(causes), list(causes.values()))[0], size))
        need -= size
    return plans


def assign_villages(
    rng: random.Random,
    plans: list[HouseholdPlan],
    villages: Sequence[Village],
    designations: Sequence[KeyDesignation],
    population: dict[str, int],
) -> list[HouseholdPlan]:
    """Put each household in a village of its town, keeping key-village exits honest.

    A key village that exits in year Y must then have fewer than 2 % of its rural
    population still poor (RULES.md §4), so a household still poor after Y goes there
    only while that holds. Key villages draw more of the poor, as their designation
    says they had; the 2018 designations draw more of the newly registered.
    """
    exits: dict[str, list[int]] = {}
    for d in designations:
        if d.exit_year is not None:
            exits.setdefault(d.village_code, []).append(d.exit_year)
    by_town: dict[str, list[Village]] = {}
    for v in villages:
        by_town.setdefault(v.town_code, []).append(v)
    designated_2018 = {d.village_code for d in designations if d.designation == "city_2018"}
    still_key = {c for c, years in exits.items() if max(years) > BASELINE_YEAR}
    late: dict[tuple[str, int], int] = {}  # (village, exit year) -> persons still poor
    load: dict[str, int] = {}  # village -> baseline persons
    placed: list[HouseholdPlan | None] = [None] * len(plans)
    order = list(range(len(plans)))
    rng.shuffle(order)  # so no cell fills the capped villages before the others
    for i in order:
        plan = plans[i]
        new = plan.identification_year > BASELINE_YEAR
        candidates: list[tuple[Village, list[int]]] = []
        weights: list[float] = []
        for v in by_town[plan.town.code]:
            if not new and load.get(v.code, 0) + plan.size > MAX_INCIDENCE * population[v.code]:
                continue
            counted = [
                y for y in exits.get(v.code, ())
                if plan.identification_year <= y and (plan.exit_year or 9999) > y
            ]  # fmt: skip
            cap = KEY_VILLAGE_EXIT_INCIDENCE * population[v.code]
            if any(late.get((v.code, y), 0) + plan.size >= cap for y in counted):
                continue
            candidates.append((v, counted))
            weights.append(
                4.0 if new and v.code in designated_2018 else 3.0 if v.code in still_key else 1.0
            )
        if not candidates:
            raise AssertionError(f"no village of {plan.town.name} can take another household")
        village, counted = rng.choices(candidates, weights)[0]
        for y in counted:
            late[(village.code, y)] = late.get((village.code, y), 0) + plan.size
        if not new:
            load[village.code] = load.get(village.code, 0) + plan.size
        placed[i] = replace(plan, village=village)
    return [p for p in placed if p is not None]
