"""Paying: only accepted projects, only what is left, only real households of the caller's
and the project's area into their 一卡通, only what the reason justifies — and a refused
payment moves nothing. Retries with one Idempotency-Key pay once."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from services.funds.codes import Stage
from shared.auth import Role
from tests.funds.factories import (
    TOWN,
    Households,
    TokenFactory,
    contractor_payment,
    subsidy_payment,
)
from tests.funds.helpers import (
    allocate,
    funded_allocation,
    ledger_state,
    make_project,
    make_source,
    ok,
    ok_list,
    register_card,
)

PAY = "/v1/disbursements"


async def refused(
    client: httpx.AsyncClient,
    auth: TokenFactory,
    body: dict[str, Any],
    status: int,
    slug: str,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Post a payment that must be refused with `status` and problem type `slug`, and
    prove the ledger did not move."""
    before = await ledger_state(client, auth)
    response = await client.post(PAY, json=body, headers=headers or auth())
    assert response.status_code == status, response.text
    problem: dict[str, Any] = response.json()
    assert problem["type"] == f"/problems/{slug}", problem
    assert await ledger_state(client, auth) == before
    return problem


async def allocation_of(client: httpx.AsyncClient, auth: TokenFactory, id_: str) -> dict[str, Any]:
    return ok(await client.get(f"/v1/allocations/{id_}", headers=auth()), 200)


