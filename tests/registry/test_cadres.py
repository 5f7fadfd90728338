"""Assistance cadres (帮扶责任人) and their pairings with households."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Role
from shared.models import AuditEntry, Change
from tests.registry.factories import (
    OTHER_TOWN,
    OTHER_VILLAGE,
    TOWN,
    VILLAGE,
    TokenFactory,
    make_cadre,
    make_household_row,
    make_village,
)

NEIGHBOUR_VILLAGE = "370404104002"
CADRE = {
    "name": "孙立新",
    "organisation": "峄城区财政局",
    "phone": "13963210001",
    "town_code": TOWN,
}


@dataclass
class World:
    household: uuid.UUID  # in VILLAGE
    neighbour: uuid.UUID  # in NEIGHBOUR_VILLAGE, same town
    far: uuid.UUID  # in OTHER_VILLAGE, another town
    cadre: uuid.UUID  # works in TOWN
    far_cadre: uuid.UUID  # works in OTHER_TOWN


@pytest.fixture
async def world(session: AsyncSession) -> World:
    for code in (VILLAGE, NEIGHBOUR_VILLAGE, OTHER_VILLAGE):
        await make_village(session, code)
    here = await make_household_row(session, VILLAGE)
    neighbour = await make_household_row(session, NEIGHBOUR_VILLAGE)
    far = await make_household_row(session, OTHER_VILLAGE)
    cadre = await make_cadre(session, TOWN, "孙立新")
    far_cadre = await make_cadre(session, OTHER_TOWN, "刘红梅")
    await session.commit()  # releases the savepoint; the test transaction still rolls back
    return World(here.id, neighbour.id, far.id, cadre.id, far_cadre.id)


async def _pair(
    client: httpx.AsyncClient, headers: dict[str, str], cadre: uuid.UUID, household: uuid.UUID,
    start: str = "2016-03-01", end: str | None = None,
) -> httpx.Response:  # fmt: skip
    body = {"household_id": str(household), "start_date": start, "end_date": end}
    return await client.post(f"/v1/cadres/{cadre}/pairings", json=body, headers=headers)


async def test_town_officer_registers_a_cadre_in_their_town(
    client: httpx.AsyncClient, auth: TokenFactory, world: World, session: AsyncSession
) -> None:
    officer = auth(Role.town_officer, TOWN)
    created = await client.post("/v1/cadres", json=CADRE, headers=officer)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["organisation"] == "峄城区财政局" and created.headers["etag"] == body["etag"]
    assert created.headers["location"] == f"/v1/cadres/{body['id']}"

    change = await session.scalar(sa.select(Change).where(Change.entity_id == body["id"]))
    assert change is not None and (change.entity, change.area_code) == ("cadre", TOWN)
    entry = await session.scalar(sa.select(AuditEntry).where(AuditEntry.entity_id == body["id"]))
    assert entry is not None and entry.action == "cadre.create"

    elsewhere = await client.post(
        "/v1/cadres", json={**CADRE, "town_code": OTHER_TOWN}, headers=officer
    )
    assert elsewhere.status_code == 422
    assert elsewhere.json()["errors"][0]["loc"] == ["body", "town_code"]
    bad_phone = await client.post("/v1/cadres", json={**CADRE, "phone": "12345"}, headers=officer)
    assert bad_phone.status_code == 422


async def test_cadre_list_is_scoped_and_paged(
    client: httpx.AsyncClient, auth: TokenFactory, world: World
) -> None:
    district = (await client.get(f"/v1/cadres?town_code={TOWN}", headers=auth())).json()
    assert [c["id"] for c in district["items"]] == [str(world.cadre)]
    for role, area in [(Role.town_officer, TOWN), (Role.village_cadre, VILLAGE)]:
        scoped = (await client.get("/v1/cadres", headers=auth(role, area))).json()
        assert [c["id"] for c in scoped["items"]] == [str(world.cadre)]

    first = (await client.get("/v1/cadres?limit=1", headers=auth())).json()
    assert len(first["items"]) == 1 and first["next_cursor"]
    rest = await client.get(f"/v1/cadres?limit=500&cursor={first['next_cursor']}", headers=auth())
    ids = {c["id"] for c in rest.json()["items"]}
    assert first["items"][0]["id"] not in ids and {str(world.far_cadre)} <= ids | {
        first["items"][0]["id"]
    }
    bad = await client.get("/v1/cadres?cursor=WyJ4Il0=", headers=auth())  # ["x"]
    assert bad.status_code == 422


@pytest.mark.parametrize(
    ("role", "area"), [(Role.town_officer, TOWN), (Role.village_cadre, VILLAGE)]
)
async def test_cadre_of_another_town_is_not_found(
    client: httpx.AsyncClient, auth: TokenFactory, world: World, role: Role, area: str
) -> None:
    headers = auth(role, area)
    assert (await client.get(f"/v1/cadres/{world.far_cadre}", headers=headers)).status_code == 404
    pairings = await client.get(f"/v1/cadres/{world.far_cadre}/pairings", headers=headers)
    assert pairings.status_code == 404


async def test_town_officer_cannot_touch_another_towns_cadre(
    client: httpx.AsyncClient, auth: TokenFactory, world: World
) -> None:
    officer = {**auth(Role.town_officer, TOWN), "If-Match": "*"}
    url = f"/v1/cadres/{world.far_cadre}"
    assert (await client.patch(url, json={"name": "x"}, headers=officer)).status_code == 404
    assert (await client.delete(url, headers=officer)).status_code == 404
    assert (await _pair(client, officer, world.far_cadre, world.household)).status_code == 404


async def test_update_cadre_needs_a_current_etag(
    client: httpx.AsyncClient, auth: TokenFactory, world: World
) -> None:
    url = f"/v1/cadres/{world.cadre}"
    etag = (await client.get(url, headers=auth())).headers["etag"]
    change = {"organisation": "峄城区教育局", "phone": "0632-7712345"}
    assert (await client.patch(url, json=change, headers=auth())).status_code == 428
    updated = await client.patch(url, json=change, headers={**auth(), "If-Match": etag})
    assert updated.status_code == 200 and updated.json()["phone"] == "0632-7712345"
    stale = await client.patch(url, json={"name": "x"}, headers={**auth(), "If-Match": etag})
    assert stale.status_code == 412
    fresh = {**auth(), "If-Match": updated.headers["etag"]}
    assert (await client.patch(url, json={"name": None}, headers=fresh)).status_code == 422


async def test_pairing_lifecycle(
    client: httpx.AsyncClient, auth: TokenFactory, world: World, session: AsyncSession
) -> None:
    officer = auth(Role.town_officer, TOWN)
    created = await _pair(client, officer, world.cadre, world.household)
    assert created.status_code == 201, created.text
    pairing = created.json()
    assert pairing["village_code"] == VILLAGE and pairing["cadre"]["name"] == "孙立新"

    overlapping = await _pair(client, officer, world.cadre, world.household, "2017-01-01")
    assert overlapping.status_code == 409
    outside = await _pair(client, officer, world.cadre, world.far)
    assert outside.status_code == 422
    assert outside.json()["errors"][0]["loc"] == ["body", "household_id"]
    backwards = await _pair(
        client, officer, world.cadre, world.neighbour, "2018-01-01", "2017-01-01"
    )
    assert backwards.status_code == 422

    end_url = f"/v1/cadres/{world.cadre}/pairings/{pairing['id']}/end"
    too_early = await client.post(end_url, json={"end_date": "2015-12-31"}, headers=officer)
    assert too_early.status_code == 422
    ended = await client.post(end_url, json={"end_date": "2019-12-31"}, headers=officer)
    assert ended.status_code == 200 and ended.json()["end_date"] == "2019-12-31"
    again = await client.post(end_url, json={"end_date": "2020-01-31"}, headers=officer)
    assert again.status_code == 409
    # After the first pairing ended the cadre may be paired with the household again.
    renewed = await _pair(client, officer, world.cadre, world.household, "2020-01-01")
    assert renewed.status_code == 201

    # The village's cadre sees both pairings of the household on their feed and in reads.
    feed = (
        await session.scalars(
            sa.select(Change).where(Change.entity == "cadre_pairing").order_by(Change.id)
        )
    ).all()
    assert [(c.area_code, c.payload["end_date"]) for c in feed if c.payload] == [
        (VILLAGE, None), (VILLAGE, "2019-12-31"), (VILLAGE, None),
    ]  # fmt: skip
    audited = await session.scalars(
        sa.select(AuditEntry.action)
        .where(AuditEntry.entity_id == str(world.household))
        .order_by(AuditEntry.id)
    )
    assert list(audited) == ["cadre_pairing.create", "cadre_pairing.end", "cadre_pairing.create"]

    cadre_view = auth(Role.village_cadre, VILLAGE)
    helpers = await client.get(f"/v1/households/{world.household}/cadres", headers=cadre_view)
    assert [p["end_date"] for p in helpers.json()] == ["2019-12-31", None]
    active = await client.get(
        f"/v1/households/{world.household}/cadres?active=true", headers=cadre_view
    )
    assert [p["start_date"] for p in active.json()] == ["2020-01-01"]
    ended_only = await client.get(
        f"/v1/cadres/{world.cadre}/pairings?active=false", headers=cadre_view
    )
    assert [p["id"] for p in ended_only.json()] == [pairing["id"]]


async def test_pairings_are_scoped_through_the_household(
    client: httpx.AsyncClient, auth: TokenFactory, world: World
) -> None:
    await _pair(client, auth(), world.cadre, world.household)
    await _pair(client, auth(), world.cadre, world.neighbour)
    neighbour_cadre = auth(Role.village_cadre, NEIGHBOUR_VILLAGE)
    seen = (await client.get(f"/v1/cadres/{world.cadre}/pairings", headers=neighbour_cadre)).json()
    assert [p["household_id"] for p in seen] == [str(world.neighbour)]
    hidden = await client.get(f"/v1/households/{world.household}/cadres", headers=neighbour_cadre)
    assert hidden.status_code == 404
    other_town = auth(Role.town_officer, OTHER_TOWN)
    assert (
        await client.get(f"/v1/households/{world.household}/cadres", headers=other_town)
    ).status_code == 404


async def test_delete_only_an_unpaired_cadre(
    client: httpx.AsyncClient, auth: TokenFactory, world: World, session: AsyncSession
) -> None:
    await _pair(client, auth(), world.cadre, world.household)
    assert (await client.delete(f"/v1/cadres/{world.cadre}", headers=auth())).status_code == 409
    gone = await client.delete(f"/v1/cadres/{world.far_cadre}", headers=auth())
    assert gone.status_code == 204
    assert (await client.get(f"/v1/cadres/{world.far_cadre}", headers=auth())).status_code == 404
    removal = await session.scalar(
        sa.select(Change).where(Change.entity_id == str(world.far_cadre), Change.op == "remove")
    )
    assert removal is not None and removal.area_code == OTHER_TOWN


_READERS = [r for r in Role]
_EDITORS = {Role.district_admin, Role.town_officer}


def _writes(world: World) -> list[tuple[str, str, dict[str, Any] | None]]:
    pairing = {"household_id": str(world.household), "start_date": "2016-03-01"}
    return [
        ("POST", "/v1/cadres", CADRE),
        ("PATCH", f"/v1/cadres/{world.cadre}", {"name": "x"}),
        ("DELETE", f"/v1/cadres/{world.cadre}", None),
        ("POST", f"/v1/cadres/{world.cadre}/pairings", pairing),
        (
            "POST",
            f"/v1/cadres/{world.cadre}/pairings/{uuid.uuid4()}/end",
            {"end_date": "2019-12-31"},
        ),
    ]


@pytest.mark.parametrize("role", [r for r in Role if r not in _EDITORS])
async def test_roles_that_may_not_write_cadres(
    client: httpx.AsyncClient, auth: TokenFactory, world: World, role: Role
) -> None:
    area = VILLAGE if role is Role.village_cadre else "370404"
    headers = {**auth(role, area), "If-Match": "*"}
    for method, path, body in _writes(world):
        response = await client.request(method, path, json=body, headers=headers)
        assert response.status_code == 403, (method, path, response.text)


@pytest.mark.parametrize("role", _READERS)
async def test_every_role_reads_cadres_of_its_area(
    client: httpx.AsyncClient, auth: TokenFactory, world: World, role: Role
) -> None:
    area = VILLAGE if role is Role.village_cadre else "370404"
    response = await client.get(
        f"/v1/households/{world.household}/cadres", headers=auth(role, area)
    )
    assert response.status_code == 200
