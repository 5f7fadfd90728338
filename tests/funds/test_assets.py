"""Assets formed by projects (资产收益扶贫): quantified to a village collective, their
yearly income on the ledger, distributed to the village's poor households — those without
labour capacity first — never beyond the year's income."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from services.funds.codes import Stage
from shared.auth import Role
from tests.funds.factories import LONG_AGO, TODAY, VILLAGE, Households, TokenFactory
from tests.funds.helpers import ledger_state, make_project, ok, register_card

ADMIN = (Role.district_admin, "370404")


async def make_asset(
    client: httpx.AsyncClient, auth: TokenFactory, **overrides: Any
) -> dict[str, Any]:
    project = await make_project(client, auth, kind="solar_pv", name="东于村村级光伏电站")
    body = {"name": "东于村100kW光伏电站", "kind": "solar_pv", "value": "800000.00",
            "formed_on": LONG_AGO.isoformat(), **overrides}  # fmt: skip
    return ok(
        await client.post(f"/v1/projects/{project['id']}/assets", json=body, headers=auth(*ADMIN))
    )


async def record_income(
    client: httpx.AsyncClient,
    auth: TokenFactory,
    asset: dict[str, Any],
    amount: str,
    year: int = 2019,
) -> dict[str, Any]:
    body = {"year": year, "amount": amount, "received_on": LONG_AGO.isoformat()}
    return ok(await client.post(f"/v1/assets/{asset['id']}/incomes", json=body, headers=auth()))


def distribution(
    households: list[uuid.UUID], share: str = "1000.00", year: int = 2019
) -> dict[str, Any]:
    return {"year": year, "share": share, "paid_on": TODAY.isoformat(),
            "households": [str(h) for h in households]}  # fmt: skip


async def test_an_asset_belongs_to_the_projects_village_and_records_income(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    asset = await make_asset(client, auth)
    assert asset["village_code"] == VILLAGE
    after = await record_income(client, auth, asset, "96000.00")
    assert after["incomes"] == [
        {"year": 2019, "income": "96000.00", "distributed": "0.00", "undistributed": "96000.00"}
    ]


async def test_assets_form_only_from_accepted_projects(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    project = await make_project(client, auth, until=Stage.under_construction)
    body = {"name": "x", "kind": "solar_pv", "value": "1.00", "formed_on": LONG_AGO.isoformat()}
    response = await client.post(
        f"/v1/projects/{project['id']}/assets", json=body, headers=auth(*ADMIN)
    )
    assert response.status_code == 409


async def test_households_without_labour_are_paid_first_while_the_income_lasts(
    client: httpx.AsyncClient, auth: TokenFactory, households: Households
) -> None:
    asset = await make_asset(client, auth)
    await record_income(client, auth, asset, "2500.00")
    for household in (households.worker, households.elderly, households.disabled):
        await register_card(client, auth, household)
    # The working household is named first; it is still paid last.
    body = distribution([households.worker, households.elderly, households.disabled])
    result = ok(
        await client.post(f"/v1/assets/{asset['id']}/distributions", json=body, headers=auth())
    )

    assert [(p["household_id"], p["without_labour"]) for p in result["paid"]] == [
        (str(households.elderly), True),
        (str(households.disabled), True),
    ]
    assert result["unpaid"] == [
        {"household_id": str(households.worker), "without_labour": False,
         "reason": "the year's income is used up"}
    ]  # fmt: skip
    assert result["remaining"] == "500.00"
    read = ok(await client.get(f"/v1/assets/{asset['id']}", headers=auth()), 200)
    assert read["incomes"][0]["distributed"] == "2000.00"


async def test_when_the_income_suffices_everyone_named_is_paid(
    client: httpx.AsyncClient, auth: TokenFactory, households: Households
) -> None:
    asset = await make_asset(client, auth)
    await record_income(client, auth, asset, "3000.00")
    for household in (households.worker, households.elderly):
        await register_card(client, auth, household)
    body = distribution([households.worker, households.elderly], share="1500.00")
    result = ok(
        await client.post(f"/v1/assets/{asset['id']}/distributions", json=body, headers=auth())
    )
    assert [p["without_labour"] for p in result["paid"]] == [True, False]
    assert (result["unpaid"], result["remaining"]) == ([], "0.00")


async def test_not_one_share_left_moves_nothing(
    client: httpx.AsyncClient, auth: TokenFactory, households: Households
) -> None:
    asset = await make_asset(client, auth)
    await record_income(client, auth, asset, "999.99")
    await register_card(client, auth, households.elderly)
    before = await ledger_state(client, auth)
    body = distribution([households.elderly])
    response = await client.post(
        f"/v1/assets/{asset['id']}/distributions", json=body, headers=auth()
    )
    assert response.status_code == 409
    assert response.json()["type"] == "/problems/insufficient-funds"
    assert await ledger_state(client, auth) == before


async def test_income_goes_only_to_poor_households_of_the_village(
    client: httpx.AsyncClient, auth: TokenFactory, households: Households
) -> None:
    asset = await make_asset(client, auth)
    await record_income(client, auth, asset, "9000.00")
    for household in (households.exited, households.neighbour, households.elderly):
        await register_card(client, auth, household)
    ghost = uuid.UUID("00000000-0000-4000-8000-000000000009")
    body = distribution([households.elderly, households.exited, households.neighbour, ghost])
    before = await ledger_state(client, auth)
    response = await client.post(
        f"/v1/assets/{asset['id']}/distributions", json=body, headers=auth()
    )

    assert response.status_code == 422
    errors = {tuple(e["loc"]): e["msg"] for e in response.json()["errors"]}
    assert set(errors) == {("body", "households", i) for i in (1, 2, 3)}
    assert "exited_unsupported is not poor" in errors[("body", "households", 1)]
    assert "not of village" in errors[("body", "households", 2)]
    assert "no such household" in errors[("body", "households", 3)]
    assert await ledger_state(client, auth) == before


async def test_every_household_needs_a_card(
    client: httpx.AsyncClient, auth: TokenFactory, households: Households
) -> None:
    asset = await make_asset(client, auth)
    await record_income(client, auth, asset, "9000.00")
    body = distribution([households.elderly])
    response = await client.post(
        f"/v1/assets/{asset['id']}/distributions", json=body, headers=auth()
    )
    assert response.status_code == 409
    assert response.json()["type"] == "/problems/no-card"


async def test_a_year_without_income_cannot_be_distributed(
    client: httpx.AsyncClient, auth: TokenFactory, households: Households
) -> None:
    asset = await make_asset(client, auth)
    await record_income(client, auth, asset, "9000.00", year=2019)
    await register_card(client, auth, households.elderly)
    body = distribution([households.elderly], year=2020)
    response = await client.post(
        f"/v1/assets/{asset['id']}/distributions", json=body, headers=auth()
    )
    assert response.status_code == 409
    assert "no income of 2020" in response.json()["detail"]


async def test_a_distribution_share_is_reversible_and_the_income_comes_back(
    client: httpx.AsyncClient, auth: TokenFactory, households: Households
) -> None:
    asset = await make_asset(client, auth)
    await record_income(client, auth, asset, "1000.00")
    await register_card(client, auth, households.elderly)
    result = ok(await client.post(
        f"/v1/assets/{asset['id']}/distributions", json=distribution([households.elderly]),
        headers=auth()))  # fmt: skip
    body = {"reversed_on": TODAY.isoformat(), "reason": "卡号错误"}
    ok(
        await client.post(
            f"/v1/ledger/transactions/{result['paid'][0]['txn_id']}/reversal",
            json=body,
            headers=auth(),
        )
    )
    read = ok(await client.get(f"/v1/assets/{asset['id']}", headers=auth()), 200)
    assert read["incomes"][0]["undistributed"] == "1000.00"
