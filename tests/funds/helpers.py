"""Steps most funds tests take through the API: a source, a project taken through its
procedure, an allocation, a 一卡通 card. Each asserts success, so a test fails where its
setup breaks rather than later."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from services.funds.codes import Stage
from shared.auth import Role
from tests.funds.factories import (
    LONG_AGO,
    TokenFactory,
    project_body,
    source_body,
    stage_steps,
)


def ok(response: httpx.Response, status: int = 201) -> dict[str, Any]:
    """The JSON object of a response that must have `status`."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def ok_list(response: httpx.Response) -> list[Any]:
    """The JSON array of a 200 response."""
    assert response.status_code == 200, response.text
    body: list[Any] = response.json()
    return body


async def make_source(
    client: httpx.AsyncClient, auth: TokenFactory, **overrides: Any
) -> dict[str, Any]:
    return ok(await client.post("/v1/sources", json=source_body(**overrides), headers=auth()))


async def make_project(
    client: httpx.AsyncClient,
    auth: TokenFactory,
    *,
    until: Stage = Stage.accepted,
    **overrides: Any,
) -> dict[str, Any]:
    """A project proposed by its town's officer and taken through the stages up to `until`."""
    body = project_body(**overrides)
    town = body["town_code"]
    project = ok(
        await client.post("/v1/projects", json=body, headers=auth(Role.town_officer, town))
    )
    if until is Stage.proposed:
        return project
    for role, step in stage_steps(LONG_AGO):
        area = town if role == "town_officer" else "370404"
        project = ok(
            await client.post(
                f"/v1/projects/{project['id']}/stages", json=step, headers=auth(Role(role), area)
            )
        )
        if step["stage"] == until.value:
            break
    return project


async def allocate(
    client: httpx.AsyncClient,
    auth: TokenFactory,
    source: dict[str, Any],
    project: dict[str, Any],
    amount: str,
) -> dict[str, Any]:
    body = {
        "source_id": source["id"],
        "project_id": project["id"],
        "amount": amount,
        "allocated_on": LONG_AGO.isoformat(),
    }
    return ok(await client.post("/v1/allocations", json=body, headers=auth()))


async def funded_allocation(
    client: httpx.AsyncClient, auth: TokenFactory, amount: str = "50000.00", **project: Any
) -> dict[str, Any]:
    """An accepted project with one allocation of `amount` from a fresh source."""
    source = await make_source(client, auth, amount="100000.00")
    accepted = await make_project(client, auth, **project)
    return await allocate(client, auth, source, accepted, amount)


async def register_card(
    client: httpx.AsyncClient,
    auth: TokenFactory,
    household_id: uuid.UUID,
    number: str = "6228480402564890018",
) -> dict[str, Any]:
    body = {
        "bank": "峄城区农村商业银行",
        "card_number": number,
        "registered_on": LONG_AGO.isoformat(),
    }
    return ok(await client.post(f"/v1/households/{household_id}/card", json=body, headers=auth()))


async def ledger_state(client: httpx.AsyncClient, auth: TokenFactory) -> dict[str, Any]:
    """The trial balance: compare before and after a refused request to see nothing moved."""
    return ok(await client.get("/v1/ledger/trial-balance", headers=auth(Role.auditor)), 200)
