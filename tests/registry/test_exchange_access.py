"""Who may not use the exchange endpoints (DESIGN.md: every cell that says no)."""

from __future__ import annotations

import httpx
import pytest

from shared.auth import Role
from tests.registry.factories import TOWN, VILLAGE, TokenFactory

AREA = {Role.town_officer: TOWN, Role.village_cadre: VILLAGE}
CSV = "县(市、区),乡(镇)\r\n".encode()


@pytest.mark.parametrize(
    "role",
    [Role.town_officer, Role.village_cadre, Role.finance_officer, Role.auditor, Role.service],
)
async def test_only_the_district_office_and_the_province_import(
    client: httpx.AsyncClient, auth: TokenFactory, role: Role
) -> None:
    response = await client.post(
        "/v1/imports",
        params={"dry_run": "true"},
        headers={**auth(role, AREA.get(role, "370404")), "Content-Type": "text/csv"},
        content=CSV,
    )
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("role", [Role.finance_officer, Role.service])
async def test_exchange_files_are_not_for_finance_or_services(
    client: httpx.AsyncClient, auth: TokenFactory, role: Role
) -> None:
    response = await client.get("/v1/exports/households", headers=auth(role))
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v1/imports"),
        ("GET", "/v1/exports/households"),
        ("GET", "/v1/exports/households.jsonl"),
    ],
)
async def test_anonymous_callers_get_401(client: httpx.AsyncClient, method: str, path: str) -> None:
    response = await client.request(method, path, content=CSV if method == "POST" else None)
    assert response.status_code == 401


async def test_a_village_outside_the_callers_area_is_not_found(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    response = await client.get(
        "/v1/exports/households.jsonl",
        params={"area": "370404100"},
        headers=auth(Role.village_cadre, VILLAGE),
    )
    assert response.status_code == 404


async def test_a_bad_header_is_a_422_in_a_dry_run_too(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    response = await client.post(
        "/v1/imports",
        headers={**auth(), "Content-Type": "text/csv"},
        content="户编号,姓名,颜色\r\nH1,张三,红\r\n".encode(),
    )
    assert response.status_code == 422
    locs = [tuple(e["loc"]) for e in response.json()["errors"]]
    assert ("header", "颜色") in locs and ("header", "证件号码") in locs


async def test_an_empty_body_is_a_422(client: httpx.AsyncClient, auth: TokenFactory) -> None:
    response = await client.post("/v1/imports", headers={**auth(), "Content-Type": "text/csv"})
    assert response.status_code == 422
