"""TokenVerifier remembers verified tokens until they expire, within a bounded memory."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import jwt
import pytest

from shared import auth
from shared.auth import Role, TokenIssuer, TokenVerifier, load_or_create_signing_keys
from shared.errors import Unauthenticated


@pytest.fixture
def issuer(tmp_path: Path) -> TokenIssuer:
    return TokenIssuer(load_or_create_signing_keys(tmp_path / "keys"), "test-issuer", "test", 60)


@pytest.fixture
def verifier(issuer: TokenIssuer) -> TokenVerifier:
    return TokenVerifier.from_signing_keys(issuer.keys, issuer="test-issuer", audience="test")


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Tokens whose signature was checked (jwt.decode called)."""
    seen: list[str] = []
    real = jwt.decode

    def counting(token: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(token)
        return real(token, *args, **kwargs)

    monkeypatch.setattr(auth.jwt, "decode", counting)
    return seen


async def test_a_token_is_verified_once_then_remembered(
    issuer: TokenIssuer, verifier: TokenVerifier, decodes: list[str]
) -> None:
    token = issuer.issue("cadre", Role.village_cadre, "370404104001")
    first = await verifier.verify(token)
    again = await verifier.verify(token)
    assert again is first
    assert (first.subject, first.role, first.area_code) == (
        "cadre",
        Role.village_cadre,
        "370404104001",
    )
    assert decodes == [token]


async def test_a_remembered_token_still_expires(
    issuer: TokenIssuer, verifier: TokenVerifier
) -> None:
    issuer.access_ttl_seconds = 1
    token = issuer.issue("cadre", Role.village_cadre, "370404104001")
    principal = await verifier.verify(token)
    await asyncio.sleep(max(0.0, principal.claims["exp"] - time.time()) + 0.05)
    with pytest.raises(Unauthenticated, match="expired"):
        await verifier.verify(token)


async def test_refused_tokens_are_not_remembered(
    issuer: TokenIssuer, verifier: TokenVerifier, decodes: list[str]
) -> None:
    token = issuer.issue("cadre", Role.village_cadre, "370404104001")
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for _ in range(2):
        with pytest.raises(Unauthenticated):
            await verifier.verify(forged)
    assert decodes == [forged, forged]
    other = TokenVerifier.from_signing_keys(issuer.keys, issuer="test-issuer", audience="other")
    for _ in range(2):
        with pytest.raises(Unauthenticated):
            await other.verify(token)  # wrong audience, every time


async def test_memory_is_bounded_least_recently_used_first(
    issuer: TokenIssuer,
    verifier: TokenVerifier,
    decodes: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(auth, "VERIFIED_TOKENS_KEPT", 2)
    a, b, c = (issuer.issue(s, Role.auditor, "370404") for s in "abc")
    await verifier.verify(a)
    await verifier.verify(b)
    await verifier.verify(a)  # a is now the most recently used
    await verifier.verify(c)  # b goes
    decodes.clear()
    await verifier.verify(a)
    await verifier.verify(c)
    assert decodes == []
    await verifier.verify(b)
    assert decodes == [b]
