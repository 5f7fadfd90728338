"""Towns, villages and key-village designations of the demo district.

The plan names 55 villages (专栏1); the other 290 of the 345 administrative villages
(第二章第四节一（三）) get generated names, and all 345 get generated codes (the real ones
were not found), both marked as generated. How many villages each town has is not in the
plan either: `VILLAGES_PER_TOWN` is the demo's assumption.

Codes follow the statistical convention for the last three digits: residents'
committees (居) from 001, villagers' committees (村) from 200.

Key-village exit years: 30 provincial villages of 古邵 and 榴园 reached the exit standard
during 十二五 (第一章第一节), recorded as 2015; the others exit as 专栏2's village exits
say, town by town and year by year, in 专栏1's order where the plan does not say which
village (阴平's first city village in 2017, the other three in 2018). 专栏2 lists 阴平's
three 2018 exits as provincial, but 阴平 has no provincial village and both the district
row and the town's total say 0 provincial: the demo counts them as the city villages they
are. The 2018 designations (city_2018) have no exit year in the plan and get none.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from services.registry.demo.model import KeyDesignation, Town, Village
from services.registry.demo.people import SURNAMES
from services.registry.demo.plan import PLAN_YEARS, facts, key_villages, towns

# The demo's assumption (no source gives it); the total is the plan's 345.
VILLAGES_PER_TOWN = {
    "370404001": 28,  # 坛山街道
    "370404002": 40,  # 吴林街道
    "370404100": 62,  # 古邵镇
    "370404101": 54,  # 阴平镇
    "370404102": 41,  # 底阁镇
    "370404103": 58,  # 榴园镇
    "370404104": 62,  # 峨山镇
}
TWELFTH_PLAN_EXIT_YEAR = 2015  # "十二五期间达到退出标准"; the plan gives no exact year
_CORES = (
    "庄", "楼", "集", "屯", "营", "寨", "店", "湖", "洼", "沟", "桥", "岭", "峪", "园",
    "官庄", "家庄", "圩", "埠", "庙", "山", "河", "林",
)  # fmt: skip
_PREFIXES = ("", "", "", "东", "西", "南", "北", "前", "后", "大", "小", "上", "下")


def target_population() -> int:
    """Rural registered population giving the plan's 2015 incidence: 16 661 ÷ 4.05 %."""
    f = facts()
    persons = f["poor_persons_provincial_standard_2015"]
    share = f["poverty_incidence_2015"] / 100
    return int((persons / share).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True, slots=True)
class Areas:
    towns: tuple[Town, ...]
    villages: tuple[Village, ...]
    designations: tuple[KeyDesignation, ...]
    population: dict[str, int]  # village code -> rural registered population


def build_areas(rng: random.Random) -> Areas:
    plan_towns = towns()
    if sum(VILLAGES_PER_TOWN.values()) != int(facts()["administrative_villages_screened_2014"]):
        raise AssertionError("VILLAGES_PER_TOWN must add up to the plan's village count")
    named: dict[str, list[str]] = {}
    for row in key_villages():
        names = named.setdefault(row.town, [])
        if row.village not in names:
            names.append(row.village)
    taken = {n for names in named.values() for n in names}
    villages: list[Village] = []
    for t in plan_towns:
        own = named.get(t.name, [])
        entries = [(n, "居" if n.endswith("居") else "村", False) for n in own]
        for _ in range(VILLAGES_PER_TOWN[t.code] - len(own)):
            # Sub-districts are mostly residents' communities; towns have a couple.
            urban_share = 0.7 if t.kind == "街道" else 0.03
            kind = "居" if rng.random() < urban_share else "村"
            entries.append((_new_name(rng, kind, taken), kind, True))
        rng.shuffle(entries)
        serial = {"居": 1, "村": 200}
        for name, kind, generated in sorted(entries, key=lambda e: e[1] != "居"):
            code = f"{t.code}{serial[kind]:03d}"
            serial[kind] += 1
            villages.append(Village(code, name, t.code, kind, generated, True))
    designations = _designations(villages, {t.code: t.name for t in plan_towns})
    return Areas(
        towns=tuple(Town(t.code, t.name, t.kind) for t in plan_towns),
        villages=tuple(villages),
        designations=designations,
        population=_populations(rng, villages),
    )


def _new_name(rng: random.Random, kind: str, taken: set[str]) -> str:
    while True:
        name = rng.choice(_PREFIXES) + rng.choice(SURNAMES) + rng.choice(_CORES) + kind
        if name not in taken:
            taken.add(name)
            return name


def _designations(
    villages: list[Village], town_names: dict[str, str]
) -> tuple[KeyDesignation, ...]:
    code_of = {(town_names[v.town_code], v.name): v.code for v in villages}
    rows = key_villages()
    exit_year: dict[int, int | None] = {}  # row index -> exit year
    for t in towns():
        mine = [i for i, r in enumerate(rows) if r.town == t.name and r.designation != "city_2018"]
        provincial = [i for i in mine if rows[i].designation == "provincial"]
        city = [i for i in mine if rows[i].designation == "city"]
        for i in provincial[: t.provincial_exited_by_2015]:
            exit_year[i] = TWELFTH_PLAN_EXIT_YEAR
        provincial = provincial[t.provincial_exited_by_2015 :]
        for year in PLAN_YEARS:
            n_provincial = min(t.village_exits_provincial[year], len(provincial))
            n_city = t.village_exits[year] - n_provincial
            for i in provincial[:n_provincial] + city[:n_city]:
                exit_year[i] = year
            provincial, city = provincial[n_provincial:], city[n_city:]
        if provincial or city:
            raise AssertionError(f"{t.name}: 专栏2 leaves key villages without an exit")
    return tuple(
        KeyDesignation(code_of[(r.town, r.village)], r.designation, r.designated_year,
                       exit_year.get(i))
        for i, r in enumerate(rows)
    )  # fmt: skip


def _populations(rng: random.Random, villages: list[Village]) -> dict[str, int]:
    """Rural registered population per village, scaled to add up to the target exactly."""
    raw = {
        v.code: rng.randint(900, 2600) if v.kind == "居" else rng.randint(500, 1900)
        for v in villages
    }
    target = target_population()
    scale = target / sum(raw.values())
    population = {code: round(p * scale) for code, p in raw.items()}
    largest = max(population, key=lambda c: (population[c], c))
    population[largest] += target - sum(population.values())
    return population
