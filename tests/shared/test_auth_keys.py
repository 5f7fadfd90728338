"""Signing keys rotate and issuers can be replaced, over a JWKS served on a real socket.

The newest key (by file name) signs while tokens of older key ids still verify; a verifier
refetches the JWKS when it meets an unknown key id, at most once per throttle period; the
registry, told of an external provider's JWKS, trusts that provider's keys and not its own.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from pydantic import SecretStr

from services.registry.main import create_app
from services.registry.settings import RegistrySettings
from shared.auth import Role, TokenIssuer, TokenVerifier, load_or_create_signing_keys
from shared.errors import Unauthenticated

ISSUER = "https://idp.example.test/realms/yicheng"
AUDIENCE = "yicheng"
DISTRICT = "370404"


def write_key(folder: Path, kid: str) -> Path:
    """An Ed25519 key as ops would drop it in: PKCS#8 PEM named after its key id."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{kid}.pem"
    path.write_bytes(
        Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path


def kid_of(token: str) -> str:
    return str(jwt.get_unverified_header(token)["kid"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Provider:
    """An identity provider: its keys folder, the issuer over it and its JWKS URL."""

    folder: Path
    issuer: TokenIssuer
    url: str = ""
    fetches: int = 0

    def rotate(self, kid: str) -> None:
        write_key(self.folder, kid)
        self.issuer = TokenIssuer(load_or_create_signing_keys(self.folder), ISSUER, AUDIENCE)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def provider(tmp_path: Path) -> AsyncIterator[Provider]:
    """A JWKS endpoint served by uvicorn, publishing whatever keys the provider has now."""
    folder = tmp_path / "idp-keys"
    write_key(folder, "20250101-idp")
    state = Provider(folder, TokenIssuer(load_or_create_signing_keys(folder), ISSUER, AUDIENCE))
    app = FastAPI()

    @app.get("/jwks.json")
    async def jwks() -> dict[str, Any]:
        state.fetches += 1
        return state.issuer.jwks()

    port = _free_port()
    state.url = f"http://127.0.0.1:{port}/jwks.json"
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="error", lifespan="off"))
    task = asyncio.create_task(server.serve())
    for _ in range(500):  # uvicorn offers no start event to await
        if server.started:
            break
        await asyncio.sleep(0.01)
    yield state
    server.should_exit = True
    await task


RegistryFactory = Callable[..., Awaitable[FastAPI]]


@pytest.fixture
async def registry(
    make_database: Callable[[str], str], tmp_path: Path
) -> AsyncIterator[RegistryFactory]:
    """Started registry apps, each on a new database, with the given settings."""
    async with AsyncExitStack() as started:

        async def start(**settings: Any) -> FastAPI:
            app = create_app(
                RegistrySettings(
                    database_url=make_database("auth_keys"),
                    data_dir=tmp_path / "registry-data",
                    log_level="WARNING",
                    **settings,
                )
            )
            await started.enter_async_context(app.router.lifespan_context(app))
            return app

        yield start


def client_of(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://registry.test"
    )


async def test_the_newest_key_signs_and_older_key_ids_still_verify(
    tmp_path: Path, provider: Provider
) -> None:
    folder = tmp_path / "signing"
    old = write_key(folder, "20250101-aaaaaaaa")
    before = TokenIssuer(load_or_create_signing_keys(folder), ISSUER, AUDIENCE)
    old_token = before.issue("before", Role.town_officer, "370404100")

    write_key(folder, "20260101-bbbbbbbb")
    # The old file touched last: name order decides, not file times (a secret mount
    # rewrites those).
    later = time.time() + 3600
    os.utime(old, (later, later))
    after = TokenIssuer(load_or_create_signing_keys(folder), ISSUER, AUDIENCE)
    assert [k.kid for k in after.keys] == ["20250101-aaaaaaaa", "20260101-bbbbbbbb"]
    new_token = after.issue("after", Role.town_officer, "370404100")
    assert (kid_of(old_token), kid_of(new_token)) == ("20250101-aaaaaaaa", "20260101-bbbbbbbb")
    assert [k["kid"] for k in after.jwks()["keys"]] == ["20250101-aaaaaaaa", "20260101-bbbbbbbb"]

    # Verified by the issuer's own keys, and by a service reading its JWKS over HTTP.
    provider.issuer = after
    local = TokenVerifier.from_signing_keys(after.keys, issuer=ISSUER, audience=AUDIENCE)
    remote = TokenVerifier(ISSUER, AUDIENCE, jwks_url=provider.url)
    for verifier in (local, remote):
        assert (await verifier.verify(old_token)).subject == "before"
        assert (await verifier.verify(new_token)).subject == "after"
    assert provider.fetches == 1


async def test_the_registry_signs_with_its_newest_key_and_publishes_both(
    tmp_path: Path, registry: RegistryFactory
) -> None:
    folder = tmp_path / "registry-keys"
    write_key(folder, "20250101-aaaaaaaa")
    old_token = TokenIssuer(
        load_or_create_signing_keys(folder), "yicheng-registry", "yicheng"
    ).issue("old-session", Role.district_admin, DISTRICT)
    write_key(folder, "20260101-bbbbbbbb")
    app = await registry(signing_keys_dir=folder, bootstrap_admin_password=SecretStr("pw-123456"))
    async with client_of(app) as client:
        published = (await client.get("/.well-known/jwks.json")).json()["keys"]
        assert [k["kid"] for k in published] == ["20250101-aaaaaaaa", "20260101-bbbbbbbb"]
        signed_in = await client.post(
            "/v1/auth/token", data={"username": "admin", "password": "pw-123456"}
        )
        assert signed_in.status_code == 200, signed_in.text
        new_token = signed_in.json()["access_token"]
        assert kid_of(new_token) == "20260101-bbbbbbbb"
        for token in (old_token, new_token):
            assert (await client.get("/v1/towns", headers=bearer(token))).status_code == 200


async def test_an_unknown_key_id_refetches_the_jwks_at_most_once_per_throttle(
    tmp_path: Path, provider: Provider
) -> None:
    verifier = TokenVerifier(ISSUER, AUDIENCE, jwks_url=provider.url)
    await verifier.verify(provider.issuer.issue("first", Role.district_admin, DISTRICT))
    assert provider.fetches == 1
    await verifier.verify(provider.issuer.issue("second", Role.district_admin, DISTRICT))
    assert provider.fetches == 1  # a known key id needs no fetch

    provider.rotate("20260101-rotated")
    rotated = provider.issuer.issue("rotated", Role.district_admin, DISTRICT)
    # Within the throttle the JWKS is not fetched again, so the new key is not known yet.
    with pytest.raises(Unauthenticated, match="unknown key"):
        await verifier.verify(rotated)
    assert provider.fetches == 1

    # Once the throttle's 10 s have passed (set back here rather than slept through), the
    # unknown key id fetches the JWKS, which now has the provider's new key.
    verifier._last_fetch -= 10
    assert (await verifier.verify(rotated)).subject == "rotated"
    assert provider.fetches == 2

    # A flood of tokens with key ids nobody publishes, right after, costs no more fetches.
    write_key(tmp_path / "stranger", "20260101-stranger")
    stranger = TokenIssuer(load_or_create_signing_keys(tmp_path / "stranger"), ISSUER, AUDIENCE)
    for n in range(5):
        with pytest.raises(Unauthenticated, match="unknown key"):
            await verifier.verify(stranger.issue(f"forger-{n}", Role.district_admin, DISTRICT))
    assert provider.fetches == 2


async def test_a_registry_given_an_external_jwks_trusts_only_that_provider(
    provider: Provider, registry: RegistryFactory
) -> None:
    app = await registry(jwks_url=provider.url, jwt_issuer=ISSUER, jwt_audience=AUDIENCE)
    own: TokenIssuer = app.state.issuer
    # The same issuer and audience as the provider's tokens: only the signing key differs.
    assert (own.issuer, own.audience) == (ISSUER, AUDIENCE)
    from_provider = provider.issuer.issue("idp-user", Role.district_admin, DISTRICT)
    from_own_key = own.issue("local-user", Role.district_admin, DISTRICT)
    async with client_of(app) as client:
        accepted = await client.get("/v1/towns", headers=bearer(from_provider))
        assert accepted.status_code == 200, accepted.text
        refused = await client.get("/v1/towns", headers=bearer(from_own_key))
        assert refused.status_code == 401
        assert "unknown key" in refused.json()["detail"]
    assert provider.fetches >= 1
