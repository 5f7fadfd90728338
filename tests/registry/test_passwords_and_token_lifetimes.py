"""Passwords at rest and the lifetime of access tokens.

The stored hash is argon2id (checked with argon2's and pwdlib's own parsers), verifies the
password and nothing else, and the password itself is in no column of the account row and
no audit entry. `POST /v1/auth/token` answers with the configured access lifetime, the JWT
carries the same lifetime, and once it has run out the token is refused with 401.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import argon2
import httpx
import jwt
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from pwdlib.hashers.argon2 import Argon2Hasher
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.main import create_app
from services.registry.settings import RegistrySettings
from shared.auth import Role, TokenIssuer
from tests.registry.factories import VILLAGE, TokenFactory

PASSWORD = "correct-horse-battery-2019"
ACCOUNT = {
    "username": "zhao.cadre",
    "display_name": "赵村干部",
    "password": PASSWORD,
    "role": "village_cadre",
    "area_code": VILLAGE,
}


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _login(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post(
        "/v1/auth/token",
        data={"grant_type": "password", "username": username, "password": password},
    )


async def _account_row(session: AsyncSession, username: str) -> dict[str, Any]:
    row = (
        (
            await session.execute(
                sa.text("SELECT * FROM account WHERE username = :u"), {"u": username}
            )
        )
        .mappings()
        .one()
    )
    return dict(row)


async def _audit_entries_containing(session: AsyncSession, needle: str) -> int:
    # The whole row as text: every column, the JSON before/after included.
    query = sa.text("SELECT count(*) FROM audit_log a WHERE strpos(a::text, :needle) > 0")
    return int(await session.scalar(query, {"needle": needle}) or 0)


def _assert_argon2id_of(stored: str, password: str) -> None:
    assert stored.startswith("$argon2id$"), stored[:12]
    assert argon2.extract_parameters(stored).type is argon2.Type.ID
    hasher = Argon2Hasher()
    assert hasher.identify(stored)
    assert hasher.verify(password, stored)
    assert not hasher.verify(password + "!", stored)


# --- passwords at rest ------------------------------------------------------------------------


async def test_the_stored_hash_is_argon2id_and_the_password_is_stored_nowhere(
    client: httpx.AsyncClient, auth: TokenFactory, session: AsyncSession
) -> None:
    before_audit = await _audit_entries_containing(session, PASSWORD)
    created = await client.post("/v1/accounts", json=ACCOUNT, headers=auth())
    assert created.status_code == 201, created.text

    row = await _account_row(session, "zhao.cadre")
    _assert_argon2id_of(row["password_hash"], PASSWORD)
    # Not in any column, in clear or as a substring of something else.
    assert not [name for name, value in row.items() if PASSWORD in str(value)]
    # The creation is audited, without the password.
    audited = await session.execute(
        sa.text("SELECT a::text FROM audit_log a WHERE entity = 'account' AND entity_id = :id"),
        {"id": str(row["id"])},
    )
    entries = audited.scalars().all()
    assert entries, "the account's creation left no audit entry"
    assert await _audit_entries_containing(session, PASSWORD) == before_audit
    assert not any(row["password_hash"] in entry for entry in entries)

    # The same password for another account: salted, so another hash that also verifies.
    twin = await client.post(
        "/v1/accounts", json={**ACCOUNT, "username": "zhao.twin"}, headers=auth()
    )
    assert twin.status_code == 201, twin.text
    twin_hash = (await _account_row(session, "zhao.twin"))["password_hash"]
    assert twin_hash != row["password_hash"]
    _assert_argon2id_of(twin_hash, PASSWORD)


async def test_a_password_reset_stores_a_new_argon2id_hash_and_logs_no_password(
    client: httpx.AsyncClient, auth: TokenFactory, session: AsyncSession
) -> None:
    new_password = "reset-by-the-district-office"
    before_old = await _audit_entries_containing(session, PASSWORD)
    before_new = await _audit_entries_containing(session, new_password)
    created = (await client.post("/v1/accounts", json=ACCOUNT, headers=auth())).json()
    old_hash = (await _account_row(session, "zhao.cadre"))["password_hash"]

    reset = await client.patch(
        f"/v1/accounts/{created['id']}",
        json={"password": new_password},
        headers={**auth(), "If-Match": f'"{created["version"]}"'},
    )
    assert reset.status_code == 200, reset.text

    row = await _account_row(session, "zhao.cadre")
    assert row["password_hash"] != old_hash
    _assert_argon2id_of(row["password_hash"], new_password)
    assert not Argon2Hasher().verify(PASSWORD, row["password_hash"])
    assert not [name for name, value in row.items() if new_password in str(value)]
    assert await _audit_entries_containing(session, new_password) == before_new
    assert await _audit_entries_containing(session, PASSWORD) == before_old
    # The reset is audited as such.
    changed = await session.scalar(
        sa.text(
            "SELECT count(*) FROM audit_log WHERE entity = 'account' AND entity_id = :id"
            " AND action = 'account.update' AND (after ->> 'password_changed')::boolean"
        ),
        {"id": created["id"]},
    )
    assert changed == 1
    # And the login follows the hash: the new password in, the old one out.
    assert (await _login(client, "zhao.cadre", new_password)).status_code == 200
    assert (await _login(client, "zhao.cadre", PASSWORD)).status_code == 401


# --- access-token lifetime --------------------------------------------------------------------


def _claims(app: FastAPI, token: str) -> dict[str, Any]:
    """The token's claims, verified with the key the app publishes in its JWKS."""
    issuer: TokenIssuer = app.state.issuer
    kid = jwt.get_unverified_header(token)["kid"]
    jwk = next(k for k in issuer.jwks()["keys"] if k["kid"] == kid)
    return jwt.decode(
        token,
        jwt.PyJWK(jwk).key,
        algorithms=["EdDSA"],
        audience=app.state.settings.jwt_audience,
        options={"verify_exp": False},
    )


