"""Aggregates, checked against a small register whose numbers are worked out by hand.

榴园镇 (370404103)                      status              id'd  exit  members
  白庙村 …001  h1                        not_exited          2014  —     3
               h2                        exited_supported    2014  2016  4 (+1 left 2018-06-30)
               h3                        returned            2015  2016  2
  卜村   …002  h4                        exited_unsupported  2016  2017  5
               h5                        pre_exit            2018  —     1
峨山镇 马楼村   h6                        not_exited          2016  —     2
Village records of 2017: 白庙村 1000 rural people, 卜村 500; 马楼村 has none.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Role
from tests.registry.factories import (
    VILLAGE,
    TokenFactory,
    make_household_row,
    make_village,
    make_village_year,
)

LIUYUAN = "370404103"
BAIMIAO = "370404103001"
BUCUN = "370404103002"


@pytest.fixture
async def register(session: AsyncSession) -> None:
    for code, name in [(BAIMIAO, "白庙村"), (BUCUN, "卜村"), (VILLAGE, "马楼村")]:
        await make_village(session, code, name)
    add = make_household_row
    await add(session, BAIMIAO, members=3, identification_year=2014)
    await add(
        session,
        BAIMIAO,
        members=4,
        departed=1,
        status="exited_supported",
        exit_year=2016,
        identification_year=2014,
        main_cause="lack_funds",
    )
    await add(
        session, BAIMIAO, members=2, status="returned", exit_year=2016, identification_year=2015
    )
    await add(
        session,
        BUCUN,
        members=5,
        status="exited_unsupported",
        exit_year=2017,
        identification_year=2016,
        main_cause="disability",
    )
    await add(session, BUCUN, members=1, status="pre_exit", identification_year=2018)
    await add(session, VILLAGE, members=2, identification_year=2016)
    await make_village_year(session, BAIMIAO, 2017, 1000)
    await make_village_year(session, BUCUN, 2017, 500)
    await session.commit()  # releases the savepoint; the test transaction still rolls back


def _rows(body: dict[str, Any]) -> dict[tuple[Any, ...], tuple[int, int, int, int]]:
    return {
        tuple(item["group"].values()): (
            item["households"], item["persons"],
            item["not_exited_households"], item["not_exited_persons"],
        )
        for item in body["items"]
    }  # fmt: skip


async def _stats(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> Any:
    response = await client.get("/v1/stats/households", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_households_by_village_now(
    client: httpx.AsyncClient, auth: TokenFactory, register: None
) -> None:
    body = await _stats(client, auth(), group_by="village", town_code=LIUYUAN)
    # Departed members are not counted; returned and pre-exit households are not exited.
    assert _rows(body) == {(BAIMIAO,): (3, 9, 2, 5), (BUCUN,): (2, 6, 1, 1)}
    assert body["total"] == {
        "households": 5, "persons": 15, "not_exited_households": 3, "not_exited_persons": 6,
    }  # fmt: skip


async def test_households_by_village_at_the_end_of_a_year(
    client: httpx.AsyncClient, auth: TokenFactory, register: None
) -> None:
    body = await _stats(client, auth(), group_by="village", town_code=LIUYUAN, year=2016)
    # h5 (identified 2018) is not yet registered; h2's departed member was still there;
    # h4 exited only in 2017.
    assert _rows(body) == {(BAIMIAO,): (3, 10, 2, 5), (BUCUN,): (1, 5, 1, 5)}
    assert body["year"] == 2016


async def test_households_by_status_and_by_town_and_exit_year(
    client: httpx.AsyncClient, auth: TokenFactory, register: None
) -> None:
    by_status = await _stats(client, auth(), group_by="status", town_code=LIUYUAN)
    assert _rows(by_status) == {
        ("exited_supported",): (1, 4, 0, 0),
        ("exited_unsupported",): (1, 5, 0, 0),
        ("not_exited",): (1, 3, 1, 3),
        ("pre_exit",): (1, 1, 1, 1),
        ("returned",): (1, 2, 1, 2),
    }
    officer = auth(Role.town_officer, LIUYUAN)  # the town's numbers, without a filter
    two = await _stats(client, officer, group_by=["town", "exit_year"])
    assert two["group_by"] == ["town", "exit_year"]
    assert _rows(two) == {
        (LIUYUAN, 2016): (2, 6, 1, 2),
        (LIUYUAN, 2017): (1, 5, 0, 0),
        (LIUYUAN, None): (2, 4, 2, 4),
    }
    causes = await _stats(client, officer, group_by="main_cause")
    assert _rows(causes) == {
        ("disability",): (1, 5, 0, 0),
        ("illness",): (3, 6, 3, 6),
        ("lack_funds",): (1, 4, 0, 0),
    }
    years = await _stats(client, officer, group_by="identification_year", year=2017)
    assert _rows(years) == {(2014,): (2, 8, 1, 3), (2015,): (1, 2, 1, 2), (2016,): (1, 5, 0, 0)}
    assert (await _stats(client, officer))["items"][0]["group"] == {}  # no group: one total


async def test_households_stats_are_scoped(
    client: httpx.AsyncClient, auth: TokenFactory, register: None
) -> None:
    cadre = await _stats(client, auth(Role.village_cadre, BUCUN), group_by="village")
    assert _rows(cadre) == {(BUCUN,): (2, 6, 1, 1)}
    other = await _stats(client, auth(Role.town_officer, "370404104"), group_by="town")
    assert _rows(other) == {("370404104",): (1, 2, 1, 2)}
    # Asking for another area's numbers gets none, not somebody else's.
    peek = await _stats(client, auth(Role.village_cadre, BUCUN), village_code=BAIMIAO)
    assert peek["items"] == [] and peek["total"]["households"] == 0


async def test_village_incidence_inputs(
    client: httpx.AsyncClient, auth: TokenFactory, register: None
) -> None:
    response = await client.get(
        "/v1/stats/villages", params={"year": 2017, "town_code": LIUYUAN}, headers=auth()
    )
    assert response.status_code == 200, response.text
    rows = {v["village_code"]: v for v in response.json()["items"]}
    assert rows[BAIMIAO] == {
        "village_code": BAIMIAO,
        "village_name": "白庙村",
        "town_code": LIUYUAN,
        "rural_population": 1000,
        "registered_households": 3,
        "registered_persons": 10,
        "not_exited_households": 2,
        "not_exited_persons": 5,
        "incidence": "0.0050",
    }
    bucun = rows[BUCUN]
    assert (bucun["registered_households"], bucun["not_exited_persons"]) == (1, 0)
    assert bucun["incidence"] == "0.0000"

    maolou = await client.get(
        "/v1/stats/villages", params={"year": 2017}, headers=auth(Role.village_cadre, VILLAGE)
    )
    [only] = maolou.json()["items"]
    assert only["village_code"] == VILLAGE
    assert only["rural_population"] is None and only["incidence"] is None
    assert only["not_exited_persons"] == 2


async def test_village_stats_page(
    client: httpx.AsyncClient, auth: TokenFactory, register: None
) -> None:
    params: dict[str, Any] = {"year": 2017, "town_code": LIUYUAN, "limit": 1}
    first = (await client.get("/v1/stats/villages", params=params, headers=auth())).json()
    assert [v["village_code"] for v in first["items"]] == [BAIMIAO]
    second = await client.get(
        "/v1/stats/villages", params={**params, "cursor": first["next_cursor"]}, headers=auth()
    )
    assert [v["village_code"] for v in second.json()["items"]] == [BUCUN]
    assert second.json()["next_cursor"] is None


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/stats/households", {"group_by": "household_id"}),
        ("/v1/stats/households", {"year": 1999}),
        ("/v1/stats/villages", {}),  # the year is required
        ("/v1/stats/villages", {"year": 2017, "cursor": "bm9wZQ=="}),
    ],
)
async def test_bad_stats_queries(
    client: httpx.AsyncClient, auth: TokenFactory, path: str, params: dict[str, Any]
) -> None:
    response = await client.get(path, params=params, headers=auth())
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("role", list(Role))
async def test_every_role_reads_aggregates_of_its_area(
    client: httpx.AsyncClient, auth: TokenFactory, register: None, role: Role
) -> None:
    # Counts carry no personal data: the matrix has no "no" here, only the area limits.
    headers = auth(role, BAIMIAO if role is Role.village_cadre else "370404")
    assert (await client.get("/v1/stats/households", headers=headers)).status_code == 200
    villages = await client.get("/v1/stats/villages", params={"year": 2017}, headers=headers)
    assert villages.status_code == 200


async def test_requests_without_a_token_are_refused(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/stats/households")).status_code == 401
    assert (await client.get("/v1/stats/villages?year=2017")).status_code == 401