async def test_a_contractor_is_paid_against_an_invoice_and_the_allocation_goes_down(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    allocation = await funded_allocation(client, auth, "50000.00")
    paid = ok(
        await client.post(
            PAY, json=contractor_payment(allocation["id"], "12000.50"), headers=auth()
        )
    )

    assert paid["amount"] == "12000.50"
    assert paid["reason"]["kind"] == "invoice"
    after = await allocation_of(client, auth, allocation["id"])
    assert after["available"] == "37999.50"
    assert after["disbursed"] == "12000.50"
    txn = ok(await client.get(f"/v1/ledger/transactions/{paid['txn_id']}", headers=auth()), 200)
    sides = {e["side"]: e for e in txn["entries"]}
    assert sides["C"]["account_id"] == allocation["account_id"]
    assert sides["C"]["balance_after"] == "37999.50"
    assert sides["D"]["account_code"] == "contractor:91370404MA3C2B4K1P"


async def test_an_invoice_is_never_paid_beyond_its_amount(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    allocation = await funded_allocation(client, auth)
    first = contractor_payment(allocation["id"], "600.00", invoice="INV-1")
    first["reason"]["invoice_amount"] = "1000.00"
    ok(await client.post(PAY, json=first, headers=auth()))
    second = {**first, "amount": "400.01"}
    problem = await refused(client, auth, second, 409, "over-budget")
    assert "at most 400.00 more" in problem["detail"]
    ok(await client.post(PAY, json={**first, "amount": "400.00"}, headers=auth()))


@pytest.mark.parametrize("stage", [Stage.district_approved, Stage.under_construction])
async def test_a_project_not_yet_accepted_is_not_paid(
    client: httpx.AsyncClient, auth: TokenFactory, stage: Stage
) -> None:
    source = await make_source(client, auth)
    project = await make_project(client, auth, until=stage)
    allocation = await allocate(client, auth, source, project, "1000.00")
    problem = await refused(
        client, auth, contractor_payment(allocation["id"], "10.00"), 409, "stage-required"
    )
    assert "only after acceptance (验收)" in problem["detail"]
    assert problem["errors"][0]["loc"] == ["body", "allocation_id"]


async def test_more_than_the_allocation_has_left_is_refused_naming_what_is_left(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    allocation = await funded_allocation(client, auth, "1000.00")
    ok(await client.post(PAY, json=contractor_payment(allocation["id"], "999.00"), headers=auth()))
    problem = await refused(
        client, auth, contractor_payment(allocation["id"], "1.01"), 409, "insufficient-funds"
    )
    assert problem["available"] == "1.00"
    assert problem["errors"][0]["loc"] == ["body", "amount"]
    ok(await client.post(PAY, json=contractor_payment(allocation["id"], "1.00"), headers=auth()))
    assert (await allocation_of(client, auth, allocation["id"]))["available"] == "0.00"


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-5.00", "must not be negative"),
        ("0.001", "more than two decimals"),
        ("12.345", "more than two decimals"),
        ("0.00", "must be more than zero"),
        ("ten", "not an amount"),
        (12.5, "not a number"),
    ],
)
async def test_bad_amounts_are_422_naming_the_field_and_nothing_moves(
    client: httpx.AsyncClient, auth: TokenFactory, amount: Any, message: str
) -> None:
    allocation = await funded_allocation(client, auth)
    body = contractor_payment(allocation["id"], "10.00")
    body["amount"] = amount
    problem = await refused(client, auth, body, 422, "invalid-input")
    assert problem["errors"][0]["loc"] == ["body", "amount"]
    assert message in problem["errors"][0]["msg"]


async def test_a_household_that_does_not_exist_is_refused(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    allocation = await funded_allocation(client, auth)
    ghost = uuid.UUID("00000000-0000-4000-8000-000000000001")
    body = subsidy_payment(allocation["id"], ghost, "8000.00")
    problem = await refused(client, auth, body, 422, "payee-refused")
    assert "does not exist in the registry or is outside your area" in problem["detail"]
    assert problem["errors"][0]["loc"] == ["body", "payee", "household_id"]


async def test_a_household_outside_the_callers_area_is_refused(
    client: httpx.AsyncClient, auth: TokenFactory, households: Households
) -> None:
    """A town's finance officer may pay the town's project, but the registry shows them
    nothing outside their town: that household does not exist for them."""
    allocation = await funded_allocation(client, auth)
    await register_card(client, auth, households.far)
    body = subsidy_payment(allocation["id"], households.far, "8000.00")
    problem = await refused(
        client, auth, body, 422, "payee-refused", headers=auth(Role.finance_officer, TOWN)
    )
    assert "outside your area" in problem["detail"]


async def test_a_household_outside_the_projects_village_is_refused(
    client: httpx.AsyncClient, auth: TokenFactory, households: Households
) -> None:
    allocation = await funded_allocation(client, auth)
    await register_card(client, auth, households.neighbour)
    body = subsidy_payment(allocation["id"], households.neighbour, "8000.00")
    problem = await refused(client, auth, body, 422, "payee-refused")
    assert "outside the project's area" in problem["detail"]


async def test_a_household_without_a_card_is_not_paid_in_cash(
    client: httpx.AsyncClient, auth: TokenFactory, households: Households
) -> None:
    allocation = await funded_allocation(client, auth)
    body = subsidy_payment(allocation["id"], households.worker, "8000.00")
    problem = await refused(client, auth, body, 409, "no-card")
    assert "never in cash" in problem["detail"]


async def test_a_household_is_paid_into_its_current_card(
    client: httpx.AsyncClient, auth: TokenFactory, households: Households
) -> None:
    allocation = await funded_allocation(client, auth)
    await register_card(client, auth, households.worker, "6228480402564890018")
    newer = await register_card(client, auth, households.worker, "6217000010012345678")
    paid = ok(
        await client.post(
            PAY,
            json=subsidy_payment(allocation["id"], households.worker, "8000.00"),
            headers=auth(),
        )
    )
    assert paid["payee"]["card_id"] == newer["id"]
    assert paid["payee"]["card_masked"] == "6217***********5678"
    assert paid["village_code"] == "370404104001"


async def test_a_retry_with_the_same_idempotency_key_pays_once(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    allocation = await funded_allocation(client, auth, "1000.00")
    body = contractor_payment(allocation["id"], "300.00")
    headers = {**auth(), "Idempotency-Key": "teller-7-payment-1"}
    first = await client.post(PAY, json=body, headers=headers)
    again = await client.post(PAY, json=body, headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert (await allocation_of(client, auth, allocation["id"]))["available"] == "700.00"
    listed = ok(
        await client.get(PAY, params={"allocation_id": allocation["id"]}, headers=auth()), 200
    )
    assert len(listed["items"]) == 1


async def test_the_same_key_with_another_body_is_422_and_pays_nothing(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    allocation = await funded_allocation(client, auth, "1000.00")
    headers = {**auth(), "Idempotency-Key": "teller-7-payment-2"}
    ok(await client.post(PAY, json=contractor_payment(allocation["id"], "300.00"), headers=headers))
    problem = await refused(
        client,
        auth,
        contractor_payment(allocation["id"], "301.00"),
        422,
        "invalid-input",
        headers=headers,
    )
    assert problem["errors"][0]["loc"] == ["header", "Idempotency-Key"]


async def test_a_reversal_returns_the_money_to_its_allocation_once(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    allocation = await funded_allocation(client, auth, "1000.00")
    paid = ok(
        await client.post(PAY, json=contractor_payment(allocation["id"], "250.00"), headers=auth())
    )
    body = {"reversed_on": paid["paid_on"], "reason": "银行退回: 账户信息有误"}
    reversed_ = ok(await client.post(f"{PAY}/{paid['id']}/reversal", json=body, headers=auth()))

    assert reversed_["reversed"] is True
    after = await allocation_of(client, auth, allocation["id"])
    assert (after["available"], after["disbursed"]) == ("1000.00", "0.00")
    twice = await client.post(f"{PAY}/{paid['id']}/reversal", json=body, headers=auth())
    assert twice.status_code == 409
    assert twice.json()["type"] == "/problems/already-reversed"
    of_reversal = await client.post(
        f"/v1/ledger/transactions/{reversed_['reversal_txn_id']}/reversal",
        json=body,
        headers=auth(),
    )
    assert of_reversal.status_code == 409
    assert "cannot itself be reversed" in of_reversal.json()["detail"]


async def test_unknown_allocation_is_404(client: httpx.AsyncClient, auth: TokenFactory) -> None:
    body = contractor_payment("00000000-0000-4000-8000-000000000002", "1.00")
    await refused(client, auth, body, 404, "not-found")


async def test_a_household_is_paid_a_subsidy_not_an_invoice(
    client: httpx.AsyncClient, auth: TokenFactory, households: Households
) -> None:
    allocation = await funded_allocation(client, auth)
    body = contractor_payment(allocation["id"], "10.00")
    body["payee"] = {"kind": "household", "household_id": str(households.worker)}
    problem = await refused(client, auth, body, 422, "invalid-input")
    assert "subsidy computed by the eligibility service" in problem["detail"] + str(
        problem["errors"]
    )


async def test_the_ledger_shows_each_entry_with_its_running_balance_and_the_audit_log_the_writes(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    allocation = await funded_allocation(client, auth, "100.00")
    first = ok(
        await client.post(PAY, json=contractor_payment(allocation["id"], "30.00"), headers=auth())
    )
    ok(await client.post(PAY, json=contractor_payment(allocation["id"], "20.00"), headers=auth()))
    body = {"reversed_on": first["paid_on"], "reason": "退回"}
    ok(await client.post(f"{PAY}/{first['id']}/reversal", json=body, headers=auth()))

    account = f"/v1/ledger/accounts/{allocation['account_id']}"
    entries = ok_list(await client.get(f"{account}/entries", headers=auth(Role.auditor)))
    assert [(e["account_seq"], e["side"], e["amount"], e["balance_after"]) for e in entries] == [
        (1, "D", "100.00", "100.00"), (2, "C", "30.00", "70.00"),
        (3, "C", "20.00", "50.00"), (4, "D", "30.00", "80.00"),
    ]  # fmt: skip
    read = ok(await client.get(account, headers=auth(Role.auditor)), 200)
    assert (read["kind"], read["balance"], read["entries"]) == ("allocation", "80.00", 4)
    auditor = auth(Role.auditor)
    log = ok_list(await client.get("/v1/audit", params={"entity_id": first["id"]}, headers=auditor))
    assert [e["action"] for e in log] == ["disbursement.create"]
    params = {"entity": "ledger_txn", "entity_id": str(first["txn_id"])}
    reversal = ok_list(await client.get("/v1/audit", params=params, headers=auditor))
    assert reversal[0]["action"] == "ledger.reverse" and reversal[0]["after"]["reason"] == "退回"


async def test_a_household_no_longer_poor_is_not_paid_from_poverty_funds(
    client: httpx.AsyncClient, auth: TokenFactory, households: Households
) -> None:
    allocation = await funded_allocation(client, auth)
    await register_card(client, auth, households.exited)
    body = subsidy_payment(allocation["id"], households.exited, "8000.00")
    problem = await refused(client, auth, body, 422, "payee-refused")
    assert "status exited_unsupported" in problem["detail"]


async def test_facts_that_contradict_the_registry_are_refused(
    client: httpx.AsyncClient, auth: TokenFactory, households: Households
) -> None:
    allocation = await funded_allocation(client, auth)
    await register_card(client, auth, households.worker)
    body = subsidy_payment(allocation["id"], households.worker, "8000.00", targeted=False)
    problem = await refused(client, auth, body, 422, "payee-refused")
    assert problem["errors"][0]["loc"] == ["body", "reason", "facts", "targeted"]
