"""Sources and allocations: money enters with its document, is allocated only to approved
projects, never beyond what a source has left or a project's budget, and a reversal gives
it back — unless it was already paid out."""

from __future__ import annotations

import httpx
import pytest

from services.funds.codes import Stage
from shared.auth import Role
from tests.funds.factories import LONG_AGO, TokenFactory, contractor_payment, source_body
from tests.funds.helpers import allocate, ledger_state, make_project, make_source, ok


async def test_a_source_is_registered_with_its_appropriation_posted(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    source = await make_source(client, auth, amount="3200000.00")
    assert (source["amount"], source["available"], source["allocated"]) == (
        "3200000.00", "3200000.00", "0.00",
    )  # fmt: skip
    txn = ok(
        await client.get(f"/v1/ledger/transactions/{source['funding_txn_id']}", headers=auth()), 200
    )
    codes = {e["side"]: e["account_code"] for e in txn["entries"]}
    assert codes == {"D": f"source:{source['id']}", "C": "funding:central"}


async def test_a_document_is_registered_once(client: httpx.AsyncClient, auth: TokenFactory) -> None:
    body = source_body()
    ok(await client.post("/v1/sources", json=body, headers=auth()))
    again = await client.post("/v1/sources", json=body, headers=auth())
    assert again.status_code == 409
    assert body["document_number"] in again.json()["detail"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount": "-1.00"}, "amount"),
        ({"amount": "1.005"}, "amount"),
        ({"level": "county"}, "level"),
        ({"received_on": "2999-01-01"}, "received_on"),
        ({"exempt_amount": "10.00"}, None),  # only integrated agricultural funds
        ({"kind": "integrated_agricultural", "exempt_amount": "100000.01"}, None),
    ],
)
async def test_bad_sources_are_422_and_nothing_moves(
    client: httpx.AsyncClient, auth: TokenFactory, overrides: dict[str, str], field: str | None
) -> None:
    before = await ledger_state(client, auth)
    response = await client.post("/v1/sources", json=source_body(**overrides), headers=auth())
    assert response.status_code == 422, response.text
    if field:
        assert response.json()["errors"][0]["loc"] == ["body", field]
    assert await ledger_state(client, auth) == before


