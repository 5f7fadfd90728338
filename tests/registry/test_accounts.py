from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import FastAPI

from services.registry.accounts.schemas import AccountRead
from shared.auth import Role
from tests.registry.factories import VILLAGE, TokenFactory

NEW_ACCOUNT = {
    "username": "wang.cadre",
    "display_name": "王村干部",
    "password": "a-long-passphrase-2018",
    "role": "village_cadre",
    "area_code": VILLAGE,
}


async def _login(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post("/v1/auth/token", data={"username": username, "password": password})


async def test_admin_creates_account_that_can_log_in_and_use_its_token(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    created = await client.post("/v1/accounts", json=NEW_ACCOUNT, headers=auth())
    assert created.status_code == 201, created.text
    assert "password" not in created.text

    login = await _login(client, "wang.cadre", NEW_ACCOUNT["password"])
    assert login.status_code == 200
    body = login.json()
    assert body["role"] == "village_cadre" and body["area_code"] == VILLAGE

    # The token is accepted (authentication passes) but the role may not manage accounts.
    listed = await client.get(
        "/v1/accounts", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert listed.status_code == 403


async def test_wrong_password_and_disabled_account_are_refused(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    created = (await client.post("/v1/accounts", json=NEW_ACCOUNT, headers=auth())).json()
    assert (await _login(client, "wang.cadre", "not-the-password!!")).status_code == 401
    assert (await _login(client, "nobody", "whatever-password")).status_code == 401

    disabled = await client.patch(
        f"/v1/accounts/{created['id']}",
        json={"disabled": True},
        headers={**auth(), "If-Match": f'"{created["version"]}"'},
    )
    assert disabled.status_code == 200 and disabled.json()["disabled"] is True
    assert (await _login(client, "wang.cadre", NEW_ACCOUNT["password"])).status_code == 401


async def test_refresh_token_rotates_and_reuse_revokes_the_chain(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    await client.post("/v1/accounts", json=NEW_ACCOUNT, headers=auth())
    first = (await _login(client, "wang.cadre", NEW_ACCOUNT["password"])).json()

    second = await client.post(
        "/v1/auth/token",
        data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
    )
    assert second.status_code == 200
    rotated = second.json()["refresh_token"]
    assert rotated != first["refresh_token"]

    # The spent token comes back (stolen?): refused, and the fresh one dies with it.
    replay = await client.post(
        "/v1/auth/token",
        data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
    )
    assert replay.status_code == 401
    after = await client.post(
        "/v1/auth/token", data={"grant_type": "refresh_token", "refresh_token": rotated}
    )
    assert after.status_code == 401


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.district_admin])
async def test_only_district_admin_manages_accounts(
    client: httpx.AsyncClient, auth: TokenFactory, role: Role
) -> None:
    area = VILLAGE if role is Role.village_cadre else "370404"
    assert (
        await client.post("/v1/accounts", json=NEW_ACCOUNT, headers=auth(role, area))
    ).status_code == 403
    assert (await client.get("/v1/accounts", headers=auth(role, area))).status_code == 403


async def test_bad_account_input_names_the_field(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    bad = {**NEW_ACCOUNT, "area_code": "110101001"}
    response = await client.post("/v1/accounts", json=bad, headers=auth())
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert ["body", "area_code"] in [e["loc"] for e in response.json()["errors"]]


async def test_jwks_verifies_issued_tokens(client: httpx.AsyncClient, auth: TokenFactory) -> None:
    import jwt

    keys = (await client.get("/.well-known/jwks.json")).json()["keys"]
    token = auth()["Authorization"].removeprefix("Bearer ")
    kid = jwt.get_unverified_header(token)["kid"]
    jwk = next(k for k in keys if k["kid"] == kid)
    claims = jwt.decode(token, jwt.PyJWK(jwk).key, algorithms=["EdDSA"], audience="yicheng")
    assert claims["role"] == "district_admin"


async def test_requests_without_a_valid_token_get_401(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/accounts")).status_code == 401
    bad = await client.get("/v1/accounts", headers={"Authorization": "Bearer not.a.token"})
    assert bad.status_code == 401
    assert bad.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("role", "area"),
    [("town_officer", "370404"), ("village_cadre", "370404104"), ("finance_officer", VILLAGE)],
)
async def test_an_account_area_must_fit_its_role(
    client: httpx.AsyncClient, auth: TokenFactory, role: str, area: str
) -> None:
    response = await client.post(
        "/v1/accounts", json={**NEW_ACCOUNT, "role": role, "area_code": area}, headers=auth()
    )
    assert response.status_code == 422
    assert "area code" in response.json()["errors"][0]["msg"]


async def test_account_updates_need_the_current_etag(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    created = await client.post("/v1/accounts", json=NEW_ACCOUNT, headers=auth())
    assert created.headers["etag"] == '"1"' and created.json()["version"] == 1
    url = created.headers["location"]
    got = await client.get(url, headers=auth())
    assert got.status_code == 200 and got.headers["etag"] == '"1"'
    assert got.json() == created.json()

    rename = {"display_name": "王支书"}
    missing = await client.patch(url, json=rename, headers=auth())
    assert missing.status_code == 428
    assert missing.headers["content-type"].startswith("application/problem+json")
    stale = await client.patch(url, json=rename, headers={**auth(), "If-Match": '"7"'})
    assert stale.status_code == 412 and stale.json()["current_etag"] == '"1"'
    assert (await client.get(url, headers=auth())).json()["display_name"] == "王村干部"

    renamed = await client.patch(url, json=rename, headers={**auth(), "If-Match": '"1"'})
    assert renamed.status_code == 200, renamed.text
    assert renamed.headers["etag"] == '"2"' and renamed.json()["version"] == 2
    assert renamed.json()["display_name"] == "王支书"
    # Every kind of change moves the version; the ETag just read is then stale.
    reset = {"password": "another-long-passphrase"}
    assert (
        await client.patch(url, json=reset, headers={**auth(), "If-Match": '"1"'})
    ).status_code == 412
    changed = await client.patch(url, json=reset, headers={**auth(), "If-Match": '"2"'})
    assert changed.status_code == 200 and changed.headers["etag"] == '"3"'
    assert (await _login(client, "wang.cadre", reset["password"])).status_code == 200
    disabled = await client.patch(
        url, json={"disabled": True}, headers={**auth(), "If-Match": '"3"'}
    )
    assert disabled.headers["etag"] == '"4"' and disabled.json()["disabled"] is True
    # Already disabled: a retry succeeds, whatever its If-Match, and changes nothing.
    retried = await client.patch(
        url, json={"disabled": True}, headers={**auth(), "If-Match": '"3"'}
    )
    assert retried.status_code == 200 and retried.headers["etag"] == '"4"'
    listed = (await client.get("/v1/accounts", headers=auth())).json()["items"]
    assert next(a for a in listed if a["id"] == created.json()["id"])["version"] == 4


async def test_an_unknown_account_is_404(client: httpx.AsyncClient, auth: TokenFactory) -> None:
    url = f"/v1/accounts/{uuid.uuid4()}"
    assert (await client.get(url, headers=auth())).status_code == 404
    patched = await client.patch(
        url, json={"disabled": True}, headers={**auth(), "If-Match": '"1"'}
    )
    assert patched.status_code == 404


async def test_account_endpoints_document_their_etags(registry_app: FastAPI) -> None:
    paths = registry_app.openapi()["paths"]
    patch = paths["/v1/accounts/{account_id}"]["patch"]
    assert {"404", "412", "428"} <= set(patch["responses"])
    assert "If-Match" in patch["summary"]
    assert "get" in paths["/v1/accounts/{account_id}"]
    extra = AccountRead.model_config.get("json_schema_extra")
    assert isinstance(extra, dict) and isinstance(extra["examples"], list)
    for example in extra["examples"]:
        AccountRead.model_validate(example)
