"""The catalogue, single calculations over HTTP, and a registered household's entitlements."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest

from services.eligibility.benefits.catalogue import BENEFITS
from services.eligibility.benefits.describe import describe
from shared.auth import Role
from tests.eligibility.api.factories import OTHER_VILLAGE, VILLAGE, RegistryWorld, TokenFactory

HOUSING = {
    "targeted": True,
    "housing_grade": "D",
    "method": "rebuild",
    "actual_investment": "32000.00",
    "household_size": 3,
    "planned_floor_area": "55.00",
}


async def test_the_catalogue_lists_every_benefit_with_typed_facts(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    got = await client.get("/v1/benefits", headers=auth(Role.finance_officer))
    assert got.status_code == 200
    catalogue = got.json()
    assert [b["code"] for b in catalogue] == list(BENEFITS)
    assert len(catalogue) == 24
    for entry in catalogue:
        assert entry["name_zh"] and entry["name_en"] and entry["section"] and entry["returns"]
        assert entry["period"] in ("once", "month", "year")
        assert all(f["type"] and f["name"] for f in entry["facts"])
    housing = next(b for b in catalogue if b["code"] == "housing_renovation")
    facts = {f["name"]: f for f in housing["facts"]}
    assert facts["housing_grade"]["type"] == "one of A, B, C, D"
    assert facts["actual_investment"]["type"].startswith("decimal")
    one = await client.get("/v1/benefits/tekun_support", headers=auth(Role.village_cadre, VILLAGE))
    assert one.json()["section"] == "专栏22-6"
    assert (await client.get("/v1/benefits/nothing", headers=auth())).status_code == 404


async def test_a_calculation_answers_amount_items_eligibility_and_trace(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    got = await client.post(
        "/v1/benefits/housing_renovation/calculate",
        json={"date": "2019-06-30", "facts": HOUSING},
        headers=auth(Role.finance_officer),
    )
    assert got.status_code == 200, got.text
    body = got.json()
    assert (body["code"], body["amount"], body["period"], body["eligible"]) == (
        "housing_renovation", "25000.00", "once", True,
    )  # fmt: skip
    assert body["items"] == [
        {"label": body["items"][0]["label"], "amount": "25000.00", "period": "once", "unit": "yuan"}
    ]
    trace = body["trace"]
    assert trace["rule"] == "housing_renovation" and "专栏9" in trace["section"]
    assert trace["parameters"] and all(p["source"] and p["effective"] for p in trace["parameters"])
    assert trace["inputs"]["actual_investment"] == "32000.00"


@pytest.mark.parametrize(
    ("code", "facts", "on", "amount", "period"),
    [
        ("tekun_support", {"arrangement": "dispersed"}, "2019-06-30", "5070.00", "year"),
        ("elderly_allowance", {"birth_date": "1919-07-01", "dibao": False}, "2019-07-01", "500.00", "month"),
        ("elderly_allowance", {"birth_date": "1918-07-01", "dibao": False}, "2019-07-01", "510.00", "month"),
        ("elderly_allowance", {"birth_date": "1939-07-02", "dibao": True}, "2019-07-01", "0.00", "month"),
        ("elderly_allowance", {"birth_date": "1939-07-01", "dibao": True}, "2019-07-01", "130.00", "month"),
        ("dibao", {"dibao_household": True, "members": 2, "net_income": "3000.00"}, "2019-06-30", "4800.00", "year"),
        ("afforestation_subsidy", {"plots_mu": ["0.99", "1.00", "2.50"]}, "2019-06-30", "700.00", "once"),
        ("free_electricity", {"dibao_household": True, "tekun_household": False}, "2019-06-30", "15.00", "month"),
    ],
)  # fmt: skip
async def test_calculations_at_the_edges(
    client: httpx.AsyncClient,
    auth: TokenFactory,
    code: str,
    facts: dict[str, Any],
    on: str,
    amount: str,
    period: str,
) -> None:
    got = await client.post(
        f"/v1/benefits/{code}/calculate", json={"date": on, "facts": facts}, headers=auth()
    )
    assert got.status_code == 200, got.text
    assert (got.json()["amount"], got.json()["period"]) == (amount, period)


@pytest.mark.parametrize("description", describe(), ids=lambda d: d.code)
async def test_missing_facts_are_422_naming_each_fact(
    client: httpx.AsyncClient, auth: TokenFactory, description: Any
) -> None:
    required = [f.name for f in description.facts if f.required]
    got = await client.post(
        f"/v1/benefits/{description.code}/calculate",
        json={"date": "2019-06-30", "facts": {"not_a_fact": 1}},
        headers=auth(),
    )
    assert got.status_code == 422, got.text
    named = [e["loc"] for e in got.json()["errors"]]
    assert ["body", "facts", "not_a_fact"] in named
    for fact in required:
        assert ["body", "facts", fact] in named


@pytest.mark.parametrize(
    ("facts", "loc"),
    [
        ({**HOUSING, "housing_grade": "E"}, ["body", "facts", "housing_grade"]),
        ({**HOUSING, "actual_investment": "-1.00"}, ["body", "facts", "actual_investment"]),
        ({**HOUSING, "actual_investment": "10.001"}, ["body", "facts", "actual_investment"]),
        ({**HOUSING, "household_size": 0}, ["body", "facts", "household_size"]),
        ({**HOUSING, "planned_floor_area": "abc"}, ["body", "facts", "planned_floor_area"]),
    ],
)
async def test_bad_facts_are_422_naming_the_fact(
    client: httpx.AsyncClient, auth: TokenFactory, facts: dict[str, Any], loc: list[str]
) -> None:
    got = await client.post(
        "/v1/benefits/housing_renovation/calculate",
        json={"date": "2019-06-30", "facts": facts},
        headers=auth(),
    )
    assert got.status_code == 422
    assert got.json()["type"] == "/problems/invalid-facts"
    assert [e["loc"] for e in got.json()["errors"]] == [loc]
    assert ".".join(loc) in got.json()["detail"]


async def test_a_rule_not_in_force_is_409_never_zero(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    got = await client.post(
        "/v1/benefits/tekun_support/calculate",
        json={"date": "2016-12-31", "facts": {"arrangement": "dispersed"}},
        headers=auth(),
    )
    assert got.status_code == 409, got.text
    problem = got.json()
    assert problem["type"] == "/problems/parameter-not-in-force"
    assert (problem["parameter"], problem["on"]) == ("tekun.dispersed", "2016-12-31")
    assert "amount" not in problem


async def test_bad_request_shapes(client: httpx.AsyncClient, auth: TokenFactory) -> None:
    unknown = await client.post(
        "/v1/benefits/nothing/calculate", json={"date": "2019-01-01", "facts": {}}, headers=auth()
    )
    assert unknown.status_code == 404
    no_date = await client.post(
        "/v1/benefits/tekun_support/calculate", json={"facts": {}}, headers=auth()
    )
    assert no_date.status_code == 422
    assert ["body", "date"] in [e["loc"] for e in no_date.json()["errors"]]
    anonymous = await client.post(
        "/v1/benefits/tekun_support/calculate",
        json={"date": "2019-01-01", "facts": {"arrangement": "dispersed"}},
    )
    assert anonymous.status_code == 401


# --- entitlements of a registered household (一户一策) ---------------------------------------


async def test_entitlements_of_a_registered_household(
    client: httpx.AsyncClient, auth: TokenFactory, world: RegistryWorld
) -> None:
    got = await client.post(
        f"/v1/households/{world.elderly}/entitlements",
        params={"year": 2019},
        headers=auth(Role.village_cadre, VILLAGE),
    )
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["targeted"] is True and body["year"] == 2019
    by_code = {(b["code"], b["unit"]): Decimal(b["amount"]) for b in body["by_benefit"]}
    # An 84-year-old 低保 member: the 低保 elderly allowance 130 a month instead of 30.
    assert by_code[("elderly_allowance", "yuan")] == Decimal("1560.00")
    # Grade-1 disability care subsidy and the 低保 living subsidy, 80 + 80 a month.
    assert by_code[("disability_subsidy", "yuan")] == Decimal("1920.00")
    # 低保 top-up: (3900 − (5000 − 1800) ÷ 2) × 2 = 4600.
    assert by_code[("dibao", "yuan")] == Decimal("4600.00")
    assert by_code[("free_electricity", "kwh")] == Decimal("180.00")
    assert ("pension", "yuan") in by_code
    lines_total = sum(
        (
            Decimal(x["amount"])
            for x in body["lines"]
            if x["unit"] == "yuan" and x["period"] == "year"
        ),
        Decimal(0),
    )
    totals = {(t["period"], t["unit"]): Decimal(t["amount"]) for t in body["totals"]}
    assert totals[("year", "yuan")] == lines_total
    assert body["results"] and all(r["trace"]["parameters"] is not None for r in body["results"])


async def test_entitlements_answer_404_outside_the_area_and_422_without_a_survey(
    client: httpx.AsyncClient, auth: TokenFactory, world: RegistryWorld
) -> None:
    outside = await client.post(
        f"/v1/households/{world.far}/entitlements",
        params={"year": 2019},
        headers=auth(Role.village_cadre, VILLAGE),
    )
    assert outside.status_code == 404
    missing = await client.post(
        f"/v1/households/{uuid.uuid4()}/entitlements", params={"year": 2019}, headers=auth()
    )
    assert missing.status_code == 404
    unsurveyed = await client.post(
        f"/v1/households/{world.unsurveyed}/entitlements", params={"year": 2019}, headers=auth()
    )
    assert unsurveyed.status_code == 422, unsurveyed.text
    assert unsurveyed.json()["type"] == "/problems/invalid-registry-facts"
    assert [e["loc"] for e in unsurveyed.json()["errors"]] == [["registry", "year"]]
    far = await client.post(
        f"/v1/households/{world.far}/entitlements",
        params={"year": 2019},
        headers=auth(Role.village_cadre, OTHER_VILLAGE),
    )
    assert far.status_code == 200


async def test_entitlements_of_a_year_whose_rules_are_not_in_force(
    client: httpx.AsyncClient, auth: TokenFactory, world: RegistryWorld
) -> None:
    got = await client.post(
        f"/v1/households/{world.elderly}/entitlements", params={"year": 2014}, headers=auth()
    )
    assert got.status_code == 409
    assert got.json()["on"] == "2014-01-01" and got.json()["parameter"]