async def test_password_grant_answers_the_configured_access_lifetime(
    client: httpx.AsyncClient, auth: TokenFactory, registry_app: FastAPI
) -> None:
    configured = registry_app.state.settings.access_token_ttl_seconds
    await client.post("/v1/accounts", json=ACCOUNT, headers=auth())

    started = int(time.time())
    login = await _login(client, "zhao.cadre", PASSWORD)
    assert login.status_code == 200, login.text
    body = login.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == configured
    claims = _claims(registry_app, body["access_token"])
    assert claims["exp"] - claims["iat"] == configured
    assert started <= claims["iat"] <= int(time.time())
    assert (claims["sub"], claims["role"], claims["area"]) == (
        "zhao.cadre",
        "village_cadre",
        VILLAGE,
    )


async def test_an_access_token_past_its_expiry_is_refused(
    client: httpx.AsyncClient, registry_app: FastAPI
) -> None:
    real: TokenIssuer = registry_app.state.issuer

    def issued(lifetime: int) -> str:
        # The registry's own keys, issuer and audience; only the lifetime differs.
        issuer = TokenIssuer(real.keys, real.issuer, real.audience, access_ttl_seconds=lifetime)
        return issuer.issue("admin@370404", Role.district_admin, "370404")

    fresh = await client.get("/v1/accounts", headers=_bearer(issued(60)))
    assert fresh.status_code == 200, fresh.text  # the same token, still valid: accepted

    token = issued(-1)  # its exp is already behind the clock
    claims = _claims(registry_app, token)
    assert claims["exp"] < time.time()
    expired = await client.get("/v1/accounts", headers=_bearer(token))
    assert expired.status_code == 401
    assert expired.headers["content-type"].startswith("application/problem+json")
    assert "expired" in expired.json()["detail"]


async def test_a_rotated_refresh_token_works_once_with_a_fresh_access_token(
    client: httpx.AsyncClient, auth: TokenFactory, registry_app: FastAPI
) -> None:
    """Rotation and reuse are in test_accounts; here the rotated pair is usable."""
    await client.post("/v1/accounts", json=ACCOUNT, headers=auth())
    first = (await _login(client, "zhao.cadre", PASSWORD)).json()

    def refresh(token: str) -> Any:
        return client.post(
            "/v1/auth/token", data={"grant_type": "refresh_token", "refresh_token": token}
        )

    second = await refresh(first["refresh_token"])
    assert second.status_code == 200, second.text
    pair = second.json()
    assert pair["expires_in"] == registry_app.state.settings.access_token_ttl_seconds
    assert pair["access_token"] != first["access_token"]
    assert pair["refresh_token"] != first["refresh_token"]
    claims = _claims(registry_app, pair["access_token"])
    assert claims["sub"] == "zhao.cadre"
    # The new access token authenticates (403: a village cadre may not list accounts).
    assert (
        await client.get("/v1/accounts", headers=_bearer(pair["access_token"]))
    ).status_code == 403
    third = await refresh(pair["refresh_token"])
    assert third.status_code == 200, third.text
    assert third.json()["refresh_token"] not in (first["refresh_token"], pair["refresh_token"])


# --- a registry configured with a short lifetime ------------------------------------------------

SHORT_TTL = 2
ADMIN_PASSWORD = "bootstrap-admin-passphrase"


@pytest.fixture(scope="module")
async def short_lived_app(
    make_database: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[FastAPI]:
    """A registry on a database of its own whose access tokens live SHORT_TTL seconds."""
    settings = RegistrySettings(
        database_url=make_database("tokens"),
        data_dir=Path(tmp_path_factory.mktemp("tokens-data")),
        log_level="WARNING",
        access_token_ttl_seconds=SHORT_TTL,
        bootstrap_admin_password=SecretStr(ADMIN_PASSWORD),
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


async def test_a_configured_lifetime_is_issued_and_enforced(short_lived_app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=short_lived_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://tokens.test") as client:
        login = await _login(client, "admin", ADMIN_PASSWORD)
        assert login.status_code == 200, login.text
        body = login.json()
        assert body["expires_in"] == SHORT_TTL
        claims = _claims(short_lived_app, body["access_token"])
        assert claims["exp"] - claims["iat"] == SHORT_TTL

        headers = _bearer(body["access_token"])
        assert (await client.get("/v1/accounts", headers=headers)).status_code == 200
        # Wait until the clock reaches exp (at most SHORT_TTL seconds): the token, verified
        # and remembered a moment ago, is refused from then on.
        await asyncio.sleep(max(0.0, claims["exp"] - time.time()) + 0.05)
        expired = await client.get("/v1/accounts", headers=headers)
        assert expired.status_code == 401
        assert "expired" in expired.json()["detail"]
