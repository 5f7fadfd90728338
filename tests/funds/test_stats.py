"""Aggregates for the reporting service: allocated, disbursed and execution rate by
source, level, kind, year, town and village; the 20 % rule per year; assets and income.
Budget year 2016 is used only here, so the figures are exactly this test's."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from shared.auth import Role
from tests.funds.factories import (
    LONG_AGO,
    TODAY,
    TOWN,
    VILLAGE,
    VILLAGE_2,
    Households,
    TokenFactory,
    contractor_payment,
)
from tests.funds.helpers import allocate, make_project, make_source, ok, register_card

YEAR = 2016


async def stats(client: httpx.AsyncClient, auth: TokenFactory, path: str, **params: Any) -> Any:
    return ok(await client.get(f"/v1/stats/{path}", params=params, headers=auth(Role.service)), 200)


@pytest.fixture
async def money(client: httpx.AsyncClient, auth: TokenFactory) -> dict[str, Any]:
    """Two sources of 2016 financing two projects in two villages, partly paid."""
    central = await make_source(client, auth, year=YEAR, amount="100000.00")
    city = await make_source(client, auth, year=YEAR, amount="50000.00", level="city",
                             kind="first_secretary", name="第一书记帮扶资金")  # fmt: skip
    housing = await make_project(client, auth, budget="60000.00")
    road = await make_project(client, auth, budget="80000.00", kind="infrastructure",
                              village_code=VILLAGE_2, name="西于村道路")  # fmt: skip
    a1 = await allocate(client, auth, central, housing, "40000.00")
    a2 = await allocate(client, auth, central, road, "30000.00")
    a3 = await allocate(client, auth, city, road, "20000.00")
    for allocation, amount in ((a1, "10000.00"), (a2, "30000.00"), (a3, "5000.00")):
        ok(await client.post("/v1/disbursements", json=contractor_payment(allocation["id"], amount),
                             headers=auth()))  # fmt: skip
    return {"central": central, "city": city, "housing": housing, "road": road}


async def test_execution_by_source(
    client: httpx.AsyncClient, auth: TokenFactory, money: dict[str, Any]
) -> None:
    result = await stats(client, auth, "execution", group_by="source", year=YEAR)
    rows = {r["key"]: r for r in result["rows"]}
    central = rows[money["central"]["id"]]
    assert (central["appropriated"], central["allocated"], central["disbursed"]) == (
        "100000.00", "70000.00", "40000.00",
    )  # fmt: skip
    assert central["execution_rate"] == "0.5714"
    assert (result["total_allocated"], result["total_disbursed"]) == ("90000.00", "45000.00")
    assert result["execution_rate"] == "0.5000"


async def test_execution_by_level_kind_and_year(
    client: httpx.AsyncClient, auth: TokenFactory, money: dict[str, Any]
) -> None:
    by_level = await stats(client, auth, "execution", group_by="level", year=YEAR)
    assert {r["key"]: (r["allocated"], r["disbursed"]) for r in by_level["rows"]} == {
        "central": ("70000.00", "40000.00"), "city": ("20000.00", "5000.00"),
    }  # fmt: skip
    by_kind = await stats(client, auth, "execution", group_by="fund_kind", year=YEAR)
    assert {r["key"] for r in by_kind["rows"]} == {"special_poverty", "first_secretary"}
    by_year = await stats(client, auth, "execution", group_by="year", year=YEAR)
    assert [(r["key"], r["appropriated"]) for r in by_year["rows"]] == [("2016", "150000.00")]


async def test_execution_by_project_kind_town_and_village(
    client: httpx.AsyncClient, auth: TokenFactory, money: dict[str, Any]
) -> None:
    by_kind = await stats(client, auth, "execution", group_by="project_kind", year=YEAR)
    kinds = {r["key"]: r for r in by_kind["rows"]}
    assert (kinds["infrastructure"]["allocated"], kinds["infrastructure"]["disbursed"]) == (
        "50000.00", "35000.00",
    )  # fmt: skip
    assert kinds["infrastructure"]["execution_rate"] == "0.7000"
    by_town = await stats(client, auth, "execution", group_by="town", year=YEAR)
    assert [(r["key"], r["allocated"], r["projects"]) for r in by_town["rows"]] == [
        (TOWN, "90000.00", 2)
    ]
    by_village = await stats(client, auth, "execution", group_by="village", year=YEAR)
    assert {r["key"]: r["disbursed"] for r in by_village["rows"]} == {
        VILLAGE: "10000.00", VILLAGE_2: "35000.00",
    }  # fmt: skip


async def test_reversed_movements_do_not_count(
    client: httpx.AsyncClient, auth: TokenFactory, money: dict[str, Any]
) -> None:
    payments = ok(await client.get("/v1/disbursements", params={"project_id": money["housing"]["id"]},
                                   headers=auth()), 200)["items"]  # fmt: skip
    body = {"reversed_on": TODAY.isoformat(), "reason": "退回"}
    ok(
        await client.post(
            f"/v1/disbursements/{payments[0]['id']}/reversal", json=body, headers=auth()
        )
    )
    result = await stats(client, auth, "execution", group_by="level", year=YEAR)
    assert {r["key"]: r["disbursed"] for r in result["rows"]}["central"] == "30000.00"


async def test_the_twenty_percent_rule_per_year(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    integrated = await make_source(
        client, auth, year=YEAR, kind="integrated_agricultural", level="district",
        amount="1000000.00", exempt_amount="200000.00",
    )  # fmt: skip
    project = await make_project(client, auth, budget="900000.00")
    await allocate(client, auth, integrated, project, "150000.00")

    [year] = await stats(client, auth, "integrated-funds", year=YEAR)
    assert (year["base"], year["required"], year["allocated"]) == (
        "800000.00", "160000.00", "150000.00",
    )  # fmt: skip
    assert (year["compliant"], year["shortfall"], year["share"]) == (False, "10000.00", "0.1875")

    await allocate(client, auth, integrated, project, "10000.00")
    [year] = await stats(client, auth, "integrated-funds", year=YEAR)
    assert (year["compliant"], year["shortfall"], year["share"]) == (True, "0.00", "0.2000")


async def test_the_twenty_percent_rule_rounds_the_requirement_up_to_the_fen(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    integrated = await make_source(client, auth, year=YEAR, kind="integrated_agricultural",
                                   amount="0.99")  # fmt: skip
    [year] = await stats(client, auth, "integrated-funds", year=YEAR)
    assert year["required"] == "0.20"  # 20 % of 0.99 is 0.198: 0.19 would fall short
    project = await make_project(client, auth, budget="1.00")
    await allocate(client, auth, integrated, project, "0.19")
    [year] = await stats(client, auth, "integrated-funds", year=YEAR)
    assert year["compliant"] is False


async def test_assets_and_their_income_per_village(
    client: httpx.AsyncClient, auth: TokenFactory, households: Households
) -> None:
    project = await make_project(client, auth, kind="solar_pv")
    body = {
        "name": "光伏电站",
        "kind": "solar_pv",
        "value": "800000.00",
        "formed_on": LONG_AGO.isoformat(),
    }
    asset = ok(await client.post(f"/v1/projects/{project['id']}/assets", json=body,
                                 headers=auth(Role.district_admin)))  # fmt: skip
    income = {"year": 2019, "amount": "5000.00", "received_on": LONG_AGO.isoformat()}
    ok(await client.post(f"/v1/assets/{asset['id']}/incomes", json=income, headers=auth()))
    for household in (households.worker, households.elderly):
        await register_card(client, auth, household)
    share = {"year": 2019, "share": "1200.00", "paid_on": TODAY.isoformat(),
             "households": [str(households.worker), str(households.elderly)]}  # fmt: skip
    ok(await client.post(f"/v1/assets/{asset['id']}/distributions", json=share, headers=auth()))

    rows = await stats(client, auth, "assets", year=2019, town_code=TOWN)
    [village] = [r for r in rows if r["village_code"] == VILLAGE]
    assert village["income"] == "5000.00" and village["distributed"] == "2400.00"
    assert village["undistributed"] == "2600.00"
    assert (village["households_paid"], village["households_paid_without_labour"]) == (2, 1)


async def test_a_town_officer_does_not_read_district_stats(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    response = await client.get("/v1/stats/execution", headers=auth(Role.town_officer, TOWN))
    assert response.status_code == 403
