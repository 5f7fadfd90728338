"""Subsidies against the real eligibility service (in-process, its own database): a
subsidy is paid only when it says eligible, for exactly the amount it computes, with its
answer (items, reasons, trace) kept on the payment. The caller's own token goes upstream:
eligibility refuses calls without one, so every payment here proves it was forwarded."""

from __future__ import annotations

import httpx

from shared.auth import Role
from tests.funds.factories import Households, TokenFactory, subsidy_payment
from tests.funds.helpers import funded_allocation, ledger_state, ok, register_card

PAY = "/v1/disbursements"


async def test_the_amount_the_eligibility_service_computes_is_paid_with_its_trace(
    client: httpx.AsyncClient, auth: TokenFactory, households: Households
) -> None:
    allocation = await funded_allocation(client, auth)
    await register_card(client, auth, households.worker)
    body = subsidy_payment(allocation["id"], households.worker, "8000.00")
    paid = ok(await client.post(PAY, json=body, headers=auth()))

    calculation = paid["reason"]["calculation"]
    assert (calculation["eligible"], calculation["amount"]) == (True, "8000.00")
    assert calculation["trace"]["rule"] == "housing_renovation"
    assert calculation["trace"]["inputs"]["housing_grade"] == "C"
    assert calculation["trace"]["parameters"], "the parameter values used are kept"
    assert paid["reason"]["facts"] == body["reason"]["facts"]
    again = ok(await client.get(f"{PAY}/{paid['id']}", headers=auth(Role.auditor)), 200)
    assert again["reason"] == paid["reason"]


async def test_an_actual_investment_below_the_standard_is_paid_as_invested(
    client: httpx.AsyncClient, auth: TokenFactory, households: Households
) -> None:
    allocation = await funded_allocation(client, auth)
    await register_card(client, auth, households.worker)
    body = subsidy_payment(
        allocation["id"], households.worker, "6500.00", actual_investment="6500.00"
    )
    ok(await client.post(PAY, json=body, headers=auth()))


async def test_an_amount_other_than_the_computed_one_is_refused_naming_it(
    client: httpx.AsyncClient, auth: TokenFactory, households: Households
) -> None:
    allocation = await funded_allocation(client, auth)
    await register_card(client, auth, households.worker)
    before = await ledger_state(client, auth)
    body = subsidy_payment(allocation["id"], households.worker, "9000.00")
    response = await client.post(PAY, json=body, headers=auth())

    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == "/problems/amount-mismatch"
    assert problem["computed"] == "8000.00"
    assert problem["errors"][0]["loc"] == ["body", "amount"]
    assert await ledger_state(client, auth) == before


async def test_an_ineligible_household_is_paid_nothing(
    client: httpx.AsyncClient, auth: TokenFactory, households: Households
) -> None:
    """Grade C rebuilt gets nothing (第五章第一节二): eligibility says so, funds refuses."""
    allocation = await funded_allocation(client, auth)
    await register_card(client, auth, households.worker)
    before = await ledger_state(client, auth)
    body = subsidy_payment(allocation["id"], households.worker, "8000.00", method="rebuild")
    response = await client.post(PAY, json=body, headers=auth())

    assert response.status_code == 422
    assert "not eligible for housing_renovation" in response.json()["detail"]
    assert await ledger_state(client, auth) == before


async def test_facts_the_eligibility_service_cannot_use_come_back_as_422(
    client: httpx.AsyncClient, auth: TokenFactory, households: Households
) -> None:
    allocation = await funded_allocation(client, auth)
    await register_card(client, auth, households.worker)
    body = subsidy_payment(allocation["id"], households.worker, "8000.00")
    del body["reason"]["facts"]["housing_grade"]
    response = await client.post(PAY, json=body, headers=auth())

    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "reason", "facts", "housing_grade"]


async def test_an_unknown_benefit_is_422(
    client: httpx.AsyncClient, auth: TokenFactory, households: Households
) -> None:
    allocation = await funded_allocation(client, auth)
    await register_card(client, auth, households.worker)
    body = subsidy_payment(allocation["id"], households.worker, "8000.00")
    body["reason"]["benefit_code"] = "moon_landing"
    response = await client.post(PAY, json=body, headers=auth())

    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "reason", "benefit_code"]
