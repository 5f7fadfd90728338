"""The auditor's read of the audit log."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Role
from shared.pagination import encode_cursor
from tests.registry.factories import TOWN, VILLAGE, TokenFactory, make_village

NEW_VILLAGE = "370404104088"


@pytest.fixture
async def history(client: httpx.AsyncClient, auth: TokenFactory, session: AsyncSession) -> None:
    """A village created by the town officer, renamed by the district office."""
    await make_village(session, VILLAGE)
    await session.commit()
    officer = auth(Role.town_officer, TOWN, subject="zhang.town")
    body = {"code": NEW_VILLAGE, "name": "后利增村"}
    created = await client.post("/v1/villages", json=body, headers=officer)
    assert created.status_code == 201, created.text
    renamed = await client.patch(
        f"/v1/villages/{NEW_VILLAGE}",
        json={"name": "后利增新村"},
        headers={**auth(subject="li.district"), "If-Match": created.headers["etag"]},
    )
    assert renamed.status_code == 200, renamed.text


async def test_auditor_reads_a_records_history_in_order(
    client: httpx.AsyncClient, auth: TokenFactory, history: None
) -> None:
    params = {"entity": "village", "entity_id": NEW_VILLAGE}
    response = await client.get("/v1/audit", params=params, headers=auth(Role.auditor))
    assert response.status_code == 200, response.text
    entries = response.json()["items"]
    assert [(e["action"], e["actor"], e["actor_role"]) for e in entries] == [
        ("village.create", "zhang.town", "town_officer"),
        ("village.update", "li.district", "district_admin"),
    ]
    assert entries[0]["before"] is None and entries[0]["after"]["name"] == "后利增村"
    assert (
        entries[1]["before"]["name"] == "后利增村" and entries[1]["after"]["name"] == "后利增新村"
    )
    assert entries[0]["area_code"] == NEW_VILLAGE and entries[0]["request_id"]
    assert entries[0]["id"] < entries[1]["id"]


async def test_audit_pages_and_filters(
    client: httpx.AsyncClient, auth: TokenFactory, history: None
) -> None:
    params = {"entity": "village", "entity_id": NEW_VILLAGE, "limit": 1}
    first = (await client.get("/v1/audit", params=params, headers=auth())).json()
    assert [e["action"] for e in first["items"]] == ["village.create"]
    second = await client.get(
        "/v1/audit", params={**params, "cursor": first["next_cursor"]}, headers=auth()
    )
    assert [e["action"] for e in second.json()["items"]] == ["village.update"]
    assert second.json()["next_cursor"] is None

    by_actor = await client.get(
        "/v1/audit", params={"actor": "zhang.town"}, headers=auth(Role.auditor)
    )
    assert [e["entity_id"] for e in by_actor.json()["items"]] == [NEW_VILLAGE]
    future = await client.get(
        "/v1/audit", params={"actor": "zhang.town", "since": "2100-01-01T00:00:00Z"},
        headers=auth(Role.auditor),
    )  # fmt: skip
    assert future.json()["items"] == []


async def test_a_narrower_token_reads_only_its_area(
    client: httpx.AsyncClient, auth: TokenFactory, history: None
) -> None:
    params = {"entity": "village", "entity_id": NEW_VILLAGE}
    elsewhere = await client.get(
        "/v1/audit", params=params, headers=auth(Role.auditor, "370404100")
    )
    assert elsewhere.json()["items"] == []
    inside = await client.get("/v1/audit", params=params, headers=auth(Role.auditor, TOWN))
    assert len(inside.json()["items"]) == 2


@pytest.mark.parametrize("role", [r for r in Role if r not in {Role.auditor, Role.district_admin}])
async def test_only_auditors_and_the_district_office_read_the_log(
    client: httpx.AsyncClient, auth: TokenFactory, role: Role
) -> None:
    area = VILLAGE if role is Role.village_cadre else "370404"
    response = await client.get("/v1/audit", headers=auth(role, area))
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("cursor", [encode_cursor("x"), encode_cursor(1, 2), "%%%"])
async def test_bad_audit_cursor(client: httpx.AsyncClient, auth: TokenFactory, cursor: str) -> None:
    response = await client.get("/v1/audit", params={"cursor": cursor}, headers=auth())
    assert response.status_code == 422
