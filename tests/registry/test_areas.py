"""Towns, villages, key-village designations and yearly village records."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.areas.schemas import (
    DesignationLoad,
    TownIn,
    VillageCreate,
    VillageYearLoad,
)
from services.registry.areas.service import load_areas
from shared.auth import Role
from shared.errors import InvalidInput
from shared.models import AuditEntry, Change
from tests.registry.factories import (
    OTHER_TOWN,
    OTHER_VILLAGE,
    TOWN,
    VILLAGE,
    TokenFactory,
    village_year_body,
)

SECOND_VILLAGE = "370404104002"  # 峨山镇 城一村
NEW_VILLAGE = "370404104099"


def area_rows() -> dict[str, Any]:
    """Two towns, three villages (two of them provincial key villages), one year record."""
    return {
        "towns": [
            TownIn(code=TOWN, name="峨山镇", kind="town"),
            TownIn(code=OTHER_TOWN, name="古邵镇", kind="town"),
        ],
        "villages": [
            VillageCreate(code=VILLAGE, name="马楼村", code_generated=True),
            VillageCreate(code=SECOND_VILLAGE, name="城一村", code_generated=True),
            VillageCreate(code=OTHER_VILLAGE, name="朱园村", code_generated=True),
        ],
        "designations": [
            DesignationLoad(village_code=VILLAGE, designation="provincial", designated_year=2014),
            DesignationLoad(
                village_code=OTHER_VILLAGE,
                designation="provincial",
                designated_year=2014,
                exit_year=2017,
            ),
        ],
        "village_years": [
            VillageYearLoad.model_validate(
                {"village_code": VILLAGE, "year": 2016, **village_year_body(2154)}
            )
        ],
    }


@pytest.fixture
async def areas(session: AsyncSession) -> None:
    await load_areas(session, **area_rows())
    await session.commit()  # releases the test's savepoint; the outer transaction rolls back


async def _changes(session: AsyncSession, code: str) -> list[Change]:
    query = sa.select(Change).where(Change.entity == "village", Change.entity_id == code)
    return list((await session.scalars(query.order_by(Change.id))).all())


async def test_towns_are_scoped_to_the_callers_area(
    client: httpx.AsyncClient, auth: TokenFactory, areas: None
) -> None:
    district = (await client.get("/v1/towns", headers=auth())).json()
    names = {t["code"]: t["name"] for t in district}
    assert names.items() >= {TOWN: "峨山镇", OTHER_TOWN: "古邵镇"}.items()
    assert {t["kind"] for t in district} == {"town"}

    town = await client.get("/v1/towns", headers=auth(Role.town_officer, TOWN))
    assert [t["code"] for t in town.json()] == [TOWN]
    cadre = await client.get("/v1/towns", headers=auth(Role.village_cadre, VILLAGE))
    assert [t["code"] for t in cadre.json()] == [TOWN]


async def test_village_list_filters_and_pages(
    client: httpx.AsyncClient, auth: TokenFactory, areas: None
) -> None:
    in_town = (await client.get(f"/v1/villages?town_code={TOWN}", headers=auth())).json()
    assert [v["code"] for v in in_town["items"]] == [VILLAGE, SECOND_VILLAGE]
    assert in_town["items"][0]["designations"][0]["designation"] == "provincial"
    assert in_town["items"][1]["designations"] == []

    key = (await client.get(f"/v1/villages?key=true&town_code={TOWN}", headers=auth())).json()
    assert [v["code"] for v in key["items"]] == [VILLAGE]
    not_key = (await client.get(f"/v1/villages?key=false&town_code={TOWN}", headers=auth())).json()
    assert [v["code"] for v in not_key["items"]] == [SECOND_VILLAGE]
    provincial = await client.get("/v1/villages?designation=provincial", headers=auth())
    assert {VILLAGE, OTHER_VILLAGE} <= {v["code"] for v in provincial.json()["items"]}

    first = (await client.get(f"/v1/villages?town_code={TOWN}&limit=1", headers=auth())).json()
    assert [v["code"] for v in first["items"]] == [VILLAGE]
    second = await client.get(
        f"/v1/villages?town_code={TOWN}&limit=1&cursor={first['next_cursor']}", headers=auth()
    )
    assert [v["code"] for v in second.json()["items"]] == [SECOND_VILLAGE]
    assert second.json()["next_cursor"] is None

    bad = await client.get("/v1/villages?cursor=WyJ4IiwgMV0=", headers=auth())  # ["x", 1]
    assert bad.status_code == 422


async def test_village_list_is_scoped(
    client: httpx.AsyncClient, auth: TokenFactory, areas: None
) -> None:
    town = (await client.get("/v1/villages", headers=auth(Role.town_officer, TOWN))).json()
    assert {v["code"] for v in town["items"]} == {VILLAGE, SECOND_VILLAGE}
    cadre = (await client.get("/v1/villages", headers=auth(Role.village_cadre, VILLAGE))).json()
    assert [v["code"] for v in cadre["items"]] == [VILLAGE]


async def test_village_detail_has_designations_and_years(
    client: httpx.AsyncClient, auth: TokenFactory, areas: None
) -> None:
    response = await client.get(f"/v1/villages/{VILLAGE}", headers=auth())
    assert response.status_code == 200
    body = response.json()
    assert response.headers["etag"] == body["etag"]
    assert body["name"] == "马楼村" and body["kind"] == "village" and body["code_generated"]
    assert [(d["designation"], d["designated_year"]) for d in body["designations"]] == [
        ("provincial", 2014)
    ]
    [year] = body["years"]
    assert year["year"] == 2016 and year["rural_population"] == 2154
    assert year["collective_income"] == "52000.00"  # money: a string with two places


@pytest.mark.parametrize(
    ("role", "area"),
    [
        (Role.village_cadre, SECOND_VILLAGE),
        (Role.village_cadre, OTHER_VILLAGE),
        (Role.town_officer, OTHER_TOWN),
    ],
)
async def test_village_outside_the_area_is_not_found(
    client: httpx.AsyncClient, auth: TokenFactory, areas: None, role: Role, area: str
) -> None:
    headers = auth(role, area)
    assert (await client.get(f"/v1/villages/{VILLAGE}", headers=headers)).status_code == 404
    year = await client.get(f"/v1/villages/{VILLAGE}/years/2016", headers=headers)
    assert year.status_code == 404


async def test_town_officer_cannot_write_outside_their_town(
    client: httpx.AsyncClient, auth: TokenFactory, areas: None
) -> None:
    officer = auth(Role.town_officer, OTHER_TOWN)
    patch = await client.patch(
        f"/v1/villages/{VILLAGE}", json={"name": "x"}, headers={**officer, "If-Match": "*"}
    )
    assert patch.status_code == 404
    put = await client.put(
        f"/v1/villages/{VILLAGE}/years/2017", json=village_year_body(), headers=officer
    )
    assert put.status_code == 404
    create = await client.post(
        "/v1/villages", json={"code": NEW_VILLAGE, "name": "新村"}, headers=officer
    )
    assert create.status_code == 422
    assert create.json()["errors"][0]["loc"] == ["body", "code"]


async def test_create_village_audits_and_feeds(
    client: httpx.AsyncClient, auth: TokenFactory, areas: None, session: AsyncSession
) -> None:
    body = {"code": NEW_VILLAGE, "name": "石门东村", "kind": "village", "code_generated": True}
    created = await client.post("/v1/villages", json=body, headers=auth(Role.town_officer, TOWN))
    assert created.status_code == 201, created.text
    assert created.headers["location"] == f"/v1/villages/{NEW_VILLAGE}"
    assert created.json()["town_code"] == TOWN and created.json()["years"] == []

    [change] = await _changes(session, NEW_VILLAGE)
    assert (change.op, change.area_code) == ("upsert", NEW_VILLAGE)
    assert change.payload is not None and change.payload["name"] == "石门东村"
    entry = await session.scalar(sa.select(AuditEntry).where(AuditEntry.entity_id == NEW_VILLAGE))
    assert entry is not None and entry.action == "village.create"
    assert entry.actor_role == "town_officer" and entry.after is not None

    again = await client.post("/v1/villages", json=body, headers=auth())
    assert again.status_code == 409
    same_name = await client.post(
        "/v1/villages", json={**body, "code": "370404104098"}, headers=auth()
    )
    assert same_name.status_code == 409
    bad = await client.post("/v1/villages", json={**body, "code": "3704041040"}, headers=auth())
    assert bad.status_code == 422


async def test_a_retried_create_is_answered_once(
    client: httpx.AsyncClient, auth: TokenFactory, areas: None, session: AsyncSession
) -> None:
    headers = {**auth(Role.town_officer, TOWN), "Idempotency-Key": "create-shimen-1"}
    body = {"code": NEW_VILLAGE, "name": "石门东村"}
    first = await client.post("/v1/villages", json=body, headers=headers)
    retry = await client.post("/v1/villages", json=body, headers=headers)
    assert first.status_code == retry.status_code == 201
    assert retry.headers["idempotent-replayed"] == "true" and retry.json() == first.json()
    assert len(await _changes(session, NEW_VILLAGE)) == 1  # created, fed and audited once


async def test_patch_village_needs_a_current_etag(
    client: httpx.AsyncClient, auth: TokenFactory, areas: None, session: AsyncSession
) -> None:
    url = f"/v1/villages/{VILLAGE}"
    etag = (await client.get(url, headers=auth())).headers["etag"]
    change = {"name": "马楼新村", "name_generated": False}

    assert (await client.patch(url, json=change, headers=auth())).status_code == 428
    updated = await client.patch(url, json=change, headers={**auth(), "If-Match": etag})
    assert updated.status_code == 200, updated.text
    assert updated.json()["name"] == "马楼新村"
    assert updated.headers["etag"] != etag

    stale = await client.patch(url, json={"name": "又一村"}, headers={**auth(), "If-Match": etag})
    assert stale.status_code == 412
    assert stale.json()["current_etag"] == updated.headers["etag"]

    current = {**auth(), "If-Match": updated.headers["etag"]}
    nulled = await client.patch(url, json={"name": None}, headers=current)
    assert nulled.status_code == 422 and nulled.json()["errors"][0]["loc"] == ["body", "name"]

    feed = await _changes(session, VILLAGE)
    assert feed[-1].payload is not None and feed[-1].payload["name"] == "马楼新村"
    entry = await session.scalar(
        sa.select(AuditEntry).where(
            AuditEntry.entity_id == VILLAGE, AuditEntry.action == "village.update"
        )
    )
    assert entry is not None
    assert entry.before is not None and entry.before["name"] == "马楼村"


async def test_designations(
    client: httpx.AsyncClient, auth: TokenFactory, areas: None, session: AsyncSession
) -> None:
    url = f"/v1/villages/{SECOND_VILLAGE}/designations"
    created = await client.post(
        url, json={"designation": "city_2018", "designated_year": 2018}, headers=auth()
    )
    assert created.status_code == 201, created.text
    assert created.json()["exit_year"] is None
    duplicate = await client.post(
        url, json={"designation": "city_2018", "designated_year": 2018}, headers=auth()
    )
    assert duplicate.status_code == 409
    backwards = await client.post(
        url, json={"designation": "city", "designated_year": 2018, "exit_year": 2016},
        headers=auth(),
    )  # fmt: skip
    assert backwards.status_code == 422

    # The eligibility service records the exit once the village exit is approved.
    service = auth(Role.service, "370404")
    exit_url = f"{url}/city_2018"
    assert (
        await client.patch(exit_url, json={"exit_year": 2019}, headers=service)
    ).status_code == 428
    exited = await client.patch(
        exit_url, json={"exit_year": 2019}, headers={**service, "If-Match": created.headers["etag"]}
    )
    assert exited.status_code == 200 and exited.json()["exit_year"] == 2019
    early = await client.patch(
        exit_url, json={"exit_year": 2017}, headers={**service, "If-Match": exited.headers["etag"]}
    )
    assert early.status_code == 422
    missing = await client.patch(
        f"{url}/provincial", json={"exit_year": 2019}, headers={**auth(), "If-Match": "*"}
    )
    assert missing.status_code == 404

    detail = (await client.get(f"/v1/villages/{SECOND_VILLAGE}", headers=auth())).json()
    assert [(d["designation"], d["exit_year"]) for d in detail["designations"]] == [
        ("city_2018", 2019)
    ]
    payloads = [c.payload for c in await _changes(session, SECOND_VILLAGE)]
    assert payloads[-1] is not None and payloads[-1]["designations"][0]["exit_year"] == 2019


async def test_village_year_put_creates_then_replaces(
    client: httpx.AsyncClient, auth: TokenFactory, areas: None
) -> None:
    url = f"/v1/villages/{VILLAGE}/years/2018"
    officer = auth(Role.town_officer, TOWN)
    body = village_year_body(2100, collective_income="0", per_capita_net_income="10250.5")

    with_match = await client.put(url, json=body, headers={**officer, "If-Match": '"1"'})
    assert with_match.status_code == 412  # nothing to match yet
    created = await client.put(url, json=body, headers=officer)
    assert created.status_code == 201, created.text
    assert created.json()["collective_income"] == "0.00"
    assert created.json()["per_capita_net_income"] == "10250.50"

    changed = {**body, "collective_income": "30000.00"}
    assert (await client.put(url, json=changed, headers=officer)).status_code == 428
    replaced = await client.put(
        url, json=changed, headers={**officer, "If-Match": created.headers["etag"]}
    )
    assert replaced.status_code == 200 and replaced.json()["collective_income"] == "30000.00"
    read = await client.get(url, headers=auth(Role.village_cadre, VILLAGE))
    assert read.json() == replaced.json() and read.headers["etag"] == replaced.headers["etag"]


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"collective_income": 52000.5}, "collective_income"),  # a float is not money
        ({"collective_income": "1.234"}, "collective_income"),
        ({"collective_income": "-5.00"}, "collective_income"),
        ({"rural_population": 3000}, None),  # more rural people than people
        ({"road_hardened": None}, "road_hardened"),
    ],
)
async def test_village_year_rejects_bad_input(
    client: httpx.AsyncClient,
    auth: TokenFactory,
    areas: None,
    override: dict[str, Any],
    field: str | None,
) -> None:
    body = {**village_year_body(), **override}
    response = await client.put(f"/v1/villages/{VILLAGE}/years/2018", json=body, headers=auth())
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    if field:
        assert any(e["loc"][:2] == ["body", field] for e in response.json()["errors"])


async def test_load_areas_is_idempotent(session: AsyncSession) -> None:
    first = await load_areas(session, **area_rows())
    assert (first.towns, first.villages, first.designations, first.village_years) == (2, 3, 2, 1)
    assert first.villages_published == 3
    fed = len(await _changes(session, VILLAGE))

    again = await load_areas(session, **area_rows())
    assert (again.towns, again.villages, again.designations, again.village_years) == (0, 0, 0, 0)
    assert len(await _changes(session, VILLAGE)) == fed  # nothing new on the feed

    rows = area_rows()
    rows["designations"][1] = DesignationLoad(
        village_code=OTHER_VILLAGE, designation="provincial", designated_year=2014, exit_year=2018
    )
    changed = await load_areas(session, **rows)
    assert (changed.designations, changed.villages_published) == (1, 1)
    [latest] = (await _changes(session, OTHER_VILLAGE))[-1:]
    assert latest.payload is not None
    assert latest.payload["designations"][0]["exit_year"] == 2018


async def test_load_areas_refuses_duplicates(session: AsyncSession) -> None:
    rows = area_rows()
    rows["villages"].append(VillageCreate(code=VILLAGE, name="重复村"))
    with pytest.raises(InvalidInput, match="given twice"):
        await load_areas(session, **rows)


# Every "no" of the matrix for area writes: (method, path, body, roles allowed).
_WRITES: list[tuple[str, str, dict[str, Any], set[Role]]] = [
    ("POST", "/v1/villages", {"code": NEW_VILLAGE, "name": "新村"},
     {Role.district_admin, Role.town_officer}),
    ("PATCH", f"/v1/villages/{VILLAGE}", {"name": "新村"},
     {Role.district_admin, Role.town_officer}),
    ("PUT", f"/v1/villages/{VILLAGE}/years/2018", village_year_body(),
     {Role.district_admin, Role.town_officer}),
    ("POST", f"/v1/villages/{VILLAGE}/designations",
     {"designation": "city", "designated_year": 2014}, {Role.district_admin}),
    ("PATCH", f"/v1/villages/{VILLAGE}/designations/provincial", {"exit_year": 2017},
     {Role.district_admin, Role.service}),
]  # fmt: skip
_DENIED = [
    pytest.param(method, path, body, role, id=f"{method} {path} {role.value}")
    for method, path, body, allowed in _WRITES
    for role in Role
    if role not in allowed
]


@pytest.mark.parametrize(("method", "path", "body", "role"), _DENIED)
async def test_roles_that_may_not_write_areas(
    client: httpx.AsyncClient,
    auth: TokenFactory,
    areas: None,
    method: str,
    path: str,
    body: dict[str, Any],
    role: Role,
) -> None:
    # Each role at an area that covers the village, so only the role can be the reason.
    area = {Role.village_cadre: VILLAGE, Role.town_officer: TOWN}.get(role, "370404")
    headers = {**auth(role, area), "If-Match": "*"}
    response = await client.request(method, path, json=body, headers=headers)
    assert response.status_code == 403, response.text