async def test_allocation_moves_money_from_source_to_project(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    source = await make_source(client, auth, amount="1000.00")
    project = await make_project(client, auth, until=Stage.district_approved)
    allocation = await allocate(client, auth, source, project, "400.00")

    assert allocation["available"] == "400.00"
    src = ok(await client.get(f"/v1/sources/{source['id']}", headers=auth()), 200)
    assert (src["available"], src["allocated"]) == ("600.00", "400.00")
    prj = ok(await client.get(f"/v1/projects/{project['id']}", headers=auth()), 200)
    assert (prj["allocated"], prj["available"]) == ("400.00", "400.00")


async def test_an_allocation_larger_than_what_is_left_is_refused(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    source = await make_source(client, auth, amount="1000.00")
    project = await make_project(client, auth, until=Stage.district_approved)
    await allocate(client, auth, source, project, "700.00")
    before = await ledger_state(client, auth)
    body = {"source_id": source["id"], "project_id": project["id"], "amount": "300.01",
            "allocated_on": LONG_AGO.isoformat()}  # fmt: skip
    response = await client.post("/v1/allocations", json=body, headers=auth())

    assert response.status_code == 409
    problem = response.json()
    assert problem["type"] == "/problems/insufficient-funds"
    assert problem["available"] == "300.00"
    assert problem["errors"][0]["loc"] == ["body", "amount"]
    assert await ledger_state(client, auth) == before


async def test_an_allocation_beyond_the_projects_budget_is_refused(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    source = await make_source(client, auth, amount="500000.00")
    project = await make_project(client, auth, until=Stage.district_approved, budget="1000.00")
    await allocate(client, auth, source, project, "900.00")
    body = {"source_id": source["id"], "project_id": project["id"], "amount": "100.01",
            "allocated_on": LONG_AGO.isoformat()}  # fmt: skip
    response = await client.post("/v1/allocations", json=body, headers=auth())
    assert response.status_code == 409
    assert response.json()["type"] == "/problems/over-budget"
    assert response.json()["budget_left"] == "100.00"


@pytest.mark.parametrize("stage", [Stage.proposed, Stage.village_reviewed, Stage.town_reviewed])
async def test_money_is_allocated_only_after_district_approval(
    client: httpx.AsyncClient, auth: TokenFactory, stage: Stage
) -> None:
    source = await make_source(client, auth)
    project = await make_project(client, auth, until=stage)
    body = {"source_id": source["id"], "project_id": project["id"], "amount": "1.00",
            "allocated_on": LONG_AGO.isoformat()}  # fmt: skip
    response = await client.post("/v1/allocations", json=body, headers=auth())
    assert response.status_code == 409
    assert response.json()["type"] == "/problems/stage-required"


async def test_an_unknown_source_or_project_is_404(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    source = await make_source(client, auth)
    project = await make_project(client, auth, until=Stage.district_approved)
    ghost = "00000000-0000-4000-8000-000000000003"
    for body in (
        {"source_id": ghost, "project_id": project["id"]},
        {"source_id": source["id"], "project_id": ghost},
    ):
        full = {**body, "amount": "1.00", "allocated_on": LONG_AGO.isoformat()}
        assert (await client.post("/v1/allocations", json=full, headers=auth())).status_code == 404


async def test_reversing_an_allocation_returns_it_to_the_source(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    source = await make_source(client, auth, amount="1000.00")
    project = await make_project(client, auth)
    allocation = await allocate(client, auth, source, project, "400.00")
    body = {"reversed_on": LONG_AGO.isoformat(), "reason": "下达文号有误"}
    reversed_ = ok(
        await client.post(f"/v1/allocations/{allocation['id']}/reversal", json=body, headers=auth())
    )

    assert reversed_["reversed"] is True and reversed_["available"] == "0.00"
    src = ok(await client.get(f"/v1/sources/{source['id']}", headers=auth()), 200)
    assert (src["available"], src["allocated"]) == ("1000.00", "0.00")


async def test_an_allocation_partly_paid_out_cannot_be_reversed(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    source = await make_source(client, auth, amount="1000.00")
    project = await make_project(client, auth)
    allocation = await allocate(client, auth, source, project, "400.00")
    ok(
        await client.post(
            "/v1/disbursements", json=contractor_payment(allocation["id"], "50.00"), headers=auth()
        )
    )
    before = await ledger_state(client, auth)
    body = {"reversed_on": LONG_AGO.isoformat(), "reason": "撤回"}
    response = await client.post(
        f"/v1/allocations/{allocation['id']}/reversal", json=body, headers=auth()
    )

    assert response.status_code == 409
    assert response.json()["type"] == "/problems/insufficient-funds"
    assert "350.00 left" in response.json()["detail"]
    assert await ledger_state(client, auth) == before


async def test_a_withdrawn_source_cannot_be_withdrawn_below_what_it_allocated(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    source = await make_source(client, auth, amount="1000.00")
    project = await make_project(client, auth, until=Stage.district_approved)
    await allocate(client, auth, source, project, "1.00")
    body = {"reversed_on": LONG_AGO.isoformat(), "reason": "文件撤销"}
    url = f"/v1/ledger/transactions/{source['funding_txn_id']}/reversal"
    assert (await client.post(url, json=body, headers=auth())).status_code == 409

    fresh = await make_source(client, auth, amount="5.00")
    url = f"/v1/ledger/transactions/{fresh['funding_txn_id']}/reversal"
    ok(await client.post(url, json=body, headers=auth()))
    after = ok(await client.get(f"/v1/sources/{fresh['id']}", headers=auth()), 200)
    assert (after["withdrawn"], after["available"]) == (True, "0.00")


async def test_the_generic_reversal_is_for_district_finance_only(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    source = await make_source(client, auth, amount="5.00")
    url = f"/v1/ledger/transactions/{source['funding_txn_id']}/reversal"
    body = {"reversed_on": LONG_AGO.isoformat(), "reason": "x"}
    town_finance = auth(Role.finance_officer, "370404104")
    assert (await client.post(url, json=body, headers=town_finance)).status_code == 403


async def test_sources_list_by_year_and_kind(client: httpx.AsyncClient, auth: TokenFactory) -> None:
    made = await make_source(client, auth, year=2017, kind="first_secretary", level="city")
    listed = ok(
        await client.get(
            "/v1/sources",
            params={"year": 2017, "kind": "first_secretary"},
            headers=auth(Role.auditor),
        ),
        200,
    )
    assert made["id"] in {s["id"] for s in listed["items"]}
    assert all(s["year"] == 2017 and s["kind"] == "first_secretary" for s in listed["items"])
