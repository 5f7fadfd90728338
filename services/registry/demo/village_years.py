"""Yearly village records from 2015 to the data year.

What comes from the plan:
- Registered poor households and persons are counted from the generated households
  (registered by the year and not exited by its end), so 2015 gives 9 743 / 16 661 and,
  with the rural population of `areas`, the plan's 4.05 % incidence.
- Rural 低保 recipients add up to 14 813 in 2015 (第一章第一节四); later years add the 低保
  members of households registered since. The plan gives no later total.
- The 40 provincial key villages reproduce 专栏3's 2015 indicators (hardened road, power
  and cable TV 100 %, bus 60 %, tap water 98 %); the missing services go to the villages
  still to exit first. The 6 of the 16 without a bus that had already exited in 十二五
  show that those exits were assessed before the 十三五 exit test (RULES.md §4 reading).
- Every key village has road, bus, power, tap water, cable TV and collective income in
  its exit year, and no collective income before it ("一无", 第二章第四节一（三）); the
  2018 designations have none in 2018.
- 83 first secretaries (27 city, 56 district, 2017, 第一章第一节二) sit in every named key
  village and the 28 generated villages with the highest 2015 incidence, in every year
  (the plan gives 2017's count only).
Everything else (incomes, services of other villages) is drawn, key villages weaker.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from services.registry.demo.areas import Areas
from services.registry.demo.model import KeyDesignation, VillageYear
from services.registry.demo.plan import facts, indicator_2015
from services.registry.demo.register import BASELINE_YEAR
from services.registry.exchange.records import ExchangeHousehold

FIRST_SECRETARIES = 27 + 56
EXIT_SERVICES = ("hardened_road", "bus", "power", "tap_water", "cable_tv")
_PROVINCIAL_2015 = {
    "hardened_road": "省定扶贫工作重点村通硬化路率",
    "bus": "省定扶贫工作重点村通客运班车率",
    "power": "省定扶贫工作重点村农村电网覆盖率",
    "tap_water": "省定扶贫工作重点村通水率",
    "cable_tv": "省定扶贫工作重点村通有线电视率",
}
# Share of ordinary villages with the service in 2015; road and power reached all
# ("实现村村通", 第一章第一节三).
_SHARE_2015 = {
    "hardened_road": 1.0, "power": 1.0, "bus": 0.8, "tap_water": 0.9, "cable_tv": 0.95,
    "broadband": 0.5, "clinic": 0.9,
}  # fmt: skip
_GAIN_PER_YEAR = 0.35  # chance that a missing service arrives in a given later year


def _first_years(
    rng: random.Random, years: range, areas: Areas, exits: dict[str, list[int]]
) -> dict[tuple[str, str], int | None]:
    """(village, service) -> first year the village has the service (None: not yet)."""
    key = {d.village_code for d in areas.designations}
    first: dict[tuple[str, str], int | None] = {}
    for v in areas.villages:
        for service, share in _SHARE_2015.items():
            if v.code in key and share < 1.0:
                share *= 0.7  # key villages are the weaker ones
            year: int | None = years[0]
            if rng.random() >= share:
                year = next((y for y in years[1:] if rng.random() < _GAIN_PER_YEAR), None)
            plan_exits = [y for y in exits.get(v.code, ()) if y > BASELINE_YEAR]
            if service in EXIT_SERVICES and plan_exits:
                year = min(year or years[-1], min(plan_exits))
            first[(v.code, service)] = year
    provincial = [d for d in areas.designations if d.designation == "provincial"]
    # Latest exits first: a village still to exit is the one still short of services.
    provincial.sort(key=lambda d: (-(d.exit_year or 9999), rng.random()))
    for service, indicator in _PROVINCIAL_2015.items():
        n = len(provincial)
        share_2015 = indicator_2015(indicator) / 100
        missing = n - int((n * share_2015).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        for i, d in enumerate(provincial):
            exit_year = d.exit_year or years[-1]
            gained = exit_year if exit_year > BASELINE_YEAR else BASELINE_YEAR + 1
            first[(d.village_code, service)] = gained if i < missing else BASELINE_YEAR
    return first


def village_years(
    rng: random.Random, areas: Areas, households: Sequence[ExchangeHousehold], data_year: int
) -> tuple[VillageYear, ...]:
    years = range(BASELINE_YEAR, data_year + 1)
    exits: dict[str, list[int]] = {}
    for d in areas.designations:
        if d.exit_year is not None:
            exits.setdefault(d.village_code, []).append(d.exit_year)
    counts = _counts(households, years)
    registered_dibao = {c: counts.get((c, "dibao_registered_2015"), 0) for c in areas.population}
    dibao_2015 = _spread(
        int(facts()["dibao_recipients_rural_2015"]), registered_dibao, areas.population
    )
    first = _first_years(rng, years, areas, exits)
    secretaries = _first_secretaries(areas, counts)
    records = []
    for v in areas.villages:
        rural = areas.population[v.code]
        others = rng.uniform(0.2, 0.6) if v.kind == "居" else rng.uniform(0.02, 0.12)
        total = rural + round(rural * others)
        households_total = round(total / rng.uniform(2.8, 3.4))
        mine = [d for d in areas.designations if d.village_code == v.code]
        weak = any(d.designated_year == BASELINE_YEAR - 1 for d in mine)  # "一低" in 2014
        income = rng.uniform(6000, 7600) if weak else rng.uniform(9000, 14000)
        collective = rng.uniform(20_000, 80_000) if mine else rng.uniform(10_000, 300_000)
        no_collective = not mine and rng.random() < 0.15
        extra_tekun = rng.randint(0, 3)
        doctor = rng.random() < 0.9
        for y in years:
            has = {s: (f := first[(v.code, s)]) is not None and f <= y for s in _SHARE_2015}
            no_income = no_collective or _without_collective_income(mine, y)
            records.append(
                VillageYear(
                    village_code=v.code,
                    year=y,
                    households=households_total,
                    population=total,
                    rural_population=rural,
                    poor_households=counts.get((v.code, f"households_{y}"), 0),
                    poor_persons=counts.get((v.code, f"persons_{y}"), 0),
                    dibao_persons=dibao_2015[v.code] + counts.get((v.code, f"dibao_new_{y}"), 0),
                    tekun_persons=counts.get((v.code, f"tekun_{y}"), 0) + extra_tekun,
                    per_capita_net_income=_yuan(income * 1.075 ** (y - BASELINE_YEAR)),
                    collective_income=(
                        Decimal("0.00")
                        if no_income
                        else _yuan(collective * 1.08 ** (y - BASELINE_YEAR))
                    ),
                    hardened_road=has["hardened_road"],
                    bus=has["bus"],
                    power=has["power"],
                    tap_water=has["tap_water"],
                    cable_tv=has["cable_tv"],
                    broadband=has["broadband"],
                    clinic=has["clinic"],
                    licensed_doctor=has["clinic"] and doctor,
                    first_secretary=v.code in secretaries,
                    work_team=any(
                        d.designated_year <= y and (d.exit_year is None or d.exit_year >= y)
                        for d in mine
                    ),
                )
            )
    return tuple(records)


def _counts(households: Sequence[ExchangeHousehold], years: range) -> dict[tuple[str, str], int]:
    """(village, what) -> count: poor households and persons, 低保 and 特困 members."""
    counts: dict[tuple[str, str], int] = {}

    def add(code: str, what: str, n: int) -> None:
        counts[(code, what)] = counts.get((code, what), 0) + n

    for h in households:
        code, registered = h.village_code or "", h.identification_year or BASELINE_YEAR
        n_dibao = sum(1 for m in h.members if m.dibao)
        if registered <= BASELINE_YEAR:
            add(code, "dibao_registered_2015", n_dibao)
        for y in years:
            if registered > y:
                continue
            if h.exit_year is None or h.exit_year > y:
                add(code, f"households_{y}", 1)
                add(code, f"persons_{y}", h.size)
            if registered > BASELINE_YEAR:
                add(code, f"dibao_new_{y}", n_dibao)  # on top of 2015's recipients
            add(code, f"tekun_{y}", sum(1 for m in h.members if m.tekun))
    return counts


def _without_collective_income(mine: Sequence[KeyDesignation], year: int) -> bool:
    """A key village has no collective income until it exits; a 2018 designation in 2018."""
    for d in mine:
        if d.designation == "city_2018" and year >= d.designated_year:
            return True
        if d.designation != "city_2018" and d.exit_year is not None and year < d.exit_year:
            return True
    return False


def _yuan(amount: float) -> Decimal:
    return Decimal(round(amount)).quantize(Decimal("0.01"))


def _spread(total: int, base: dict[str, int], weight: dict[str, int]) -> dict[str, int]:
    """`base` per village plus the rest of `total` in proportion to `weight`, exactly."""
    rest = total - sum(base.values())
    if rest < 0:
        raise AssertionError("more registered 低保 members than the district's recipients")
    all_weight = sum(weight.values())
    shares = {c: rest * w / all_weight for c, w in weight.items()}
    out = {c: base.get(c, 0) + int(s) for c, s in shares.items()}
    short = total - sum(out.values())
    for c in sorted(shares, key=lambda c: (-(shares[c] - int(shares[c])), c))[:short]:
        out[c] += 1
    return out


def _first_secretaries(areas: Areas, counts: dict[tuple[str, str], int]) -> set[str]:
    named = {v.code for v in areas.villages if not v.name_generated}
    others = sorted(
        (v.code for v in areas.villages if v.name_generated),
        key=lambda c: (-counts.get((c, f"persons_{BASELINE_YEAR}"), 0) / areas.population[c], c),
    )
    return named | set(others[: FIRST_SECRETARIES - len(named)])
