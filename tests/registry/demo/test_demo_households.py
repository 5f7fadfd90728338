"""Every generated household is clean data: the national quality rules, valid unique IDs,
and a flat file that the parser reads back with no error. The same seed, the same bytes."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from services.registry.codes.catalog import DANGEROUS_HOUSE
from services.registry.demo import (
    DemoDistrict,
    generate_district,
    generate_households,
    write_flat_file,
    write_households,
)
from services.registry.demo.people import birth_date
from services.registry.exchange.formats import read_households
from services.registry.exchange.records import ExchangeHousehold
from services.registry.households.quality import (
    HouseholdCheck,
    MemberCheck,
    age_at,
    check_household,
)
from shared import idcard

PROVINCIAL_LINE_2017 = Decimal(3509)  # 专栏21; the exited must be above any line of the period


@pytest.fixture(scope="module")
def district() -> DemoDistrict:
    return generate_district()


def as_check(h: ExchangeHousehold) -> HouseholdCheck:
    return HouseholdCheck(
        data_year=h.data_year or 0,
        status=h.status,
        declared_size=h.size,
        members=tuple(
            MemberCheck(
                key=str(i),
                relation=m.relation,
                sex=m.sex,
                birth_date=m.birth_date,
                health=frozenset(m.health),
                school_status=m.school_status,
                dropout=bool(m.dropped_out),
                labour=m.labour,
                work_status=m.work_status,
                work_months=m.work_months or 0,
                critical_illness_insured=bool(m.critical_illness_insured),
            )
            for i, m in enumerate(h.members)
        ),
        main_cause=h.main_cause,
        other_causes=h.other_causes,
        income=h.income,
        house_grade=h.house_grade if h.house_grade in DANGEROUS_HOUSE else None,
        water_safe=h.drinking_water_safe,
        water_difficult=h.drinking_water_difficult,
        exit_year=h.exit_year,
        poverty_line=PROVINCIAL_LINE_2017,
    )


def assert_clean(households: Iterable[ExchangeHousehold]) -> int:
    ids: set[str] = set()
    numbers: set[str] = set()
    count = 0
    for h in households:
        findings = check_household(as_check(h))
        assert findings == [], (h.national_number, findings)
        assert h.national_number not in numbers
        numbers.add(h.national_number)
        for m in h.members:
            assert m.id_number is not None and m.birth_date is not None
            assert idcard.normalize(m.id_number) == m.id_number
            assert idcard.birth_date(m.id_number) == m.birth_date
            assert idcard.sex(m.id_number).value == m.sex
            assert m.id_number not in ids
            ids.add(m.id_number)
            assert m.national_number is not None and m.national_number not in numbers
            numbers.add(m.national_number)
            if m.disability_certificate is not None:
                assert m.disability_certificate[:18] == m.id_number
                assert "disabled" in m.health
        count += 1
    return count


def test_every_household_passes_the_national_quality_rules(district: DemoDistrict) -> None:
    assert assert_clean(district.households) == len(district.households)


def test_household_codes_and_places_are_consistent(district: DemoDistrict) -> None:
    village = {v.code: v for v in district.villages}
    town = {t.code: t.name for t in district.towns}
    for h in district.households:
        assert h.village_code is not None
        v = village[h.village_code]
        assert (h.village, h.town, h.county) == (v.name, town[v.town_code], "峄城区")
        assert h.attribute.endswith("_exited") == h.exited
        assert h.data_year == district.data_year == 2018


@pytest.mark.parametrize("layout", ["full", "national"])
def test_the_flat_file_parses_with_no_error(
    district: DemoDistrict, tmp_path: Path, layout: str
) -> None:
    path = tmp_path / f"demo_{layout}.csv"
    write_flat_file(district, path, layout=layout)  # type: ignore[arg-type]
    with path.open("rb") as f:
        parsed = list(read_households(f))
    assert [p.errors for p in parsed if p.errors] == []
    assert len(parsed) == len(district.households)
    if layout == "full":
        assert [p.household for p in parsed] == list(district.households)


def test_xlsx_flat_file_of_a_town_parses_back(district: DemoDistrict, tmp_path: Path) -> None:
    """XLSX through openpyxl is slow, so one town's worth is enough to show the round trip."""
    some = [h for h in district.households if h.town == "坛山街道"]
    path = tmp_path / "tanshan.xlsx"
    write_households(some, path, fmt="xlsx")
    with path.open("rb") as f:
        assert [p.household for p in read_households(f)] == some


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_same_seed_same_bytes(district: DemoDistrict, tmp_path: Path) -> None:
    write_flat_file(district, tmp_path / "a.csv")
    write_flat_file(generate_district(), tmp_path / "b.csv")
    assert digest(tmp_path / "a.csv") == digest(tmp_path / "b.csv")
    again = generate_district()
    assert again.village_years == district.village_years
    assert again.villages == district.villages


def test_another_seed_another_district_with_the_same_totals(tmp_path: Path) -> None:
    other = generate_district(seed=1)
    write_flat_file(other, tmp_path / "other.csv")
    write_flat_file(generate_district(), tmp_path / "default.csv")
    assert digest(tmp_path / "other.csv") != digest(tmp_path / "default.csv")
    base = [h for h in other.households if h.identification_year == 2015]
    assert (len(base), sum(h.size for h in base)) == (9743, 16661)


def test_generate_households_for_benchmarks_is_clean_and_repeatable() -> None:
    first = list(generate_households(1_500, seed=3, pool_size=300))  # 1 200 clones
    assert assert_clean(first) == 1_500
    assert first == list(generate_households(1_500, seed=3, pool_size=300))


@pytest.mark.parametrize("on", [date(2018, 12, 31), date(2019, 3, 1), date(2020, 2, 29)])
def test_birth_dates_give_exactly_the_intended_age(on: date) -> None:
    rng = random.Random(0)
    for age in range(100):
        for _ in range(50):
            assert age_at(birth_date(rng, age, on), on) == age
