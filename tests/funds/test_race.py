"""Races between real transactions (every request here commits): however many payments or
allocations race for one balance, exactly what fits goes through and nothing goes below
zero; a retried payment pays once. The books are checked on the committed state after
each test (conftest)."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import httpx

from services.funds.codes import Stage
from tests.funds.factories import (
    LONG_AGO,
    RACE_TOWN,
    RACE_VILLAGE,
    TokenFactory,
    contractor_payment,
)
from tests.funds.helpers import allocate, make_project, make_source, ok

PAY = "/v1/disbursements"


async def race_project(
    client: httpx.AsyncClient, auth: TokenFactory, **overrides: Any
) -> dict[str, Any]:
    return await make_project(
        client, auth, town_code=RACE_TOWN, village_code=RACE_VILLAGE, **overrides
    )


async def allocation_of(client: httpx.AsyncClient, auth: TokenFactory, id_: str) -> dict[str, Any]:
    return ok(await client.get(f"/v1/allocations/{id_}", headers=auth()), 200)


async def test_fifty_concurrent_payments_at_one_allocation_pay_exactly_what_fits(
    committed_client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    client = committed_client
    source = await make_source(client, auth, amount="5000.00")
    allocation = await allocate(client, auth, source, await race_project(client, auth), "1000.00")

    responses = await asyncio.gather(
        *(
            client.post(PAY, json=contractor_payment(allocation["id"], "30.00"), headers=auth())
            for _ in range(50)
        )
    )

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 33, 409: 17}, statuses  # 33 × 30.00 = 990.00 of 1000.00
    assert {r.json()["type"] for r in responses if r.status_code == 409} == {
        "/problems/insufficient-funds"
    }
    after = await allocation_of(client, auth, allocation["id"])
    assert (after["available"], after["disbursed"]) == ("10.00", "990.00")


async def test_payments_of_different_sizes_racing_take_no_more_than_is_there(
    committed_client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    client = committed_client
    source = await make_source(client, auth, amount="5000.00")
    allocation = await allocate(client, auth, source, await race_project(client, auth), "1000.00")
    amounts = [f"{7 + (i * 37) % 90}.{i % 100:02d}" for i in range(50)]

    responses = await asyncio.gather(
        *(
            client.post(PAY, json=contractor_payment(allocation["id"], a), headers=auth())
            for a in amounts
        )
    )

    fen = [round(float(a) * 100) for a in amounts]
    paid = sum(f for f, r in zip(fen, responses, strict=True) if r.status_code == 201)
    refused = [f for f, r in zip(fen, responses, strict=True) if r.status_code == 409]
    after = await allocation_of(client, auth, allocation["id"])
    left = 100_000 - paid
    assert paid <= 100_000 and refused
    assert after["available"] == f"{left // 100}.{left % 100:02d}"
    # A balance only falls: each refused payment was larger than what was left at its
    # turn, so it is larger than what is left now. Nothing that fit was turned away.
    assert all(f > left for f in refused)


async def test_concurrent_retries_with_one_key_pay_once(
    committed_client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    client = committed_client
    source = await make_source(client, auth, amount="5000.00")
    allocation = await allocate(client, auth, source, await race_project(client, auth), "1000.00")
    body = contractor_payment(allocation["id"], "100.00")
    headers = {**auth(subject="teller-race"), "Idempotency-Key": f"retry-{allocation['id']}"}

    responses = await asyncio.gather(
        *(client.post(PAY, json=body, headers=headers) for _ in range(20))
    )
    # After the storm, one more retry gets the stored answer.
    replay = await client.post(PAY, json=body, headers=headers)

    assert {r.status_code for r in responses} <= {201, 409}
    created = {r.json()["id"] for r in (*responses, replay) if r.status_code == 201}
    assert len(created) == 1
    assert replay.status_code == 201 and replay.headers["idempotent-replayed"] == "true"
    after = await allocation_of(client, auth, allocation["id"])
    assert (after["available"], after["disbursed"]) == ("900.00", "100.00")


async def test_concurrent_allocations_from_one_source_allocate_exactly_what_it_has(
    committed_client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    client = committed_client
    source = await make_source(client, auth, amount="1000.00")
    projects = [
        await race_project(client, auth, until=Stage.district_approved, budget="100.00")
        for _ in range(3)
    ]
    body = [
        {"source_id": source["id"], "project_id": projects[i % 3]["id"], "amount": "30.00",
         "allocated_on": LONG_AGO.isoformat()}
        for i in range(30)
    ]  # fmt: skip
    responses = await asyncio.gather(
        *(client.post("/v1/allocations", json=b, headers=auth()) for b in body)
    )
    # Each project's budget of 100.00 holds three allocations of 30.00: nine in all.
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 9, 409: 21}, statuses
    kinds = Counter(r.json()["type"] for r in responses if r.status_code == 409)
    assert kinds == {"/problems/over-budget": 21}
    after = ok(await client.get(f"/v1/sources/{source['id']}", headers=auth()), 200)
    assert (after["allocated"], after["available"]) == ("270.00", "730.00")


async def test_concurrent_allocations_that_outrun_the_source_stop_at_zero(
    committed_client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    client = committed_client
    source = await make_source(client, auth, amount="1000.00")
    project = await race_project(client, auth, until=Stage.district_approved, budget="900000.00")
    body = {"source_id": source["id"], "project_id": project["id"], "amount": "70.00",
            "allocated_on": LONG_AGO.isoformat()}  # fmt: skip
    responses = await asyncio.gather(
        *(client.post("/v1/allocations", json=body, headers=auth()) for _ in range(30))
    )
    assert Counter(r.status_code for r in responses) == {201: 14, 409: 16}  # 14 × 70 = 980
    after = ok(await client.get(f"/v1/sources/{source['id']}", headers=auth()), 200)
    assert after["available"] == "20.00"
