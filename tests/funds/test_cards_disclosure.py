"""一卡通 cards are kept encrypted and shown masked; the public disclosure (阳光扶贫) shows
projects, stages, notices and money to anyone — and no personal data at all."""

from __future__ import annotations

import json
import uuid

import httpx
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.auth import Role
from shared.idcard import IdCipher
from tests.funds.factories import (
    OTHER_TOWN,
    TOWN,
    VILLAGE,
    Households,
    TokenFactory,
    contractor_payment,
    subsidy_payment,
)
from tests.funds.helpers import allocate, make_project, make_source, ok, ok_list, register_card

NUMBER = "6228480402564890018"


async def test_a_card_is_stored_encrypted_and_shown_masked(
    client: httpx.AsyncClient, auth: TokenFactory, households: Households,
    db: AsyncConnection, funds_app: FastAPI,
) -> None:  # fmt: skip
    card = await register_card(client, auth, households.worker, NUMBER)
    assert card["card_masked"] == "6228***********0018"
    assert NUMBER not in json.dumps(card)

    cipher_text = (await db.execute(
        sa.text("SELECT card_cipher FROM household_card WHERE id = :id"), {"id": card["id"]}
    )).scalar_one()  # fmt: skip
    assert NUMBER.encode() not in cipher_text
    cipher: IdCipher = funds_app.state.card_cipher
    assert cipher.decrypt(cipher_text, bound_to=card["id"]) == NUMBER

    read = ok(
        await client.get(f"/v1/households/{households.worker}/card", headers=auth(Role.auditor)),
        200,
    )
    assert read["card_masked"] == card["card_masked"]
    params = {"entity": "household_card"}
    audit = ok_list(await client.get("/v1/audit", params=params, headers=auth(Role.auditor)))
    assert any(e["entity_id"] == card["id"] for e in audit)
    assert NUMBER not in json.dumps(audit)


async def test_a_card_for_an_unknown_household_is_refused(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    body = {"bank": "农商行", "card_number": NUMBER, "registered_on": "2018-02-01"}
    response = await client.post(f"/v1/households/{uuid.uuid4()}/card", json=body, headers=auth())
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["path", "household_id"]


async def test_a_card_number_must_be_digits(
    client: httpx.AsyncClient, auth: TokenFactory, households: Households
) -> None:
    body = {"bank": "农商行", "card_number": "6228-4804", "registered_on": "2018-02-01"}
    response = await client.post(
        f"/v1/households/{households.worker}/card", json=body, headers=auth()
    )
    assert response.status_code == 422
    assert "6228-4804" not in response.json()["detail"]


async def test_another_towns_finance_officer_does_not_see_the_card(
    client: httpx.AsyncClient, auth: TokenFactory, households: Households
) -> None:
    await register_card(client, auth, households.worker)
    url = f"/v1/households/{households.worker}/card"
    assert (
        await client.get(url, headers=auth(Role.finance_officer, OTHER_TOWN))
    ).status_code == 404
    assert (await client.get(url, headers=auth(Role.finance_officer, TOWN))).status_code == 200


async def test_the_public_sees_projects_stages_and_money_without_personal_data(
    client: httpx.AsyncClient, auth: TokenFactory, households: Households
) -> None:
    source = await make_source(client, auth, amount="50000.00", name="2017年市级专项扶贫资金",
                               level="city", year=2017)  # fmt: skip
    project = await make_project(client, auth, year=2017, budget="20000.00")
    allocation = await allocate(client, auth, source, project, "20000.00")
    await register_card(client, auth, households.worker, NUMBER)
    headers = auth(Role.finance_officer, subject="liu.finance.personal")
    ok(
        await client.post(
            "/v1/disbursements",
            headers=headers,
            json=subsidy_payment(allocation["id"], households.worker, "8000.00"),
        )
    )
    ok(await client.post("/v1/disbursements", headers=headers,
                         json=contractor_payment(allocation["id"], "5000.00")))  # fmt: skip

    listed = await client.get("/v1/disclosure/projects", params={"year": 2017, "town_code": TOWN})
    assert listed.status_code == 200
    [public] = [p for p in listed.json()["items"] if p["id"] == project["id"]]
    assert (public["allocated"], public["disbursed"], public["households_paid"]) == (
        "20000.00", "13000.00", 1,
    )  # fmt: skip
    assert [s["stage"] for s in public["stages"]][-1] == "accepted"
    assert public["stages"][1]["notice"]["place"] == "村务公开栏"
    assert public["sources"] == [{"level": "city", "kind": "special_poverty",
                                  "name": "2017年市级专项扶贫资金",
                                  "document_number": source["document_number"],
                                  "allocated": "20000.00"}]  # fmt: skip

    text = listed.text + (await client.get(f"/v1/disclosure/projects/{project['id']}")).text
    for personal in (str(households.worker), "6228", "liu.finance", "town_officer@",
                     "district_admin@", "proposed_by", "actor\"", "card"):  # fmt: skip
        assert personal not in text, personal


async def test_the_public_sees_totals_per_village(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    source = await make_source(client, auth, amount="90000.00", year=2017)
    first = await make_project(client, auth, year=2017, budget="30000.00")
    second = await make_project(client, auth, year=2017, budget="20000.00", name="东于村道路硬化",
                                kind="infrastructure")  # fmt: skip
    a = await allocate(client, auth, source, first, "30000.00")
    await allocate(client, auth, source, second, "10000.00")
    ok(
        await client.post(
            "/v1/disbursements", json=contractor_payment(a["id"], "7000.00"), headers=auth()
        )
    )

    rows = (
        await client.get("/v1/disclosure/villages", params={"year": 2017, "town_code": TOWN})
    ).json()
    [village] = [r for r in rows if r["village_code"] == VILLAGE]
    assert village == {"town_code": TOWN, "village_code": VILLAGE, "projects": 2,
                       "budget": "50000.00", "allocated": "40000.00", "disbursed": "7000.00",
                       "households_paid": 0}  # fmt: skip
    sources = (await client.get("/v1/disclosure/sources", params={"year": 2017})).json()
    [mine] = [s for s in sources if s["id"] == source["id"]]
    assert (mine["allocated"], mine["disbursed"]) == ("40000.00", "7000.00")


async def test_a_withdrawn_source_is_not_shown_as_money(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    source = await make_source(client, auth, amount="5.00", year=2017)
    body = {"reversed_on": "2018-03-02", "reason": "文件撤销"}
    ok(
        await client.post(
            f"/v1/ledger/transactions/{source['funding_txn_id']}/reversal",
            json=body,
            headers=auth(),
        )
    )
    sources = (await client.get("/v1/disclosure/sources", params={"year": 2017})).json()
    assert source["id"] not in {s["id"] for s in sources}
