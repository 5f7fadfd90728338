"""The demo district reproduces the plan's published figures (RULES.md §8).

Expected figures are read from the repository's copies of the plan's tables, with the
csv module, not through the generator's own loader.
"""

from __future__ import annotations

import csv
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from services.registry.demo import DemoDistrict, generate_district
from services.registry.exchange.records import ExchangeHousehold

DATA = Path(__file__).resolve().parents[3] / "services" / "registry" / "demo" / "data"
YEARS = (2016, 2017, 2018)


def table(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


TOWNS = {r["town"]: r for r in table("towns.csv")}
FACTS = {r["fact"]: Decimal(r["value"]) for r in table("district_facts.csv")}
DISTRICT = table("district_totals.csv")[0]


@pytest.fixture(scope="module")
def district() -> DemoDistrict:
    return generate_district()


def baseline(d: DemoDistrict) -> list[ExchangeHousehold]:
    return [h for h in d.households if h.identification_year == 2015]


def test_areas(district: DemoDistrict) -> None:
    assert {(t.code, t.name) for t in district.towns} == {(r["code"], n) for n, r in TOWNS.items()}
    assert len(district.villages) == int(FACTS["administrative_villages_screened_2014"]) == 345
    codes = [v.code for v in district.villages]
    assert len(set(codes)) == 345
    town_codes = {t.code for t in district.towns}
    assert all(len(c) == 12 and c[:9] in town_codes and v.code_generated
               for c, v in zip(codes, district.villages, strict=True))  # fmt: skip
    names = {(v.town_code, v.name) for v in district.villages}
    assert len(names) == 345


def test_every_named_key_village_and_designation(district: DemoDistrict) -> None:
    town_code = {t.name: t.code for t in district.towns}
    village = {(v.town_code, v.name): v for v in district.villages}
    rows = table("key_villages.csv")
    got = [(d.village_code, d.designation, d.designated_year) for d in district.key_designations]
    expected = [
        (village[(town_code[r["town"]], r["village"])].code, r["designation"],
         int(r["designated_year"]))
        for r in rows
    ]  # fmt: skip
    assert got == expected  # both designations of a twice-designated village are kept
    named = {(v.town_code, v.name) for v in district.villages if not v.name_generated}
    assert named == {(town_code[r["town"]], r["village"]) for r in rows}
    assert len(named) == 55


def test_village_exits_follow_the_rolling_plan(district: DemoDistrict) -> None:
    town_of = {v.code: v.town_code for v in district.villages}
    name = {t.code: t.name for t in district.towns}
    exits = Counter((name[town_of[d.village_code]], d.exit_year) for d in district.key_designations)
    provincial = Counter(
        d.exit_year for d in district.key_designations if d.designation == "provincial"
    )
    for town, row in TOWNS.items():
        for y in YEARS:
            assert exits[(town, y)] == int(row[f"village_exits_{y}"]), (town, y)
        assert exits[(town, 2015)] == int(row["provincial_exited_by_2015"])
    # Per town, 专栏2 lists 阴平's three 2018 exits as provincial though 阴平 has none;
    # the district row and the town's total (0) agree with the designations.
    for y in YEARS:
        assert provincial[y] == int(DISTRICT[f"village_exits_{y}_provincial"])
    assert provincial[2015] == int(DISTRICT["provincial_exited_by_2015"])
    assert all(d.exit_year is None for d in district.key_designations
               if d.designation == "city_2018")  # fmt: skip


def test_baseline_per_town_and_national_subset(district: DemoDistrict) -> None:
    base = baseline(district)
    assert len(base) == FACTS["poor_households_provincial_standard_2015"]
    assert sum(h.size for h in base) == FACTS["poor_persons_provincial_standard_2015"]
    persons: Counter[str] = Counter()
    national: Counter[str] = Counter()
    for h in base:
        persons[h.town] += h.size
        if h.identification_standard == "national":
            national[h.town] += h.size
    assert persons == {t: int(r["poor_population_provincial_2015"]) for t, r in TOWNS.items()}
    assert +national == +Counter(
        {t: int(r["poor_population_national_2015"]) for t, r in TOWNS.items()}
    )
    assert sum(national.values()) == FACTS["poor_persons_national_standard_2015"]


def test_exits_per_town_and_year(district: DemoDistrict) -> None:
    exits: Counter[tuple[str, int]] = Counter()
    national_2016: Counter[str] = Counter()
    for h in district.households:
        if h.exit_year is not None:
            exits[(h.town, h.exit_year)] += h.size
        if h.exit_year == 2016 and h.identification_standard == "national":
            national_2016[h.town] += h.size
    for town, row in TOWNS.items():
        for y in YEARS:
            assert exits[(town, y)] == int(row[f"exits_{y}"]), (town, y)
        assert national_2016[town] == int(row["exits_2016_national"])
    assert sum(v for (_, y), v in exits.items() if y == 2017) == int(DISTRICT["exits_2017"])


def test_people_registered_after_2015_and_the_backstop(district: DemoDistrict) -> None:
    """The reading of the exits: surplus exits are later registrations, shortfalls stay."""
    for town, row in TOWNS.items():
        mine = [h for h in district.households if h.town == town]
        planned = sum(int(row[f"exits_{y}"]) for y in YEARS)
        base = int(row["poor_population_provincial_2015"])
        later = [h for h in mine if (h.identification_year or 0) > 2015]
        staying = [h for h in mine if h.exit_year is None]
        assert sum(h.size for h in later) == max(0, planned - base), town
        assert sum(h.size for h in staying) == max(0, base - planned), town
        assert all(h.status == "not_exited" and h.assistance_type == "dibao" for h in staying)
        assert all(h.exit_year == (h.identification_year or 0) + 1 for h in later)


def test_causes_of_2015(district: DemoDistrict) -> None:
    base = baseline(district)
    households = Counter(h.main_cause for h in base)
    persons: Counter[str] = Counter()
    for h in base:
        persons[h.main_cause] += h.size
    rows = {r["cause"]: r for r in table("poverty_causes_2015.csv")}
    groups = {"因病因残": ("illness", "disability"), "缺资金": ("lack_funds",),
              "缺劳动力": ("lack_labour",), "缺技术": ("lack_skills",)}  # fmt: skip
    for label, causes in groups.items():
        assert sum(households[c] for c in causes) == int(rows[label]["households"]), label
        assert sum(persons[c] for c in causes) == int(rows[label]["persons"]), label
    named = {c for causes in groups.values() for c in causes}
    rest = [h for h in base if h.main_cause not in named]
    assert len(rest) == 9743 - sum(int(r["households"]) for r in rows.values()) == 201
    assert sum(h.size for h in rest) == 16661 - sum(int(r["persons"]) for r in rows.values())
    share = Decimal(100 * households["illness"]) / len(base)
    assert share.quantize(Decimal("0.01"), ROUND_HALF_UP) == Decimal("74.21")  # 专栏3


def test_village_records(district: DemoDistrict) -> None:
    records = {(r.village_code, r.year): r for r in district.village_years}
    assert {y for _, y in records} == {2015, 2016, 2017, 2018}
    y2015 = [r for r in district.village_years if r.year == 2015]
    rural = sum(r.rural_population for r in y2015)
    assert sum(r.poor_persons for r in y2015) == 16661
    assert sum(r.poor_households for r in y2015) == 9743
    incidence = Decimal(100 * 16661) / rural
    assert incidence.quantize(Decimal("0.01"), ROUND_HALF_UP) == FACTS["poverty_incidence_2015"]
    assert sum(r.dibao_persons for r in y2015) == FACTS["dibao_recipients_rural_2015"]
    assert sum(r.first_secretary for r in district.village_years if r.year == 2017) == 27 + 56
    indicators = {r["indicator"]: Decimal(r["value_2015"]) for r in table("indicators.csv")}
    provincial = [
        d.village_code for d in district.key_designations if d.designation == "provincial"
    ]
    for field, indicator in (
        ("hardened_road", "省定扶贫工作重点村通硬化路率"), ("bus", "省定扶贫工作重点村通客运班车率"),
        ("power", "省定扶贫工作重点村农村电网覆盖率"), ("tap_water", "省定扶贫工作重点村通水率"),
        ("cable_tv", "省定扶贫工作重点村通有线电视率"),
    ):  # fmt: skip
        rate = Decimal(100 * sum(getattr(records[(c, 2015)], field) for c in provincial)) / 40
        assert rate.quantize(Decimal(1), ROUND_HALF_UP) == indicators[indicator], field


def test_key_villages_meet_the_exit_test_in_their_exit_year(district: DemoDistrict) -> None:
    """RULES.md §4 for the 十三五 exits (2016–2018): below 2 %, services, collective income."""
    records = {(r.village_code, r.year): r for r in district.village_years}
    checked = 0
    for d in district.key_designations:
        if d.exit_year is None or d.exit_year < 2016:
            continue
        r = records[(d.village_code, d.exit_year)]
        assert r.poor_persons / r.rural_population < 0.02
        assert r.hardened_road and r.bus and r.power and r.tap_water and r.cable_tv
        assert r.collective_income > 0
        checked += 1
    assert checked == int(DISTRICT["village_exits_total"])
    # Exited in 十二五: the incidence test holds at the end of 2015 as well.
    for d in district.key_designations:
        if d.exit_year == 2015:
            r = records[(d.village_code, 2015)]
            assert r.poor_persons / r.rural_population < 0.02
