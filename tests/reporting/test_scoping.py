"""Reports are area-scoped like every read: a town officer's report is their town's,
asked for with their own token, which reaches the upstreams unchanged."""

from __future__ import annotations

import httpx
import jwt
import pytest
from fastapi import FastAPI

from shared.auth import Role
from tests.reporting.conftest import (
    Recorder,
    ReportingFactory,
    TokenFactory,
    bearer,
    client_of,
)

ESHAN, GUSHAO = "370404104", "370404100"


async def test_a_town_officers_rolling_plan_is_their_town_asked_with_their_token(
    reporting_factory: ReportingFactory,
    registry_app: FastAPI,
    client: httpx.AsyncClient,
    token: TokenFactory,
) -> None:
    seen: list[httpx.Request] = []
    app = await reporting_factory(
        registry_transport=Recorder(httpx.ASGITransport(app=registry_app), seen)
    )
    officer = token(Role.town_officer, ESHAN)
    async with client_of(app) as officers_client:
        response = await officers_client.get("/v1/reports/rolling-plan", headers=bearer(officer))
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["area"] == {"code": ESHAN, "level": "town", "name": "峨山镇"}
    assert [r["town_code"] for r in report["rows"]] == [ESHAN]
    # Every upstream call carried the officer's own token, not a service token.
    assert seen and all(r.headers["authorization"] == f"Bearer {officer}" for r in seen)
    # The registry scoped it: the town's figures, the same as the district's row for it.
    district = (await client.get("/v1/reports/rolling-plan", headers=bearer(token()))).json()
    eshan = next(r for r in district["rows"] if r["town_code"] == ESHAN)
    assert report["rows"][0] == eshan
    assert report["totals"]["poor_persons_2015"] == {"planned": 7001, "actual": 7001}
    assert report["totals"]["key_villages"] == {"planned": 10, "actual": 10}


async def test_another_town_does_not_exist_for_a_town_officer(
    client: httpx.AsyncClient, token: TokenFactory
) -> None:
    officer = bearer(token(Role.town_officer, ESHAN))
    for path in ("rolling-plan", "causes"):
        other = await client.get(
            f"/v1/reports/{path}", params={"town_code": GUSHAO}, headers=officer
        )
        assert other.status_code == 404, other.text
    own = await client.get("/v1/reports/causes", params={"town_code": ESHAN}, headers=officer)
    assert own.status_code == 200
    assert {r["town_code"] for r in own.json()["rows"]} == {ESHAN}


async def test_the_district_may_narrow_a_report_to_a_town(
    client: httpx.AsyncClient, token: TokenFactory
) -> None:
    response = await client.get(
        "/v1/reports/rolling-plan", params={"town_code": GUSHAO}, headers=bearer(token())
    )
    report = response.json()
    assert report["area"]["name"] == "古邵镇"
    assert [r["town_code"] for r in report["rows"]] == [GUSHAO]
    assert report["totals"]["persons_exited"]["2016"] == {"planned": 1926, "actual": 1926}


async def test_a_village_cadre_sees_their_village_only(
    client: httpx.AsyncClient, token: TokenFactory, villages: dict[str, list[str]]
) -> None:
    village = villages[ESHAN][0]
    cadre = bearer(token(Role.village_cadre, village))
    progress = (
        await client.get("/v1/reports/exit-progress", params={"year": 2018}, headers=cadre)
    ).json()
    assert [r["village_code"] for r in progress["rows"]] == [village]
    assert progress["area"]["level"] == "village"
    assert progress["area"]["name"] == progress["rows"][0]["village_name"]
    plan = (await client.get("/v1/reports/rolling-plan", headers=cadre)).json()
    (row,) = plan["rows"]
    assert row["poor_persons_2015"]["planned"] is None  # the plan has no village figures
    assert row["poor_persons_2015"]["actual"] is not None
    assert row["poor_persons_2015"]["actual"] < 7001


@pytest.mark.parametrize(
    ("role", "area", "status"),
    [
        (Role.town_officer, ESHAN, 403),
        (Role.village_cadre, "370404104200", 403),
        (Role.provincial_system, "370404", 403),
        (Role.finance_officer, "370404", 200),
        (Role.auditor, "370404", 200),
    ],
)
async def test_who_may_read_the_funds_report(
    client: httpx.AsyncClient, token: TokenFactory, role: Role, area: str, status: int
) -> None:
    response = await client.get("/v1/reports/funds", headers=bearer(token(role, area)))
    assert response.status_code == status, response.text


async def test_no_token_no_report(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/reports/rolling-plan")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    claims = {"sub": "x", "role": "district_admin", "area": "370404"}
    forged = jwt.encode(claims, "not the registry's key, but long enough", "HS256")
    assert (await client.get("/v1/reports/causes", headers=bearer(forged))).status_code == 401
