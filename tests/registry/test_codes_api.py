"""GET /v1/codes: every code list for clients, cacheable."""

from __future__ import annotations

import httpx
import pytest

from services.registry.codes.catalog import CODE_LISTS
from shared.auth import Role
from tests.registry.factories import VILLAGE, TokenFactory


async def test_every_list_with_code_national_code_and_label(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    response = await client.get("/v1/codes", headers=auth())
    assert response.status_code == 200
    lists = {cl["name"]: cl for cl in response.json()["items"]}
    assert set(lists) == set(CODE_LISTS)
    causes = lists["poverty_cause"]
    assert causes["zh"] == "致贫原因"
    assert {"code": "illness", "national": "1", "zh": "因病"} in causes["codes"]
    assert len(causes["codes"]) == len(CODE_LISTS["poverty_cause"].codes)
    assert {"label": "已脱贫", "code": "exited_supported"} in lists["poverty_status"]["aliases"]


async def test_codes_are_cacheable(client: httpx.AsyncClient, auth: TokenFactory) -> None:
    first = await client.get("/v1/codes", headers=auth())
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "private, max-age=3600"

    cached = await client.get("/v1/codes", headers={**auth(), "If-None-Match": etag})
    assert cached.status_code == 304 and cached.content == b""
    assert cached.headers["etag"] == etag

    stale = await client.get("/v1/codes", headers={**auth(), "If-None-Match": '"old"'})
    assert stale.status_code == 200 and stale.json() == first.json()

    one = await client.get("/v1/codes/key_village_designation", headers=auth())
    assert one.headers["etag"] != etag  # each resource has its own tag
    again = await client.get(
        "/v1/codes/key_village_designation",
        headers={**auth(), "If-None-Match": f'W/{one.headers["etag"]}, "x"'},
    )
    assert again.status_code == 304


async def test_one_list(client: httpx.AsyncClient, auth: TokenFactory) -> None:
    response = await client.get("/v1/codes/key_village_designation", headers=auth())
    assert response.status_code == 200
    assert [(c["code"], c["zh"]) for c in response.json()["codes"]] == [
        ("provincial", "省定"),
        ("city", "市定"),
        ("city_2018", "新认定"),
    ]
    missing = await client.get("/v1/codes/wubao", headers=auth())
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("role", list(Role))
async def test_every_role_reads_the_codes(
    client: httpx.AsyncClient, auth: TokenFactory, role: Role
) -> None:
    headers = auth(role, VILLAGE if role is Role.village_cadre else "370404")
    assert (await client.get("/v1/codes", headers=headers)).status_code == 200


async def test_codes_need_a_token(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/codes")).status_code == 401
    assert (await client.get("/v1/codes/sex")).status_code == 401
