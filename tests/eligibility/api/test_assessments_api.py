"""Exit (§3), village exit (§4) and key-village identification (§5) over HTTP: from the
real registry's records and from facts sent inline."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from services.eligibility.rules.exit_conditions import SECTION
from shared.auth import Role
from tests.eligibility.api.factories import (
    KEY_VILLAGE,
    OTHER_VILLAGE,
    TOWN,
    VILLAGE,
    WEAK_VILLAGE,
    RegistryWorld,
    TokenFactory,
)

CONDITIONS = [
    "stable_income", "food_clothing", "compulsory_education", "basic_medical", "safe_housing",
    "safe_water", "dibao_backstop", "expenditure_poverty", "no_hold",
]  # fmt: skip
FACTS: dict[str, Any] = {
    "household_id": "h1",
    "village_code": VILLAGE,
    "status": "0",
    "members": [
        {"member_id": "m1", "birth_date": "1970-05-12", "sex": "male",
         "basic_medical_insured": True, "critical_illness_insured": True,
         "pension_enrolled": False},
    ],
    "income": {"wage_income": "3775.34"},
    "housing_grade": "B",
    "water_safe": True,
    "water_difficult": False,
    "food_secure": True,
    "clothing_secure": True,
}  # fmt: skip


async def test_a_household_meeting_every_condition(
    client: httpx.AsyncClient, auth: TokenFactory, world: RegistryWorld
) -> None:
    got = await client.post(
        f"/v1/households/{world.passing}/exit-assessment",
        params={"year": 2019},
        headers=auth(Role.village_cadre, VILLAGE),
    )
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["eligible"] is True and body["reasons"] == []
    assert [c["code"] for c in body["conditions"]] == CONDITIONS
    assert all(
        c["passed"] and c["section"] == SECTION and c["compared"] for c in body["conditions"]
    )
    income = body["conditions"][0]["compared"]
    # line 2019 = 3632.87, line 2018 = 3561.64: threshold 3632.87 + 2 × 71.23.
    assert income == {"fixed_per_capita_income": "4060.00", "threshold": "3775.33"}
    assert {p["name"] for p in body["parameters"]} >= {
        "poverty_line.provincial", "household_exit.stability_multiplier", "dibao.rural_standard",
    }  # fmt: skip
    assert body["facts_reading"]


async def test_a_failing_household_gets_every_reason(
    client: httpx.AsyncClient, auth: TokenFactory, world: RegistryWorld
) -> None:
    got = await client.post(
        f"/v1/households/{world.failing}/exit-assessment",
        params={"year": 2019},
        headers=auth(Role.town_officer, TOWN),
    )
    body = got.json()
    assert body["eligible"] is False
    failed = [c["code"] for c in body["conditions"] if not c["passed"]]
    assert failed == ["stable_income", "basic_medical", "safe_housing"]
    assert len(body["reasons"]) == 3
    housing = next(c for c in body["conditions"] if c["code"] == "safe_housing")
    assert housing["compared"]["housing_grade"] == "C"


async def test_exit_of_a_year_without_its_line_is_409(
    client: httpx.AsyncClient, auth: TokenFactory, world: RegistryWorld
) -> None:
    got = await client.post(
        f"/v1/households/{world.passing}/exit-assessment", params={"year": 2020}, headers=auth()
    )
    assert got.status_code == 409
    assert (got.json()["parameter"], got.json()["on"]) == ("poverty_line.provincial", "2020-12-31")


async def test_exit_is_scoped_to_the_callers_area(
    client: httpx.AsyncClient, auth: TokenFactory, world: RegistryWorld
) -> None:
    got = await client.post(
        f"/v1/households/{world.far}/exit-assessment",
        params={"year": 2019},
        headers=auth(Role.town_officer, TOWN),
    )
    assert got.status_code == 404


@pytest.mark.parametrize(
    ("wage", "eligible"),
    [("3775.33", False), ("3775.34", True)],  # strictly above the threshold
)
async def test_inline_exit_at_the_income_edge(
    client: httpx.AsyncClient, auth: TokenFactory, wage: str, eligible: bool
) -> None:
    facts = {**FACTS, "income": {"wage_income": wage}}
    got = await client.post(
        "/v1/exit-assessments", json={"year": 2019, "facts": facts}, headers=auth()
    )
    assert got.status_code == 200, got.text
    assert got.json()["eligible"] is eligible
    assert got.json()["facts_reading"] is None


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"members": [{**FACTS["members"][0], "birth_date": "1970-02-30"}]}, ["body", "facts", "members", 0, "birth_date"]),
        ({"housing_grade": "E"}, ["body", "facts", "housing_grade"]),
        ({"income": {"wage_income": "-5"}}, ["body", "facts", "income", "wage_income"]),
        ({"water_safe": None}, ["body", "facts", "water_safe"]),
        ({"status": "1"}, ["body", "facts"]),  # exited without an exit year
    ],
)  # fmt: skip
async def test_inline_exit_with_bad_facts_is_422_naming_them(
    client: httpx.AsyncClient, auth: TokenFactory, change: dict[str, Any], loc: list[Any]
) -> None:
    got = await client.post(
        "/v1/exit-assessments", json={"year": 2019, "facts": {**FACTS, **change}}, headers=auth()
    )
    assert got.status_code == 422
    assert loc in [e["loc"][: len(loc)] for e in got.json()["errors"]]


async def test_village_exit_from_the_registry(
    client: httpx.AsyncClient, auth: TokenFactory, world: RegistryWorld
) -> None:
    passing = await client.post(
        f"/v1/villages/{KEY_VILLAGE}/exit-assessment",
        params={"year": 2019},
        headers=auth(Role.town_officer, TOWN),
    )
    assert passing.status_code == 200, passing.text
    assert passing.json()["eligible"] is True
    assert passing.json()["checks"][0]["code"] == "poverty_incidence"
    weak = await client.post(
        f"/v1/villages/{WEAK_VILLAGE}/exit-assessment", params={"year": 2019}, headers=auth()
    )
    assert weak.json()["eligible"] is False
    assert [c["code"] for c in weak.json()["checks"] if not c["passed"]] == [
        "poverty_incidence", "tap_water",
    ]  # fmt: skip
    no_record = await client.post(
        f"/v1/villages/{VILLAGE}/exit-assessment", params={"year": 2019}, headers=auth()
    )
    assert no_record.status_code == 422
    assert no_record.json()["errors"][0]["loc"] == ["registry", "years", 2019]
    outside = await client.post(
        f"/v1/villages/{KEY_VILLAGE}/exit-assessment",
        params={"year": 2019},
        headers=auth(Role.village_cadre, OTHER_VILLAGE),
    )
    assert outside.status_code == 404


@pytest.mark.parametrize(
    ("poor", "eligible"),
    [(42, True), (43, False)],  # 43 of 2150 is exactly 2 %: "below 2 %" fails
)
async def test_inline_village_exit_at_the_incidence_edge(
    client: httpx.AsyncClient, auth: TokenFactory, poor: int, eligible: bool
) -> None:
    facts = {
        "rural_registered_population": 2150, "poor_not_exited": poor, "hardened_road": True,
        "passenger_bus": True, "power_grid": True, "tap_water": True, "cable_tv": True,
        "collective_income": "0.01",
    }  # fmt: skip
    got = await client.post(
        "/v1/village-exit-assessments", json={"year": 2019, "facts": facts}, headers=auth()
    )
    assert got.status_code == 200, got.text
    assert got.json()["eligible"] is eligible
    bad = await client.post(
        "/v1/village-exit-assessments",
        json={"year": 2019, "facts": {**facts, "poor_not_exited": 3000}},
        headers=auth(),
    )
    assert bad.status_code == 422


async def test_key_village_identification(
    client: httpx.AsyncClient, auth: TokenFactory, world: RegistryWorld
) -> None:
    facts = {
        "rural_registered_population": 1000, "poor_persons": 60, "per_capita_net_income": "5999.99",
        "collective_income": "0.00", "provincial_incidence": "0.03",
        "provincial_rural_income": "10000.00",
    }  # fmt: skip
    high = await client.post(
        "/v1/key-village-identifications", json={"year": 2019, "facts": facts}, headers=auth()
    )
    assert high.status_code == 200, high.text
    assert high.json()["eligible"] is True  # 6 % ≥ 2 × 3 %, below 60 %, no collective income
    lower = await client.post(
        "/v1/key-village-identifications",
        json={
            "year": 2019,
            "facts": {**facts, "poor_persons": 59, "per_capita_net_income": "6000.00"},
        },
        headers=auth(),
    )
    assert [c["code"] for c in lower.json()["checks"] if not c["passed"]] == [
        "high_incidence", "low_income",
    ]  # fmt: skip
    registry = await client.post(
        f"/v1/villages/{WEAK_VILLAGE}/key-village-identification",
        params={"year": 2019},
        json={"provincial_incidence": "0.0100", "provincial_rural_income": "20000.00"},
        headers=auth(),
    )
    assert registry.status_code == 200, registry.text
    # 3 of 100 ≥ 2 %; 9860 < 12000; but collective income 52000 > 0.
    assert [c["code"] for c in registry.json()["checks"] if not c["passed"]] == [
        "no_collective_income"
    ]


@pytest.mark.parametrize(
    ("wage", "registrable", "national"),
    [
        ("6744.00", False, False),  # exactly the provincial line × 2: not below it
        ("6743.99", True, False),
        ("5600.00", True, False),  # exactly the national line × 2
        ("5599.99", True, True),
    ],
)
async def test_identification_at_the_lines(
    client: httpx.AsyncClient, auth: TokenFactory, wage: str, registrable: bool, national: bool
) -> None:
    got = await client.post(
        "/v1/identifications",
        json={"year": 2015, "members": 2, "income": {"wage_income": wage}},
        headers=auth(),
    )
    assert got.status_code == 200, got.text
    body = got.json()
    assert (body["registrable"], body["national_standard"]) == (registrable, national)
    assert {p["name"] for p in body["parameters"]} == {
        "poverty_line.provincial", "poverty_line.national",
    }  # fmt: skip
    assert body["section"]


async def test_identification_needs_both_lines_of_the_year(
    client: httpx.AsyncClient, auth: TokenFactory, world: RegistryWorld
) -> None:
    # The provincial line of 2019 is derived from the CPI; the national one has no index yet.
    missing = await client.post(
        f"/v1/households/{world.passing}/identification", params={"year": 2019}, headers=auth()
    )
    assert missing.status_code == 409
    assert (missing.json()["parameter"], missing.json()["on"]) == (
        "poverty_line.national",
        "2019-12-31",
    )
    for year in (2016, 2017, 2018, 2019):
        added = await client.post(
            "/v1/parameters/cpi.rural_low_income/values",
            json={"effective": f"{year}-01-01", "value": "101", "source": "test figure"},
            headers=auth(),
        )
        assert added.status_code == 201, added.text
    found = await client.post(
        f"/v1/households/{world.passing}/identification", params={"year": 2019}, headers=auth()
    )
    assert found.status_code == 200, found.text
    # 12180 ÷ 3 = 4060: above both lines.
    assert (found.json()["per_capita_net_income"], found.json()["registrable"]) == (
        "4060.00",
        False,
    )
    assert found.json()["facts_reading"]


async def test_village_answers_name_their_section(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    facts = {
        "rural_registered_population": 100, "poor_not_exited": 1, "hardened_road": True,
        "passenger_bus": True, "power_grid": True, "tap_water": True, "cable_tv": True,
        "collective_income": "1.00",
    }  # fmt: skip
    got = await client.post(
        "/v1/village-exit-assessments", json={"year": 2019, "facts": facts}, headers=auth()
    )
    assert got.json()["section"] == "第二章第四节二（二）"
    assert {p["name"] for p in got.json()["parameters"]} == {
        "village.exit_max_incidence", "village.exit_required_checks",
    }  # fmt: skip
